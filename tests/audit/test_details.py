"""Audit rows never carry a clear sensitive value (security.md §C.13)."""

from __future__ import annotations

import pytest

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditDetailError, audit_record, scrub_pii

pytestmark = pytest.mark.django_db

# Valid by construction, computed here: ISO 7064 MOD 11-2 and Luhn.
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_17 = "11010519491231002"
ID_NUMBER = (
    ID_17 + "10X98765432"[sum(int(c) * w for c, w in zip(ID_17, _WEIGHTS, strict=True)) % 11]
)
PHONE = "13912345678"
CARD = "6222021234567890128"  # Luhn-valid, checked below


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(number)):
        d = int(char) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_fixtures_are_what_they_claim() -> None:
    assert ID_NUMBER == "11010519491231002X"  # the GB 11643 example number
    assert _luhn_ok(CARD)


@pytest.mark.parametrize(
    "details",
    [
        {"id_number": ID_NUMBER},
        {"phone": "138****5678"},  # the key alone is refused, whatever the value
        {"bank_account": CARD},
        {"password": "x"},
        {"value": "anything"},
        {"clear": "anything"},
        {"ID_NUMBER": ID_NUMBER},
        {"changes": {"phone": PHONE}},
        {"rows": [{"bank_account": CARD}]},
    ],
)
def test_sensitive_keys_are_refused_at_any_depth(details: dict[str, object]) -> None:
    with pytest.raises(AuditDetailError):
        audit_record(action="household.edit", details=details)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "details",
    [
        {"query": ID_NUMBER},
        {"query": ID_NUMBER.lower()},
        {"contact": PHONE},
        {"account": CARD},
        {"matches": ["x", PHONE]},
        {"number": int(PHONE)},
    ],
)
def test_clear_sensitive_values_under_innocent_keys_are_refused(details: dict[str, object]) -> None:
    with pytest.raises(AuditDetailError):
        audit_record(action="household.search", details=details)
    assert not AuditEvent.objects.exists()


def test_clear_value_as_object_id_is_refused() -> None:
    with pytest.raises(AuditDetailError):
        audit_record(action="household.view", object_type="registry.Member", object_id=ID_NUMBER)


def test_ordinary_details_pass() -> None:
    event = audit_record(
        action="household.reveal",
        object_type="registry.Member",
        object_id=42,
        details={
            "field": "id_number",
            "rows": 12,
            "digest": "0123456789" * 6,
            "masked": "139****5678",
        },
    )
    assert event.details["field"] == "id_number"


def test_a_login_name_that_is_an_id_number_is_stored_masked() -> None:
    event = audit_record(action="login.failed", result="failed", username=ID_NUMBER)
    assert ID_NUMBER not in event.username
    assert event.username.startswith("110")
    assert "*" in event.username
    assert scrub_pii("officer_a") == "officer_a"
    assert PHONE not in scrub_pii(PHONE)
