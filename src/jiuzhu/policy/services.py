"""Use-cases of the policy app: the parameter table, trial assessment, maker-checker changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml
from django.db import transaction

from jiuzhu.audit.services import audit_record
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound, ServiceError
from jiuzhu.core.permissions import Action, can
from jiuzhu.domain.policy import (
    Application,
    Determination,
    ParameterTable,
    application_to_dict,
    assess,
)
from jiuzhu.domain.policy.catalog import CATALOG
from jiuzhu.domain.policy.parameters import (
    ParameterError,
    bundled_table,
    consistency_problems,
    dump_value,
    load_yaml,
    make_value,
)
from jiuzhu.policy.models import ChangeStatus, ParameterChange

#: How many digits of a 12-digit division code name a region of each level.
REGION_DIGITS = {"county": 6, "township": 9, "community": 12, "grid": 12}


class ChangeRefused(ServiceError):
    code = "parameter_change_refused"
    default_message = "参数调整未被接受"


@lru_cache(maxsize=1)
def file_table() -> ParameterTable:
    """The reviewed files (read once per process; they change only with a release)."""
    return bundled_table()


def parameter_table() -> ParameterTable:
    """Files plus the county's approved changes, in the order they were approved."""
    approved = ParameterChange.objects.filter(status=ChangeStatus.APPROVED).order_by(
        "decided_at", "id"
    )
    return file_table().with_values(change.as_value() for change in approved)


def assess_application(
    application: Application, *, table: ParameterTable | None = None
) -> Determination:
    """The one path of 试算, the API, the CLI and (later) the casework."""
    return assess(application, table if table is not None else parameter_table())


@dataclass(frozen=True)
class AssessmentRecord:
    """What a decision stores so it can be recomputed after the parameters change."""

    inputs: dict[str, Any]
    parameter_versions: list[dict[str, Any]]
    result: dict[str, Any]


def assessment_record(application: Application, determination: Determination) -> AssessmentRecord:
    return AssessmentRecord(
        inputs=application_to_dict(application),
        parameter_versions=determination.parameter_versions(),
        result=determination.as_dict(),
    )


def division_region(division: Any) -> str:
    """The region prefix a division stands for (county 6 digits, township 9, community 12)."""
    if division is None:
        return ""
    return str(division.code)[: REGION_DIGITS.get(str(division.level), 12)]


def user_region(user: Any) -> str | None:
    division = getattr(user, "division", None)
    return division_region(division) if division is not None else None


def propose_change(
    *,
    actor: Any,
    name: str,
    effective_from: dt.date,
    value: object,
    source: str,
    reason: str = "",
    request: Any = None,
) -> ParameterChange:
    """A new dated value for the actor's region, waiting for a second person's approval.

    `value` may be the YAML text of the value (as typed on the screen: `1000`,
    `0.5`, `1/3`, `{A: 3, B: 6, C: 12}`) or the value itself.
    """
    region = user_region(actor)
    if not can(actor, Action.POLICY_PARAMETER_PROPOSE) or region is None:
        raise NotFound()
    if name not in CATALOG:
        raise ChangeRefused(f"未知参数：{name}")
    if effective_from < clock.today():
        raise ChangeRefused(
            "生效日期不能早于今天：已经生效的取值不可追溯修改，请从今天或以后的日期起调整"
        )
    if isinstance(value, str):
        try:
            value = load_yaml(value)
        except yaml.YAMLError:
            raise ChangeRefused(f"参数 {name} 的取值无法识别：{value}") from None
    try:
        checked = make_value(
            name=name,
            region=region,
            effective_from=effective_from,
            value=value,
            source=source,
            version="pending",
        )
    except ParameterError as exc:
        raise ChangeRefused(exc.message) from None
    with transaction.atomic():
        duplicate = ParameterChange.objects.filter(
            name=name, region=region, effective_from=effective_from, status=ChangeStatus.PENDING
        ).exists()
        if duplicate:
            raise ChangeRefused(
                f"参数 {name} 自 {effective_from} 起已有一项待审核的调整，请先审核或退回"
            )
        change = ParameterChange.objects.create(
            name=name,
            region=region,
            effective_from=effective_from,
            value=dump_value(CATALOG[name], checked.value),
            source=checked.source,
            reason=reason.strip(),
            proposed_by=actor,
            proposed_at=clock.now(),
        )
        audit_record(
            action=str(Action.POLICY_PARAMETER_PROPOSE),
            actor=actor,
            request=request,
            object_type="policy.ParameterChange",
            object_id=change.pk,
            details={
                "name": name,
                "region": region,
                "effective_from": effective_from,
                "parameter_value": change.value,
            },
        )
    return change


def _refuse_disagreement(change: ParameterChange) -> None:
    """The table with this change must still agree with itself where it applies.

    Changes pending for the same region and date count as part of the same
    adjustment (渐退 months and their schedule are changed together)."""
    companions = ParameterChange.objects.filter(
        status=ChangeStatus.PENDING, region=change.region, effective_from=change.effective_from
    ).exclude(pk=change.pk)
    merged = parameter_table().with_values(
        [*(other.as_value() for other in companions), change.as_value()]
    )
    problems = consistency_problems(merged, change.region.ljust(12, "0"), change.effective_from)
    if problems:
        raise ChangeRefused(f"批准后参数将互相矛盾，请一并调整：{problems[0]}")


def decide_change(
    *, actor: Any, change_id: int, approve: bool, note: str = "", request: Any = None
) -> ParameterChange:
    """Approve or return a pending change; never by its proposer, never twice."""
    region = user_region(actor)
    if not can(actor, Action.POLICY_PARAMETER_APPROVE) or region is None:
        raise NotFound()
    with transaction.atomic():
        change = (
            ParameterChange.objects.select_for_update()
            .filter(pk=change_id, region__startswith=region)
            .first()
        )
        if change is None:
            raise NotFound()
        if change.status != ChangeStatus.PENDING:
            raise ChangeRefused(f"该调整已处理（{change.get_status_display()}），未做任何变更")
        if change.proposed_by_id == actor.pk:
            raise ChangeRefused("提出人不能审核自己提出的调整（经办与审核分离）")
        if approve and change.effective_from < clock.today():
            raise ChangeRefused("生效日期已过，不能再批准；请退回后按新的生效日期重新提出")
        if not approve and not note.strip():
            raise ChangeRefused("退回时请填写审核意见")
        if approve:
            _refuse_disagreement(change)
        change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
        change.decided_by = actor
        change.decided_at = clock.now()
        change.decision_note = note.strip()
        change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            action=str(Action.POLICY_PARAMETER_APPROVE),
            actor=actor,
            request=request,
            object_type="policy.ParameterChange",
            object_id=change.pk,
            details={
                "name": change.name,
                "decision": change.status,
                "effective_from": change.effective_from,
            },
        )
    return change
