"""`{% sensitive value household_id member_id %}`: a masked value, with a "显示完整"
control (an htmx POST to the audited reveal view) when the role may reveal it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from jiuzhu.registry.presenters import Shown

register = template.Library()


@register.inclusion_tag("registry/_sensitive.html", takes_context=True)
def sensitive(
    context: template.Context, value: Shown | None, household_id: int, member_id: int | None = None
) -> dict[str, Any]:
    url = ""
    if isinstance(value, Shown) and value.revealable:
        if member_id is None:
            url = reverse("registry:household_reveal", args=[household_id, value.field])
        else:
            url = reverse("registry:member_reveal", args=[household_id, member_id, value.field])
    field = value.field if value is not None else "none"
    slot = f"{field}-{member_id if member_id is not None else 'h'}"
    return {
        "value": value,
        "url": url,
        "slot": slot,
        "csrf_token": context.get("csrf_token", ""),
    }
