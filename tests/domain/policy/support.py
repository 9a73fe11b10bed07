"""Shared helpers of the policy-engine tests: the spec's worked cases and small households.

Imports only the framework-free core (the import-linter contract `tests-of-the-domain-are-pure`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jiuzhu.domain.policy import ParameterTable, bundled_table

#: The spec's worked cases lie beside the repository; JIUZHU_SPEC_CASES overrides.
_BESIDE_REPO = Path(__file__).resolve().parents[3].parent / "shared" / "spec" / "cases"
CASES = Path(os.environ.get("JIUZHU_SPEC_CASES", str(_BESIDE_REPO)))
AS_OF = dt.date(2026, 6, 15)


def case_files() -> list[Path]:
    files = sorted(CASES.glob("*.yaml"))
    assert files, f"no worked cases found at {CASES} (set JIUZHU_SPEC_CASES)"
    return files


@lru_cache(maxsize=1)
def table() -> ParameterTable:
    return bundled_table()


def mismatches(expect: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Expected keys whose value differs (reasons compared as sets: their order is free)."""
    bad = {}
    for key, wanted in expect.items():
        got = result.get(key)
        same = sorted(wanted) == sorted(got or []) if key == "reasons" else wanted == got
        if not same:
            bad[key] = (wanted, got)
    return bad


def member(key: str = "a", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": key,
        "birth_date": "1980-01-01",
        "relation": "head" if key == "a" else "other",
        "labor_ability": "full",
        "disability_grade": 0,
        "health": "healthy",
        "is_student": False,
        "employment": "none",
        "monthly_income": {},
    }
    data.update(fields)
    return data


def case(*members: dict[str, Any], programme: str = "dibao", **top: Any) -> dict[str, Any]:
    """A case mapping with sensible defaults (one residential home, nothing else)."""
    household = top.pop("household", {})
    data: dict[str, Any] = {
        "as_of": AS_OF.isoformat(),
        "parameters": "demo",
        "programme": programme,
        "household": {
            "members": list(members) or [member()],
            "assets": {
                "financial": 0,
                "properties": [{"usage": "residential"}],
                "vehicles": [],
                "businesses": [],
            },
            "expenses_12m": {},
            **household,
        },
    }
    data.update(top)
    return data
