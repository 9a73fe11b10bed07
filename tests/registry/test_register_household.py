"""Registering a household not yet in the registry (新家庭登记, `register_household`).

The ID numbers are checked (check character, birth date) and stored encrypted with
their blind index; birth date and sex come from them. A number already registered
in any household is refused without saying which household; a community outside
the actor's jurisdiction is NotFound, exactly like a missing one; one head only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from tests import factories

from jiuzhu.audit.models import AuditEvent
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound
from jiuzhu.core.keys import blind_index
from jiuzhu.domain.identity import check_character
from jiuzhu.domain.masking import mask_id_number
from jiuzhu.registry.models import Household, HouseholdRevision, Member, Relation
from jiuzhu.registry.services import HouseholdRefused, NewMember, register_household

pytestmark = pytest.mark.django_db


def wrong_check(number: str) -> str:
    """The same number with a check character that does not fit."""
    good = number[-1]
    return number[:-1] + ("0" if good != "0" else "1")


def members(head_id: str, child_id: str) -> list[NewMember]:
    return [
        NewMember(
            name="  赵  建国 ",
            id_number=head_id.lower(),
            relation=Relation.HEAD,
            labor_ability="partial",
            health="chronic",
            disability_grade=3,
            disability_kind="physical",
            employment="flexible",
            phone="139-0000-1234",
        ),
        NewMember(name="赵小花", id_number=child_id, relation=Relation.CHILD, is_student=True),
    ]


def register(actor: Any, county: factories.County, people: list[NewMember], **extra: Any) -> Any:
    arguments: dict[str, Any] = {
        "actor": actor,
        "community_id": county.communities[0].pk,
        "grid_id": county.grids[0].pk,
        "address": "A1社区幸福路 8 号",
        "members": people,
    }
    arguments.update(extra)
    return register_household(**arguments)


def counts() -> tuple[int, int, int]:
    return Household.objects.count(), Member.objects.count(), HouseholdRevision.objects.count()


def test_a_valid_household_is_registered_with_encrypted_id_numbers(
    county: factories.County, cast: factories.Cast
) -> None:
    head_id = factories.id_number(dt.date(1978, 3, 9))
    child_id = factories.id_number(dt.date(2012, 7, 1), female=True)
    household = register(cast.officer, county, members(head_id, child_id))

    household.refresh_from_db()
    today = clock.today()
    assert re.fullmatch(rf"DJ{today:%Y%m%d}[0-9]{{5}}", household.household_no)
    assert (household.community, household.grid) == (county.communities[0], county.grids[0])
    assert household.division_path == county.grids[0].path
    assert household.address == "A1社区幸福路 8 号"
    assert (household.program, household.version) == ("none", 1)

    head, child = household.members.order_by("id")
    assert (head.name, head.relation, head.id_number) == ("赵 建国", "head", head_id)
    assert (head.birth_date, head.sex) == (dt.date(1978, 3, 9), "male")
    assert (head.labor_ability, head.health, head.employment) == ("partial", "chronic", "flexible")
    assert (head.disability_grade, head.disability_kind) == (3, "physical")
    assert head.phone == "13900001234"
    assert (child.birth_date, child.sex, child.is_student) == (dt.date(2012, 7, 1), "female", True)
    assert head.id_number_index == blind_index(head_id, purpose="id_number")
    assert child.phone == ""
    assert child.phone_index == ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone FROM registry_member WHERE id = %s",
            [head.pk],
        )
        stored_id, stored_phone = cursor.fetchone()
    assert head_id not in stored_id
    assert "13900001234" not in stored_phone

    revision = HouseholdRevision.objects.get(household=household)
    assert (revision.version, revision.source, revision.actor) == (1, "intake", "officer_a")
    snapshot = json.dumps(revision.snapshot, ensure_ascii=False)
    assert head_id not in snapshot
    assert "13900001234" not in snapshot
    assert revision.snapshot["members"][0]["id_number_index"] == head.id_number_index

    again = register(
        cast.officer,
        county,
        [NewMember(name="钱一", id_number=factories.id_number(), relation=Relation.HEAD)],
        grid_id=None,
    )
    assert int(again.household_no[-5:]) == int(household.household_no[-5:]) + 1
    assert again.division_path == county.communities[0].path


def test_the_audit_row_names_the_household_but_no_clear_id_number(
    county: factories.County, cast: factories.Cast
) -> None:
    head_id = factories.id_number(dt.date(1980, 1, 2))
    child_id = factories.id_number(dt.date(2010, 2, 3))
    household = register(cast.community_worker, county, members(head_id, child_id))
    event = AuditEvent.objects.get(action="household.create")
    assert (event.object_type, event.object_id) == ("registry.Household", str(household.pk))
    assert (event.username, event.result) == ("community_a1", "ok")
    assert event.details["household_no"] == household.household_no
    assert event.details["members"] == 2
    assert event.details["source"] == "intake"
    text = json.dumps(event.details, ensure_ascii=False)
    for clear in (head_id, child_id, "13900001234", "赵"):
        assert clear not in text


def test_a_bad_check_character_names_the_member_row(
    county: factories.County, cast: factories.Cast
) -> None:
    before = counts()
    head_id = factories.id_number()
    bad = wrong_check(factories.id_number(dt.date(2011, 5, 5)))
    with pytest.raises(HouseholdRefused) as refused:
        register(cast.officer, county, members(head_id, bad))
    assert refused.value.code == "bad_check_digit"
    assert (refused.value.row, refused.value.field) == (1, "id_number")
    assert refused.value.message == "第 2 名成员：身份证号码校验码不正确，请核对后重新输入"
    assert refused.value.problem == "身份证号码校验码不正确，请核对后重新输入"
    assert counts() == before
    assert not AuditEvent.objects.filter(action="household.create").exists()

    future = f"510199{clock.today() + dt.timedelta(days=1):%Y%m%d}123"
    with pytest.raises(HouseholdRefused, match=r"第 1 名成员：.*出生日期") as late:
        register(
            cast.officer,
            county,
            [NewMember(name="孙一", id_number=future + check_character(future), relation="head")],
        )
    assert late.value.code == "bad_birth_date"


def test_an_id_number_already_registered_is_refused_without_naming_the_household(
    county: factories.County, cast: factories.Cast
) -> None:
    before = counts()
    elsewhere = county.households_in(county.townships[1])[0]  # outside the officer's township
    nearby = county.households_in(county.townships[0])[0]
    for existing in (elsewhere, nearby):
        taken = existing.members.order_by("id").first()
        assert taken is not None
        with pytest.raises(HouseholdRefused) as refused:
            register(cast.officer, county, members(factories.id_number(), taken.id_number))
        message = refused.value.message
        assert refused.value.code == "id_registered"
        assert (refused.value.row, refused.value.field) == (1, "id_number")
        assert message == (
            f"第 2 名成员：身份证号 {mask_id_number(taken.id_number)}（脱敏）已在家庭信息库中登记，"
            "请通过家庭查询找到该家庭后受理"
        )
        assert taken.id_number not in message
        # (The message is pinned whole above; the database key is a short number that may
        # occur inside any masked ID, so it is not searched for as a substring.)
        for revealing in (existing.household_no, existing.address, taken.name):
            assert revealing not in message
        assert existing.community.name not in message
    assert counts() == before

    twice = factories.id_number()
    with pytest.raises(HouseholdRefused, match="第 2 名成员：身份证号与第 1 名成员相同"):
        register(cast.officer, county, members(twice, twice))


def test_a_community_outside_the_jurisdiction_is_not_found(
    county: factories.County, cast: factories.Cast
) -> None:
    before = counts()
    people = [NewMember(name="李四", id_number=factories.id_number(), relation="head")]
    cases: list[tuple[Any, dict[str, Any]]] = [
        (cast.officer, {"community_id": county.communities[2].pk, "grid_id": None}),
        (cast.other_community_worker, {}),
        (cast.community_worker, {"community_id": county.communities[1].pk, "grid_id": None}),
        (cast.officer, {"grid_id": county.grids[4].pk}),  # a grid of township B
        (cast.officer, {"community_id": 999_999, "grid_id": None}),
        (cast.grid_worker, {}),  # may not edit households at all
        (cast.approver, {}),
        (cast.no_division, {}),
    ]
    for actor, extra in cases:
        with pytest.raises(NotFound):
            register(actor, county, people, **extra)
    with pytest.raises(HouseholdRefused, match="所选网格不属于该社区/村"):
        register(cast.officer, county, people, grid_id=county.grids[2].pk)  # community A2's
    assert counts() == before


def test_exactly_one_head(county: factories.County, cast: factories.Cast) -> None:
    before = counts()
    child = NewMember(name="周一", id_number=factories.id_number(), relation="child")
    with pytest.raises(HouseholdRefused, match="请指定一名户主") as no_head:
        register(cast.officer, county, [child])
    assert no_head.value.code == "no_head"
    heads = [
        NewMember(name="周二", id_number=factories.id_number(), relation="head"),
        NewMember(name="周三", id_number=factories.id_number(), relation="head"),
    ]
    with pytest.raises(HouseholdRefused, match="第 2 名成员：一户只能有一名户主"):
        register(cast.officer, county, heads)
    with pytest.raises(HouseholdRefused, match="请至少填写一名家庭成员"):
        register(cast.officer, county, [])
    with pytest.raises(HouseholdRefused, match="请填写住址"):
        register(cast.officer, county, heads[:1], address="   ")
    with pytest.raises(HouseholdRefused, match="第 1 名成员：联系电话"):
        register(cast.officer, county, [NewMember(**{**heads[0].__dict__, "phone": "12345"})])
    with pytest.raises(HouseholdRefused, match="请选择残疾类别"):
        register(cast.officer, county, [NewMember(**{**heads[0].__dict__, "disability_grade": 2})])
    assert counts() == before


def test_the_number_skips_one_already_taken(county: factories.County, cast: factories.Cast) -> None:
    taken = f"DJ{clock.today():%Y%m%d}00001"
    factories.household(county.communities[3], None, members=1, no=taken)  # e.g. an import
    head = [NewMember(name="吴一", id_number=factories.id_number(), relation="head")]
    household = register(cast.officer, county, head, grid_id=None)
    assert household.household_no == f"DJ{clock.today():%Y%m%d}00002"
