"""The roster (§1): divisions, households, members and the rules across their rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from jiuzhu.exchange import (
    ExistingDivision,
    MissingColumn,
    RosterFiles,
    RosterResult,
    validate_roster,
)
from tests.exchange.helpers import make_id, write_text, wrong_check

IMPORT_DAY = dt.date(2026, 11, 29)
COUNTY = "110101000000"
TOWN_A = "110101001000"
TOWN_B = "110101002000"
COMM_A1 = "110101001001"
COMM_A2 = "110101001002"
COMM_B1 = "110101002001"

DIVISIONS = [
    "code,名称,级别,上级代码",
    f"{COUNTY},东城区,county,",
    f"{TOWN_A},东华门街道,township,{COUNTY}",
    f"{COMM_A1},多福巷社区,community,{TOWN_A}",
    f"{COMM_A2},银闸社区,社区,{TOWN_A}",
    f"{TOWN_B},景山街道,街道/乡镇,{COUNTY}",
    f"{COMM_B1},隆福寺社区,community,{TOWN_B}",
]
HOUSEHOLDS_HEADER = (
    "household_id,region_code,address,program,review_class,enrolled_on,last_verified_on,"
    "monthly_benefit,declared_monthly_income"
)
MEMBERS_HEADER = "家庭编号,身份证号,姓名,与户主关系,劳动能力,残疾等级,健康状况,在校生,就业状况"

HEAD_1 = make_id(dt.date(1960, 1, 1), order=11)
WIFE_1 = make_id(dt.date(1962, 2, 2), order=22)
HEAD_2 = make_id(dt.date(1970, 3, 3), order=33)
CHILD_2 = make_id(dt.date(2010, 4, 4), order=44)


def household(hid: str, region: str = COMM_A1, **overrides: str) -> str:
    values = {
        "address": "某街1号",
        "program": "dibao",
        "review_class": "A",
        "enrolled_on": "2020-01-01",
        "last_verified_on": "2025-06-30",
        "monthly_benefit": "950.00",
        "declared_monthly_income": "300",
    } | overrides
    return ",".join([hid, region, *values.values()])


def member(hid: str, number: str, relation: str = "户主", **overrides: str) -> str:
    values = {
        "name": "王某",
        "labor_ability": "full",
        "disability_grade": "0",
        "health": "healthy",
        "is_student": "0",
        "employment": "none",
    } | overrides
    v = values
    return ",".join(
        [hid, number, v["name"], relation, v["labor_ability"], v["disability_grade"], v["health"],
         v["is_student"], v["employment"]]
    )  # fmt: skip


def roster(
    tmp_path: Path,
    *,
    households: list[str],
    members: list[str],
    divisions: list[str] | None = DIVISIONS,
    existing: dict[str, ExistingDivision] | None = None,
    jurisdiction: str | None = None,
    import_day: dt.date = IMPORT_DAY,
) -> RosterResult:
    files = RosterFiles(
        divisions=write_text(tmp_path / "divisions.csv", divisions)
        if divisions is not None
        else None,
        households=write_text(tmp_path / "households.csv", [HOUSEHOLDS_HEADER, *households]),
        members=write_text(tmp_path / "members.csv", [MEMBERS_HEADER, *members]),
    )
    return validate_roster(
        files,
        import_day=import_day,
        existing_divisions=existing or {},
        jurisdiction_code=jurisdiction,
    )


def rejects(result: RosterResult, file: str) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in result.report.rejected if r.file == file]


# ------------------------------------------------------------------ divisions


def test_a_clean_roster_loads_with_typed_values(tmp_path: Path) -> None:
    result = roster(
        tmp_path,
        households=[
            household("H1"),
            household(
                "H2", COMM_B1, program="特困人员救助供养", review_class="c", last_verified_on=""
            ),
        ],
        members=[
            member("H1", HEAD_1),
            member(
                "H1", WIFE_1, "配偶", labor_ability="部分", health="慢性病", disability_grade="2"
            ),
            member("H2", HEAD_2, "head", labor_ability="无", health="重病", employment="灵活就业"),
            member("H2", CHILD_2, "孙子女", is_student="1", health="Chronic", employment="NONE"),
        ],
    )
    assert result.report.rejected == []
    assert [d.code for d in result.divisions] == [COUNTY, TOWN_A, TOWN_B, COMM_A1, COMM_A2, COMM_B1]
    levels = {d.code: (d.level, d.parent_code) for d in result.divisions}
    assert levels[COUNTY] == ("county", None)
    assert levels[COMM_A2] == ("community", TOWN_A)
    assert levels[TOWN_B] == ("township", COUNTY)
    h1, h2 = result.households
    assert (h1.household_id, h1.region_code, h1.program, h1.review_class) == (
        "H1",
        COMM_A1,
        "dibao",
        "A",
    )
    assert (h1.enrolled_on, h1.last_verified_on) == (dt.date(2020, 1, 1), dt.date(2025, 6, 30))
    assert (h1.monthly_benefit, h1.declared_monthly_income) == (
        Decimal("950.00"),
        Decimal("300.00"),
    )
    assert (h2.program, h2.review_class, h2.last_verified_on) == ("tekun", "C", None)
    got = [
        (m.household_id, m.id_number, m.relation, m.labor_ability, m.disability_grade, m.health, m.is_student,
         m.employment)
        for m in result.members
    ]  # fmt: skip
    assert got == [
        ("H1", HEAD_1, "head", "full", 0, "healthy", False, "none"),
        ("H1", WIFE_1, "spouse", "partial", 2, "chronic", False, "none"),
        ("H2", HEAD_2, "head", "none", 0, "serious", False, "flexible"),
        ("H2", CHILD_2, "grandchild", "full", 0, "chronic", True, "none"),
    ]
    report = result.report
    assert (report.rows_read, report.rows_loaded, report.duplicates) == (6 + 2 + 4, 12, 0)


def test_division_rules(tmp_path: Path) -> None:
    divisions = [
        "code,name,level,parent_code",
        f"{COMM_A1},多福巷社区,community,{TOWN_A}",  # 2: before its parent: fine
        f"{COUNTY},东城区,county,",  # 3
        f"{TOWN_A},东华门街道,township,{COUNTY}",  # 4
        "11010100100,短,community,110101001000",  # 5: 11 digits
        "11010100100A,字母,community,110101001000",  # 6: a letter
        "110101009001,孤儿社区,community,110101009000",  # 7: unknown parent
        "110101001005,错级,community,110101000000",  # 8: community under a county
        "110102000000,西城区,county,110100000000",  # 9: a county with a parent
        "110101003000,无上级街道,township,",  # 10: a township without a parent
        "110101004000,乡,province,110101000000",  # 11: a level outside the list
        f"{TOWN_A},东华门街道,township,{COUNTY}",  # 12: duplicate
        f"{TOWN_A},东华门,township,{COUNTY}",  # 13: same code, other content
        "110101005000,坏街道,township,110101999000",  # 14: unknown parent ...
        "110101005001,坏街道的社区,community,110101005000",  # 15: ... so its child's parent is unknown too
    ]
    result = roster(
        tmp_path, divisions=divisions, households=[household("H1")], members=[member("H1", HEAD_1)]
    )
    assert rejects(result, "divisions.csv") == [
        (5, "bad_value"),
        (6, "bad_value"),
        (7, "bad_value"),
        (8, "bad_value"),
        (9, "bad_value"),
        (10, "bad_value"),
        (11, "bad_value"),
        (12, "duplicate"),
        (13, "conflict"),
        (14, "bad_value"),
        (15, "bad_value"),
    ]
    assert {d.code for d in result.divisions} == {COUNTY, TOWN_A, COMM_A1}
    assert [h.household_id for h in result.households] == ["H1"]
    report = result.report.file("divisions")
    assert report is not None
    assert (report.rows_read, report.rows_loaded, report.duplicates) == (14, 3, 1)
    parent_message = next(r.message for r in report.rejected if r.line == 7)
    assert "上级代码" in parent_message


def test_parents_may_come_from_the_platform(tmp_path: Path) -> None:
    existing = {
        COUNTY: ExistingDivision("county", ""),  # "" is how a database may hand over "no parent"
        TOWN_A: ExistingDivision("township", COUNTY),
    }
    divisions = ["code,name,level,parent_code", f"{COMM_A1},多福巷社区,community,{TOWN_A}"]
    result = roster(
        tmp_path,
        divisions=divisions,
        existing=existing,
        households=[household("H1")],
        members=[member("H1", HEAD_1)],
    )
    assert result.report.rejected == []
    assert [d.code for d in result.divisions] == [COMM_A1]


def test_a_division_contradicting_the_platform_is_a_conflict(tmp_path: Path) -> None:
    existing = {
        COUNTY: ExistingDivision("county", None),
        TOWN_A: ExistingDivision("township", COUNTY),
        TOWN_B: ExistingDivision("township", COUNTY),
        COMM_A1: ExistingDivision("community", TOWN_A),
    }
    # The file tries to move 多福巷 under 景山街道.
    divisions = ["code,name,level,parent_code", f"{COMM_A1},多福巷社区,community,{TOWN_B}"]
    result = roster(
        tmp_path,
        divisions=divisions,
        existing=existing,
        jurisdiction=TOWN_B,
        households=[household("H1")],
        members=[member("H1", HEAD_1)],
    )
    assert rejects(result, "divisions.csv") == [(2, "conflict")]
    # The platform's parent link stands, so the household stays outside 景山街道.
    assert rejects(result, "households.csv") == [(2, "unknown_division")]


# ------------------------------------------------------------------ households


def test_household_region_must_be_a_known_community(tmp_path: Path) -> None:
    result = roster(
        tmp_path,
        households=[
            household("H1"),
            household("H2", "110101001099"),  # not in divisions.csv
            household("H3", TOWN_A),  # a township, not a community
            household("H4", ""),
            household("H5", "1101010010"),
        ],
        members=[member("H1", HEAD_1), member("H2", HEAD_2)],
    )
    assert rejects(result, "households.csv") == [(n, "unknown_division") for n in (3, 4, 5, 6)]
    assert rejects(result, "members.csv") == [(3, "unknown_household")]


def test_households_without_divisions_file_use_the_platform(tmp_path: Path) -> None:
    existing = {
        COUNTY: ExistingDivision("county", None),
        TOWN_A: ExistingDivision("township", COUNTY),
        COMM_A1: ExistingDivision("community", TOWN_A),
    }
    result = roster(
        tmp_path,
        divisions=None,
        existing=existing,
        households=[household("H1"), household("H2", COMM_B1)],
        members=[member("H1", HEAD_1)],
    )
    assert rejects(result, "households.csv") == [(3, "unknown_division")]
    assert [f.file for f in result.report.files] == ["households.csv", "members.csv"]


@pytest.mark.parametrize(
    ("jurisdiction", "loaded"),
    [
        (None, ["H1", "H2", "H3"]),  # an operator's import: everything
        (COUNTY, ["H1", "H2", "H3"]),
        (TOWN_A, ["H1", "H2"]),
        (COMM_A2, ["H2"]),
        (TOWN_B, ["H3"]),
        ("110101009000", []),  # unknown to the platform: nothing (fails closed)
    ],
)
def test_jurisdiction(tmp_path: Path, jurisdiction: str | None, loaded: list[str]) -> None:
    result = roster(
        tmp_path,
        households=[household("H1", COMM_A1), household("H2", COMM_A2), household("H3", COMM_B1)],
        members=[member("H1", HEAD_1), member("H2", HEAD_2), member("H3", CHILD_2)],
        jurisdiction=jurisdiction,
    )
    assert [h.household_id for h in result.households] == loaded
    line_of = {"H1": 2, "H2": 3, "H3": 4}
    outside = sorted(line_of[h] for h in line_of if h not in loaded)
    assert rejects(result, "households.csv") == [(n, "unknown_division") for n in outside]
    assert rejects(result, "members.csv") == [(n, "unknown_household") for n in outside]
    if outside:
        message = result.report.rejected[0].message
        assert "管辖范围" in message or "不是已知" in message


def test_jurisdiction_follows_parent_links_through_the_platform(tmp_path: Path) -> None:
    existing = {
        COUNTY: ExistingDivision("county", None),
        TOWN_A: ExistingDivision("township", COUNTY),
    }
    divisions = ["code,name,level,parent_code", f"{COMM_A1},新社区,community,{TOWN_A}"]
    result = roster(
        tmp_path,
        divisions=divisions,
        existing=existing,
        jurisdiction=COUNTY,
        households=[household("H1")],
        members=[member("H1", HEAD_1)],
    )
    assert result.report.rejected == []


def test_household_duplicate_and_conflict(tmp_path: Path) -> None:
    result = roster(
        tmp_path,
        households=[
            household("H1", monthly_benefit="12.5", program="dibao"),  # 2
            household(
                " H1 ", monthly_benefit="12.50", program="低保"
            ),  # 3: equal after normalisation
            household("H1", monthly_benefit="13.00"),  # 4: other content
            household("H2", monthly_benefit="-1"),  # 5: rejected ...
            household("H2"),  # 6: ... so this one is the first that passes
            household("H2", review_class="B"),  # 7: conflicts with line 6
        ],
        members=[member("H1", HEAD_1), member("H2", HEAD_2)],
    )
    assert rejects(result, "households.csv") == [
        (3, "duplicate"),
        (4, "conflict"),
        (5, "negative_amount"),
        (7, "conflict"),
    ]
    h1, h2 = result.households
    assert (h1.line, h1.monthly_benefit) == (2, Decimal("12.50"))
    assert (h2.line, h2.review_class) == (6, "A")
    report = result.report.file("households")
    assert report is not None
    assert (report.rows_read, report.rows_loaded, report.duplicates) == (6, 2, 1)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"review_class": "X"}, "bad_value"),
        ({"review_class": ""}, "bad_value"),
        ({"program": "welfare"}, "bad_value"),
        ({"enrolled_on": ""}, "bad_date"),
        ({"enrolled_on": "2020-02-30"}, "bad_date"),
        ({"last_verified_on": "2025/06/30"}, "bad_date"),
        ({"monthly_benefit": "-0.00"}, "negative_amount"),
        ({"declared_monthly_income": '"1,000"'}, "non_numeric_amount"),
        ({"address": "x" * 201}, "bad_value"),
    ],
)
def test_household_column_checks(tmp_path: Path, overrides: dict[str, str], reason: str) -> None:
    result = roster(
        tmp_path, households=[household("H1", **overrides)], members=[member("H1", HEAD_1)]
    )
    assert rejects(result, "households.csv") == [(2, reason)]
    assert rejects(result, "members.csv") == [(2, "unknown_household")]


# ------------------------------------------------------------------ members


def test_member_rules(tmp_path: Path) -> None:
    result = roster(
        tmp_path,
        households=[household("H1"), household("H2"), household("H3", "999999999999")],
        members=[
            member("H1", HEAD_1),  # 2
            member("H1", WIFE_1, "配偶"),  # 3
            member(
                " H1 ", f" {WIFE_1.lower()} ", " 配偶 "
            ),  # 4: duplicate of line 3 after normalisation
            member("H2", WIFE_1, "户主"),  # 5: the same person in another household: conflict
            member("H1", HEAD_1, name="王某某"),  # 6: same household, other content: conflict
            member("H9", HEAD_2),  # 7: no such household
            member("H3", CHILD_2),  # 8: its household was rejected
            member("", make_id(order=5)),  # 9: no household at all
            member("H2", HEAD_2),  # 10
        ],
    )
    assert rejects(result, "households.csv") == [(4, "unknown_division")]
    assert rejects(result, "members.csv") == [
        (4, "duplicate"),
        (5, "conflict"),
        (6, "conflict"),
        (7, "unknown_household"),
        (8, "unknown_household"),
        (9, "unknown_household"),
    ]
    assert [(m.line, m.household_id, m.id_number) for m in result.members] == [
        (2, "H1", HEAD_1),
        (3, "H1", WIFE_1),
        (10, "H2", HEAD_2),
    ]


def test_member_birth_date_after_the_import_day_is_impossible(tmp_path: Path) -> None:
    on_the_day = make_id(IMPORT_DAY, order=1)
    the_day_after = make_id(IMPORT_DAY + dt.timedelta(days=1), order=2)
    result = roster(
        tmp_path,
        households=[household("H1")],
        members=[
            member("H1", HEAD_1),
            member("H1", on_the_day, "子女"),
            member("H1", the_day_after, "子女"),
        ],
    )
    assert rejects(result, "members.csv") == [(4, "bad_birth_date")]
    assert "导入日" in result.report.rejected[0].message


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (member("H1", "", "子女"), "blank_id"),
        (member("H1", CHILD_2[:17], "子女"), "bad_id_format"),
        (member("H1", wrong_check(CHILD_2), "子女"), "bad_check_digit"),
        (member("H1", CHILD_2, "老板"), "bad_value"),
        (member("H1", CHILD_2, "子女", labor_ability="some"), "bad_value"),
        (member("H1", CHILD_2, "子女", disability_grade="5"), "bad_value"),
        (member("H1", CHILD_2, "子女", disability_grade="-1"), "bad_value"),
        (member("H1", CHILD_2, "子女", disability_grade="一级"), "bad_value"),
        (member("H1", CHILD_2, "子女", health="sick"), "bad_value"),
        (member("H1", CHILD_2, "子女", is_student="2"), "bad_value"),
        (member("H1", CHILD_2, "子女", is_student="是"), "bad_value"),
        (member("H1", CHILD_2, "子女", employment="boss"), "bad_value"),
        # The ID checks come before the household: a bad ID in an unknown household.
        (member("H9", wrong_check(CHILD_2), "子女"), "bad_check_digit"),
        # household_id is the leftmost column of the standard: it comes before relation.
        (member("H9", CHILD_2, "老板"), "unknown_household"),
    ],
)
def test_member_column_checks(tmp_path: Path, row: str, reason: str) -> None:
    result = roster(tmp_path, households=[household("H1")], members=[member("H1", HEAD_1), row])
    assert rejects(result, "members.csv") == [(3, reason)]


def test_a_missing_column_refuses_the_roster_before_any_row(tmp_path: Path) -> None:
    files = RosterFiles(
        divisions=write_text(tmp_path / "divisions.csv", DIVISIONS),
        households=write_text(tmp_path / "households.csv", [HOUSEHOLDS_HEADER, household("H1")]),
        members=write_text(
            tmp_path / "members.csv",
            ["家庭编号,身份证号,姓名,与户主关系", f"H1,{HEAD_1},王某,户主"],
        ),
    )
    with pytest.raises(MissingColumn) as caught:
        validate_roster(files, import_day=IMPORT_DAY, existing_divisions={}, jurisdiction_code=None)
    error = caught.value
    assert error.code == "missing_column"
    assert error.file == "members.csv"
    assert error.columns == (
        "labor_ability",
        "disability_grade",
        "health",
        "is_student",
        "employment",
    )
    for alias in ("劳动能力", "残疾等级", "健康状况", "在校生", "就业状况"):
        assert alias in error.message


def test_progress_counts_every_row(tmp_path: Path) -> None:
    seen: list[int] = []
    households = [household(f"H{n}") for n in range(1500)]
    files = RosterFiles(
        divisions=write_text(tmp_path / "divisions.csv", DIVISIONS),
        households=write_text(tmp_path / "households.csv", [HOUSEHOLDS_HEADER, *households]),
        members=write_text(tmp_path / "members.csv", [MEMBERS_HEADER, member("H1", HEAD_1)]),
    )
    validate_roster(
        files,
        import_day=IMPORT_DAY,
        existing_divisions={},
        jurisdiction_code=None,
        progress=seen.append,
    )
    assert seen == [1000, 6 + 1500 + 1]


def test_report_to_dict_is_plain_data(tmp_path: Path) -> None:
    result = roster(
        tmp_path, households=[household("H1"), household("H1")], members=[member("H1", HEAD_1)]
    )
    data = result.report.to_dict()
    assert (
        data["rows_read"],
        data["rows_loaded"],
        data["rows_rejected"],
        data["rows_duplicate"],
    ) == (
        9,
        8,
        1,
        1,
    )
    households = data["files"][1]
    assert households["file"] == "households.csv"
    assert households["rejected"][0]["line"] == 3
    assert households["rejected"][0]["reason"] == "duplicate"
