"""Signals the core app sends to the apps above it.

`jiuzhu.core` sits below `jiuzhu.audit` (.importlinter), so it cannot call
`audit_record` itself. The admin of the reference tables sends
`reference_data_changed` instead, inside the transaction of the change, and
the audit app's receiver writes the audit row; a receiver that fails makes
the change fail too (security.md §C.15: a failed audit write fails the action).

Arguments (all keyword):
    sender     the model class (e.g. `WorkingDayOverride`)
    instance   the object saved or deleted
    op         "saved" or "deleted"
    object_id  the object's primary key (taken before a delete)
    details    a small dict without personal data (dates, kinds, changed field names)
    actor      the user who made the change
    request    the HTTP request, or None
"""

from __future__ import annotations

from django.dispatch import Signal

reference_data_changed = Signal()

__all__ = ["reference_data_changed"]
