"""SM3, HMAC-SM3 and SM4-GCM primitives, and their known-answer self-test."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac as std_hmac
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 16
_PREFIX = "sm4g"


class CryptoError(Exception):
    """Encryption, decryption or key material failed; never carries clear text."""


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sm4_gcm_encrypt(
    key: bytes, plaintext: bytes, *, nonce: bytes | None = None, aad: bytes = b""
) -> bytes:
    """nonce ‖ ciphertext ‖ tag. A fresh random nonce unless one is given (tests only)."""
    nonce = nonce if nonce is not None else os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if aad:
        encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + body + encryptor.tag


def sm4_gcm_decrypt(key: bytes, blob: bytes, *, aad: bytes = b"") -> bytes:
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise CryptoError("密文长度不正确")
    nonce, body, tag = blob[:NONCE_BYTES], blob[NONCE_BYTES:-TAG_BYTES], blob[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if aad:
        decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag:
        raise CryptoError("密文校验失败：数据被篡改或密钥不匹配") from None


@dataclass(frozen=True)
class KeyRing:
    """Data-encryption keys by id (for rotation) and the blind-index key.

    The index key does not rotate with the encryption keys: changing it means
    re-indexing every row, which is a migration of its own.
    """

    active_key_id: str
    encryption_keys: dict[str, bytes]
    index_key: bytes
    integrity_key: bytes = field(default=b"")

    def __post_init__(self) -> None:
        if self.active_key_id not in self.encryption_keys:
            raise CryptoError(f"当前密钥 {self.active_key_id} 不在密钥文件中")
        for key_id, key in self.encryption_keys.items():
            if len(key) != KEY_BYTES or ":" in key_id:
                raise CryptoError(f"密钥 {key_id} 长度应为16字节且编号不能含冒号")
        if len(self.index_key) < KEY_BYTES:
            raise CryptoError("索引密钥至少16字节")

    def encrypt(self, plaintext: str, *, purpose: str) -> str:
        """'sm4g:<key id>:<base64url(nonce‖ct‖tag)>'; `purpose` is bound as AAD
        so a phone ciphertext cannot be pasted into an ID-number column."""
        key = self.encryption_keys[self.active_key_id]
        blob = sm4_gcm_encrypt(key, plaintext.encode("utf-8"), aad=purpose.encode("ascii"))
        return f"{_PREFIX}:{self.active_key_id}:{_b64(blob)}"

    def decrypt(self, token: str, *, purpose: str) -> str:
        try:
            prefix, key_id, payload = token.split(":", 2)
        except ValueError:
            raise CryptoError("密文格式不正确") from None
        if prefix != _PREFIX or key_id not in self.encryption_keys:
            raise CryptoError(f"无法识别的密文或密钥编号：{prefix}:{key_id}")
        try:
            blob = _unb64(payload)
        except (binascii.Error, ValueError):
            raise CryptoError("密文编码不正确") from None
        return sm4_gcm_decrypt(
            self.encryption_keys[key_id], blob, aad=purpose.encode("ascii")
        ).decode("utf-8")

    def blind_index(self, normalised: str, *, purpose: str) -> str:
        """HMAC-SM3 of purpose and value, base64url: equal inputs give equal
        indexes, nothing about the value can be read from it."""
        return _b64(
            hmac_sm3(self.index_key, purpose.encode("ascii") + b"\x00" + normalised.encode("utf-8"))
        )

    def blind_indexer(self, *, purpose: str) -> Callable[[str], str]:
        """`blind_index` for millions of values (an extract import): the key's
        HMAC pads and the purpose are absorbed once, each value costs two SM3
        compressions on copies of those states."""
        if "sm3" not in hashlib.algorithms_available:  # pragma: no cover - OpenSSL without SM3
            return lambda normalised: self.blind_index(normalised, purpose=purpose)
        key = self.index_key if len(self.index_key) <= 64 else sm3(self.index_key)
        block = key.ljust(64, b"\x00")
        inner = hashlib.new("sm3", bytes(b ^ 0x36 for b in block))
        inner.update(purpose.encode("ascii") + b"\x00")
        outer = hashlib.new("sm3", bytes(b ^ 0x5C for b in block))

        def index(normalised: str) -> str:
            mac = inner.copy()
            mac.update(normalised.encode("utf-8"))
            result = outer.copy()
            result.update(mac.digest())
            return _b64(result.digest())

        return index

    def integrity_tag(self, message: bytes) -> str:
        key = self.integrity_key or self.index_key
        return _b64(hmac_sm3(key, b"integrity\x00" + message))


# Known answers (GB/T 32907-2016 Appendix A.1, GB/T 32905-2016 Appendix A.1).
_SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
_SM4_BLOCK_CT = bytes.fromhex("681edf34d206965e86b3e94f536e4246")
_SM3_ABC = bytes.fromhex("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")


def self_test() -> None:
    """Known-answer tests for SM4 and SM3; raise CryptoError when either fails."""
    encryptor = Cipher(algorithms.SM4(_SM4_KEY), modes.ECB()).encryptor()  # noqa: S305 - single-block KAT
    if encryptor.update(_SM4_KEY) + encryptor.finalize() != _SM4_BLOCK_CT:
        raise CryptoError("SM4 自检失败")
    if not std_hmac.compare_digest(sm3(b"abc"), _SM3_ABC):
        raise CryptoError("SM3 自检失败")
    round_trip = sm4_gcm_decrypt(
        _SM4_KEY, sm4_gcm_encrypt(_SM4_KEY, b"jiuzhu", aad=b"kat"), aad=b"kat"
    )
    if round_trip != b"jiuzhu":
        raise CryptoError("SM4-GCM 自检失败")
