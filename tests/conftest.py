"""Shared fixtures: a small county and one named cast of users per role."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def county(db: None) -> factories.County:
    """Two townships, two communities each, two grids per community, a few households each."""
    return factories.make_county()


@pytest.fixture
def cast(county: factories.County) -> factories.Cast:
    """One user per role; the street/community/grid staff sit in township A, community A1, grid A1-1."""
    return factories.make_cast(county)
