"""Casework steps → notices: post on `start_publicity`, objected on `raise_objection`,
closed on `close_publicity`. Runs inside the step's transaction: a failure here rolls
the step back, so a case is never in publicity without its notice (or its recorded
reason for having none)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from jiuzhu.casework.models import Case
from jiuzhu.casework.signals import case_transitioned
from jiuzhu.documents import publicity


@receiver(case_transitioned, dispatch_uid="jiuzhu.documents.public_notice")
def on_case_transitioned(
    sender: Any,
    *,
    case: Case,
    action: str,
    actor: Any,
    http_request: Any = None,
    **kwargs: Any,
) -> None:
    if action == "start_publicity":
        publicity.post_notice(case, actor=actor, http_request=http_request)
    elif action == "raise_objection":
        publicity.mark_objected(case)
    elif action == "close_publicity":
        publicity.close_notice(case)
