"""Writing audit events. A failed audit write fails the action (security.md §C.15):
`audit_record` runs inside the caller's transaction and lets errors propagate."""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest
from stdnum import luhn

from jiuzhu.audit.chain import GENESIS, row_hash
from jiuzhu.audit.models import AuditChainHead, AuditEvent
from jiuzhu.core import clock
from jiuzhu.core.keys import chain_key
from jiuzhu.core.middleware import current_request_id
from jiuzhu.domain.identity import check_character

# Keys that must never carry a clear value into an audit row.
FORBIDDEN_DETAIL_KEYS = frozenset(
    {"id_number", "phone", "bank_account", "password", "value", "clear"}
)

_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_CARD = re.compile(r"[0-9]{16,19}")


class AuditDetailError(ValueError):
    pass


def looks_like_clear_pii(text: str) -> bool:
    """True when the whole value is an ID number (valid check character), a
    mobile number or a Luhn-valid card number: what §C.13 keeps out of audit rows."""
    value = text.strip().upper()
    if _ID_NUMBER.fullmatch(value) and value[17] == check_character(value[:17]):
        return True
    return bool(_MOBILE.fullmatch(value) or (_CARD.fullmatch(value) and luhn.is_valid(value)))


def _detail_problems(value: Any, path: str = "") -> list[str]:
    """Forbidden keys and clear-looking values, at any depth of the details."""
    problems: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if str(key).lower() in FORBIDDEN_DETAIL_KEYS:
                problems.append(where)
            else:
                problems.extend(_detail_problems(item, where))
    elif isinstance(value, list | tuple | set | frozenset):
        for i, item in enumerate(value):
            problems.extend(_detail_problems(item, f"{path}[{i}]"))
    elif (
        isinstance(value, str | int)
        and not isinstance(value, bool)
        and looks_like_clear_pii(str(value))
    ):
        problems.append(path or "<值>")
    return problems


def scrub_pii(text: str) -> str:
    """`text` masked when it is a clear ID, mobile or card number, else unchanged.

    For what a person typed (a login name, a search filter) that still has to
    be audited: it may be someone's ID or phone number.
    """
    if looks_like_clear_pii(text):
        value = text.strip()
        return f"{value[:3]}{'*' * (len(value) - 5)}{value[-2:]}"
    return text


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def audit_record(
    *,
    action: str,
    result: str = "ok",
    actor: Any = None,
    request: HttpRequest | None = None,
    username: str = "",
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row, chained to the previous one.

    `actor` is the acting user (or None for the system / an anonymous caller,
    then `username` names who was attempted); `details` must not hold clear
    sensitive values.
    """
    # Hash exactly what the JSON column gives back later: Decimal, dates and
    # tuples become JSON here, not differently in the hash and in the column.
    details = json.loads(json.dumps(dict(details or {}), cls=DjangoJSONEncoder))
    leaked = _detail_problems(details)
    if leaked:
        raise AuditDetailError(f"审计详情不得包含敏感字段明文：{leaked}")
    if looks_like_clear_pii(str(object_id)):
        raise AuditDetailError("审计对象编号不得为身份证号、手机号或银行卡号明文")
    user = getattr(request, "user", None) if request is not None else None
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    division = getattr(actor, "division", None) if actor is not None else None
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        row: dict[str, Any] = {
            "seq": head.last_seq + 1,
            "at": clock.now(),
            "user_id": getattr(actor, "pk", None),
            "username": getattr(actor, "username", "") or scrub_pii(username),
            "role": getattr(actor, "role", "") or "",
            "division_code": getattr(division, "code", "") or "",
            "ip": client_ip(request),
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "result": result,
            "request_id": getattr(request, "request_id", "")
            or current_request_id().replace("-", ""),
            "details": details,
        }
        digest = row_hash(head.last_hash, row, key=chain_key())
        event = AuditEvent.objects.create(prev_hash=head.last_hash, row_hash=digest, **row)
        AuditChainHead.objects.filter(pk=1).update(last_seq=row["seq"], last_hash=digest)
    return event
