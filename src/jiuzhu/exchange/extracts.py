"""Department extracts (§2 of the standard): one file, one kind, one quarter.

`open_extract` streams the valid rows (the report fills as they go);
`validate_extract` collects them. Period rules: a row dated after the
quarter's end is `out_of_period`; income (tax, HRSS) and medical rows dated
before its start are too. A birth date after the quarter's last day is
impossible. A row equal to an earlier valid row after normalisation is a
`duplicate`: reported, and loaded once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Literal, Protocol, TypeVar, overload

from jiuzhu.exchange.columns import Context, Period
from jiuzhu.exchange.periods import Quarter, as_quarter
from jiuzhu.exchange.reader import MAX_XLSX_UNCOMPRESSED, InputFile, Source, Table, open_table
from jiuzhu.exchange.report import FileReport
from jiuzhu.exchange.rows import (
    BusinessRow,
    DeathRow,
    ExtractRow,
    HrssBenefitRow,
    MedicalSettlementRow,
    PropertyRow,
    TaxIncomeRow,
    VehicleRow,
)
from jiuzhu.exchange.specs import EXTRACT_KINDS, FileKind, FileSpec, spec_for
from jiuzhu.exchange.validate import FileValidator, Progress


class _Row(Protocol):
    @property
    def line(self) -> int: ...


RowT = TypeVar("RowT", bound=_Row)
Progress_ = Callable[[int], None] | None


def extract_context(spec: FileSpec, quarter: Quarter) -> Context:
    start, end = quarter.start, quarter.end
    return Context(
        latest_birth_date=end,
        latest_birth_label=f"本期 {quarter} 的最后一天 {end.isoformat()}",
        period=Period(
            spec.period_rule, start, end, f"{quarter}（{start.isoformat()} 至 {end.isoformat()}）"
        ),
    )


def duplicate_message(first_line: int) -> str:
    return f"与第 {first_line} 行重复（规范化后内容相同），只导入一次"


class ExtractStream(Generic[RowT]):
    """The valid rows of one extract file, in file order; iterate once.

    Opening reads the header, so a missing required column (`MissingColumn`)
    or an unreadable file (`UnreadableFile`) is raised here, before any row.
    `report` is complete once the iteration has ended.
    """

    def __init__(
        self,
        file: InputFile | Source,
        kind: FileKind | str,
        quarter: Quarter | str,
        *,
        progress: Callable[[int], None] | None = None,
        max_xlsx_uncompressed: int = MAX_XLSX_UNCOMPRESSED,
    ) -> None:
        self.kind = FileKind(kind)
        if self.kind not in EXTRACT_KINDS:
            raise ValueError(f"{self.kind} is not a department extract")
        self.quarter = as_quarter(quarter)
        self.file = InputFile.of(file)
        spec = spec_for(self.kind)
        self.report = FileReport(file=self.file.name, kind=str(self.kind))
        self._progress = Progress(progress)
        self._table: Table | None = open_table(
            self.file, max_xlsx_uncompressed=max_xlsx_uncompressed
        )
        try:
            self._validator = FileValidator(
                spec, self._table, extract_context(spec, self.quarter), self.report, self._progress
            )
        except BaseException:
            self.close()
            raise
        self._started = False

    def __iter__(self) -> Iterator[RowT]:
        if self._started:
            raise RuntimeError("an ExtractStream can be iterated only once")
        self._started = True
        return self._rows()

    def _rows(self) -> Iterator[RowT]:
        report = self.report
        seen: dict[RowT, RowT] = {}
        try:
            for row in self._validator.rows():
                first = seen.setdefault(row, row)
                if first is not row:
                    report.reject(row.line, "duplicate", duplicate_message(first.line))
                    continue
                report.rows_loaded += 1
                yield row
        finally:
            self.close()
        self._progress.finish()

    def close(self) -> None:
        if self._table is not None:
            self._table.close()
            self._table = None

    def __enter__(self) -> ExtractStream[RowT]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(slots=True)
class ExtractResult(Generic[RowT]):
    kind: FileKind
    quarter: Quarter
    rows: list[RowT]
    report: FileReport


# The overloads only tell the type checker which row type each kind yields.
_File = InputFile | Source
_Quarter = Quarter | str
_Tax = Literal["tax_income", FileKind.TAX_INCOME]
_Hrss = Literal["hrss_benefits", FileKind.HRSS_BENEFITS]
_Medical = Literal["medical_settlements", FileKind.MEDICAL_SETTLEMENTS]
_Property = Literal["property_registry", FileKind.PROPERTY_REGISTRY]
_Vehicle = Literal["vehicle_registry", FileKind.VEHICLE_REGISTRY]
_Business = Literal["business_registry", FileKind.BUSINESS_REGISTRY]
_Death = Literal["death_records", FileKind.DEATH_RECORDS]


@overload
def open_extract(
    file: _File, kind: _Tax, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractStream[TaxIncomeRow]: ...
@overload
def open_extract(
    file: _File, kind: _Hrss, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractStream[HrssBenefitRow]: ...
@overload
def open_extract(
    file: _File, kind: _Medical, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractStream[MedicalSettlementRow]: ...
@overload
def open_extract(
    file: _File, kind: _Property, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractStream[PropertyRow]: ...
@overload
def open_extract(
    file: _File, kind: _Vehicle, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractStream[VehicleRow]: ...
@overload
def open_extract(
    file: _File, kind: _Business, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractStream[BusinessRow]: ...
@overload
def open_extract(
    file: _File, kind: _Death, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractStream[DeathRow]: ...
@overload
def open_extract(
    file: _File, kind: FileKind | str, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractStream[ExtractRow]: ...
def open_extract(
    file: _File, kind: FileKind | str, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractStream[Any]:
    """Stream the valid rows of a department file for `quarter` ('2026Q1')."""
    return ExtractStream(file, kind, quarter, progress=progress)


@overload
def validate_extract(
    file: _File, kind: _Tax, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractResult[TaxIncomeRow]: ...
@overload
def validate_extract(
    file: _File, kind: _Hrss, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractResult[HrssBenefitRow]: ...
@overload
def validate_extract(
    file: _File, kind: _Medical, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractResult[MedicalSettlementRow]: ...
@overload
def validate_extract(
    file: _File, kind: _Property, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractResult[PropertyRow]: ...
@overload
def validate_extract(
    file: _File, kind: _Vehicle, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractResult[VehicleRow]: ...
@overload
def validate_extract(
    file: _File, kind: _Business, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractResult[BusinessRow]: ...
@overload
def validate_extract(
    file: _File, kind: _Death, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractResult[DeathRow]: ...
@overload
def validate_extract(
    file: _File, kind: FileKind | str, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractResult[ExtractRow]: ...
def validate_extract(
    file: _File, kind: FileKind | str, quarter: _Quarter, *, progress: Progress_ = None
) -> ExtractResult[Any]:
    """Validate a whole department file for `quarter`: its valid typed rows and its report."""
    stream: ExtractStream[Any]
    with ExtractStream(file, kind, quarter, progress=progress) as stream:
        rows: list[Any] = list(stream)
    return ExtractResult(stream.kind, stream.quarter, rows, stream.report)
