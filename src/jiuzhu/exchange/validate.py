"""The per-file engine: match the header to a spec, then check each row column by column.

It yields the typed rows that passed every column check and records the
others in the file's report; the callers add the cross-row rules
(duplicates, conflicts, references between roster files).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from jiuzhu.exchange.columns import Context, IdNumber, Parser, RowRejected
from jiuzhu.exchange.errors import DuplicateColumn, MissingColumn
from jiuzhu.exchange.reader import Table
from jiuzhu.exchange.report import FileReport
from jiuzhu.exchange.specs import ColumnSpec, FileSpec

#: Index used for a column the header does not carry: every cell reads as empty.
_ABSENT = 1 << 30
_PROGRESS_EVERY = 1000


class Progress:
    """Counts processed rows across the files of one call and reports every 1,000."""

    __slots__ = ("_callback", "_next", "done")

    def __init__(self, callback: Callable[[int], None] | None) -> None:
        self._callback = callback
        self.done = 0
        self._next = _PROGRESS_EVERY

    def step(self) -> None:
        self.done += 1
        if self.done >= self._next and self._callback is not None:
            self._next += _PROGRESS_EVERY
            self._callback(self.done)

    def finish(self) -> None:
        if self._callback is not None:
            self._callback(self.done)


def resolve_header(spec: FileSpec, header: list[str], report: FileReport) -> dict[str, int]:
    """Canonical column name → cell index.

    Unknown columns become warnings; a missing or doubled column refuses the file.
    """
    lookup: dict[str, ColumnSpec] = {}
    for declared in spec.columns:
        lookup[declared.name.lower()] = declared
        lookup[declared.alias] = declared
    found: dict[str, int] = {}
    doubled: list[ColumnSpec] = []
    last_named = max((i for i, cell in enumerate(header) if cell.strip()), default=-1)
    for index, cell in enumerate(header):
        key = cell.replace("\ufeff", "").strip()
        if not key:
            if index < last_named:
                report.warnings.append(f"第 {index + 1} 列没有表头，已忽略该列")
            continue
        column = lookup.get(key)
        if column is None:
            column = lookup.get(key.lower())
        if column is None:
            shown = key if len(key) <= 40 else key[:40] + "…"
            report.unknown_columns.append(shown)
            report.warnings.append(f"未知列“{shown}”不在数据标准中，已忽略")
        elif column.name in found:
            doubled.append(column)
        else:
            found[column.name] = index
    name = report.file
    if doubled:
        labels = "、".join(c.label for c in doubled)
        raise DuplicateColumn(
            f"文件“{name}”的表头中 {labels} 出现了不止一次"
            "（英文列名和中文列名只能用其一），整个文件未导入",
            file=name,
            columns=tuple(c.name for c in doubled),
        )
    missing = [c for c in spec.columns if c.header_required and c.name not in found]
    if missing:
        labels = "、".join(c.label for c in missing)
        raise MissingColumn(
            f"文件“{name}”缺少必需的列 {labels}，整个文件未导入（表头可使用英文列名或中文列名）",
            file=name,
            columns=tuple(c.name for c in missing),
        )
    return found


Check = tuple[int, int, Parser]  # (cell index, position in the row type, parser)


def check_order(spec: FileSpec) -> list[int]:
    """Positions of the spec's columns in the order defects are reported: the ID column
    first (blank, format, check character, birth date), then the others in the spec's order."""
    return sorted(
        range(len(spec.columns)), key=lambda p: not isinstance(spec.columns[p].type, IdNumber)
    )


def compile_checks(spec: FileSpec, indexes: dict[str, int], ctx: Context) -> list[Check]:
    """The column parsers of one file, in `check_order`."""
    checks: list[Check] = []
    for position in check_order(spec):
        column = spec.columns[position]
        parse = column.type.compile(column.label, column.name, ctx)
        checks.append((indexes.get(column.name, _ABSENT), position, parse))
    return checks


class FileValidator:
    """Checks the rows of one table against one spec in one context."""

    def __init__(
        self, spec: FileSpec, table: Table, ctx: Context, report: FileReport, progress: Progress
    ) -> None:
        self.spec = spec
        self.table = table
        self.report = report
        self.progress = progress
        report.format = table.format
        report.encoding = table.encoding
        self.indexes = resolve_header(spec, table.header, report)
        self._checks = compile_checks(spec, self.indexes, ctx)

    def rows(self) -> Iterator[Any]:
        """The typed rows that pass every column check, in file order."""
        checks = self._checks
        width = len(self.spec.columns)
        row_type = self.spec.row_type
        report = self.report
        step = self.progress.step
        for line, cells in self.table.records():
            if not cells:
                continue  # an empty physical line
            step()
            report.rows_read += 1
            size = len(cells)
            values: list[object] = [None] * width
            try:
                for index, position, parse in checks:
                    values[position] = parse(cells[index] if index < size else "")
            except RowRejected as rejected:
                if not "".join(cells).strip():
                    report.rows_read -= 1
                    report.blank_rows += 1
                    continue
                report.reject(line, rejected.reason, rejected.message, rejected.column)
                continue
            yield row_type(line, *values)
