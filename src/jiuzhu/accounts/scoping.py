"""Jurisdiction scoping: the one function every read of households, cases and
payments goes through (security.md §B.6/7).

It fails closed: an anonymous or inactive user, a user without a division or
a role, or a row without a division path sees nothing — and the denial of a
user without jurisdiction is audited.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from jiuzhu.audit.services import audit_record

M = TypeVar("M", bound=Model)


def jurisdiction_path(user: Any) -> str | None:
    """The division path a user may see below, or None when they may see nothing."""
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not getattr(user, "is_active", False)
    ):
        return None
    if not getattr(user, "role", ""):
        return None
    division = getattr(user, "division", None)
    path = getattr(division, "path", "") if division is not None else ""
    return path or None


def scope_to_jurisdiction(
    queryset: QuerySet[M], user: Any, *, path_field: str = "division_path"
) -> QuerySet[M]:
    """Restrict `queryset` to rows whose `path_field` lies inside the user's jurisdiction."""
    path = jurisdiction_path(user)
    if path is None:
        if user is not None and getattr(user, "is_authenticated", False):
            audit_record(
                action="scope.denied",
                result="denied",
                actor=user,
                object_type=queryset.model._meta.label,
                details={"reason": "no_jurisdiction"},
            )
        return queryset.none()
    return queryset.filter(**{f"{path_field}__startswith": path}).exclude(**{path_field: ""})
