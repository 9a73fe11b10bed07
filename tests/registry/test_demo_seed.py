"""The demo county seed (jiuzhu.registry.demo, `seed_demo`) and the synthetic roster writer.

Expectations come from the spec (domain.md §1–3, §6, data-exchange.md §1) and from
independent checks (python-stdnum for ID numbers and Luhn, the csv module for
physical lines), never from the generator's own helpers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import stat
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from stdnum import luhn

from jiuzhu.accounts.models import User
from jiuzhu.core.permissions import Role
from jiuzhu.divisions.models import Division, Level
from jiuzhu.domain.identity import IdNumberError, parse_resident_id
from jiuzhu.registry import synthetic
from jiuzhu.registry.demo import DemoSeedError, SeedResult, seed_demo
from jiuzhu.registry.models import (
    Asset,
    Employment,
    Health,
    Household,
    HouseholdRevision,
    Income,
    IncomeCategory,
    LaborAbility,
    Member,
    Program,
    RigidExpense,
)
from jiuzhu.registry.models import (
    Relation as RelationChoice,
)

TODAY = dt.date(2026, 3, 15)
HOUSEHOLDS = 200
DEMO_USERNAMES = {
    "zhuangan": Role.ASSISTANCE_OFFICER,
    "shequ": Role.COMMUNITY_WORKER,
    "wangge": Role.GRID_WORKER,
    "shenpi": Role.COUNTY_APPROVER,
    "shenpi2": Role.COUNTY_APPROVER,  # a second approver: maker-checker needs two
    "lianluo": Role.DEPARTMENT_LIAISON,
    "shenji": Role.AUDITOR,
    "admin": Role.ADMIN,
}
PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def seeded(db: None) -> SeedResult:
    return seed_demo(households=HOUSEHOLDS, today=TODAY)


def expected_review_class(members: list[Member]) -> str:
    """domain.md §6, written out here independently of the generator."""
    if any(m.health == "serious" or m.disability_grade in (1, 2) for m in members):
        return "A"
    if any(
        m.labor_ability in ("full", "partial") and m.employment in ("flexible", "unemployed")
        for m in members
    ):
        return "B"
    return "C"


# ------------------------------------------------------------------------------------------
# Divisions and staff
# ------------------------------------------------------------------------------------------


def test_divisions_form_the_demo_county(seeded: SeedResult) -> None:
    county = Division.objects.get(code="510199000000")
    assert county.name == "示范县"
    assert county.level == Level.COUNTY
    assert county.parent is None

    townships = list(Division.objects.filter(level=Level.TOWNSHIP))
    assert len(townships) >= 2
    assert any(t.name.endswith("街道") for t in townships)
    assert any(t.name.endswith("镇") for t in townships)
    for t in townships:
        assert re.fullmatch(r"510199\d{3}000", t.code)
        assert t.parent_id == county.pk

    communities = list(Division.objects.filter(level=Level.COMMUNITY).select_related("parent"))
    assert 18 <= len(communities) <= 22
    for c in communities:
        assert re.fullmatch(r"\d{12}", c.code)
        assert c.parent is not None
        assert c.parent.level == Level.TOWNSHIP
        assert c.code[:9] == c.parent.code[:9]
        assert c.code[9:] != "000"

    grids = list(Division.objects.filter(level=Level.GRID).select_related("parent"))
    assert len(grids) == 125
    assert len({g.code for g in grids}) == 125
    for g in grids:
        assert g.parent is not None
        assert g.parent.level == Level.COMMUNITY
        assert re.fullmatch(r"\d{15}", g.code)
        assert g.code[:12] == g.parent.code
        assert g.path == f"{g.parent.path}{g.code}/"
        assert g.path.startswith(county.path)
    assert {g.parent_id for g in grids} == {c.pk for c in communities}


def test_312_grid_workers_two_or_three_per_grid(seeded: SeedResult) -> None:
    workers = list(User.objects.filter(role=Role.GRID_WORKER).select_related("division"))
    assert len(workers) == 312
    assert all(w.division is not None and w.division.level == Level.GRID for w in workers)
    per_grid = Counter(w.division_id for w in workers)
    assert set(Division.objects.filter(level=Level.GRID).values_list("pk", flat=True)) == set(
        per_grid
    )
    assert set(per_grid.values()) <= {2, 3}
    assert Counter(per_grid.values()) == {2: 63, 3: 62}
    others = [w for w in workers if w.username != "wangge"]
    assert len(others) == 311
    assert not any(w.has_usable_password() for w in others)


def test_one_demo_user_per_role_with_a_working_strong_password(seeded: SeedResult) -> None:
    assert {x.username for x in seeded.logins} == set(DEMO_USERNAMES)
    assert len(seeded.logins) == len(DEMO_USERNAMES)
    assert {User.objects.get(username=x.username).role for x in seeded.logins} == set(Role.values)
    county = Division.objects.get(code="510199000000")
    for login in seeded.logins:
        user = User.objects.select_related("division").get(username=login.username)
        assert user.role == DEMO_USERNAMES[login.username]
        assert login.role == Role(user.role).label
        assert user.is_active
        assert user.check_password(login.password)
        pw = login.password
        assert len(pw) >= 12
        assert re.search(r"[A-Z]", pw)
        assert re.search(r"[a-z]", pw)
        assert re.search(r"\d", pw)
        assert re.search(r"[^A-Za-z0-9]", pw)
        assert user.division is not None
        assert user.division.path.startswith(county.path)
        assert user.division.code in login.division
    assert len({x.password for x in seeded.logins}) == len(DEMO_USERNAMES) == 8

    officer = User.objects.get(username="zhuangan")
    community_worker = User.objects.get(username="shequ")
    grid_worker = User.objects.get(username="wangge")
    assert officer.division is not None
    assert officer.division.level == Level.TOWNSHIP
    assert community_worker.division is not None
    assert community_worker.division.level == Level.COMMUNITY
    assert grid_worker.division is not None
    assert grid_worker.division.level == Level.GRID
    assert officer.division.contains(community_worker.division)
    assert community_worker.division.contains(grid_worker.division)
    assert Household.objects.filter(grid=grid_worker.division).exists()
    for name in ("shenpi", "shenpi2", "lianluo", "shenji", "admin"):
        assert User.objects.get(username=name).division == county

    admin = User.objects.get(username="admin")
    assert admin.is_staff
    assert not admin.is_superuser
    codenames = set(admin.user_permissions.values_list("codename", flat=True))
    assert {"add_division", "change_division", "delete_division", "view_division"} <= codenames
    assert not User.objects.filter(is_staff=True).exclude(username="admin").exists()


# ------------------------------------------------------------------------------------------
# Households and members
# ------------------------------------------------------------------------------------------


def test_members_have_valid_ids_and_one_head_per_household(seeded: SeedResult) -> None:
    households = list(
        Household.objects.prefetch_related("members").select_related("community", "grid")
    )
    assert len(households) == HOUSEHOLDS
    ids: list[str] = []
    for hh in households:
        assert hh.community.level == Level.COMMUNITY
        assert hh.grid is not None
        assert hh.grid.parent_id == hh.community_id
        assert hh.division_path == hh.grid.path
        members = list(hh.members.all())
        assert 1 <= len(members) <= 5
        assert [m.relation for m in members].count("head") == 1
        for m in members:
            parsed = parse_resident_id(m.id_number, latest_birth_date=TODAY)
            assert parsed.region_code == "510199"
            assert parsed.birth_date == m.birth_date
            assert parsed.sex == m.sex
            assert 2 <= len(m.name) <= 4
            assert all("\u4e00" <= ch <= "\u9fff" for ch in m.name)
            assert m.labor_ability in LaborAbility.values
            assert m.health in Health.values
            assert m.employment in Employment.values
            assert m.relation in RelationChoice.values
            assert 0 <= m.disability_grade <= 4
            assert (m.disability_grade == 0) == (m.disability_kind == "")
            if m.phone:
                assert PHONE.fullmatch(m.phone)
                assert parsed.age_on(TODAY) >= 18
            ids.append(m.id_number)
    assert len(ids) == len(set(ids))
    adults = [m for m in Member.objects.all() if parse_resident_id(m.id_number).age_on(TODAY) >= 18]
    assert sum(1 for m in adults if m.phone) >= 0.8 * len(adults)


def test_assisted_households_follow_the_review_class_rule(seeded: SeedResult) -> None:
    households = list(Household.objects.prefetch_related("members"))
    assisted = [h for h in households if h.program != Program.NONE]
    assert 0.10 * HOUSEHOLDS <= len(assisted) <= 0.25 * HOUSEHOLDS
    assert {h.program for h in assisted} <= set(Program.values) - {Program.NONE}
    assert Counter(h.program for h in assisted).most_common(1)[0][0] == Program.DIBAO
    for h in households:
        members = list(h.members.all())
        if h.program == Program.NONE:
            assert h.review_class == ""
            assert h.monthly_benefit == 0
            assert h.bank_account == ""
            continue
        assert h.review_class == expected_review_class(members), h.household_no
        assert h.enrolled_on is not None
        assert h.last_verified_on is not None
        assert h.enrolled_on <= h.last_verified_on <= TODAY
        assert h.monthly_benefit >= 0
        assert h.monthly_benefit == h.monthly_benefit.quantize(Decimal("0.01"))
        assert 16 <= len(h.bank_account) <= 19
        assert luhn.is_valid(h.bank_account)
        assert h.bank_name
        if h.program == Program.DIBAO:
            # domain.md §4 with the demo county's standard of §8: 950 × members − income.
            assert h.monthly_benefit == Decimal(950) * len(members) - h.declared_monthly_income
            assert h.declared_monthly_income < Decimal(950) * len(members)
    classes = {h.review_class for h in assisted}
    assert {"A", "B", "C"} <= classes


def test_six_months_of_income_match_the_declared_income(seeded: SeedResult) -> None:
    months = sorted(set(Income.objects.values_list("month", flat=True)))
    assert months == [dt.date(2025, m, 1) for m in range(9, 13)] + [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert set(Income.objects.values_list("category", flat=True)) <= set(IncomeCategory.values)
    counted = {"wage", "business", "property", "transfer_in", "pension_individual", "other"}
    for hh in Household.objects.prefetch_related("incomes"):
        rows = list(hh.incomes.all())
        assert rows, hh.household_no
        total = sum((r.amount for r in rows if r.category in counted), Decimal(0))
        total -= sum((r.amount for r in rows if r.category == "transfer_out"), Decimal(0))
        assert hh.declared_monthly_income == (total / 6).quantize(Decimal("0.01")), hh.household_no
        assert all(r.amount >= 0 for r in rows)


def test_assets_and_rigid_expenses_exist_and_are_dated(seeded: SeedResult) -> None:
    kinds = Counter(Asset.objects.values_list("kind", flat=True))
    assert kinds["deposit"] > 0
    assert kinds["residential_property"] > 0
    assert 0 < kinds["vehicle"] < HOUSEHOLDS
    assert all(a.valid_from <= TODAY for a in Asset.objects.all())
    expenses = list(RigidExpense.objects.all())
    assert {"medical", "education"} <= {e.kind for e in expenses}
    assert all(
        TODAY - dt.timedelta(days=365) < e.incurred_on <= TODAY and e.amount > 0 for e in expenses
    )


def test_revisions_never_hold_clear_sensitive_values(seeded: SeedResult) -> None:
    assert HouseholdRevision.objects.count() == HOUSEHOLDS
    for hh in Household.objects.prefetch_related("members", "revisions"):
        revisions = list(hh.revisions.all())
        assert len(revisions) == 1
        rev = revisions[0]
        assert (rev.version, rev.source, hh.version) == (1, "demo_seed", 1)
        text = json.dumps(rev.snapshot, ensure_ascii=False)
        members = list(hh.members.all())
        secrets = [m.id_number for m in members] + [m.phone for m in members if m.phone]
        if hh.bank_account:
            secrets.append(hh.bank_account)
        for secret in secrets:
            assert secret not in text
        assert not re.search(r"\d{17}[\dX]", text)
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)
        snap_members = rev.snapshot["members"]
        assert [s["id_number_index"] for s in snap_members] == [m.id_number_index for m in members]
        assert [(s["name"], s["relation"]) for s in snap_members] == [
            (m.name, m.relation) for m in members
        ]
        assert all(m.id_number_index for m in members)


# ------------------------------------------------------------------------------------------
# Idempotence, safety, the command
# ------------------------------------------------------------------------------------------


def _table_counts() -> dict[str, int]:
    return {
        "divisions": Division.objects.count(),
        "users": User.objects.count(),
        "households": Household.objects.count(),
        "members": Member.objects.count(),
        "incomes": Income.objects.count(),
        "assets": Asset.objects.count(),
        "expenses": RigidExpense.objects.count(),
        "revisions": HouseholdRevision.objects.count(),
    }


def test_second_run_adds_nothing_and_resets_the_demo_passwords(seeded: SeedResult) -> None:
    before = _table_counts()
    again = seed_demo(households=HOUSEHOLDS, today=TODAY)
    assert seeded.created
    assert not again.created
    assert _table_counts() == before
    old = {x.username: x.password for x in seeded.logins}
    for login in again.logins:
        user = User.objects.get(username=login.username)
        assert user.check_password(login.password)
        assert not user.check_password(old[login.username])


def test_second_run_recreates_a_missing_demo_user(seeded: SeedResult) -> None:
    User.objects.get(username="shenji").delete()
    again = seed_demo(households=HOUSEHOLDS, today=TODAY)
    shenji = User.objects.get(username="shenji")
    assert shenji.role == Role.AUDITOR
    password = next(x.password for x in again.logins if x.username == "shenji")
    assert shenji.check_password(password)
    assert Household.objects.count() == HOUSEHOLDS


def test_a_real_account_with_a_demo_username_is_left_alone(db: None) -> None:
    real = User.objects.create(username="admin", is_staff=True, is_superuser=True)
    real.set_password("Real#Admin-Pass-2026")
    real.save()
    with pytest.raises(DemoSeedError):
        seed_demo(households=20, today=TODAY)
    real.refresh_from_db()
    assert real.check_password("Real#Admin-Pass-2026")
    assert not Division.objects.exists()


def test_refused_in_production(db: None, settings: object) -> None:
    settings.JIUZHU_ENV = "production"  # type: ignore[attr-defined]
    with pytest.raises(CommandError):
        call_command("seed_demo", households=20, stdout=io.StringIO())
    assert not Division.objects.exists()


def test_command_prints_the_logins_and_writes_them_to_the_data_dir(
    db: None, settings: object, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path / "data"  # type: ignore[attr-defined]
    out = io.StringIO()
    call_command("seed_demo", households=30, stdout=out)
    text = out.getvalue()
    for word in (
        "角色",
        "用户名",
        "密码",
        "所属区划",
        "125 个网格",
        "312 名网格员",
        *DEMO_USERNAMES,
    ):
        assert word in text
    logins_file = tmp_path / "data" / "demo-logins.txt"
    assert stat.S_IMODE(logins_file.stat().st_mode) == 0o600
    content = logins_file.read_text(encoding="utf-8")
    for username in DEMO_USERNAMES:
        line = next(x for x in content.splitlines() if f"  {username}  " in x)
        password = line.split()[2]
        assert User.objects.get(username=username).check_password(password)
        assert password in text

    out2 = io.StringIO()
    call_command("seed_demo", households=30, stdout=out2)
    assert "已存在" in out2.getvalue()
    assert Household.objects.count() == 30
    assert logins_file.read_text(encoding="utf-8") != content


# ------------------------------------------------------------------------------------------
# Synthetic roster files (data-exchange.md §1)
# ------------------------------------------------------------------------------------------

HOUSEHOLD_COLUMNS = [
    "household_id",
    "region_code",
    "address",
    "program",
    "review_class",
    "enrolled_on",
    "last_verified_on",
    "monthly_benefit",
    "declared_monthly_income",
]
MEMBER_COLUMNS = [
    "household_id",
    "id_number",
    "name",
    "relation",
    "labor_ability",
    "disability_grade",
    "health",
    "is_student",
    "employment",
]
RELATION_ZH = {"户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他"}
AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
AS_OF = dt.date(2026, 6, 30)


def read_records(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (physical start line, fields) of each record, counted by the csv module."""
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        records = []
        last = reader.line_num
        for row in reader:
            records.append((last + 1, row))
            last = reader.line_num
    return header, records


def independent_rejects(
    directory: Path,
) -> tuple[set[tuple[str, int, str]], dict[str, list[list[str]]]]:
    """What a correct §1 import rejects, judged here without the generator's help."""
    rejects: set[tuple[str, int, str]] = set()
    accepted: dict[str, list[list[str]]] = {"households": [], "members": []}
    _, divisions = read_records(directory / "divisions.csv")
    communities = {row[0] for _, row in divisions if row[2] == "community"}

    _, households = read_records(directory / "households.csv")
    seen: set[tuple[str, ...]] = set()
    ok_households: set[str] = set()
    for line, row in households:
        if any(row[i].strip().startswith("-") for i in (7, 8)):
            rejects.add(("households.csv", line, "negative_amount"))
        elif tuple(row) in seen:
            rejects.add(("households.csv", line, "duplicate"))
        else:
            assert row[0] not in ok_households
            assert row[1] in communities
            seen.add(tuple(row))
            ok_households.add(row[0])
            accepted["households"].append(row)

    _, members = read_records(directory / "members.csv")
    seen = set()
    for line, row in members:
        try:
            parse_resident_id(row[1], latest_birth_date=AS_OF)
        except IdNumberError as exc:
            rejects.add(("members.csv", line, exc.code))
            continue
        if tuple(row) in seen:
            rejects.add(("members.csv", line, "duplicate"))
        elif row[0] not in ok_households:
            rejects.add(("members.csv", line, "unknown_household"))
        else:
            seen.add(tuple(row))
            accepted["members"].append(row)
    return rejects, accepted


def test_synthetic_roster_headers_and_clean_rows(tmp_path: Path) -> None:
    planted = synthetic.write_synthetic_roster(tmp_path, households=50, as_of=AS_OF)
    assert planted == []
    header, divisions = read_records(tmp_path / "divisions.csv")
    assert header == ["code", "name", "level", "parent_code"]
    levels = Counter(row[2] for _, row in divisions)
    assert levels["county"] == 1
    assert levels["township"] >= 2
    assert levels["community"] >= 18
    codes = {row[0] for _, row in divisions}
    assert all(re.fullmatch(r"\d{12}", c) for c in codes)
    assert all(row[3] in codes for _, row in divisions if row[2] != "county")

    assert read_records(tmp_path / "households.csv")[0] == HOUSEHOLD_COLUMNS
    assert read_records(tmp_path / "members.csv")[0] == MEMBER_COLUMNS
    rejects, accepted = independent_rejects(tmp_path)
    assert rejects == set()
    households, members = accepted["households"], accepted["members"]
    assert len(households) == 50
    assert 1.8 * 50 <= len(members) <= 3.5 * 50
    assert len({m[1] for m in members}) == len(members)

    by_household: dict[str, list[list[str]]] = {}
    for m in members:
        by_household.setdefault(m[0], []).append(m)
        assert m[3] in RELATION_ZH
        assert m[4] in {"full", "partial", "none"}
        assert m[5] in {"0", "1", "2", "3", "4"}
        assert m[6] in {"healthy", "chronic", "serious"}
        assert m[7] in {"0", "1"}
        assert m[8] in {"employed", "flexible", "unemployed", "retired", "none"}
    for h in households:
        people = by_household[h[0]]
        assert 1 <= len(people) <= 5
        assert [p[3] for p in people].count("户主") == 1
        assert h[3] in set(Program.values) - {Program.NONE}
        assert AMOUNT.fullmatch(h[7])
        assert AMOUNT.fullmatch(h[8])
        enrolled, verified = dt.date.fromisoformat(h[5]), dt.date.fromisoformat(h[6])
        assert enrolled <= verified <= AS_OF
        # domain.md §6 from the file's own columns.
        if any(p[6] == "serious" or p[5] in ("1", "2") for p in people):
            expected = "A"
        elif any(
            p[4] in ("full", "partial") and p[8] in ("flexible", "unemployed") for p in people
        ):
            expected = "B"
        else:
            expected = "C"
        assert h[4] == expected, h[0]


def test_planted_bad_rows_are_reported_with_their_physical_lines(tmp_path: Path) -> None:
    planted = synthetic.write_synthetic_roster(
        tmp_path, households=50, bad_fraction=0.05, as_of=AS_OF, multiline_address_fraction=0.2
    )
    assert planted == sorted(planted)
    assert {p.reason for p in planted} == set(synthetic.BAD_KINDS)
    assert {(p.file, p.reason) for p in planted if p.reason == "duplicate"} == {
        ("households.csv", "duplicate"),
        ("members.csv", "duplicate"),
    }
    rejects, _ = independent_rejects(tmp_path)
    assert {(p.file, p.line, p.reason) for p in planted} == rejects
    assert len(planted) == len(rejects)

    # Multi-line addresses make physical lines differ from record numbers, and the
    # planted lines are still right.
    _, records = read_records(tmp_path / "households.csv")
    assert any(line != index + 2 for index, (line, _) in enumerate(records))
    assert any("\n" in row[2] for _, row in records)
    raw_lines = (tmp_path / "members.csv").read_text(encoding="utf-8").split("\n")
    for p in planted:
        if p.file == "members.csv" and p.reason == "blank_id":
            assert raw_lines[p.line - 1].split(",")[1].strip() == ""
        if p.file == "members.csv" and p.reason == "bad_birth_date":
            assert raw_lines[p.line - 1].split(",")[1][6:14] == "19900230"


def test_good_rows_do_not_depend_on_the_bad_fraction(tmp_path: Path) -> None:
    clean, dirty = tmp_path / "clean", tmp_path / "dirty"
    synthetic.write_synthetic_roster(clean, households=40, seed=7, as_of=AS_OF)
    synthetic.write_synthetic_roster(dirty, households=40, seed=7, as_of=AS_OF, bad_fraction=0.05)
    assert independent_rejects(clean)[1] == independent_rejects(dirty)[1]


def test_synthetic_roster_is_deterministic(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for d, seed in ((a, 3), (b, 3), (c, 4)):
        synthetic.write_synthetic_roster(
            d, households=30, seed=seed, bad_fraction=0.05, as_of=AS_OF
        )
    for name in ("divisions.csv", "households.csv", "members.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / "members.csv").read_bytes() != (c / "members.csv").read_bytes()


def test_synthetic_vocabulary_matches_the_models() -> None:
    assert {c.value: str(c.label) for c in RelationChoice} == synthetic.RELATION_LABELS
    assert {p for p, _ in synthetic.PROGRAM_WEIGHTS} <= set(Program.values)
    assert set(IncomeCategory.values) >= synthetic.COUNTED_INCOME | synthetic.SUBTRACTED_INCOME


def test_the_demo_community_has_a_democratic_review_panel(seeded: SeedResult) -> None:
    from jiuzhu.registry.demo import DEMO_COMMUNITY_CODE
    from jiuzhu.reviews.models import PanelMember

    members = PanelMember.objects.filter(panel__community__code=DEMO_COMMUNITY_CODE, active=True)
    assert members.count() == 7
    assert set(members.values_list("role", flat=True)) == {
        "two_committees",
        "party_rep",
        "resident_rep",
    }
