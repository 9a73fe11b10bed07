"""POST /policy/api/assess/ — 试算 over JSON, the same structure as a case file.

Body: the case structure of `cases/README.md` (without `expect`), or
`{"household_id": N, "programme": "...", "as_of": "YYYY-MM-DD"}` for a
registered household the caller may see. Answer: the determination as
`jiuzhu assess` prints it. Errors: 400 `{"error": {"code", "field", "message"}}`;
anonymous 401; without the permission or outside the jurisdiction 404.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from jiuzhu.audit.access import check_action
from jiuzhu.core.errors import NotFound
from jiuzhu.core.permissions import Action
from jiuzhu.domain.errors import DomainError
from jiuzhu.policy.trial import TrialInput, run_trial
from jiuzhu.registry.api import api_login_required, error, not_found

MAX_BODY_BYTES = 256 * 1024


@require_POST
@api_login_required
def assess(request: HttpRequest) -> JsonResponse:
    try:
        check_action(request, Action.POLICY_TRIAL)
    except NotFound:
        return not_found()
    if len(request.body) > MAX_BODY_BYTES:
        return error(413, "body_too_large", "请求内容过大")
    try:
        body: Any = json.loads(request.body.decode("utf-8") or "null", parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return error(400, "invalid_json", "请求内容不是有效的 JSON")
    try:
        outcome = run_trial(request, TrialInput.from_body(body), channel="api")
    except NotFound:
        return not_found()
    except DomainError as exc:
        response = JsonResponse(
            {
                "error": {
                    "code": exc.code,
                    "field": getattr(exc, "field", ""),
                    "message": exc.message,
                }
            },
            status=400,
        )
        response["Cache-Control"] = "no-store"
        return response
    response = JsonResponse(
        outcome.determination.as_dict(), json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-store"
    return response
