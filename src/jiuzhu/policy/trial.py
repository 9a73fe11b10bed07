"""试算: the one path shared by the page and the API (the CLI calls the same engine).

A trial takes either a household typed in (the case structure) or a household
of the registry the user may see, runs `services.assess_application` and
audits that it ran — with the programme and the outcome, never the figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jiuzhu.audit.services import audit_record
from jiuzhu.core import clock
from jiuzhu.core.permissions import Action
from jiuzhu.domain.policy import Application, Determination, Programme, parse_application
from jiuzhu.domain.policy.cases import CaseError, parse_aid_request
from jiuzhu.policy import selectors, services


@dataclass(frozen=True)
class TrialInput:
    """Either `case` (the case structure) or a registered `household_id` with a programme."""

    case: Mapping[str, Any] | None = None
    household_id: int | None = None
    programme: Programme = Programme.AUTO
    as_of: dt.date | None = None
    request: Mapping[str, Any] | None = None

    @classmethod
    def from_body(cls, body: object) -> TrialInput:
        if not isinstance(body, Mapping):
            raise CaseError("请求", "应为一个 JSON 对象")
        if "household_id" not in body:
            return cls(case=body)
        raw_id = body.get("household_id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, int) or raw_id <= 0:
            raise CaseError("household_id", "应为家庭编号（正整数）")
        unknown = set(map(str, body)) - {"household_id", "programme", "as_of", "request"}
        if unknown:
            raise CaseError(
                sorted(unknown)[0], "未知字段（可用：household_id、programme、as_of、request）"
            )
        programme_raw = body.get("programme", "auto")
        if programme_raw not in [p.value for p in Programme]:
            raise CaseError("programme", f"未知的救助项目 {programme_raw!r}")
        as_of = None
        if body.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(str(body["as_of"]))
            except ValueError:
                raise CaseError("as_of", "日期格式应为 YYYY-MM-DD") from None
        request = body.get("request")
        if request is not None and not isinstance(request, Mapping):
            raise CaseError("request", "应为键值对（映射）")
        return cls(
            household_id=raw_id, programme=Programme(programme_raw), as_of=as_of, request=request
        )


@dataclass(frozen=True)
class TrialOutcome:
    application: Application
    determination: Determination


def run_trial(http_request: Any, trial: TrialInput, *, channel: str) -> TrialOutcome:
    """Assess and audit; NotFound for a household outside the user's jurisdiction."""
    table = services.parameter_table()
    if trial.household_id is not None:
        as_of = trial.as_of or clock.today()
        aid = None
        if trial.programme is Programme.TEMP_AID:
            aid = parse_aid_request(trial.request)
        application = selectors.registered_application(
            http_request.user,
            trial.household_id,
            programme=trial.programme,
            as_of=as_of,
            table=table,
            request=aid,
        )
    else:
        application = parse_application(trial.case)
    determination = services.assess_application(application, table=table)
    audit_record(
        action=str(Action.POLICY_TRIAL),
        request=http_request,
        object_type="registry.Household" if trial.household_id else "",
        object_id=trial.household_id or "",
        details={
            "channel": channel,
            "programme": application.programme.value,
            "as_of": application.as_of,
            "outcome": determination.outcome,
            "registered": trial.household_id is not None,
        },
    )
    return TrialOutcome(application, determination)
