"""`jiuzhu audit_verify`: Chinese result, exit status 0 when intact and 1 when broken."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connections

from jiuzhu.audit.services import audit_record
from tests.audit.triggers import behind_the_back

pytestmark = pytest.mark.django_db


def _events(n: int) -> None:
    for i in range(n):
        audit_record(action="household.view", username=f"u{i}", object_id=i + 1)


def test_intact_chain() -> None:
    _events(5)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "哈希链完整，共5条" in out.getvalue()


def test_broken_chain_raises_with_the_seq() -> None:
    _events(5)
    behind_the_back("UPDATE audit_auditevent SET object_id = '77' WHERE seq = 2")
    with pytest.raises(CommandError, match="第2条记录") as excinfo:
        call_command("audit_verify")
    assert excinfo.value.returncode == 1


def test_deleted_row_raises() -> None:
    _events(5)
    behind_the_back("DELETE FROM audit_auditevent WHERE seq = 3")
    with pytest.raises(CommandError, match="第4条记录"):
        call_command("audit_verify")


def _run_cli(monkeypatch: pytest.MonkeyPatch) -> int:
    """Run as from the shell (`jiuzhu audit_verify`), keeping the test's connection open."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    try:
        ManagementUtility(["jiuzhu", "audit_verify"]).execute()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_exit_status(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _events(3)
    assert _run_cli(monkeypatch) == 0
    assert "哈希链完整，共3条" in capsys.readouterr().out
    behind_the_back("UPDATE audit_auditevent SET username = 'x' WHERE seq = 3")
    assert _run_cli(monkeypatch) == 1
    err = capsys.readouterr().err
    assert "哈希链已断开：第3条记录" in err
