from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Max

from jiuzhu.audit.chain import CHAINED_FIELDS, ChainReport, verify
from jiuzhu.audit.models import AuditChainHead, AuditEvent
from jiuzhu.core.keys import chain_key


def chain_rows(batch_size: int = 5000, *, up_to_seq: int | None = None) -> Iterator[dict[str, Any]]:
    fields = (*CHAINED_FIELDS, "prev_hash", "row_hash")
    rows = AuditEvent.objects.order_by("seq")
    if up_to_seq is not None:
        rows = rows.filter(seq__lte=up_to_seq)
    yield from rows.values(*fields).iterator(chunk_size=batch_size)


def chain_head() -> tuple[int, str] | None:
    """What the writer recorded last; None before the first audit row was written."""
    head = AuditChainHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    return (int(head[0]), str(head[1])) if head is not None else None


def verify_chain() -> ChainReport:
    """Verify every row, and that the chain ends exactly where the chain head says.

    Safe while others append, without holding a lock or a snapshot: a row and
    the head's move to it commit together, so after reading the head every row
    up to its seq is visible, and a row committed later has a higher seq. Rows
    beyond the head are a finding only if they are still beyond it when the
    head is read again afterwards (then no writer put them there).
    """
    head = chain_head()
    if head is None:
        report = verify(chain_rows(), key=chain_key())
        if report.rows:
            return ChainReport(report.rows, 1, "链头记录缺失（审计链被改动）")
        return report
    report = verify(chain_rows(up_to_seq=head[0]), head=head, key=chain_key())
    if not report.ok:
        return report
    highest = AuditEvent.objects.aggregate(highest=Max("seq"))["highest"]
    later = chain_head()
    if highest is not None and later is not None and highest > later[0]:
        stray = (
            AuditEvent.objects.filter(seq__gt=later[0])
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        return ChainReport(report.rows, stray or highest, "链头之后存在未登记的记录（记录被插入）")
    return report
