"""Fixtures of the screening tests: a throw-away keyring and an Ibis DuckDB connection."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import ibis
import pytest

from jiuzhu.protection.sm import KeyRing


@pytest.fixture(scope="session")
def keyring() -> KeyRing:
    return KeyRing("t1", {"t1": os.urandom(16)}, index_key=os.urandom(32))


@pytest.fixture
def con() -> Iterator[Any]:
    backend = ibis.duckdb.connect()
    yield backend
    backend.disconnect()
