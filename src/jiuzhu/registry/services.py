"""Writes of the household registry that a screen makes one household at a time.

`register_household` enters a household that is not yet in the registry (a new
applicant at the window, 受理新家庭): the actor must be allowed to edit
households and the community must lie inside the actor's jurisdiction (else
NotFound, exactly like a missing one); each member's ID number is validated
(birth date and sex come from it) and must not be registered already in any
household — the refusal names the masked number only, never the household.
The household, its members, its first revision and the audit row are written
in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from jiuzhu.accounts.scoping import jurisdiction_path
from jiuzhu.audit.services import audit_record
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound, ServiceError
from jiuzhu.core.keys import blind_index
from jiuzhu.core.permissions import Action, can
from jiuzhu.divisions.models import Division, Level
from jiuzhu.domain.identity import IdNumberError, ResidentId, parse_resident_id
from jiuzhu.domain.masking import mask_id_number
from jiuzhu.registry.history import new_revision
from jiuzhu.registry.models import (
    DisabilityKind,
    Employment,
    Health,
    Household,
    LaborAbility,
    Member,
    Relation,
)

HOUSEHOLD = "registry.Household"
#: Household numbers given by the platform: DJ (登记) + date + a five-digit serial of the
#: day. Roster imports keep their legacy numbers; any number already taken is skipped.
HOUSEHOLD_NO_PREFIX = "DJ"
SERIAL_DIGITS = 5
#: Attempts at a free household number when another registration takes the same one.
NUMBER_ATTEMPTS = 5
MAX_MEMBERS = 12
MAX_NAME = 50
MAX_ADDRESS = 200
MAX_DISABILITY_GRADE = 4
SOURCE = "intake"

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{8,10}")


class HouseholdRefused(ServiceError):
    """A household the registry cannot take as given; `row` (0-based, of the members
    passed) and `field` say where the problem is when it is one member's."""

    code = "household_refused"
    default_message = "家庭信息未能登记"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        field: str = "",
        row: int | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.field = field
        self.row = row
        #: The problem without the member's row (for a screen that shows it next to the field).
        self.problem = self.message


@dataclass(frozen=True)
class NewMember:
    """One member of a household to register, as typed in."""

    name: str
    id_number: str
    relation: str
    labor_ability: str = LaborAbility.FULL
    health: str = Health.HEALTHY
    disability_grade: int = 0
    disability_kind: str = ""
    is_student: bool = False
    employment: str = Employment.NONE
    phone: str = ""


# -- where a household may be registered ------------------------------------------


def registrable_communities(user: Any) -> QuerySet[Division]:
    """Communities (社区/村) of the user's jurisdiction a new household may be entered in."""
    path = jurisdiction_path(user)
    if path is None or not can(user, Action.HOUSEHOLD_EDIT):
        return Division.objects.none()
    return Division.objects.filter(level=Level.COMMUNITY, path__startswith=path).order_by("code")


def registrable_grids(user: Any) -> QuerySet[Division]:
    """Grids (网格) of the user's jurisdiction, with their community."""
    path = jurisdiction_path(user)
    if path is None or not can(user, Action.HOUSEHOLD_EDIT):
        return Division.objects.none()
    return (
        Division.objects.filter(level=Level.GRID, path__startswith=path)
        .select_related("parent")
        .order_by("code")
    )


# -- checking the members ---------------------------------------------------------


def _row(index: int) -> str:
    return f"第 {index + 1} 名成员"


def _refuse(index: int, field: str, problem: str, *, code: str = "bad_member") -> HouseholdRefused:
    refused = HouseholdRefused(f"{_row(index)}：{problem}", code=code, field=field, row=index)
    refused.problem = problem
    return refused


def _compact_phone(raw: str) -> str:
    phone = "".join(ch for ch in (raw or "") if ch not in " \t-\u3000()（）")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
            break
    return phone


def _check_choice(index: int, field: str, value: str, allowed: list[str], label: str) -> None:
    if value not in allowed:
        raise _refuse(index, field, f"请选择{label}")


@dataclass(frozen=True)
class _Checked:
    member: NewMember
    resident: ResidentId
    phone: str


def resident_id(raw: str, today: dt.date) -> ResidentId:
    """An ID number as a new member's is checked (IdNumberError with the defect otherwise)."""
    return parse_resident_id(raw, latest_birth_date=today)


def _check_member(index: int, member: NewMember, today: dt.date) -> _Checked:
    name = " ".join((member.name or "").split())
    if not name:
        raise _refuse(index, "name", "请填写姓名")
    if len(name) > MAX_NAME:
        raise _refuse(index, "name", f"姓名不超过 {MAX_NAME} 个字")
    try:
        resident = resident_id(member.id_number, today)
    except IdNumberError as exc:
        raise _refuse(index, "id_number", exc.message, code=exc.code) from None
    _check_choice(index, "relation", member.relation, Relation.values, "与户主关系")
    _check_choice(index, "labor_ability", member.labor_ability, LaborAbility.values, "劳动能力")
    _check_choice(index, "health", member.health, Health.values, "健康状况")
    _check_choice(index, "employment", member.employment, Employment.values, "就业状况")
    kind = member.disability_kind or ""
    _check_choice(index, "disability_kind", kind, DisabilityKind.values, "残疾类别")
    grade = member.disability_grade
    if (
        not isinstance(grade, int)
        or isinstance(grade, bool)
        or not 0 <= grade <= MAX_DISABILITY_GRADE
    ):
        raise _refuse(index, "disability_grade", "残疾等级应为无或一至四级")
    if grade and not kind:
        raise _refuse(index, "disability_kind", "有残疾等级的，请选择残疾类别")
    if kind and not grade:
        raise _refuse(index, "disability_grade", "有残疾类别的，请选择残疾等级")
    phone = _compact_phone(member.phone)
    if phone and not (_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone)):
        raise _refuse(
            index, "phone", "联系电话应为11位手机号码，或带区号的固定电话", code="bad_phone"
        )
    return _Checked(
        member=replace(member, name=name, disability_kind=kind), resident=resident, phone=phone
    )


def registered_message(number: str) -> str:
    """The refusal for an ID number already in the registry: the number masked, no household."""
    return (
        f"身份证号 {mask_id_number(number)}（脱敏）已在家庭信息库中登记，"
        "请通过家庭查询找到该家庭后受理"
    )


def _check_members(members: list[NewMember], today: dt.date) -> list[_Checked]:
    if not members:
        raise HouseholdRefused("请至少填写一名家庭成员（户主）", code="no_members")
    if len(members) > MAX_MEMBERS:
        raise HouseholdRefused(f"家庭成员最多 {MAX_MEMBERS} 名", code="too_many_members")
    checked = [_check_member(index, member, today) for index, member in enumerate(members)]
    heads = [index for index, c in enumerate(checked) if c.member.relation == Relation.HEAD]
    if not heads:
        raise HouseholdRefused("请指定一名户主（与户主关系选“户主”）", code="no_head")
    if len(heads) > 1:
        raise _refuse(heads[1], "relation", "一户只能有一名户主", code="several_heads")
    seen: dict[str, int] = {}
    for index, c in enumerate(checked):
        first = seen.setdefault(c.resident.number, index)
        if first != index:
            raise _refuse(
                index,
                "id_number",
                f"身份证号与{_row(first)}相同",
                code="duplicate_in_household",
            )
    _refuse_registered(checked)
    return checked


def _refuse_registered(checked: list[_Checked]) -> None:
    """Refuse the first member whose ID number is in the registry (any household, any
    jurisdiction: only the blind index is compared, the household is never loaded)."""
    indexes = {
        blind_index(c.resident.number, purpose="id_number"): i for i, c in enumerate(checked)
    }
    taken = set(
        Member.objects.filter(id_number_index__in=list(indexes)).values_list(
            "id_number_index", flat=True
        )
    )
    for index_value, position in sorted(indexes.items(), key=lambda item: item[1]):
        if index_value in taken:
            number = checked[position].resident.number
            raise _refuse(position, "id_number", registered_message(number), code="id_registered")


# -- the household number ---------------------------------------------------------


def _first_free_serial(prefix: str) -> int:
    pattern = rf"^{prefix}[0-9]{{{SERIAL_DIGITS}}}$"
    last = (
        Household.objects.filter(household_no__regex=pattern)
        .order_by("-household_no")
        .values_list("household_no", flat=True)
        .first()
    )
    return int(last[len(prefix) :]) + 1 if last else 1


def _insert_household(household: Household, today: dt.date) -> None:
    """Save with the next free number of the day; a number taken meanwhile (another
    registration, or an imported household that happens to carry it) is skipped."""
    prefix = f"{HOUSEHOLD_NO_PREFIX}{today:%Y%m%d}"
    serial = _first_free_serial(prefix)
    for _ in range(NUMBER_ATTEMPTS):
        number = f"{prefix}{serial:0{SERIAL_DIGITS}d}"
        if Household.objects.filter(household_no=number).exists():
            serial += 1
            continue
        household.household_no = number
        try:
            with transaction.atomic():
                household.save()
        except IntegrityError:
            household.pk = None
            serial = max(serial + 1, _first_free_serial(prefix))
            continue
        return
    raise HouseholdRefused("暂时无法生成家庭编号，请稍后重试", code="number_busy")


# -- the use-case -----------------------------------------------------------------


def _community_in_scope(
    actor: Any, community_id: int, grid_id: int | None
) -> tuple[Division, Division | None]:
    community = registrable_communities(actor).filter(pk=community_id).first()
    if community is None:
        raise NotFound()
    if grid_id is None:
        return community, None
    grid = registrable_grids(actor).filter(pk=grid_id).first()
    if grid is None:
        raise NotFound()
    if grid.parent_id != community.pk:
        raise HouseholdRefused("所选网格不属于该社区/村", code="grid_elsewhere", field="grid")
    return community, grid


def register_household(
    *,
    actor: Any,
    community_id: int,
    grid_id: int | None = None,
    address: str,
    members: list[NewMember],
    http_request: Any = None,
) -> Household:
    """新家庭登记: a household not yet in the registry, with its members (exactly one head)."""
    if not can(actor, Action.HOUSEHOLD_EDIT):
        raise NotFound()
    community, grid = _community_in_scope(actor, community_id, grid_id)
    address = " ".join((address or "").split())
    if not address:
        raise HouseholdRefused("请填写住址", code="no_address", field="address")
    if len(address) > MAX_ADDRESS:
        raise HouseholdRefused(
            f"住址不超过 {MAX_ADDRESS} 个字", code="address_too_long", field="address"
        )
    today = clock.today()
    checked = _check_members(list(members), today)
    now = clock.now()
    with transaction.atomic():
        household = Household(
            community=community,
            grid=grid,
            address=address,
            version=1,
            created_at=now,
            updated_at=now,
        )
        _insert_household(household, today)
        rows = [
            Member(
                household=household,
                id_number=c.resident.number,
                name=c.member.name,
                relation=c.member.relation,
                birth_date=c.resident.birth_date,
                sex=c.resident.sex,
                labor_ability=c.member.labor_ability,
                disability_grade=c.member.disability_grade,
                disability_kind=c.member.disability_kind or "",
                health=c.member.health,
                is_student=bool(c.member.is_student),
                employment=c.member.employment,
                phone=c.phone,
            )
            for c in checked
        ]
        try:
            with transaction.atomic():
                for row in rows:
                    row.save()
        except IntegrityError:
            # the same ID number registered at the same moment by someone else
            _refuse_registered(checked)
            raise HouseholdRefused(
                "有成员的身份证号已在家庭信息库中登记，请通过家庭查询找到该家庭后受理",
                code="id_registered",
            ) from None
        new_revision(
            household,
            rows,
            at=now,
            actor=getattr(actor, "username", "") or "",
            source=SOURCE,
            summary="受理登记：新建家庭档案",
        ).save()
        audit_record(
            action="household.create",
            actor=actor,
            request=http_request,
            object_type=HOUSEHOLD,
            object_id=household.pk,
            details={
                "household_no": household.household_no,
                "community": community.code,
                "grid": grid.code if grid is not None else "",
                "members": len(rows),
                "source": SOURCE,
            },
        )
    return household
