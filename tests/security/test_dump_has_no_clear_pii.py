"""A dump of the database holds no clear ID number, mobile number or bank card
number (security.md §D.17) — PostgreSQL through pg_dump, SQLite through its file.

The detectors are written here, independently of the platform's validators:
an 18-character ID number with a valid ISO 7064 MOD 11-2 check character and
a plausible birth date, an 11-digit mobile number, a 16–19 digit number that
passes Luhn. Machine tokens — ciphertexts, blind indexes, hex digests of the
audit chain and password hashes — are blanked first: random hex or base64
may contain an 11-digit run by chance, and that is not a phone number.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from jiuzhu.audit.services import audit_record
from jiuzhu.registry.models import Household, Member
from tests import factories

# region, birth year / month / day, order, check character
ID_CANDIDATE = re.compile(
    r"(?<![0-9])([1-9][0-9]{5})((?:18|19|20)[0-9]{2})([0-9]{2})([0-9]{2})[0-9]{3}[0-9Xx](?![0-9])"
)
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
CARD_CANDIDATE = re.compile(r"(?<!\d)\d{16,19}(?!\d)")

# Tokens that are random by construction, blanked before scanning.
MACHINE_TOKENS = [
    re.compile(r"sm4g:[A-Za-z0-9]+:[A-Za-z0-9_-]+"),  # SM4-GCM ciphertexts
    re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32,}(?![0-9A-Za-z])"),  # SM3/MD5 hex digests
    re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"),  # blind indexes
    re.compile(r"(?:md5|pbkdf2_sha256|argon2)\$[^\s'\"\t,)]+"),  # password hashes
]

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def id_check_ok(number: str) -> bool:
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17].upper()


def plausible_birth(year: str, month: str, day: str) -> bool:
    try:
        born = dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= dt.date(2100, 1, 1)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(number)):
        d = int(char) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


@dataclass
class Findings:
    id_numbers: list[str]
    mobiles: list[str]
    cards: list[str]

    def __bool__(self) -> bool:
        return bool(self.id_numbers or self.mobiles or self.cards)


def blank_machine_tokens(text: str) -> str:
    for pattern in MACHINE_TOKENS:
        text = pattern.sub(" ", text)
    return text


def scan(text: str) -> Findings:
    text = blank_machine_tokens(text)
    ids = [
        m.group(0)
        for m in ID_CANDIDATE.finditer(text)
        if id_check_ok(m.group(0)) and plausible_birth(m.group(2), m.group(3), m.group(4))
    ]
    mobiles = MOBILE.findall(text)
    cards = [m for m in CARD_CANDIDATE.findall(text) if luhn_ok(m)]
    return Findings(ids, mobiles, cards)


# ---------------------------------------------------------------- the detectors can fail


def test_detectors_find_planted_clear_values() -> None:
    id_number = "11010519491231002X"
    phone = "13912345678"
    card = factories.luhn_complete("621700123456789012")
    planted = (
        f"COPY registry_member (id, id_number, phone) FROM stdin;\n1\t{id_number}\t{phone}\n\\.\n"
        f"INSERT INTO \"registry_household\" VALUES(1,'{card}');\n"
        f'{{"snapshot": {{"phone": "{phone}", "id": "{id_number.lower()}"}}}}\n'
        f"联系电话{phone}，身份证号{id_number}"
    )
    found = scan(planted)
    assert id_number in found.id_numbers
    assert id_number.lower() in found.id_numbers
    assert found.mobiles.count(phone) == 3
    assert found.cards == [card]


def test_detectors_ignore_what_is_not_a_number_of_that_kind() -> None:
    wrong_check = "110105194912310021"  # the check character should be X
    bad_birth = "110105194913310029"
    not_luhn = "6217001234567890123"
    assert not luhn_ok(not_luhn)
    landline = "02887654321"
    text = f"{wrong_check} {bad_birth} {not_luhn} {landline} 510199001001001 T00000012"
    assert not scan(text)
    # A hex digest or a ciphertext may hold an 11-digit run by chance.
    digest = "ab13912345678cd" + "0" * 49
    assert MOBILE.search(digest)
    assert not scan(f"\t{digest}\tsm4g:k1:Ab13912345678_x\t")


# ---------------------------------------------------------------- the dump


def _pg_dump() -> str:
    settings = connection.settings_dict
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is not on PATH"
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    command = [pg_dump, "--no-owner", "--no-privileges", "--dbname", str(settings["NAME"])]
    if settings.get("HOST"):
        command += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        command += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        command += ["--username", str(settings["USER"])]
    result = subprocess.run(command, capture_output=True, env=env, check=True, timeout=120)
    return result.stdout.decode("utf-8")


def _sqlite_dump() -> str:
    """The database file's bytes (through VACUUM INTO, the test database may live in
    memory) and its SQL dump, where integers are written out as digits too."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "dump.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        raw = copy.read_bytes().decode("latin-1")
        with sqlite3.connect(copy) as db:
            sql = "\n".join(db.iterdump())
    return raw + "\n" + sql


def _dump() -> str:
    if connection.vendor == "postgresql":
        return _pg_dump()
    if connection.vendor == "sqlite":
        return _sqlite_dump()
    pytest.fail(f"no dump method for {connection.vendor}")


@pytest.mark.django_db(transaction=True)
def test_database_dump_has_no_clear_pii(county: factories.County) -> None:
    # A few more households: bigger ones, and one outside the grids.
    extra = [
        factories.household(county.communities[1], county.grids[2], members=5),
        factories.household(county.communities[3], None, members=4),
    ]
    # What the audit log records when someone looks at and searches for these.
    member = Member.objects.order_by("pk").first()
    assert member is not None
    audit_record(
        action="household.reveal",
        username="officer_a",
        object_type="registry.Member",
        object_id=member.pk,
        details={"field": "id_number"},
    )
    audit_record(action="login.failed", result="failed", username=member.id_number)

    clear_ids = [m.id_number for m in Member.objects.all()]
    clear_phones = [m.phone for m in Member.objects.all() if m.phone]
    clear_accounts = [h.bank_account for h in Household.objects.all() if h.bank_account]
    assert len(clear_ids) >= 40
    # Our own detectors recognise every planted value: a clear copy would be caught.
    planted = scan("\n".join(clear_ids + clear_phones + clear_accounts))
    assert sorted(planted.id_numbers) == sorted(clear_ids)
    assert sorted(planted.mobiles) == sorted(clear_phones)
    assert set(clear_accounts) <= set(planted.cards)  # (an ID number may pass Luhn too)

    dump = _dump()

    # The dump holds the registry (so an empty or failed dump cannot pass) ...
    for household in [*county.households, *extra]:
        assert household.household_no in dump
    assert dump.count("sm4g:k1:") >= len(clear_ids) + len(clear_phones) + len(clear_accounts)
    # ... and none of the values in clear, neither as planted nor by shape.
    for value in clear_ids + clear_phones + clear_accounts:
        assert value not in dump
    findings = scan(dump)
    assert not findings, findings
