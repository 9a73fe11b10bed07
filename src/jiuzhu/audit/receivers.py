"""Audit rows for changes the lower layers report through signals (core may not import audit)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.http import HttpRequest

from jiuzhu.audit.services import audit_record
from jiuzhu.core.signals import reference_data_changed


@receiver(reference_data_changed, dispatch_uid="jiuzhu.audit.reference_changed")
def on_reference_data_changed(
    sender: Any,
    *,
    op: str,
    object_id: str | int,
    details: dict[str, Any],
    actor: Any = None,
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    """One audit row per saved or deleted reference row, in the same transaction."""
    label = sender._meta.label
    audit_record(
        action="reference.changed",
        actor=actor,
        request=request,
        object_type=label,
        object_id=object_id,
        details={**details, "model": label, "op": op},
    )
