"""`user|handles_cases`: the menu shows 救助申请 to the roles a workflow names."""

from __future__ import annotations

from django import template

from jiuzhu.casework.selectors import casework_roles

register = template.Library()


@register.filter(name="handles_cases")
def handles_cases(user: object) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and bool(getattr(user, "is_active", False))
        and getattr(user, "role", "") in casework_roles()
    )
