"""What an import reports: per file, rows read / loaded / rejected, duplicates, unknown columns.

Messages never contain the cell values themselves (an ID number or a name
in a stored report would be personal data in clear); they name the column
and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The reason codes of the standard, in the order it lists them.
REASONS = (
    "blank_id",
    "bad_id_format",
    "bad_check_digit",
    "bad_birth_date",
    "bad_date",
    "bad_month",
    "out_of_period",
    "non_numeric_amount",
    "negative_amount",
    "bad_value",
    "duplicate",
    "conflict",
    "unknown_household",
    "unknown_division",
)

REASON_LABELS = {
    "blank_id": "身份证号为空",
    "bad_id_format": "身份证号格式错误",
    "bad_check_digit": "身份证号校验码错误",
    "bad_birth_date": "身份证号出生日期不合理",
    "bad_date": "日期错误",
    "bad_month": "月份错误",
    "out_of_period": "超出期间",
    "non_numeric_amount": "金额格式错误",
    "negative_amount": "金额为负数",
    "bad_value": "取值不在代码表内",
    "duplicate": "重复行",
    "conflict": "与前面的行冲突",
    "unknown_household": "家庭不存在",
    "unknown_division": "行政区划不存在或不在辖区内",
}


@dataclass(frozen=True, slots=True)
class Rejection:
    file: str  # display name, e.g. "2026Q1/tax_income.csv"
    line: int  # physical line where the record starts (header = 1); sheet row in XLSX
    reason: str  # one of REASONS
    message: str  # Chinese, names the column; never the cell value
    column: str | None = None  # canonical column name, when one column is at fault


@dataclass(slots=True)
class FileReport:
    file: str
    kind: str
    format: str = ""  # "csv" | "xlsx"
    encoding: str | None = None  # "utf-8", "utf-8-sig" (BOM), "gb18030"; None for XLSX
    rows_read: int = 0  # data records (header and blank lines excluded)
    rows_loaded: int = 0  # rows that passed (a duplicated row counts once)
    duplicates: int = 0  # rows rejected as `duplicate` (also listed in `rejected`)
    blank_rows: int = 0  # records with every cell empty, skipped
    rejected: list[Rejection] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # Chinese

    def reject(self, line: int, reason: str, message: str, column: str | None = None) -> None:
        self.rejected.append(Rejection(self.file, line, reason, message, column))
        if reason == "duplicate":
            self.duplicates += 1

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    def reason_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rejection in self.rejected:
            counts[rejection.reason] = counts.get(rejection.reason, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for a stored import record)."""
        return {
            "file": self.file,
            "kind": self.kind,
            "format": self.format,
            "encoding": self.encoding,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rows_duplicate": self.duplicates,
            "blank_rows": self.blank_rows,
            "reasons": self.reason_counts(),
            "unknown_columns": list(self.unknown_columns),
            "warnings": list(self.warnings),
            "rejected": [
                {
                    "file": r.file,
                    "line": r.line,
                    "reason": r.reason,
                    "message": r.message,
                    "column": r.column,
                }
                for r in self.rejected
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileReport:
        """The report `to_dict` stored (for a file already loaded)."""
        report = cls(
            file=data["file"],
            kind=data["kind"],
            format=data.get("format", ""),
            encoding=data.get("encoding"),
            rows_read=data.get("rows_read", 0),
            rows_loaded=data.get("rows_loaded", 0),
            blank_rows=data.get("blank_rows", 0),
            unknown_columns=list(data.get("unknown_columns", [])),
            warnings=list(data.get("warnings", [])),
        )
        for r in data.get("rejected", []):
            report.reject(r["line"], r["reason"], r["message"], r.get("column"))
        return report

    def summary(self) -> str:
        """One Chinese sentence for screens and logs."""
        text = (
            f"{self.file}：读取 {self.rows_read} 行，导入 {self.rows_loaded} 行，"
            f"拒绝 {self.rows_rejected} 行（其中重复 {self.duplicates} 行）"
        )
        if self.unknown_columns:
            text += f"，忽略未知列 {len(self.unknown_columns)} 个"
        return text


@dataclass(slots=True)
class ImportReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def rejected(self) -> list[Rejection]:
        return [r for f in self.files for r in f.rejected]

    @property
    def warnings(self) -> list[str]:
        return [w for f in self.files for w in f.warnings]

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: totals, then one entry per file."""
        return {
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rows_duplicate": self.duplicates,
            "warnings": self.warnings,
            "files": [f.to_dict() for f in self.files],
        }

    def file(self, kind: str) -> FileReport | None:
        return next((f for f in self.files if f.kind == kind), None)

    def summary(self) -> str:
        return "；".join(f.summary() for f in self.files)
