"""The one module that reads the clock. Everything else is handed a date or a time."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """Timezone-aware current time."""
    return timezone.now()


def today() -> dt.date:
    """Today's date in Asia/Shanghai (the platform's time zone)."""
    return timezone.localdate()


def localtime(value: dt.datetime) -> dt.datetime:
    """A stored (UTC) time shown in Asia/Shanghai."""
    return timezone.localtime(value)
