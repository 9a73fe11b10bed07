"""What a 公示 may show (domain.md §7, security.md §E.22) — the one allow-list.

Shown: community/village, the head's name masked by `jiuzhu.domain.masking.mask_name`,
the household size covered, the programme, the amount, the period (the 公示期),
the complaint phone and the issuing office. Nothing else is ever put into a
notice's snapshot: no ID number, phone, address, bank account, illness,
disability, income or asset detail, and no name of a minor (a minor head is
shown as such, without a name). A 特困 case whose covered person is a minor is
not publicised at all (`withheld_reason`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jiuzhu.casework.models import Case
from jiuzhu.divisions.models import Division, Level
from jiuzhu.documents import conf
from jiuzhu.domain import identity
from jiuzhu.domain.masking import mask_name
from jiuzhu.registry.models import Household, Member, Program, Relation

#: The fields of a notice, in print order, with their column labels. The golden
#: test compares a notice's snapshot with exactly these keys.
NOTICE_FIELDS: tuple[tuple[str, str], ...] = (
    ("community", "社区（村）"),
    ("head_name", "户主姓名"),
    ("covered_size", "保障人数"),
    ("programme", "救助项目"),
    ("amount", "救助金额"),
    ("period", "公示期"),
    ("complaint_phone", "监督电话"),
    ("issuing_office", "发布单位"),
)
NOTICE_KEYS = frozenset(key for key, _ in NOTICE_FIELDS)

#: Programmes paid every month (the amount reads "元/月"); the others are paid once.
MONTHLY_PROGRAMMES = frozenset(
    {
        Program.DIBAO,
        Program.TEKUN,
        Program.DISABILITY_TWO,
        Program.CHILD_BASIC_LIVING,
        Program.ELDERLY,
    }
)
ADULT_AGE = 18
MINOR_HEAD = "（未成年人，不公示姓名）"
NO_HEAD = "（未登记户主）"
TEKUN_MINOR = "tekun_minor"
WITHHELD_MESSAGES = {
    TEKUN_MINOR: "特困人员救助供养对象为未成年人，依规定不予公示（domain.md §7）",
}


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day is not None else ""


def money_text(value: Decimal | str | None) -> str:
    amount = Decimal(str(value if value is not None else "0")).quantize(Decimal("0.01"))
    return f"{amount}"


def township_of(community: Division) -> Division | None:
    parent = community.parent
    while parent is not None and parent.level != Level.TOWNSHIP:
        parent = parent.parent
    return parent


def county_of(division: Division) -> Division | None:
    node: Division | None = division
    while node is not None and node.level != Level.COUNTY:
        node = node.parent
    return node


def office_of(township: Division | None) -> str:
    """ "A街道" → "A街道办事处", "B镇" → "B镇人民政府" (the 公示 is the township's)."""
    if township is None:
        return ""
    name = township.name
    if name.endswith(("办事处", "人民政府")):
        return name
    return f"{name}办事处" if name.endswith("街道") else f"{name}人民政府"


def issuing_office(community: Division) -> str:
    return conf.issuer_override() or office_of(township_of(community)) or community.name


def current_members(household: Household, on: dt.date) -> list[Member]:
    return [
        member
        for member in household.members.all().order_by("id")
        if member.left_on is None or member.left_on > on
    ]


def covered_members(case: Case, members: list[Member]) -> list[Member]:
    """The members the assessment covers (all current members when it names none)."""
    keys = (case.assessment_result or {}).get("covered_members") or []
    by_key = {f"m{member.pk}": member for member in members}
    covered = [by_key[key] for key in keys if key in by_key]
    return covered or list(members)


def is_minor(member: Member, on: dt.date) -> bool:
    return identity.age_on(member.birth_date, on) < ADULT_AGE


def withheld_reason(case: Case, on: dt.date) -> str | None:
    """Why no notice may be posted for the case at all, or None."""
    if case.programme == Program.TEKUN:
        members = covered_members(case, current_members(case.household, on))
        if any(is_minor(member, on) for member in members):
            return TEKUN_MINOR
    return None


def head_name(members: list[Member], on: dt.date) -> str:
    heads = [member for member in members if member.relation == Relation.HEAD]
    if not heads:
        return NO_HEAD
    head = heads[0]
    return MINOR_HEAD if is_minor(head, on) else mask_name(head.name)


def amount_text(case: Case) -> str:
    result = case.assessment_result or {}
    value = case.decided_amount if case.decided_amount is not None else result.get("amount")
    unit = "元/月" if case.programme in MONTHLY_PROGRAMMES else "元"
    return f"{money_text(value)}{unit}"


def notice_fields(case: Case, *, posted_on: dt.date, removal_on: dt.date) -> dict[str, str]:
    """The snapshot a notice keeps: exactly `NOTICE_FIELDS`, masked now."""
    household = case.household
    members = current_members(household, posted_on)
    fields: dict[str, Any] = {
        "community": household.community.name,
        "head_name": head_name(members, posted_on),
        "covered_size": str(len(covered_members(case, members))),
        "programme": Program(case.programme).label,
        "amount": amount_text(case),
        "period": f"{cn_date(posted_on)}至{cn_date(removal_on)}",
        "complaint_phone": conf.complaint_phone(),
        "issuing_office": issuing_office(household.community),
    }
    if set(fields) != NOTICE_KEYS:  # the allow-list and the builder must agree
        raise RuntimeError("公示字段与允许清单不一致")
    return fields


def shown_fields(fields: dict[str, Any]) -> dict[str, str]:
    """A stored snapshot read back through the allow-list (anything else is dropped)."""
    return {key: str(fields.get(key, "")) for key, _ in NOTICE_FIELDS}
