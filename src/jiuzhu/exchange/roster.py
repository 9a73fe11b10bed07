"""The roster of current recipients (§1 of the standard): divisions, households, members.

Files are validated in that order, each against the rows of the previous
ones that passed:

- divisions.csv (optional): a malformed code, or a parent that is neither in
  the file nor in the platform (or not of the level just above), is
  `bad_value`; a code already in the platform with another level or parent
  is a `conflict`. The file may list children before their parents.
- households.csv: `region_code` must be a community known from the file or
  the platform, inside the importer's jurisdiction (the jurisdiction code is
  the community itself or one of its ancestors), else `unknown_division`; a
  second row for a `household_id` is a `duplicate` when equal after
  normalisation and a `conflict` otherwise (the later row is rejected).
- members.csv: a household missing from households.csv, or rejected there,
  is `unknown_household`; an ID number already in the roster (any
  household) is a `duplicate` or a `conflict` likewise.

A birth date after the import day is impossible. All three headers are
checked before any row, so a missing column refuses the roster at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jiuzhu.exchange.codes import DIVISION_LEVELS, PARENT_LEVEL
from jiuzhu.exchange.columns import Context, Period
from jiuzhu.exchange.errors import DuplicateColumn, FileRefused, MissingColumn, UnreadableFile
from jiuzhu.exchange.reader import MAX_XLSX_UNCOMPRESSED, InputFile, Source, Table, open_table
from jiuzhu.exchange.report import FileReport, ImportReport
from jiuzhu.exchange.rows import DivisionRow, HouseholdRow, MemberRow
from jiuzhu.exchange.specs import FileKind, spec_for
from jiuzhu.exchange.validate import FileValidator, Progress

__all__ = [
    "DivisionRow",
    "DuplicateColumn",
    "ExistingDivision",
    "FileRefused",
    "HouseholdRow",
    "InputFile",
    "MemberRow",
    "MissingColumn",
    "RosterFiles",
    "RosterResult",
    "UnreadableFile",
    "validate_roster",
]

_NO_PERIOD = Period("none", None, None, "")


@dataclass(frozen=True, slots=True)
class ExistingDivision:
    """A division already in the platform."""

    level: str  # county | township | community (| grid)
    parent_code: str | None  # None (or "") for a county


@dataclass(frozen=True, slots=True)
class RosterFiles:
    """The roster's files: paths, binary streams or `InputFile`s (a stream needs a display name)."""

    households: InputFile | Source
    members: InputFile | Source
    divisions: InputFile | Source | None = None


@dataclass(slots=True)
class RosterResult:
    divisions: list[DivisionRow]
    households: list[HouseholdRow]
    members: list[MemberRow]
    report: ImportReport


class _Divisions:
    """The divisions known to this import: the platform's, plus the file's rows that passed."""

    def __init__(
        self, existing: Mapping[str, ExistingDivision], jurisdiction_code: str | None
    ) -> None:
        self.existing = existing
        self.loaded: dict[str, DivisionRow] = {}
        self.jurisdiction_code = jurisdiction_code
        self._problems: dict[str, str | None] = {}

    def level_of(self, code: str) -> str | None:
        row = self.loaded.get(code)
        if row is not None:
            return row.level
        known = self.existing.get(code)
        return known.level if known is not None else None

    def parent_of(self, code: str) -> str | None:
        row = self.loaded.get(code)
        if row is not None:
            return row.parent_code
        known = self.existing.get(code)
        return (known.parent_code or None) if known is not None else None

    def parent_problem(self, row: DivisionRow) -> str | None:
        """Why the row's parent is not acceptable, or None."""
        if row.level == "county":
            return None if row.parent_code is None else "区县的上级代码应为空"
        if row.parent_code is None:
            return "不能为空（街道/乡镇和社区/村须有上级区划）"
        parent_level = self.level_of(row.parent_code)
        if parent_level is None:
            return "不是已知的行政区划（区划表和平台中都没有该代码）"
        wanted = PARENT_LEVEL[row.level]
        if parent_level != wanted:
            return f"所指区划的级别应为“{DIVISION_LEVELS.labels[wanted][0]}”"
        return None

    def region_problem(self, code: str) -> str | None:
        """Why `code` cannot be a household's community, or None (cached per code)."""
        try:
            return self._problems[code]
        except KeyError:
            pass
        problem: str | None
        if self.level_of(code) != "community":
            problem = "不是已知的社区/村代码（区划表和平台中都没有）"
        elif self.jurisdiction_code is not None and not self._inside(code):
            problem = "所指社区/村不在您的管辖范围内"
        else:
            problem = None
        self._problems[code] = problem
        return problem

    def _inside(self, code: str) -> bool:
        seen: set[str] = set()
        current: str | None = code
        while current is not None and current not in seen:
            if current == self.jurisdiction_code:
                return True
            seen.add(current)
            current = self.parent_of(current)
        return False


def _load_divisions(validator: FileValidator, divisions: _Divisions) -> None:
    report = validator.report
    parent_label = validator.spec.column("parent_code").label
    first_rows: dict[str, DivisionRow] = {}
    later: list[tuple[DivisionRow, str, str]] = []
    for row in validator.rows():
        first = first_rows.get(row.code)
        if first is None:
            known = divisions.existing.get(row.code)
            if known is not None and (known.level, known.parent_code or None) != (
                row.level,
                row.parent_code,
            ):
                report.reject(
                    row.line, "conflict", "区划代码已在平台中，但级别或上级代码与平台不一致", "code"
                )
                continue
            first_rows[row.code] = row
        elif first == row:
            later.append(
                (row, "duplicate", f"与第 {first.line} 行重复（规范化后内容相同），只导入一次")
            )
        else:
            later.append((row, "conflict", f"区划代码已在第 {first.line} 行出现，但内容不同"))
    # Parents may come after their children in the file: resolve level by level.
    for level in DIVISION_LEVELS:
        for row in first_rows.values():
            if row.level != level:
                continue
            problem = divisions.parent_problem(row)
            if problem is None:
                divisions.loaded[row.code] = row
            else:
                report.reject(row.line, "bad_value", f"{parent_label}{problem}", "parent_code")
    for row, reason, message in later:
        problem = divisions.parent_problem(row)
        if problem is not None:
            report.reject(row.line, "bad_value", f"{parent_label}{problem}", "parent_code")
        else:
            report.reject(row.line, reason, message)
    report.rows_loaded = len(divisions.loaded)
    report.rejected.sort(key=lambda r: r.line)


def _load_keyed(validator: FileValidator, loaded: dict[str, Any], key: str, what: str) -> None:
    """Households by household_id, members by id_number: the first row wins."""
    report = validator.report
    for row in validator.rows():
        value = getattr(row, key)
        first = loaded.get(value)
        if first is None:
            loaded[value] = row
            report.rows_loaded += 1
        elif first == row:
            report.reject(
                row.line, "duplicate", f"与第 {first.line} 行重复（规范化后内容相同），只导入一次"
            )
        else:
            report.reject(
                row.line, "conflict", f"{what}已在第 {first.line} 行出现，但内容不同", key
            )


def validate_roster(
    files: RosterFiles,
    *,
    import_day: dt.date,
    existing_divisions: Mapping[str, ExistingDivision],
    jurisdiction_code: str | None,
    progress: Callable[[int], None] | None = None,
    max_xlsx_uncompressed: int = MAX_XLSX_UNCOMPRESSED,
) -> RosterResult:
    """Validate a roster import.

    `jurisdiction_code` None means every division (an operator's import from
    the command line); otherwise a household's community must lie below it.

    Raises `MissingColumn`, `DuplicateColumn` or `UnreadableFile` (nothing
    validated) when a file cannot be taken as a whole.
    """
    divisions = _Divisions(existing_divisions, jurisdiction_code)
    households: dict[str, HouseholdRow] = {}
    members: dict[str, MemberRow] = {}
    contexts = {
        FileKind.DIVISIONS: Context(import_day, f"导入日 {import_day.isoformat()}", _NO_PERIOD),
        FileKind.HOUSEHOLDS: Context(
            import_day,
            f"导入日 {import_day.isoformat()}",
            _NO_PERIOD,
            region_problem=divisions.region_problem,
        ),
        FileKind.MEMBERS: Context(
            import_day,
            f"导入日 {import_day.isoformat()}",
            _NO_PERIOD,
            household_key=lambda key: row.household_id if (row := households.get(key)) else None,
        ),
    }
    sources = (
        (FileKind.DIVISIONS, files.divisions),
        (FileKind.HOUSEHOLDS, files.households),
        (FileKind.MEMBERS, files.members),
    )
    counter = Progress(progress)
    report = ImportReport()
    tables: list[Table] = []
    validators: dict[FileKind, FileValidator] = {}
    try:
        for kind, source in sources:
            if source is None:
                continue
            file = InputFile.of(source)
            table = open_table(file, max_xlsx_uncompressed=max_xlsx_uncompressed)
            tables.append(table)
            file_report = FileReport(file=file.name, kind=str(kind))
            validators[kind] = FileValidator(
                spec_for(kind), table, contexts[kind], file_report, counter
            )
            report.files.append(file_report)
        if FileKind.DIVISIONS in validators:
            _load_divisions(validators[FileKind.DIVISIONS], divisions)
        _load_keyed(validators[FileKind.HOUSEHOLDS], households, "household_id", "家庭编号")
        _load_keyed(validators[FileKind.MEMBERS], members, "id_number", "该身份证号")
    finally:
        for table in tables:
            table.close()
    counter.finish()
    return RosterResult(
        divisions=list(divisions.loaded.values()),
        households=list(households.values()),
        members=list(members.values()),
        report=report,
    )
