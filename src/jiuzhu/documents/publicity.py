"""Posting, objecting to and closing a case's 公示 (domain.md §5, §7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiuzhu.audit.services import audit_record
from jiuzhu.casework.models import Case
from jiuzhu.core import clock
from jiuzhu.core.workdays import working_calendar
from jiuzhu.documents import notices
from jiuzhu.documents.models import NoticeStatus, PublicNotice
from jiuzhu.policy.services import parameter_table

CASE = "casework.Case"


def removal_date(case: Case, posted_on: dt.date) -> dt.date:
    """The last day of the 公示: the publicity step's deadline casework computed (working
    days); for a workflow whose publicity has no deadline, `publicity_working_days`."""
    if case.due_on is not None:
        return case.due_on
    region = case.household.community.code
    days = int(parameter_table().resolve("publicity_working_days", region, posted_on).value)
    return working_calendar().add_working_days(posted_on, days)


def post_notice(case: Case, *, actor: Any, http_request: Any = None) -> PublicNotice | None:
    """The notice of a case that has just entered publicity, or None when it may not be
    publicised (the refusal to publish is audited with its reason)."""
    posted_on = clock.today()
    reason = notices.withheld_reason(case, posted_on)
    if reason is not None:
        audit_record(
            action="publicity.withheld",
            actor=actor,
            request=http_request,
            object_type=CASE,
            object_id=case.pk,
            details={"reason": reason, "rule": "domain.md §7"},
        )
        return None
    removal_on = removal_date(case, posted_on)
    last = case.public_notices.order_by("-round").first()
    return PublicNotice.objects.create(
        case=case,
        round=(last.round + 1) if last is not None else 1,
        community=case.household.community,
        division_path=case.division_path,
        programme=case.programme,
        posted_on=posted_on,
        removal_on=removal_on,
        fields=notices.notice_fields(case, posted_on=posted_on, removal_on=removal_on),
        status=NoticeStatus.POSTED,
        posted_by=actor,
        created_at=clock.now(),
    )


def current_notice(case: Case) -> PublicNotice | None:
    return case.public_notices.filter(status=NoticeStatus.POSTED).order_by("-round").first()


def mark_objected(case: Case) -> PublicNotice | None:
    notice = current_notice(case)
    if notice is None:
        return None
    event = case.events.filter(action="raise_objection").order_by("-at", "-id").first()
    notice.status = NoticeStatus.OBJECTED
    notice.objection = event.reason if event is not None else ""
    notice.objected_at = clock.now()
    notice.save(update_fields=["status", "objection", "objected_at"])
    return notice


def close_notice(case: Case) -> PublicNotice | None:
    notice = current_notice(case)
    if notice is None:
        return None
    notice.status = NoticeStatus.CLOSED
    notice.closed_at = clock.now()
    notice.save(update_fields=["status", "closed_at"])
    return notice
