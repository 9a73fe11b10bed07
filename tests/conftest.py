"""Shared fixtures: a small county and one named cast of users per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import factories
from tests.audit.triggers import empty_audit_tables


@pytest.fixture(autouse=True)
def _audit_rows_do_not_block_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test ends with a flush; on SQLite that is `DELETE FROM`, which the
    append-only trigger refuses. Empty the audit tables first (the triggers stay)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    empty_audit_tables()


@pytest.fixture
def county(db: None) -> factories.County:
    """Two townships, two communities each, two grids per community, a few households each."""
    return factories.make_county()


@pytest.fixture
def cast(county: factories.County) -> factories.Cast:
    """One user per role; the street/community/grid staff sit in township A, community A1, grid A1-1."""
    return factories.make_cast(county)
