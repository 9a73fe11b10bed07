"""Fixtures of the login-security tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.accounts.support import START


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    """Time frozen at START (a Monday, 09:00 Shanghai); `frozen.shift(...)` moves it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller
