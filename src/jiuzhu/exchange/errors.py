"""Typed errors of the data exchange: whole-file refusals and the period argument.

A row-level defect is not an exception of the public API: it becomes a
`Rejection` in the report and the rest of the file still loads. What is
raised here refuses a whole file (or the whole call) — a missing required
column, an unreadable file, a malformed quarter — with a stable `code` and a
Chinese `message` that names the file and, where there is one, the column.
"""

from __future__ import annotations

from jiuzhu.domain.errors import DomainError


class ExchangeError(DomainError):
    """Base of the exchange errors."""

    code = "exchange_error"
    default_message = "数据交换文件不符合标准"


class BadPeriod(ExchangeError):
    code = "bad_period"
    default_message = "期间格式不正确，应为“年份Q季度”，如 2026Q1"


class FileRefused(ExchangeError):
    """The whole file is refused; nothing of it is validated or loaded."""

    code = "file_refused"
    default_message = "文件无法导入"

    def __init__(
        self, message: str | None = None, *, file: str = "", code: str | None = None
    ) -> None:
        self.file = file
        super().__init__(message, code=code)


class MissingColumn(FileRefused):
    """A required column is absent from the header row; `columns` are canonical names."""

    code = "missing_column"
    default_message = "文件缺少必需的列"

    def __init__(self, message: str, *, file: str, columns: tuple[str, ...]) -> None:
        self.columns = columns
        super().__init__(message, file=file)


class DuplicateColumn(FileRefused):
    """Two header cells name the same column (e.g. both `id_number` and 身份证号)."""

    code = "duplicate_column"
    default_message = "表头中同一列出现了两次"

    def __init__(self, message: str, *, file: str, columns: tuple[str, ...]) -> None:
        self.columns = columns
        super().__init__(message, file=file)


class UnreadableFile(FileRefused):
    """Empty file, no header row, unknown encoding, corrupt workbook, wrong format, too large."""

    code = "unreadable_file"
    default_message = "文件无法读取"
