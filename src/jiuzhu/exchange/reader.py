"""Reading exchange files as a header and a stream of `(line, cells)` records.

CSV: the encoding is detected, never asked — a UTF-8 BOM means UTF-8 with
BOM; otherwise the file is UTF-8 if all of it decodes strictly as UTF-8,
else GB18030 (a superset of GBK/GB2312). The check is a streaming pre-pass
over the bytes, so a large file is never held as one string. `line` is the
physical line where a record starts (header = 1, a BOM does not count): the
csv module reports the line where a record *ends*, so the start is the end
of the previous record plus one, which stays right when a quoted field
spans several lines.

XLSX: the first worksheet, read-only and streamed; `line` is the sheet row.
Cells become text; a cell that held a number becomes a `NumberCell` (a
`str`) so that an ID number stored as a number can be told apart.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import BinaryIO

from jiuzhu.exchange.errors import UnreadableFile

#: Uncompressed size above which a workbook is refused before parsing (zip bombs).
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024

_CHUNK = 1 << 20
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"

Source = str | os.PathLike[str] | BinaryIO


class NumberCell(str):
    """The text of a spreadsheet cell that held a number, not text."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read: a path or a binary stream, and the name shown in reports."""

    source: Source
    name: str

    @classmethod
    def of(cls, source: InputFile | Source, name: str | None = None) -> InputFile:
        """Wrap a path or stream; the display name defaults to the file's base name."""
        if isinstance(source, InputFile):
            return source if name is None else cls(source.source, name)
        if name is None:
            raw = (
                os.fspath(source)
                if isinstance(source, str | os.PathLike)
                else getattr(source, "name", None)
            )
            if not isinstance(raw, str) or not raw:
                raise ValueError("a stream needs a display name")
            name = os.path.basename(raw)
        return cls(source, name)


def detect_encoding(fh: BinaryIO, name: str = "") -> str:
    """'utf-8-sig', 'utf-8' or 'gb18030' for a seekable binary CSV stream."""
    fh.seek(0)
    head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(
            f"文件“{name}”是 UTF-16 编码，请另存为 UTF-8 或 GB18030 编码的 CSV",
            file=name,
            code="bad_encoding",
        )
    for encoding in ("utf-8", "gb18030"):
        if _decodes(fh, encoding):
            return encoding
    raise UnreadableFile(
        f"文件“{name}”的编码无法识别，请使用 UTF-8 或 GB18030 编码", file=name, code="bad_encoding"
    )


def _decodes(fh: BinaryIO, encoding: str) -> bool:
    fh.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        while chunk := fh.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


class Table:
    """An open table: its header row, then its records. Use as a context manager."""

    name: str
    format: str
    encoding: str | None
    header: list[str]
    header_line: int

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """`(line, cells)` for each record after the header, blank lines included as `[]`."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _is_blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


class CsvTable(Table):
    def __init__(self, fh: BinaryIO, *, owned: bool, name: str) -> None:
        self.name = name
        self.format = "csv"
        self._fh = fh
        self._owned = owned
        self.encoding = detect_encoding(fh, name)
        fh.seek(0)
        self._text = io.TextIOWrapper(fh, encoding=self.encoding, errors="strict", newline="")
        self._closed = False
        self._reader = csv.reader(self._text)
        try:
            for line, cells in self.records():
                if not _is_blank(cells):
                    self.header = cells
                    self.header_line = line
                    break
            else:
                raise UnreadableFile(f"文件“{name}”为空或没有表头行", file=name, code="no_header")
        except BaseException:
            self.close()  # never leave the wrapper to close a caller's stream when collected
            raise

    def records(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        line = reader.line_num
        try:
            for cells in reader:
                start = line + 1
                line = reader.line_num
                yield start, cells
        except csv.Error:
            raise UnreadableFile(
                f"文件“{self.name}”第 {line + 1} 行起的内容无法按 CSV 解析（引号不配对或字段过长）",
                file=self.name,
                code="bad_csv",
            ) from None
        except UnicodeDecodeError:  # pragma: no cover - the pre-pass decoded the whole file
            raise UnreadableFile(
                f"文件“{self.name}”第 {line + 1} 行附近的编码有误",
                file=self.name,
                code="bad_encoding",
            ) from None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owned:
            self._text.close()
        else:
            self._text.detach()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return NumberCell(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return NumberCell(int(value))
        return NumberCell(repr(value))
    if isinstance(value, Decimal):
        return NumberCell(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


class XlsxTable(Table):
    def __init__(self, fh: BinaryIO, *, owned: bool, name: str, max_uncompressed: int) -> None:
        import openpyxl  # only when a workbook is read: keeps CSV-only callers light

        self.name = name
        self.format = "xlsx"
        self.encoding = None
        self._fh = fh
        self._owned = owned
        try:
            with zipfile.ZipFile(fh) as archive:
                size = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise UnreadableFile(
                f"文件“{name}”不是有效的 Excel 工作簿", file=name, code="bad_workbook"
            ) from None
        if size > max_uncompressed:
            raise UnreadableFile(
                f"文件“{name}”解压后过大（超过 {max_uncompressed // (1024 * 1024)} MB），拒绝解析",
                file=name,
                code="file_too_large",
            )
        fh.seek(0)
        try:
            self._book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception:  # openpyxl raises KeyError, InvalidFileException, XML errors…
            raise UnreadableFile(
                f"文件“{name}”不是有效的 Excel 工作簿", file=name, code="bad_workbook"
            ) from None
        if not self._book.worksheets:  # pragma: no cover - openpyxl refuses such a file first
            self._book.close()
            raise UnreadableFile(f"文件“{name}”中没有工作表", file=name, code="no_header")
        sheet = self._book.worksheets[0]
        sheet.reset_dimensions()  # a wrong <dimension> tag must not cut rows off
        self._rows = sheet.iter_rows(values_only=True)
        self._line = 0
        try:
            for line, cells in self.records():
                if not _is_blank(cells):
                    self.header = cells
                    self.header_line = line
                    break
            else:
                raise UnreadableFile(
                    f"文件“{name}”的第一个工作表为空或没有表头行", file=name, code="no_header"
                )
        except BaseException:
            self.close()
            raise

    def records(self) -> Iterator[tuple[int, list[str]]]:
        rows = self._rows
        line = self._line
        try:
            for values in rows:
                line += 1
                self._line = line
                yield line, [v if type(v) is str else _cell_text(v) for v in values]
        except Exception:  # a corrupt sheet part surfaces while streaming
            raise UnreadableFile(
                f"文件“{self.name}”第 {line + 1} 行附近的内容无法读取",
                file=self.name,
                code="bad_workbook",
            ) from None

    def close(self) -> None:
        self._book.close()
        if self._owned:
            self._fh.close()


def open_table(file: InputFile, *, max_xlsx_uncompressed: int = MAX_XLSX_UNCOMPRESSED) -> Table:
    """Open a CSV or XLSX file; the extension decides the format and must agree with the content."""
    name = file.name
    fh, owned = _binary(file.source)
    try:
        head = fh.read(8)
        fh.seek(0)
        is_zip = head.startswith(_ZIP_MAGIC)
        extension = os.path.splitext(name)[1].lower()
        if head.startswith(_OLE2_MAGIC) or extension == ".xls":
            raise UnreadableFile(
                f"文件“{name}”是旧版 Excel（.xls），请另存为 .xlsx 或 .csv",
                file=name,
                code="unsupported_format",
            )
        if extension == ".xlsx" and not is_zip:
            raise UnreadableFile(
                f"文件“{name}”扩展名为 .xlsx，但内容不是 Excel 工作簿",
                file=name,
                code="unsupported_format",
            )
        if extension == ".csv" and is_zip:
            raise UnreadableFile(
                f"文件“{name}”扩展名为 .csv，但内容是压缩文件（可能是 .xlsx）",
                file=name,
                code="unsupported_format",
            )
        if is_zip:
            return XlsxTable(fh, owned=owned, name=name, max_uncompressed=max_xlsx_uncompressed)
        return CsvTable(fh, owned=owned, name=name)
    except BaseException:
        if owned:
            fh.close()
        raise


def _binary(source: Source) -> tuple[BinaryIO, bool]:
    """A seekable binary handle and whether we own it (and must close it)."""
    if isinstance(source, str | os.PathLike):
        return open(source, "rb"), True
    if source.seekable():
        source.seek(0)
        return source, False
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - closed by the Table
    shutil.copyfileobj(source, spool)
    spool.seek(0)
    return spool, True  # type: ignore[return-value]
