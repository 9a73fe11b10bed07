"""The SQL floor of the screening benchmark: one hand-written DuckDB script over the exchange files.

`run(root, "2026Q1")` reads the roster (`divisions.csv`, `households.csv`,
`members.csv`) and every quarter folder ≤ Q under `root` (the layout of
`jiuzhu.screening.synthetic` and of the shared samples), and returns the
warning list of data-exchange.md §3 as a set of (household_id, rule).
The SQL is in `screening.sql`; this driver only does what DuckDB cannot
do alone:

- encodings: a UTF-8 BOM means UTF-8; a file that does not decode as UTF-8
  is GB18030, which DuckDB cannot read without a network extension, so it
  is transcoded to a temporary UTF-8 file first (streaming, C codecs) —
  that time counts;
- headers: English names and Chinese aliases are mapped to the canonical
  names (any order, unknown columns ignored);
- the quarter arithmetic, substituted into the script as literals.

Command line (prints the time, the peak RSS and the warnings per rule)::

    .venv/bin/python -m tests.benchmarks.screening_sql /tmp/bench-s1 2026Q1
"""

from __future__ import annotations

import argparse
import codecs
import csv
import datetime as dt
import re
import resource
import shutil
import string
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import duckdb

SQL = Path(__file__).with_name("screening.sql")

#: Canonical column name → Chinese alias, per file kind (data-exchange.md §1, §2).
COLUMNS: dict[str, dict[str, str]] = {
    "divisions": {"code": "区划代码", "name": "名称", "level": "级别", "parent_code": "上级代码"},
    "households": {
        "household_id": "家庭编号",
        "region_code": "行政区划代码",
        "address": "住址",
        "program": "救助类别",
        "review_class": "复核分类",
        "enrolled_on": "纳入日期",
        "last_verified_on": "最近核查日期",
        "monthly_benefit": "月救助金额",
        "declared_monthly_income": "申报月收入",
    },
    "members": {
        "household_id": "家庭编号",
        "id_number": "身份证号",
        "name": "姓名",
        "relation": "与户主关系",
        "labor_ability": "劳动能力",
        "disability_grade": "残疾等级",
        "health": "健康状况",
        "is_student": "在校生",
        "employment": "就业状况",
    },
    "tax_income": {
        "id_number": "身份证号",
        "month": "所属期",
        "category": "所得项目",
        "amount": "收入额",
    },
    "hrss_benefits": {
        "id_number": "身份证号",
        "month": "发放月份",
        "benefit_type": "待遇类型",
        "amount": "金额",
    },
    "medical_settlements": {
        "id_number": "身份证号",
        "settled_on": "结算日期",
        "total_cost": "医疗总费用",
        "fund_paid": "统筹支付",
        "self_paid": "个人自付",
    },
    "property_registry": {
        "id_number": "身份证号",
        "property_id": "不动产单元号",
        "usage": "用途",
        "area_m2": "面积",
        "registered_on": "登记日期",
    },
    "vehicle_registry": {
        "id_number": "身份证号",
        "plate": "号牌号码",
        "vehicle_type": "车辆类型",
        "registered_on": "登记日期",
    },
    "business_registry": {
        "id_number": "身份证号",
        "credit_code": "统一社会信用代码",
        "role": "身份",
        "established_on": "成立日期",
    },
    "death_records": {"id_number": "身份证号", "died_on": "死亡日期"},
}
ROSTER = ("divisions", "households", "members")
EXTRACTS = (
    "tax_income",
    "hrss_benefits",
    "medical_settlements",
    "property_registry",
    "vehicle_registry",
    "business_registry",
    "death_records",
)
SNAPSHOTS = {
    "property_registry": "property",
    "vehicle_registry": "vehicle",
    "business_registry": "business",
}
_QUARTER = re.compile(r"([0-9]{4})Q([1-4])")
_CHUNK = 1 << 22


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' (BOM), 'utf-8' (decodes strictly) or 'gb18030'."""
    with path.open("rb") as fh:
        if fh.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def read_header(path: Path, encoding: str) -> list[str]:
    with path.open(encoding=encoding, newline="") as fh:
        return next(csv.reader(fh))


def canonical_names(kind: str, header: Sequence[str]) -> list[str]:
    """The canonical name of each header cell ('' for a column the standard does not know)."""
    lookup: dict[str, str] = {}
    for name, alias in COLUMNS[kind].items():
        lookup[name] = name
        lookup[alias] = name
    names = []
    for cell in header:
        key = cell.replace("\ufeff", "").strip()
        names.append(lookup.get(key, lookup.get(key.lower(), "")))
    missing = [n for n in COLUMNS[kind] if n not in names]
    if missing:
        raise ValueError(f"{kind}: 缺少必需的列 {'、'.join(missing)}")
    return names


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    match = _QUARTER.fullmatch(quarter)
    if match is None:
        raise ValueError(f"季度格式不正确：{quarter}")
    year, number = int(match.group(1)), int(match.group(2))
    start = dt.date(year, 3 * number - 2, 1)
    end = (
        dt.date(year, 12, 31)
        if number == 4
        else dt.date(year, 3 * number + 1, 1) - dt.timedelta(days=1)
    )
    return start, end


def previous_quarter(quarter: str) -> str:
    year, number = int(quarter[:4]), int(quarter[5])
    return f"{year - 1}Q4" if number == 1 else f"{year}Q{number - 1}"


@dataclass(frozen=True)
class SourceFile:
    kind: str
    quarter: str | None  # None for the roster
    path: Path
    encoding: str


def discover(root: Path, quarter: str) -> list[SourceFile]:
    """The roster files and the extract files of every quarter folder ≤ `quarter`."""
    files: list[SourceFile] = []
    for kind in ROSTER:
        path = root / f"{kind}.csv"
        if path.is_file():
            files.append(SourceFile(kind, None, path, detect_encoding(path)))
    for folder in sorted(root.iterdir()):
        if not (folder.is_dir() and _QUARTER.fullmatch(folder.name)) or folder.name > quarter:
            continue
        for kind in EXTRACTS:
            if (folder / f"{kind}.xlsx").is_file():
                raise ValueError(f"{folder.name}/{kind}.xlsx: 基线脚本只读 CSV")
            path = folder / f"{kind}.csv"
            if path.is_file():
                files.append(SourceFile(kind, folder.name, path, detect_encoding(path)))
    return files


def utf8_copy(file: SourceFile, folder: Path, number: int) -> Path:
    """The file itself when DuckDB can read it, else a UTF-8 copy (streamed, C codecs)."""
    if file.encoding != "gb18030":
        return file.path
    target = folder / f"{number}-{file.path.name}"
    with (
        file.path.open(encoding="gb18030", newline="") as source,
        target.open("w", encoding="utf-8", newline="") as sink,
    ):
        shutil.copyfileobj(source, sink, _CHUNK)
    return target


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _read_csv(path: Path, names: Sequence[str]) -> str:
    columns = ", ".join(
        f"{_literal(name or f'unknown_{i}')}: 'VARCHAR'" for i, name in enumerate(names)
    )
    return (
        f"read_csv({_literal(str(path))}, header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', columns = {{{columns}}})"
    )


def _select(columns: Sequence[str], source: str) -> str:
    """SELECT over text made here: literals quoted by `_literal`, names from `COLUMNS`."""
    return f"SELECT {', '.join(columns)} FROM {source}"  # noqa: S608 - no outside input


def _date(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def run(
    root: Path | str,
    quarter: str,
    *,
    import_day: dt.date | None = None,
    thresholds: tuple[Fraction, Fraction] = (Fraction(1, 5), Fraction(3, 10)),
    timings: dict[str, float] | None = None,
    threads: int | None = None,
) -> set[tuple[str, str]]:
    """The warning list of `quarter` as (household_id, rule); `timings` gets seconds per stage."""
    root = Path(root)
    clock = time.perf_counter()
    stages: dict[str, float] = {}
    swing, burden = thresholds
    q_start, q_end = quarter_bounds(quarter)
    p_start, _ = quarter_bounds(previous_quarter(quarter))
    window = previous_quarter(previous_quarter(previous_quarter(quarter)))
    window_start, _ = quarter_bounds(window)
    with tempfile.TemporaryDirectory(prefix="screening-sql-") as tmp:
        files = discover(root, quarter)
        readable = [utf8_copy(f, Path(tmp), i) for i, f in enumerate(files)]
        names = [canonical_names(f.kind, read_header(f.path, f.encoding)) for f in files]
        stages["detect_transcode"] = time.perf_counter() - clock

        con = duckdb.connect()
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        clock = time.perf_counter()
        latest: dict[str, str] = {}
        for kind in (*ROSTER, *EXTRACTS):
            wanted = list(COLUMNS[kind])
            selects = []
            for i, file in enumerate(files):
                if file.kind != kind:
                    continue
                source = _read_csv(readable[i], names[i])
                if file.quarter is None:
                    selects.append(_select(wanted, source))
                    continue
                start, end = quarter_bounds(file.quarter)
                period = f"{i} AS src, {_literal(file.quarter)} AS q, {_date(start)} AS q_start, "
                selects.append(_select([period + f"{_date(end)} AS q_end", *wanted], source))
                latest[kind] = max(latest.get(kind, ""), file.quarter)
            if not selects:
                typed = ", ".join(f"NULL::VARCHAR AS {c}" for c in wanted)
                extra = "" if kind in ROSTER else "NULL::INTEGER AS src, NULL::VARCHAR AS q, "
                extra += "" if kind in ROSTER else "NULL::DATE AS q_start, NULL::DATE AS q_end, "
                selects.append(f"SELECT {extra}{typed} WHERE false")
            body = "\nUNION ALL\n".join(selects)
            if kind in ROSTER:
                # A table keeps the file's order: its rowid is the row's place in the file.
                con.execute(f"CREATE TEMP TABLE raw_{kind}_rows AS {body}")
                con.execute(
                    f"CREATE TEMP VIEW raw_{kind} AS {_select(['rowid AS rn', '*'], f'raw_{kind}_rows')}"
                )
            else:
                con.execute(f"CREATE TEMP VIEW raw_{kind} AS {body}")
        stages["read_roster"] = time.perf_counter() - clock

        params = {
            "import_day": _date(import_day or dt.date.today()),  # noqa: DTZ011 - a calendar day
            "q_start": _date(q_start),
            "q_end": _date(q_end),
            "p_start": _date(p_start),
            "window_start": _date(window_start),
            "swing_num": str(swing.numerator),
            "swing_den": str(swing.denominator),
            "burden_num": str(burden.numerator),
            "burden_den": str(burden.denominator),
            **{f"latest_{short}": latest.get(kind, "") for kind, short in SNAPSHOTS.items()},
        }
        script = string.Template(SQL.read_text(encoding="utf-8")).substitute(params)
        for title, section in _sections(script):
            clock = time.perf_counter()
            con.execute(section)
            stages[title] = time.perf_counter() - clock
        result = {
            (str(h), str(r))
            for h, r in con.execute("SELECT household_id, rule FROM warnings").fetchall()
        }
        con.close()
    if timings is not None:
        timings.update(stages)
    return result


def _sections(script: str) -> list[tuple[str, str]]:
    """The script's statements grouped for timing: the macros, then one entry per table."""
    parts: list[tuple[str, str]] = []
    macros: list[str] = []
    for statement in script.split(";\n"):
        code = "\n".join(
            line for line in statement.splitlines() if not line.lstrip().startswith("--")
        ).strip()
        if not code:
            continue
        table = re.search(r"CREATE OR REPLACE TEMP TABLE (\w+)", code)
        if table is None:
            macros.append(code)
        else:
            parts.append((table.group(1), code))
    return [("macros", ";\n".join(macros)), *parts]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="基线：手写 DuckDB SQL 的比对筛查")
    parser.add_argument("root", type=Path, help="数据目录（名册 + 季度文件夹）")
    parser.add_argument("quarter", help="筛查季度，如 2026Q1")
    args = parser.parse_args(argv)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    warnings = run(args.root, args.quarter, timings=timings)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"用时 {seconds:.1f} 秒，峰值内存 {peak:,.0f} MiB，预警 {len(warnings):,} 条")
    for stage, spent in timings.items():
        print(f"  {stage}: {spent:.2f} 秒")
    for rule, count in sorted(Counter(r for _, r in warnings).items()):
        print(f"  {rule}: {count:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
