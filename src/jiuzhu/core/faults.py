"""Fault injection for crash tests: `JIUZHU_FAULT=<point>:<n>` kills the process
the n-th time `<point>` is reached. Inert unless JIUZHU_ENV is "test"."""

from __future__ import annotations

import os
import signal
from collections import Counter

from django.conf import settings

_hits: Counter[str] = Counter()


def checkpoint(point: str) -> None:
    if settings.JIUZHU_ENV != "test":
        return
    spec = os.environ.get("JIUZHU_FAULT", "")
    if not spec.startswith(point + ":"):
        return
    _hits[point] += 1
    if _hits[point] >= int(spec.rsplit(":", 1)[1]):
        os.kill(os.getpid(), signal.SIGKILL)
