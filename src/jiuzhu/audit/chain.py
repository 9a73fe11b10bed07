"""The hash chain over audit rows: canonical form, hashing, verification.

Each link is HMAC-SM3 under the integrity key of the key file, not a bare SM3:
someone who can write to the database but does not hold the key cannot
recompute the chain after editing a row. The integrity key therefore never
rotates; a new key would start a new chain (a migration of its own).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jiuzhu.protection.sm import hmac_sm3

GENESIS = "0" * 64

CHAINED_FIELDS = (
    "seq", "at", "user_id", "username", "role", "division_code", "ip",
    "action", "object_type", "object_id", "result", "request_id", "details",
)  # fmt: skip


def canonical(row: dict[str, Any]) -> bytes:
    """The bytes that are hashed: chained fields, sorted keys, ISO times, no whitespace."""
    payload = {name: row[name] for name in CHAINED_FIELDS}
    at = payload["at"]
    payload["at"] = at.isoformat() if hasattr(at, "isoformat") else str(at)
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def row_hash(prev_hash: str, row: dict[str, Any], *, key: bytes) -> str:
    return hmac_sm3(key, prev_hash.encode("ascii") + canonical(row)).hex()


@dataclass(frozen=True)
class ChainReport:
    rows: int
    first_broken_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def verify(
    rows: Iterable[dict[str, Any]], head: tuple[int, str] | None = None, *, key: bytes
) -> ChainReport:
    """Walk rows in `seq` order; the first row whose link or hash does not hold is reported.

    `head` is what the writer recorded last (`AuditChainHead`: last seq and
    hash). Without it, deleting the newest rows would leave a shorter chain
    that still verifies; with it, the chain must end exactly there.
    """
    prev = GENESIS
    expected_seq = 1
    count = 0
    for row in rows:
        count += 1
        if row["seq"] != expected_seq:
            return ChainReport(
                count,
                row["seq"],
                f"序号不连续：期望 {expected_seq}，实际 {row['seq']}（记录被删除或插入）",
            )
        if row["prev_hash"] != prev:
            return ChainReport(count, row["seq"], "前序哈希不匹配（前一条记录被改动或删除）")
        if row_hash(prev, row, key=key) != row["row_hash"]:
            return ChainReport(count, row["seq"], "本条记录内容与哈希不符（记录被改动）")
        prev = row["row_hash"]
        expected_seq += 1
    if head is not None:
        last_seq, last_hash = head
        if last_seq >= expected_seq:
            return ChainReport(
                count,
                expected_seq,
                f"链尾缺失：链头记录到第 {last_seq} 条，"
                f"实际只到第 {expected_seq - 1} 条（最新的记录被删除）",
            )
        if last_seq != expected_seq - 1 or last_hash != prev:
            return ChainReport(
                count,
                expected_seq - 1 if count else 1,
                "链尾与链头记录不符（链头或最后一条记录被改动）",
            )
    return ChainReport(count, None, "哈希链完整")
