"""A broken parameter file stops `jiuzhu check` (and so migrate and runserver) with its name."""

from __future__ import annotations

import pytest

from jiuzhu.domain.policy import parameters
from jiuzhu.policy import checks, services


def test_the_shipped_files_pass() -> None:
    assert checks.parameter_files_are_valid(None) == []


def test_a_broken_file_is_a_startup_error(monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        **parameters.bundled_files(),
        "zz.yaml": "dibao_standard:\n  - {region: '510199', from: 2026-09-01, value: abc, source: x}\n",
    }
    monkeypatch.setattr(services, "bundled_table", lambda: parameters.load_files(files))
    try:
        errors = checks.parameter_files_are_valid(None)
    finally:
        monkeypatch.undo()
        services.file_table.cache_clear()
    assert [error.id for error in errors] == ["jiuzhu.E101"]
    assert "zz.yaml" in errors[0].msg
    assert "dibao_standard" in errors[0].msg
