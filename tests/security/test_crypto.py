"""SM4 / SM3 known answers, the start-up self-test, sealed fields, the blind
index, key rotation and purpose binding (security.md §D.16, §D.18)."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import connection

from jiuzhu.core.keys import keyring
from jiuzhu.protection import sm
from jiuzhu.protection.sm import CryptoError, KeyRing
from jiuzhu.registry.models import Household, Member
from tests import factories

# GB/T 32907-2016 Appendix A.1: key = plaintext.
SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
SM4_CT = bytes.fromhex("681edf34d206965e86b3e94f536e4246")
# GB/T 32905-2016 Appendix A.1 and A.2.
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_ABCD16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
# RFC 8998 Appendix A.1 (SM4-GCM).
GCM_IV = bytes.fromhex("00001234567800000000ABCD")
GCM_AAD = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
GCM_PT = bytes.fromhex(
    "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
    "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
)
GCM_CT = bytes.fromhex(
    "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
    "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
)
GCM_TAG = bytes.fromhex("83DE3541E4C2B58177E065A9BF7B62EC")


def _sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# ---------------------------------------------------------------- known answers


def test_sm4_block_known_answer() -> None:
    encryptor = Cipher(algorithms.SM4(SM4_KEY), modes.ECB()).encryptor()  # noqa: S305 - one-block KAT
    assert encryptor.update(SM4_KEY) + encryptor.finalize() == SM4_CT
    decryptor = Cipher(algorithms.SM4(SM4_KEY), modes.ECB()).decryptor()  # noqa: S305
    assert decryptor.update(SM4_CT) + decryptor.finalize() == SM4_KEY


def test_sm3_known_answers() -> None:
    assert _sm3(b"abc") == SM3_ABC
    assert _sm3(b"abcd" * 16) == SM3_ABCD16
    assert sm.sm3(b"abc").hex() == SM3_ABC
    assert sm.sm3(b"abcd" * 16).hex() == SM3_ABCD16


def test_sm4_gcm_known_answer() -> None:
    """The platform's SM4-GCM wrapper against RFC 8998: nonce ‖ ciphertext ‖ tag."""
    blob = sm.sm4_gcm_encrypt(SM4_KEY, GCM_PT, nonce=GCM_IV, aad=GCM_AAD)
    assert blob == GCM_IV + GCM_CT + GCM_TAG
    assert sm.sm4_gcm_decrypt(SM4_KEY, blob, aad=GCM_AAD) == GCM_PT
    with pytest.raises(CryptoError):
        sm.sm4_gcm_decrypt(SM4_KEY, blob, aad=b"other")
    tampered = bytearray(blob)
    tampered[20] ^= 1
    with pytest.raises(CryptoError):
        sm.sm4_gcm_decrypt(SM4_KEY, bytes(tampered), aad=GCM_AAD)


@pytest.mark.parametrize("key", [b"k" * 16, b"\x0b" * 64, b"long key " * 20])
def test_hmac_sm3_matches_rfc2104_construction(key: bytes) -> None:
    """HMAC built here from SM3 by hand (64-byte block), compared with the platform's."""
    message = b"purpose\x00value"
    block = bytes.fromhex(_sm3(key)) if len(key) > 64 else key
    block = block.ljust(64, b"\x00")
    inner = bytes.fromhex(_sm3(bytes(b ^ 0x36 for b in block) + message))
    expected = _sm3(bytes(b ^ 0x5C for b in block) + inner)
    assert sm.hmac_sm3(key, message).hex() == expected


# ---------------------------------------------------------------- self-test


def test_self_test_passes() -> None:
    sm.self_test()


@pytest.mark.parametrize(
    ("constant", "message"),
    [("_SM4_BLOCK_CT", "SM4"), ("_SM3_ABC", "SM3")],
)
def test_self_test_refuses_a_wrong_answer(
    monkeypatch: pytest.MonkeyPatch, constant: str, message: str
) -> None:
    wrong = bytearray(getattr(sm, constant))
    wrong[0] ^= 0xFF
    monkeypatch.setattr(sm, constant, bytes(wrong))
    with pytest.raises(CryptoError, match=message):
        sm.self_test()


def test_platform_refuses_to_start_when_self_test_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sm, "_SM4_BLOCK_CT", bytes(16))
    with pytest.raises(CryptoError, match="SM4"):
        apps.get_app_config("core").ready()


# ---------------------------------------------------------------- sealed fields


@pytest.fixture
def member(county: factories.County) -> Member:
    return Member.objects.order_by("pk").first()  # type: ignore[return-value]


def _raw(table: str, columns: str, pk: int) -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def test_sealed_field_round_trip(county: factories.County) -> None:
    household = factories.household(county.communities[0], county.grids[0], members=1)
    clear_id = factories.id_number()
    clear_phone = "13800138000"
    member = Member.objects.create(
        household=household,
        id_number=clear_id,
        name="赵测试",
        relation="spouse",
        birth_date="1980-05-17",
        sex="male",
        labor_ability="full",
        phone=clear_phone,
    )
    stored_id, stored_phone = _raw("registry_member", "id_number, phone", member.pk)
    for stored, clear in ((stored_id, clear_id), (stored_phone, clear_phone)):
        assert stored.startswith("sm4g:k1:")
        assert clear not in stored
    assert stored_id != stored_phone
    fresh = Member.objects.get(pk=member.pk)
    assert (fresh.id_number, fresh.phone) == (clear_id, clear_phone)
    (stored_account,) = _raw("registry_household", "bank_account", household.pk)
    assert stored_account.startswith("sm4g:k1:")
    assert Household.objects.get(pk=household.pk).bank_account == household.bank_account


def test_same_value_encrypts_differently_each_time(db: None) -> None:
    ring = keyring()
    assert ring.encrypt("13800138000", purpose="phone") != ring.encrypt(
        "13800138000", purpose="phone"
    )


@pytest.mark.parametrize(
    "lookup",
    [
        "id_number",
        "id_number__exact",
        "id_number__iexact",
        "id_number__contains",
        "id_number__startswith",
        "id_number__in",
        "id_number__gt",
    ],
)
def test_lookups_on_sealed_field_are_refused(member: Member, lookup: str) -> None:
    value: object = [member.id_number] if lookup.endswith("__in") else member.id_number
    with pytest.raises(FieldError):
        list(Member.objects.filter(**{lookup: value}))


def test_isnull_lookup_is_allowed(member: Member) -> None:
    assert not Member.objects.filter(id_number__isnull=True).exists()
    assert Member.objects.filter(id_number__isnull=False).count() == Member.objects.count()


def test_blind_index_equality_search(member: Member) -> None:
    """Index recomputed here from the key file: HMAC-SM3(index key, purpose ‖ 0 ‖ value)."""
    keys = json.loads(Path(settings.JIUZHU_KEY_FILE).read_text())
    index_key = bytes.fromhex(keys["index_key"])

    def index(value: str, purpose: str) -> str:
        from cryptography.hazmat.primitives import hmac

        mac = hmac.HMAC(index_key, hashes.SM3())
        mac.update(purpose.encode() + b"\x00" + value.encode())
        return _b64(mac.finalize())

    found = Member.objects.filter(id_number_index=index(member.id_number, "id_number"))
    assert list(found) == [member]
    assert list(Member.objects.filter(phone_index=index(member.phone, "phone"))) == [member]
    # The same digits under another purpose give another index.
    assert index(member.phone, "phone") != index(member.phone, "id_number")
    assert not Member.objects.filter(id_number_index=index("11010519491231002X", "id_number"))


# ---------------------------------------------------------------- key rotation


@pytest.fixture
def rotate(settings, tmp_path: Path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Add a key k2 and make it the active one (k1 stays for reading)."""
    keys = json.loads(Path(settings.JIUZHU_KEY_FILE).read_text())
    keys["keys"]["k2"] = "00112233445566778899aabbccddeeff"
    keys["active"] = "k2"
    rotated = tmp_path / "keys.json"
    rotated.write_text(json.dumps(keys))
    keyring.cache_clear()
    settings.JIUZHU_KEY_FILE = rotated
    yield
    keyring.cache_clear()


def test_key_rotation(
    county: factories.County, member: Member, rotate: None, tmp_path: Path
) -> None:
    clear_id = member.id_number
    keyring.cache_clear()
    old = Member.objects.get(pk=member.pk)  # written under k1, read with k2 active
    assert old.id_number == clear_id
    assert _raw("registry_member", "id_number", member.pk)[0].startswith("sm4g:k1:")

    newer = factories.household(county.communities[1], county.grids[2], members=1)
    new_member = newer.members.get()
    assert _raw("registry_member", "id_number", new_member.pk)[0].startswith("sm4g:k2:")
    assert _raw("registry_household", "bank_account", newer.pk)[0].startswith("sm4g:k2:")
    assert Member.objects.get(pk=new_member.pk).id_number == new_member.id_number

    # Re-saving an old row re-encrypts it under the active key; the index does not move.
    index_before = old.id_number_index
    old.save()
    assert _raw("registry_member", "id_number", old.pk)[0].startswith("sm4g:k2:")
    assert Member.objects.get(pk=old.pk).id_number_index == index_before

    # Once k1 is gone, what only k1 can open is refused, loudly.
    keys = json.loads(Path(settings.JIUZHU_KEY_FILE).read_text())
    del keys["keys"]["k1"]
    without_k1 = tmp_path / "no-k1.json"
    without_k1.write_text(json.dumps(keys))
    settings.JIUZHU_KEY_FILE = without_k1
    keyring.cache_clear()
    untouched = (
        Member.objects.exclude(pk__in=[old.pk, new_member.pk]).values_list("pk", flat=True).first()
    )
    assert untouched is not None
    with pytest.raises(CryptoError):
        Member.objects.get(pk=untouched)
    assert Member.objects.get(pk=old.pk).id_number == clear_id


# ---------------------------------------------------------------- purpose binding


def test_phone_ciphertext_pasted_into_id_column_fails(member: Member) -> None:
    phone_token, id_token = _raw("registry_member", "phone, id_number", member.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_member SET id_number = %s WHERE id = %s", [phone_token, member.pk]
        )
    with pytest.raises(CryptoError):
        Member.objects.get(pk=member.pk)
    with pytest.raises(CryptoError):
        keyring().decrypt(phone_token, purpose="id_number")
    assert keyring().decrypt(id_token, purpose="id_number") == member.id_number


def test_tampered_or_unknown_ciphertexts_fail(member: Member) -> None:
    (token,) = _raw("registry_member", "id_number", member.pk)
    prefix, key_id, payload = token.split(":", 2)
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    for bad in (
        f"{prefix}:{key_id}:{flipped}",
        f"{prefix}:k9:{payload}",
        f"aes:{key_id}:{payload}",
        "x",
    ):
        with pytest.raises(CryptoError):
            keyring().decrypt(bad, purpose="id_number")


@pytest.mark.parametrize("key_length", [16, 32, 64, 65, 100])
def test_bulk_blind_indexer_equals_the_blind_index(key_length: int) -> None:
    """The extract import's fast path (pads absorbed once) must give the registry's index."""
    ring = KeyRing("k1", {"k1": os.urandom(16)}, index_key=os.urandom(key_length))
    bulk = ring.blind_indexer(purpose="id_number")
    values = ["11010519491231002X", "", "身份证", *(f"{n:018d}" for n in range(0, 10**18, 10**16))]
    for value in values:
        assert bulk(value) == ring.blind_index(value, purpose="id_number")
    assert bulk("11010519491231002X") != ring.blind_indexer(purpose="phone")("11010519491231002X")
