"""Who may print which document, and printing it (audited).

Documents are for the case's own staff: 救助专干, 社区工作人员 and 县级审批人 of
the jurisdiction (the roles the workflows name). Anyone else — and any case or
community outside the jurisdiction — gets the same 404 as a missing one, and
the refusal is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from jiuzhu.accounts.scoping import scope_to_jurisdiction
from jiuzhu.audit.access import denied
from jiuzhu.audit.services import audit_record
from jiuzhu.casework.services import case_get
from jiuzhu.core.errors import NotFound
from jiuzhu.core.permissions import PERMISSIONS, Action
from jiuzhu.divisions.models import Division, Level
from jiuzhu.documents import contexts, rendering
from jiuzhu.documents.layouts import KIND_LABELS, Kind
from jiuzhu.documents.models import NoticeStatus, PublicNotice

DOCUMENT_ROLES: frozenset[str] = PERMISSIONS[Action.DOCUMENT_PRINT]
PRINT = "document.print"


@dataclass(frozen=True)
class Printed:
    rendered: rendering.Rendered
    filename: str


def may_print(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and bool(getattr(user, "is_active", False))
        and getattr(user, "role", "") in DOCUMENT_ROLES
    )


def _denied(request: Any, object_type: str, object_id: object, reason: str) -> NotFound:
    return denied(request, PRINT, object_type, object_id, reason=reason)


def case_document(user: Any, case_pk: int, kind: str, fmt: str, *, request: Any = None) -> Printed:
    """One document of a case in `fmt` (docx | pdf)."""
    if not may_print(user):
        raise _denied(request, "casework.Case", case_pk, "no_permission")
    try:
        document = Kind(kind)
    except ValueError:
        raise NotFound() from None
    if fmt not in rendering.FORMATS:
        raise NotFound()
    try:
        case = case_get(user, case_pk)
    except NotFound:
        raise _denied(request, "casework.Case", case_pk, "not_found_or_out_of_scope") from None
    context = contexts.build_context(document, case, user)
    rendered = rendering.render(document, fmt, context, programme=case.programme)
    audit_record(
        action=PRINT,
        request=request,
        object_type="casework.Case",
        object_id=case.pk,
        details={"kind": document.value, "format": fmt},
    )
    return Printed(rendered, f"{case.case_no}-{KIND_LABELS[document]}.{rendered.extension}")


def visible_notices(user: Any) -> QuerySet[PublicNotice]:
    if not may_print(user):
        return PublicNotice.objects.none()
    return scope_to_jurisdiction(
        PublicNotice.objects.select_related("case", "community"), user
    ).order_by("community__code", "posted_on", "id")


def visible_communities(user: Any) -> QuerySet[Division]:
    if not may_print(user):
        return Division.objects.none()
    return scope_to_jurisdiction(
        Division.objects.filter(level=Level.COMMUNITY), user, path_field="path"
    ).order_by("code")


def community_board(user: Any, community_pk: int, fmt: str, *, request: Any = None) -> Printed:
    """The notices now posted in one community, on one sheet for its board."""
    if not may_print(user):
        raise _denied(request, "divisions.Division", community_pk, "no_permission")
    community = visible_communities(user).filter(pk=community_pk).first()
    if community is None:
        raise _denied(request, "divisions.Division", community_pk, "not_found_or_out_of_scope")
    posted = list(visible_notices(user).filter(community=community, status=NoticeStatus.POSTED))
    context = contexts.board_context(community, posted)
    rendered = rendering.render(Kind.PUBLIC_NOTICE, fmt, context)
    audit_record(
        action=PRINT,
        request=request,
        object_type="divisions.Division",
        object_id=community.pk,
        details={"kind": "noticeboard", "format": fmt, "notices": len(posted)},
    )
    return Printed(rendered, f"{community.name}-社会救助公示.{rendered.extension}")
