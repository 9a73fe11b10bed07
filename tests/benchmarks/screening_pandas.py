"""The analyst's baseline of the screening benchmark: a straightforward pandas script.

`run(root, "2026Q1")` reads the same files as the SQL floor (`screening_sql`,
whose encoding detection, header map and file discovery it reuses): each CSV
with `dtype=str` and its detected encoding, validated with vectorised
string operations, equal rows dropped per file, then merges and group-bys
for the six rules of data-exchange.md §3. Money is integer fen (int64),
never float.

Command line::

    .venv/bin/python -m tests.benchmarks.screening_pandas /tmp/bench-s1 2026Q1
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from tests.benchmarks.screening_sql import (
    COLUMNS,
    SourceFile,
    canonical_names,
    discover,
    previous_quarter,
    quarter_bounds,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = np.array(list("10X98765432"))

TAX_CATEGORIES = {
    "wage": "wage",
    "工资薪金": "wage",
    "labor_service": "labor_service",
    "劳务报酬": "labor_service",
    "business": "business",
    "经营所得": "business",
    "property_lease": "property_lease",
    "财产租赁": "property_lease",
    "interest_dividend": "interest_dividend",
    "利息股息红利": "interest_dividend",
    "other": "other",
    "其他": "other",
}
BENEFIT_TYPES = {
    "pension": "pension",
    "养老金": "pension",
    "unemployment": "unemployment",
    "失业保险金": "unemployment",
    "work_injury": "work_injury",
    "工伤待遇": "work_injury",
}
USAGES = {
    "residential": "residential",
    "住宅": "residential",
    "commercial": "commercial",
    "商业": "commercial",
    "other": "other",
    "其他": "other",
}
VEHICLE_TYPES = {c: c for c in ("car", "truck", "motorcycle", "other")}
ROLES = {c: c for c in ("legal_rep", "shareholder")}
LEVELS = {
    "county": "county",
    "区县": "county",
    "township": "township",
    "街道/乡镇": "township",
    "community": "community",
    "社区/村": "community",
}
PROGRAMS = {
    "dibao": "最低生活保障",
    "tekun": "特困人员救助供养",
    "temp_aid": "临时救助",
    "low_income_recognition": "低保边缘/刚性支出困难家庭认定",
    "disability_two_subsidies": "残疾人两项补贴",
    "child_basic_living": "孤儿/事实无人抚养儿童基本生活保障",
    "elderly_subsidies": "高龄津贴/经济困难老年人补贴",
    "medical_assistance": "医疗救助",
    "education_assistance": "教育救助",
    "housing_assistance": "住房救助",
    "employment_assistance": "就业救助",
    "disaster_victim_assistance": "受灾人员救助",
}
PROGRAM_CODES = {**{w: w for w in PROGRAMS}, **{label: w for w, label in PROGRAMS.items()}}
RELATIONS = {"户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他"}
LABOR = {"full", "有", "partial", "部分", "none", "无"}
HEALTH = {"healthy", "chronic", "慢性病", "serious", "重病"}
EMPLOYMENT = {"employed", "flexible", "灵活就业", "unemployed", "retired", "none"}


def read(file: SourceFile) -> pd.DataFrame:
    """Every cell as text, columns renamed to the canonical names, unknown columns dropped."""
    frame = pd.read_csv(
        file.path, dtype=str, keep_default_na=False, na_filter=False, encoding=file.encoding
    )
    names = canonical_names(file.kind, [str(c) for c in frame.columns])
    frame.columns = [name or f"unknown_{i}" for i, name in enumerate(names)]
    return frame[list(COLUMNS[file.kind])]


def strip(column: pd.Series) -> pd.Series:
    return column.str.strip()


def id_numbers(column: pd.Series, latest_birth: dt.date) -> tuple[pd.Series, pd.Series]:
    """(normalised ID, valid): format, check character, birth date 1900 … latest_birth."""
    ids = column.str.strip().str.upper()
    ok = ids.str.fullmatch(r"[0-9]{17}[0-9X]").fillna(False).astype(bool)
    well_formed = ids[ok]
    total = sum(well_formed.str[i].astype(int) * w for i, w in enumerate(WEIGHTS))
    check_ok = (
        pd.Series(CHECK[(total % 11).to_numpy()], index=well_formed.index) == (well_formed.str[17])
    )
    birth = pd.to_datetime(well_formed.str[6:14], format="%Y%m%d", errors="coerce")
    birth_ok = (birth >= pd.Timestamp(1900, 1, 1)) & (birth <= pd.Timestamp(latest_birth))
    ok.loc[well_formed.index] = check_ok & birth_ok
    return ids, ok


def money(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(fen as int64, valid) for `[0-9]+(\\.[0-9]{1,2})?` after trimming."""
    text = column.str.strip()
    ok = text.str.fullmatch(r"[0-9]+(\.[0-9]{1,2})?").fillna(False).astype(bool)
    parts = text.where(ok, "0").str.partition(".")
    yuan = parts[0].astype("int64")
    cents = (parts[2] + "00").str[:2].astype("int64")
    return yuan * 100 + cents, ok


def dates(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = column.str.strip()
    shaped = text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fillna(False).astype(bool)
    parsed = pd.to_datetime(text.where(shaped, ""), format="%Y-%m-%d", errors="coerce")
    return parsed, shaped & parsed.notna()


def months(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = column.str.strip()
    shaped = text.str.fullmatch(r"[0-9]{4}-[0-9]{2}").fillna(False).astype(bool)
    parsed = pd.to_datetime(text.where(shaped, "") + "-01", format="%Y-%m-%d", errors="coerce")
    return parsed, shaped & parsed.notna()


def codes(column: pd.Series, table: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    mapped = column.str.strip().str.lower().map(table)
    return mapped, mapped.notna()


def extract(file: SourceFile) -> pd.DataFrame:
    """The valid rows of one extract file, normalised, each distinct row once."""
    if file.quarter is None:
        raise ValueError(file)
    start, end = quarter_bounds(file.quarter)
    raw = read(file)
    ids, ok = id_numbers(raw["id_number"], end)
    out = pd.DataFrame({"id": ids})
    lower = (
        pd.Timestamp(start)
        if file.kind in ("tax_income", "hrss_benefits", "medical_settlements")
        else None
    )

    def in_period(values: pd.Series) -> pd.Series:
        inside = values <= pd.Timestamp(end)
        return inside & (values >= lower) if lower is not None else inside

    if file.kind in ("tax_income", "hrss_benefits"):
        out["month"], month_ok = months(raw["month"])
        table, column = (
            (TAX_CATEGORIES, "category")
            if file.kind == "tax_income"
            else (BENEFIT_TYPES, "benefit_type")
        )
        out["code"], code_ok = codes(raw[column], table)
        out["fen"], fen_ok = money(raw["amount"])
        ok &= month_ok & in_period(out["month"]) & code_ok & fen_ok
    elif file.kind == "medical_settlements":
        out["day"], day_ok = dates(raw["settled_on"])
        ok &= day_ok & in_period(out["day"])
        for column in ("total_cost", "fund_paid", "self_paid"):
            out[column], fen_ok = money(raw[column])
            ok &= fen_ok
    elif file.kind == "death_records":
        out["day"], day_ok = dates(raw["died_on"])
        ok &= day_ok & in_period(out["day"])
    else:
        item, code_column, day_column, table = {
            "property_registry": ("property_id", "usage", "registered_on", USAGES),
            "vehicle_registry": ("plate", "vehicle_type", "registered_on", VEHICLE_TYPES),
            "business_registry": ("credit_code", "role", "established_on", ROLES),
        }[file.kind]
        out["item"] = strip(raw[item])
        out["code"], code_ok = codes(raw[code_column], table)
        out["day"], day_ok = dates(raw[day_column])
        ok &= code_ok & day_ok & in_period(out["day"])
        if file.kind == "property_registry":
            out["area"] = strip(raw["area_m2"])
            ok &= out["area"].str.fullmatch(r"[0-9]+(\.[0-9]+)?").fillna(False).astype(bool)
            out["area"] = out["area"].str.rstrip("0").str.rstrip(".")
    return out[ok].drop_duplicates()


def roster(files: list[SourceFile], import_day: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(households, members) that load: valid rows, the first row of a key wins."""
    by_kind = {f.kind: f for f in files if f.quarter is None}
    communities: set[str] = set()
    if "divisions" in by_kind:
        raw = read(by_kind["divisions"])
        div = pd.DataFrame({"code": strip(raw["code"]), "parent": strip(raw["parent_code"])})
        div["level"], level_ok = codes(raw["level"], LEVELS)
        ok = (
            level_ok
            & div["code"].str.fullmatch(r"[0-9]{12}").fillna(False).astype(bool)
            & (div["parent"].eq("") | div["parent"].str.fullmatch(r"[0-9]{12}").fillna(False))
        )
        div = div[ok].drop_duplicates("code", keep="first")
        counties = set(div.loc[(div["level"] == "county") & (div["parent"] == ""), "code"])
        townships = set(
            div.loc[(div["level"] == "township") & div["parent"].isin(counties), "code"]
        )
        communities = set(
            div.loc[(div["level"] == "community") & div["parent"].isin(townships), "code"]
        )
    raw = read(by_kind["households"])
    households = pd.DataFrame({"household_id": strip(raw["household_id"])})
    ok = households["household_id"].ne("") & strip(raw["region_code"]).isin(communities)
    ok &= codes(raw["program"], PROGRAM_CODES)[1]
    ok &= strip(raw["review_class"]).str.upper().isin({"A", "B", "C"})
    households["enrolled"], enrolled_ok = dates(raw["enrolled_on"])
    households["verified"], verified_ok = dates(raw["last_verified_on"])
    ok &= enrolled_ok & (verified_ok | strip(raw["last_verified_on"]).eq(""))
    households["declared"], declared_ok = money(raw["declared_monthly_income"])
    ok &= declared_ok & money(raw["monthly_benefit"])[1]
    households = households[ok].drop_duplicates("household_id", keep="first")
    households["reference"] = households["verified"].fillna(households["enrolled"])

    raw = read(by_kind["members"])
    ids, ok = id_numbers(raw["id_number"], import_day)
    members = pd.DataFrame({"id": ids, "household_id": strip(raw["household_id"])})
    grade = strip(raw["disability_grade"])
    grade_ok = grade.str.fullmatch(r"[0-9]{1,6}").fillna(False).astype(bool)
    ok &= (
        members["household_id"].isin(households["household_id"])
        & strip(raw["relation"]).isin(RELATIONS)
        & strip(raw["labor_ability"]).str.lower().isin(LABOR)
        & grade_ok
        & (grade.where(grade_ok, "9").astype(int) <= 4)
        & strip(raw["health"]).str.lower().isin(HEALTH)
        & strip(raw["is_student"]).isin({"0", "1"})
        & strip(raw["employment"]).str.lower().isin(EMPLOYMENT)
    )
    members = members[ok].drop_duplicates("id", keep="first")
    return households, members


def run(
    root: Path | str,
    quarter: str,
    *,
    import_day: dt.date | None = None,
    thresholds: tuple[Fraction, Fraction] = (Fraction(1, 5), Fraction(3, 10)),
) -> set[tuple[str, str]]:
    """The warning list of `quarter` as (household_id, rule)."""
    root = Path(root)
    swing, burden = thresholds
    q_start, q_end = (pd.Timestamp(d) for d in quarter_bounds(quarter))
    p_start = pd.Timestamp(quarter_bounds(previous_quarter(quarter))[0])
    window_start = pd.Timestamp(
        quarter_bounds(previous_quarter(previous_quarter(previous_quarter(quarter))))[0]
    )
    files = discover(root, quarter)
    households, members = roster(files, import_day or dt.date.today())  # noqa: DTZ011
    member_of = members[["id", "household_id"]]

    extracts = [(f.kind, f.quarter or "", extract(f)) for f in files if f.quarter is not None]

    def loaded(kind: str) -> list[tuple[str, pd.DataFrame]]:
        return [(q, frame) for k, q, frame in extracts if k == kind]

    def union(kinds: Sequence[str], columns: list[str]) -> pd.DataFrame:
        frames = [frame[columns] for kind in kinds for _, frame in loaded(kind)]
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return pd.concat(frames, ignore_index=True)

    warnings: set[tuple[str, str]] = set()

    # Income of the members: tax and HRSS rows of every loaded quarter.
    income = union(("tax_income", "hrss_benefits"), ["id", "month", "fen"])
    income = income.merge(member_of, on="id")
    recent = income[(income["month"] >= p_start) & (income["month"] <= q_end)]
    in_q = recent["month"] >= q_start
    per_household = (
        pd.DataFrame(
            {
                "household_id": recent["household_id"],
                "q": recent["fen"].where(in_q, 0),
                "e": recent["fen"].where(~in_q, 0),
            }
        )
        .groupby("household_id")
        .sum()
    )
    q, e = per_household["q"], per_household["e"]
    fires = ((e > 0) & ((q - e).abs() * swing.denominator > e * swing.numerator)) | (
        (e == 0) & (q > 0)
    )
    warnings |= {(h, "INCOME_SWING") for h in per_household.index[fires]}

    # Medical burden over the 12 months ending with Q.
    medical = union(("medical_settlements",), ["id", "day", "self_paid"])
    medical = medical[(medical["day"] >= window_start) & (medical["day"] <= q_end)]
    cost = medical.merge(member_of, on="id").groupby("household_id")["self_paid"].sum()
    window_income = (
        income[(income["month"] >= window_start) & (income["month"] <= q_end)]
        .groupby("household_id")["fen"]
        .sum()
    )
    burden_frame = pd.DataFrame({"paid": cost}).join(
        households.set_index("household_id")["declared"], how="inner"
    )
    burden_frame["extract"] = window_income.reindex(burden_frame.index).fillna(0).astype("int64")
    annual = np.maximum(burden_frame["extract"], 12 * burden_frame["declared"])
    paid = burden_frame["paid"]
    fires = ((annual > 0) & (paid * burden.denominator > annual * burden.numerator)) | (
        (annual == 0) & (paid > 0)
    )
    warnings |= {(h, "MEDICAL_BURDEN") for h in burden_frame.index[fires]}

    # New holdings: the latest snapshot loaded for a quarter ≤ Q.
    reference = households[["household_id", "reference"]]
    for kind, rule in (
        ("property_registry", "NEW_PROPERTY"),
        ("vehicle_registry", "NEW_VEHICLE"),
        ("business_registry", "NEW_BUSINESS"),
    ):
        snapshots = loaded(kind)
        if not snapshots:
            continue
        _, latest = max(snapshots, key=lambda item: item[0])
        held = latest.merge(member_of, on="id").merge(reference, on="household_id")
        new = held[(held["day"] > held["reference"]) & (held["day"] <= q_end)]
        warnings |= {(h, rule) for h in new["household_id"].unique()}

    # Deaths of members still on the roster.
    deaths = union(("death_records",), ["id", "day"])
    dead = deaths[deaths["day"] <= q_end].merge(member_of, on="id")
    warnings |= {(h, "MEMBER_DECEASED") for h in dead["household_id"].unique()}
    return {(str(h), r) for h, r in warnings}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="基线：pandas 分析脚本的比对筛查")
    parser.add_argument("root", type=Path, help="数据目录（名册 + 季度文件夹）")
    parser.add_argument("quarter", help="筛查季度，如 2026Q1")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    warnings = run(args.root, args.quarter)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"用时 {seconds:.1f} 秒，峰值内存 {peak:,.0f} MiB，预警 {len(warnings):,} 条")
    for rule, count in sorted(Counter(r for _, r in warnings).items()):
        print(f"  {rule}: {count:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
