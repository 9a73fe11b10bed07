"""Typed environment readers fail loudly, in Chinese, naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jiuzhu.config.env import env_bool, env_choice, env_int, env_list, env_path, env_str


def test_bool_accepts_the_usual_spellings_and_refuses_the_rest(monkeypatch):
    for text, expected in [
        ("1", True),
        ("TRUE", True),
        ("on", True),
        ("0", False),
        ("no", False),
        ("", False),
    ]:
        monkeypatch.setenv("JZ_FLAG", text)
        assert env_bool("JZ_FLAG", default=not expected) is expected
    monkeypatch.setenv("JZ_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="JZ_FLAG 应为 true/false"):
        env_bool("JZ_FLAG", default=False)


def test_missing_value_uses_the_default_or_fails_when_there_is_none(monkeypatch):
    monkeypatch.delenv("JZ_NAME", raising=False)
    assert env_str("JZ_NAME", "fallback") == "fallback"
    assert env_bool("JZ_NAME", default=True) is True
    with pytest.raises(ImproperlyConfigured, match="JZ_NAME 未设置"):
        env_str("JZ_NAME")


def test_int_checks_type_and_minimum(monkeypatch):
    monkeypatch.setenv("JZ_N", "12")
    assert env_int("JZ_N", 5, minimum=1) == 12
    monkeypatch.setenv("JZ_N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="应为整数"):
        env_int("JZ_N", 5)
    monkeypatch.setenv("JZ_N", "0")
    with pytest.raises(ImproperlyConfigured, match="不应小于 1"):
        env_int("JZ_N", 5, minimum=1)


def test_choice_list_and_path(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("JZ_ENV", "staging")
    with pytest.raises(ImproperlyConfigured, match="production / development / test"):
        env_choice("JZ_ENV", ("production", "development", "test"), "production")
    monkeypatch.setenv("JZ_HOSTS", " a.example , ,b.example ")
    assert env_list("JZ_HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("JZ_DIR", str(tmp_path / "x" / ".." / "y"))
    assert env_path("JZ_DIR", Path("/nowhere")) == (tmp_path / "y").resolve()


def test_settings_refuse_to_load_without_a_key_file(tmp_path: Path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "JIUZHU_KEY_FILE": str(tmp_path / "missing.json"),
        "JIUZHU_ENV": "development",
    }
    done = subprocess.run(
        [sys.executable, "-m", "jiuzhu", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "密钥文件不存在" in done.stderr
