"""The HMAC-SM3 chain over audit rows: intact after normal use, broken — at the
right row — by any edit, deletion or insertion made behind the application's back."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings

from jiuzhu.audit.models import AuditChainHead, AuditEvent
from jiuzhu.audit.selectors import verify_chain
from jiuzhu.audit.services import audit_record
from tests.audit.triggers import behind_the_back

pytestmark = pytest.mark.django_db

GENESIS = "0" * 64


def _chain_key() -> bytes:
    """The integrity key, read from the key file here rather than through the code under test."""
    data = json.loads(Path(settings.JIUZHU_KEY_FILE).read_text(encoding="utf-8"))
    return bytes.fromhex(data["integrity_key"])


def _link(data: bytes, key: bytes | None = None) -> str:
    mac = hmac.HMAC(key if key is not None else _chain_key(), hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def record_events(n: int = 6) -> list[AuditEvent]:
    actions = ["login.ok", "household.search", "household.view", "household.reveal", "logout"]
    return [
        audit_record(
            action=actions[i % len(actions)],
            username=f"user{i % 3}",
            object_type="registry.Household" if i % 2 else "",
            object_id=str(100 + i) if i % 2 else "",
            result="denied" if i == 2 else "ok",
            details={"n": i, "field": "id_number"} if i % 2 else {},
        )
        for i in range(n)
    ]


def test_chain_verifies_after_several_events() -> None:
    events = record_events(8)
    report = verify_chain()
    assert report.ok
    assert report.rows == 8
    assert report.first_broken_seq is None
    assert [e.seq for e in events] == list(range(1, 9))
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (8, events[-1].row_hash)


def test_empty_log_verifies() -> None:
    report = verify_chain()
    assert report.ok
    assert report.rows == 0


def test_each_link_is_hmac_sm3_over_previous_hash_and_canonical_row() -> None:
    """Recomputed here from the documented form, not with the code under test."""
    record_events(3)
    prev = GENESIS
    for event in AuditEvent.objects.order_by("seq"):
        payload = {
            "seq": event.seq,
            "at": event.at.isoformat(),
            "user_id": event.user_id,
            "username": event.username,
            "role": event.role,
            "division_code": event.division_code,
            "ip": event.ip,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "result": event.result,
            "request_id": event.request_id,
            "details": event.details,
        }
        canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert event.prev_hash == prev
        assert event.row_hash == _link(prev.encode("ascii") + canonical.encode("utf-8"))
        prev = event.row_hash


def test_details_that_are_not_plain_json_still_verify() -> None:
    """Decimal, dates and tuples are hashed as the JSON column gives them back."""
    audit_record(
        action="payment.batch_generate",
        details={"total": Decimal("1234.50"), "month": dt.date(2026, 11, 1), "ids": (1, 2)},
    )
    audit_record(action="household.view", details={"nested": {"k": [1, "二"]}})
    assert verify_chain().ok
    assert AuditEvent.objects.get(seq=1).details == {
        "total": "1234.50",
        "month": "2026-11-01",
        "ids": [1, 2],
    }


@pytest.mark.parametrize(
    ("column", "new_value"),
    [
        ("result", "ok"),  # a denial turned into a success
        ("username", "someone_else"),
        ("action", "household.search"),
        ("object_id", "999"),
    ],
)
def test_edited_row_is_detected_at_its_seq(column: str, new_value: str) -> None:
    record_events(6)
    assert verify_chain().ok
    changed = behind_the_back(
        f"UPDATE audit_auditevent SET {column} = %s WHERE seq = %s",  # noqa: S608 - fixed column list
        [new_value, 3],
    )
    assert changed == 1
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_seq == 3
    assert "被改动" in report.reason


def test_edited_details_are_detected() -> None:
    record_events(6)
    details = '{"n": 3, "field": "bank_account"}'
    behind_the_back("UPDATE audit_auditevent SET details = %s WHERE seq = %s", [details, 4])
    report = verify_chain()
    assert report.first_broken_seq == 4


def _forge_row_2(key: bytes) -> None:
    event = AuditEvent.objects.get(seq=2)
    payload = {
        "seq": 2,
        "at": event.at.isoformat(),
        "user_id": None,
        "username": "forged",
        "role": event.role,
        "division_code": event.division_code,
        "ip": event.ip,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "result": event.result,
        "request_id": event.request_id,
        "details": event.details,
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    forged_hash = _link(event.prev_hash.encode("ascii") + canonical.encode("utf-8"), key)
    behind_the_back(
        "UPDATE audit_auditevent SET username = %s, row_hash = %s WHERE seq = %s",
        ["forged", forged_hash, 2],
    )


def test_a_row_rehashed_without_the_key_breaks_at_that_row() -> None:
    """A database user without the key file cannot give an edited row a valid link."""
    record_events(6)
    _forge_row_2(b"a guess at the key, 32 bytes long")
    report = verify_chain()
    assert report.first_broken_seq == 2
    assert "本条记录" in report.reason


def test_a_row_rehashed_with_the_key_still_breaks_the_next_link() -> None:
    """Even holding the key, an edited row no longer matches what the next row points at."""
    record_events(6)
    _forge_row_2(_chain_key())
    report = verify_chain()
    assert report.first_broken_seq == 3
    assert "前序哈希" in report.reason


def test_deleted_row_is_detected() -> None:
    record_events(6)
    assert behind_the_back("DELETE FROM audit_auditevent WHERE seq = %s", [4]) == 1
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_seq == 5  # the first row whose predecessor is gone
    assert "期望 4" in report.reason


def test_deleted_first_row_is_detected() -> None:
    record_events(4)
    behind_the_back("DELETE FROM audit_auditevent WHERE seq = %s", [1])
    report = verify_chain()
    assert report.first_broken_seq == 2


def test_deleted_newest_rows_are_detected() -> None:
    """Without the chain head, a chain cut short would still verify."""
    record_events(6)
    behind_the_back("DELETE FROM audit_auditevent WHERE seq >= %s", [5])
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_seq == 5
    assert "链尾缺失" in report.reason


def test_everything_deleted_is_detected() -> None:
    record_events(3)
    behind_the_back("DELETE FROM audit_auditevent")
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_seq == 1


def test_inserted_row_after_the_head_is_detected() -> None:
    events = record_events(3)
    last = events[-1]
    behind_the_back(
        "INSERT INTO audit_auditevent (seq, at, user_id, username, role, division_code, ip, action,"
        " object_type, object_id, result, request_id, details, prev_hash, row_hash)"
        " VALUES (%s, %s, NULL, 'ghost', '', '', '', 'household.view', '', '', 'ok', '', '{}', %s, %s)",
        [4, last.at, last.row_hash, "f" * 64],
    )
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_seq == 4


def test_appending_after_a_break_keeps_reporting_the_break() -> None:
    record_events(4)
    behind_the_back("UPDATE audit_auditevent SET ip = %s WHERE seq = %s", ["10.0.0.9", 2])
    record_events(2)
    report = verify_chain()
    assert report.first_broken_seq == 2
