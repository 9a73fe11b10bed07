"""JSON API of casework (session authentication, like the registry's).

POST /cases/api/<id>/actions/  {"action": "...", "reason": "...", "version": n}
    200 {"case_no", "state", "state_label", "version", "due_on"}
    400 {"error": {"code", "message"}} — the workflow refused (a skipped step, the
        preparer deciding, a missing prerequisite); nothing changed
    409 stale version; 404 no such case in the caller's jurisdiction; 401 anonymous.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from jiuzhu.casework import services
from jiuzhu.core.errors import NotFound, ServiceError
from jiuzhu.domain.casework.workflow import workflow_for
from jiuzhu.domain.errors import DomainError
from jiuzhu.registry.api import api_login_required, error, not_found


@require_POST
@api_login_required
def case_action(request: HttpRequest, pk: int) -> JsonResponse:
    try:
        services.case_get(request.user, pk)  # outside the jurisdiction: 404 before anything else
    except NotFound:
        return not_found()
    try:
        body: Any = json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return error(400, "invalid_json", "请求内容不是有效的 JSON")
    if not isinstance(body, dict) or not isinstance(body.get("action"), str):
        return error(400, "invalid_request", "请求应包含 action（操作名称）")
    version = body.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        return error(400, "invalid_request", "version 应为整数")
    try:
        case = services.perform(
            actor=request.user,
            case_id=pk,
            action=body["action"],
            reason=str(body.get("reason") or ""),
            expected_version=version,
            http_request=request,
        )
    except NotFound:
        return not_found()
    except ServiceError as exc:
        return error(exc.http_status, exc.code, exc.message)
    except DomainError as exc:  # e.g. an action the workflow does not know
        return error(400, exc.code, exc.message)
    state = workflow_for(case.programme).state(case.state)
    return JsonResponse(
        {
            "case_no": case.case_no,
            "state": case.state,
            "state_label": state.label,
            "version": case.version,
            "due_on": case.due_on.isoformat() if case.due_on else None,
        },
        json_dumps_params={"ensure_ascii": False},
    )
