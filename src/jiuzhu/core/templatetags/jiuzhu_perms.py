from __future__ import annotations

from django import template

from jiuzhu.core.permissions import Action
from jiuzhu.core.permissions import can as can_do

register = template.Library()


@register.filter(name="can")
def can(user: object, action: str) -> bool:
    return can_do(user, Action(action))
