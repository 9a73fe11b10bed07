"""The process-wide key ring, loaded once from JIUZHU_KEY_FILE."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from jiuzhu.protection.keyfile import keyring_from, read_key_file
from jiuzhu.protection.sm import KeyRing


@cache
def keyring() -> KeyRing:
    return keyring_from(read_key_file(settings.JIUZHU_KEY_FILE))


def blind_index(value: str, *, purpose: str) -> str:
    return keyring().blind_index(value, purpose=purpose)


def chain_key() -> bytes:
    """The key of the audit hash chain (HMAC-SM3): the integrity key of the key file."""
    ring = keyring()
    return ring.integrity_key or ring.index_key
