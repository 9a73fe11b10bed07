"""Department extract files → Parquet, validated in DuckDB: the import path at scale.

Why not the row validator of `jiuzhu.exchange` alone: a county's quarter is
millions of rows, and checking them one Python object at a time takes
minutes. Here DuckDB reads the file, every column check of the standard runs
as one vectorised SQL expression, duplicates are found by grouping on the
typed values, and ID numbers become blind indexes once per distinct number
per run. Only the rows SQL refuses (about 1%) meet the row validator: SQL
names the first failing column (in `check_order`) and that column's parser
from `compile_checks` gives the reason code and Chinese message — so reasons
and messages keep one home. The SQL mirrors
`jiuzhu.exchange.columns`; `tests/screening/test_ingest.py` holds the two to
the same decisions, row by row, on the sample set and on fuzzed cells, and
the import fails loudly if they ever disagree on a refused row (ADR 0010).

Reading: one pass over the bytes gives the digest (a file already loaded is
a no-op), an encoding hint and the physical line count. A CSV is read by
DuckDB's own parser (quoted fields included) whenever its record count plus
the header equals its physical lines and it holds no blank line, NUL or bare
CR: then the record in row n starts on line n + 1. Anything else — a quoted
line break, XLSX, a file DuckDB refuses — is read by `jiuzhu.exchange.reader`,
which tracks physical lines, and handed to DuckDB as Arrow. GB18030 is
transcoded to a private temporary UTF-8 copy first. Parquet input (columns as
in the standard) is read directly; `line` is the row number plus one, as if a
header preceded it. `Ingest.load_folder` loads a quarter's files a few at a
time, each on its own cursor of one in-memory database.

No clear ID number reaches the disk through this module: temporary copies
and DuckDB's spill directory live in a private temporary folder removed at
the end, and the Parquet written holds `id_index` only.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from jiuzhu.exchange import (
    EXTRACT_KINDS,
    FileKind,
    FileReport,
    InputFile,
    Quarter,
    kind_for_filename,
)
from jiuzhu.exchange.columns import (
    Area,
    Code,
    ColumnType,
    Context,
    Date,
    IdNumber,
    Money,
    Month,
    PeriodRule,
    RowRejected,
    Text,
)
from jiuzhu.exchange.errors import UnreadableFile
from jiuzhu.exchange.extracts import duplicate_message, extract_context
from jiuzhu.exchange.periods import as_quarter
from jiuzhu.exchange.reader import NumberCell, open_table
from jiuzhu.exchange.specs import FileSpec, spec_for
from jiuzhu.exchange.validate import check_order, compile_checks, resolve_header
from jiuzhu.protection.sm import KeyRing
from jiuzhu.screening.load import EXTRACT_SCHEMAS, ID_PURPOSE, LoadedFile, extract_path

#: What Python's `str.strip()` removes (every whitespace code point is below U+3001).
_WHITESPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
_MAX_AMOUNT = "9999999999.99"  # jiuzhu.exchange.columns.MAX_AMOUNT
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_BATCH = 200_000
_CHUNK = 1 << 22

Progress = Callable[[int], None] | None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _date(day: Any) -> str:
    return f"DATE '{day.isoformat()}'"


# ------------------------------------------------------------------ SQL of the column checks


@dataclass(frozen=True, slots=True)
class _Column:
    """One column's typed value and validity as SQL over its trimmed cell `t_<name>`.

    `derived` are expressions computed once in an inner projection (DuckDB
    does not share a subexpression repeated inside CASE branches).
    """

    name: str
    value: str
    ok: str
    derived: tuple[str, ...] = ()


def _trimmed(name: str) -> str:
    return f"t_{name}"


def _cell(index: int) -> str:
    return f"coalesce(c{index}, '')"


def _trim_sql(cell: str) -> str:
    """Python's `str.strip()`; the common case (no whitespace at either end) skips the scan.

    No code point in 33–132 or above U+3000 is whitespace (ASCII text, CJK labels).
    """
    plain = "(u BETWEEN 33 AND 132 OR u > 12288)"
    first = plain.replace("u", f"unicode({cell})")
    last = plain.replace("u", f"unicode(right({cell}, 1))")
    return (
        f"CASE WHEN {first} AND {last} THEN {cell} ELSE trim({cell}, {_literal(_WHITESPACE)}) END"
    )


def _period_sql(rule: PeriodRule, first: str, last: str, quarter: Quarter) -> str:
    if rule == "none":
        return "true"
    after_end = f"{first} <= {_date(quarter.end)}"
    if rule == "end":
        return after_end
    return f"({after_end} AND {last} >= {_date(quarter.start)})"


#: The 17 digits in chunks (most significant first), and per chunk a table of its
#: weighted digit sum mod 11 for every value — six lookups instead of seventeen divisions.
_ID_CHUNKS = (3, 3, 3, 3, 3, 2)


def _chunk_tables() -> list[str]:
    tables: list[str] = []
    start = 0
    for size in _ID_CHUNKS:
        weights = _ID_WEIGHTS[start : start + size]
        sums = [
            sum(int(digit) * w for digit, w in zip(f"{value:0{size}d}", weights, strict=True)) % 11
            for value in range(10**size)
        ]
        tables.append("[" + ",".join(map(str, sums)) + "]")
        start += size
    return tables


def _id_sql(t: str, quarter: Quarter) -> _Column:
    # n: the normalised number; p: its first 17 characters as an integer, so that the
    # check character and the birth date come from integer arithmetic, not string slicing.
    n, p = "n_id_number", "p_id_number"
    derived = (f"upper({t}) AS {n}", f"TRY_CAST(substr(upper({t}), 1, 17) AS BIGINT) AS {p}")
    parts: list[str] = []
    below = 17
    for size, table in zip(_ID_CHUNKS, _ID_CHUNK_TABLES, strict=True):
        below -= size
        parts.append(f"{table}[(({p} // {10**below}) % {10**size}) + 1]")
    total = " + ".join(parts)
    # The birth date yyyymmdd is digits 7–14; the month's length by arithmetic, no date built.
    birth = f"(({p} // 1000) % 100000000)"
    y, m, d = f"({birth} // 10000)", f"(({birth} // 100) % 100)", f"({birth} % 100)"
    leap = f"({y} % 4 = 0 AND ({y} % 100 <> 0 OR {y} % 400 = 0))"
    days = f"CASE WHEN {m} = 2 THEN 28 + CAST({leap} AS INTEGER) ELSE 30 + ({m} + {m} // 8) % 2 END"
    latest = int(quarter.end.strftime("%Y%m%d"))
    ok = (
        f"CASE WHEN NOT id_numeric AND regexp_full_match({n}, '[0-9]{{17}}[0-9X]') THEN "
        f"substr({n}, 18, 1) = substr('10X98765432', (({total}) % 11) + 1, 1) "
        f"AND {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND {days} "
        f"AND {birth} BETWEEN 19000101 AND {latest} ELSE false END"
    )
    return _Column("id_number", n, ok, derived)


_ID_CHUNK_TABLES = _chunk_tables()


def _column_sql(name: str, kind: ColumnType, rule: PeriodRule, quarter: Quarter) -> _Column:
    t = _trimmed(name)
    match kind:
        case IdNumber():
            return _id_sql(t, quarter)
        case Text(max_length=max_length, required=required):
            ok = f"length({t}) <= {max_length}" + (f" AND {t} <> ''" if required else "")
            return _Column(name, t, ok)
        case Date(optional=optional):
            # d_<name>: the date when the cell is one (NULL when empty or malformed).
            d = f"d_{name}"
            derived = (
                f"CASE WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
                f"AND substr({t}, 1, 4) <> '0000' THEN TRY_CAST({t} AS DATE) END AS {d}",
            )
            empty = "true" if optional else "false"
            ok = (
                f"CASE WHEN {t} = '' THEN {empty} "
                f"ELSE {d} IS NOT NULL AND {_period_sql(rule, d, d, quarter)} END"
            )
            return _Column(name, d, ok, derived)
        case Month():
            # The month's first day; as a quarter starts on a first day, “the month ends
            # on or after the start” is “it starts on or after it”.
            d = f"d_{name}"
            derived = (
                f"CASE WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}') "
                f"AND substr({t}, 1, 4) <> '0000' THEN TRY_CAST({t} || '-01' AS DATE) END AS {d}",
            )
            ok = f"{d} IS NOT NULL AND {_period_sql(rule, d, d, quarter)}"
            return _Column(name, d, ok, derived)
        case Money():
            a = f"a_{name}"
            derived = (
                f"CASE WHEN regexp_full_match({t}, '[0-9]+(\\.[0-9]{{1,2}})?') "
                # DECIMAL(18, 2) holds every amount up to the cap (ten digits before the
                # point); a longer one fails the cast and is refused, as the cap refuses it.
                f"THEN TRY_CAST({t} AS DECIMAL(18, 2)) END AS {a}",
            )
            ok = f"coalesce({a} <= {_MAX_AMOUNT}, false)"
            return _Column(name, f"CAST({a} * 100 AS BIGINT)", ok, derived)
        case Code(codes=codes):
            whens = " ".join(
                f"WHEN {_literal(key)} THEN {_literal(word)}"
                for word in codes.words
                for key in dict.fromkeys((word.lower(), *codes.labels[word]))
            )
            w = f"w_{name}"
            return _Column(name, w, f"{w} IS NOT NULL", (f"CASE lower({t}) {whens} END AS {w}",))
        case Area():
            ok = f"regexp_full_match({t}, '[0-9]{{1,12}}(\\.[0-9]{{1,6}})?')"
            return _Column(name, f"CASE WHEN {ok} THEN CAST({t} AS DECIMAL(18, 6)) END", ok)
    raise NotImplementedError(f"no SQL check for {type(kind).__name__} ({name})")


# ------------------------------------------------------------------ reading into `cells`


@dataclass(frozen=True, slots=True)
class _Scan:
    sha256: str
    #: The first 64 KiB decode as UTF-8: a GB18030 file shows itself in its (Chinese)
    #: header or first rows. DuckDB checks the rest as it reads; a file it refuses goes
    #: through the reader, which decides the encoding from every byte.
    utf8: bool
    #: Physical lines, or None when DuckDB's row count could not tell the line of each
    #: record — a NUL, a blank line or a bare CR (the reader path handles those). The
    #: same for a GB18030 file's UTF-8 copy: no multi-byte GB18030 sequence holds \n, \r or NUL.
    lines: int | None


_HEAD = 1 << 16


def _scan(path: Path) -> _Scan:
    """One pass over the bytes: the digest (for the no-op check), the encoding's hint, and
    whether its physical lines are its records."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
        try:
            codecs.getincrementaldecoder("utf-8")("strict").decode(head)
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
        fh.seek(0)
        plain = True
        newlines = crs = crlfs = 0
        tail = b""  # the previous chunk's last two bytes: patterns may straddle chunks
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            if not plain:
                continue
            edge = tail + chunk[:2]
            if b"\x00" in chunk or b"\n\n" in chunk or b"\n\n" in edge:
                plain = False
            if b"\r" in chunk or b"\r" in edge:
                if b"\n\r\n" in chunk or b"\n\r\n" in edge:
                    plain = False
                crs += chunk.count(b"\r")
                crlfs += chunk.count(b"\r\n") + (tail.endswith(b"\r") and chunk[:1] == b"\n")
            newlines += chunk.count(b"\n")
            tail = chunk[-2:] if len(chunk) >= 2 else (tail + chunk)[-2:]
    lines: int | None = None
    if plain and tail and crs == crlfs:
        lines = newlines + (0 if tail.endswith(b"\n") else 1)
    return _Scan(digest.hexdigest(), utf8, lines)


def _starts_with_utf16_bom(path: Path) -> bool:
    """The reader refuses such a file with its own message (save as UTF-8 or GB18030)."""
    with path.open("rb") as fh:
        return fh.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _starts_with_bom(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(3) == codecs.BOM_UTF8


def _csv_header(path: Path, encoding: str) -> list[str] | None:
    """The header cells when the first physical line holds them; None sends the file
    through the reader (blank leading lines, a quoted line break in the header)."""
    try:
        with path.open(encoding=encoding, newline="") as fh:
            first = fh.readline()
    except UnicodeDecodeError:
        return None
    if not first.strip() or first.count('"') % 2:
        return None
    return next(csv.reader([first]))


def _transcode(source: Path, encoding: str, target: Path, name: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with source.open("rb") as src, target.open("w", encoding="utf-8", newline="") as out:
            while chunk := src.read(_CHUNK):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        raise UnreadableFile(
            f"文件“{name}”的编码无法识别，请使用 UTF-8 或 GB18030 编码",
            file=name,
            code="bad_encoding",
        ) from None


def _cell_columns(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def _load_csv_lines(con: duckdb.DuckDBPyConnection, path: Path, width: int, lines: int) -> bool:
    """DuckDB's own parser, rows in file order (rowid); True when each record is one line.

    False — and nothing loaded — when DuckDB refuses the file (a line with more
    cells than the header, a stray quote) or when some quoted field spans lines
    (records + header ≠ physical lines): the reader path then tracks the lines.
    """
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in _cell_columns(width)) + "}"
    try:
        con.execute(
            f"CREATE TEMP TABLE cells AS SELECT * FROM read_csv(?, header = true, "  # noqa: S608 - generated column names
            f"columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
            "auto_detect = false, null_padding = true, strict_mode = true)",
            [str(path)],
        )
    except duckdb.Error:
        con.execute("DROP TABLE IF EXISTS cells")
        return False
    ((records,),) = con.execute("SELECT count(*) FROM cells").fetchall()
    if records + 1 != lines:
        con.execute("DROP TABLE cells")
        return False
    return True


#: The columns of `cells` a fast-path table leaves implicit: its rowid is the record's place.
_IMPLICIT = "rowid + 2 AS line, '' AS extra, false AS id_numeric"
_EXPLICIT = "line, extra, id_numeric"


def _load_records(
    con: duckdb.DuckDBPyConnection,
    records: Iterator[tuple[int, list[str]]],
    width: int,
    id_position: int | None,
) -> None:
    names = _cell_columns(width)
    schema = pa.schema(
        [
            ("line", pa.int64()),
            *((n, pa.string()) for n in names),
            ("extra", pa.string()),
            ("id_numeric", pa.bool_()),
        ]
    )
    con.execute(
        "CREATE TEMP TABLE cells (line BIGINT, "
        + "".join(f"{n} VARCHAR, " for n in names)
        + "extra VARCHAR, id_numeric BOOLEAN)"
    )

    def flush(lines: list[int], rows: list[list[str]], numeric: list[bool]) -> None:
        columns = [
            pa.array([r[i] if i < len(r) else "" for r in rows], pa.string()) for i in range(width)
        ]
        extra = pa.array(["".join(r[width:]) for r in rows], pa.string())
        batch = pa.Table.from_arrays(
            [pa.array(lines, pa.int64()), *columns, extra, pa.array(numeric, pa.bool_())],
            schema=schema,
        )
        con.register("batch", batch)
        con.execute("INSERT INTO cells SELECT * FROM batch")
        con.unregister("batch")

    lines: list[int] = []
    rows: list[list[str]] = []
    numeric: list[bool] = []
    for line, cells in records:
        if not cells:
            continue  # an empty physical line
        lines.append(line)
        rows.append([str(c) for c in cells])
        numeric.append(
            id_position is not None
            and id_position < len(cells)
            and type(cells[id_position]) is NumberCell
        )
        if len(lines) >= _BATCH:
            flush(lines, rows, numeric)
            lines, rows, numeric = [], [], []
    if lines:
        flush(lines, rows, numeric)


# ------------------------------------------------------------------ one file


@dataclass(slots=True)
class Timings:
    """Seconds spent per phase, summed over the files of a run (the benchmark reports them)."""

    parse: float = 0.0
    validate: float = 0.0
    deduplicate: float = 0.0
    match: float = 0.0
    write: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float]:
        return {
            "parse": self.parse,
            "validate": self.validate,
            "deduplicate": self.deduplicate,
            "match": self.match,
            "write": self.write,
        }


_TIMINGS_LOCK = threading.Lock()


@contextmanager
def _clock(timings: Timings | None, phase: str) -> Iterator[None]:
    """Adds the phase's seconds (files loading in parallel add theirs: a sum, not wall time)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            with _TIMINGS_LOCK:
                setattr(timings, phase, getattr(timings, phase) + time.perf_counter() - start)


def manifest_path(data_dir: Path, quarter: Quarter | str, kind: FileKind | str) -> Path:
    return extract_path(data_dir, quarter, kind).with_suffix(".json")


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_json(data: dict[str, Any], target: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _connect(work: Path, memory_limit: str, threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        config={
            "memory_limit": memory_limit,
            "temp_directory": str(work / "spill"),
            "preserve_insertion_order": True,
        }
    )
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


class Ingest:
    """Loads extract files with one DuckDB session, sharing the keyed index and the timings.

    Use as a context manager to load several files (a quarter, or two): each
    distinct ID number is then turned into its blind index once for the whole
    run (the `id_cache` table lives in the session, in memory). `load` outside a
    `with` block opens and closes a session of its own.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        keyring: KeyRing,
        memory_limit: str = "3GB",
        threads: int | None = None,
        timings: Timings | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.memory_limit = memory_limit
        self.threads = threads
        self.timings = timings
        self.index = keyring.blind_indexer(purpose=ID_PURPOSE)
        self.lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._work: Path | None = None
        self._files = 0

    def __enter__(self) -> Ingest:
        self._open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> None:
        if self._con is not None:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Private (0700) and removed on close: DuckDB spills and GB18030 copies go here.
        self._work = Path(tempfile.mkdtemp(prefix=".ingest-", dir=self.data_dir))
        self._con = _connect(self._work, self.memory_limit, self.threads)
        # A table of the (in-memory) database, not of one connection: every file's cursor sees it.
        self._con.execute("CREATE TABLE id_cache (id_number VARCHAR, id_index VARCHAR)")

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
            self._work = None

    def load(
        self,
        path: Path,
        kind: FileKind | str,
        quarter: Quarter | str,
        *,
        name: str | None = None,
        progress: Progress = None,
    ) -> LoadedFile:
        """Validate one department file for `quarter` and write it, replacing the earlier one.

        The same bytes already loaded for this kind and quarter are a no-op
        (`LoadedFile.unchanged`). Raises the exchange errors of a refused file
        (`MissingColumn`, `UnreadableFile`, …) before anything is written.
        """
        kind, quarter, path = FileKind(kind), as_quarter(quarter), Path(path)
        if kind not in EXTRACT_KINDS:
            raise ValueError(f"{kind} is not a department extract")
        name = name or f"{quarter}/{path.name}"
        target = extract_path(self.data_dir, quarter, kind)
        manifest = manifest_path(self.data_dir, quarter, kind)
        scan = _scan(path)
        digest = scan.sha256
        previous = _read_manifest(manifest)
        if previous and previous.get("sha256") == digest and target.is_file():
            report = FileReport.from_dict(previous["report"])
            report.file = name
            report.warnings.append("该文件与本期已导入的文件完全相同，未重复导入")
            if progress is not None:
                progress(report.rows_read)
            return LoadedFile(kind, target, report, unchanged=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        own_session = self._con is None
        self._open()
        try:
            report = self._load(path, scan, kind, quarter, name, target, progress)
        finally:
            if own_session:
                self.close()
        _write_json(
            {"sha256": digest, "file": name, "kind": str(kind), "report": report.to_dict()},
            manifest,
        )
        return LoadedFile(kind, target, report)

    def load_folder(
        self,
        folder: Path,
        quarter: Quarter | str,
        *,
        progress: Progress = None,
        workers: int = 3,
    ) -> list[LoadedFile]:
        """Every extract file found in `folder` (by its name), for `quarter`; others are skipped.

        Files load `workers` at a time (largest first): while one waits on DuckDB, another's
        Python part (reading bytes, explaining refusals, the keyed index) runs. The result
        is in file-name order. A refused file raises once the others have finished; they
        stay loaded (each file is one department's period).
        """
        quarter = as_quarter(quarter)
        files = [
            (file, kind)
            for file in sorted(Path(folder).iterdir())
            if (kind := kind_for_filename(file.name)) is not None
            and kind in EXTRACT_KINDS
            and file.is_file()
        ]
        done = 0
        counted = threading.Lock()

        def step(rows: int) -> None:
            nonlocal done
            with counted:
                done += rows
                total = done
            if progress is not None:
                progress(total)

        largest_first = sorted(files, key=lambda item: -item[0].stat().st_size)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {
                file: pool.submit(self.load, file, kind, quarter, progress=step)
                for file, kind in largest_first
            }
            results = {file: future.result() for file, future in futures.items()}
        return [results[file] for file, _ in files]

    def _load(
        self,
        path: Path,
        scan: _Scan,
        kind: FileKind,
        quarter: Quarter,
        name: str,
        target: Path,
        progress: Progress,
    ) -> FileReport:
        session, work = self._con, self._work
        if session is None or work is None:
            raise RuntimeError("Ingest._load runs inside a session (_open)")
        with self.lock:
            self._files += 1
            work = work / f"file-{self._files}"
        work.mkdir()
        spec = spec_for(kind)
        ctx = extract_context(spec, quarter)
        report = FileReport(file=name, kind=str(kind))
        job = _FileLoad(self)
        # Its own connection to the session's database: its temporary tables are its own
        # and vanish on close; the keyed-index cache is shared.
        con = session.cursor()
        try:
            with _clock(self.timings, "parse"):
                indexes = job._read(con, path, scan, spec, report, work)
            with _clock(self.timings, "validate"):
                job._validate(con, spec, indexes, quarter)
                job._explain_refused(con, spec, indexes, ctx, report)
            if progress is not None:
                progress(report.rows_read)
            with _clock(self.timings, "deduplicate"):
                job._deduplicate(con, spec, report)
            with _clock(self.timings, "match"):
                job._match(con)
            with _clock(self.timings, "write"):
                job._write(con, kind, target, work)
        finally:
            con.close()
            shutil.rmtree(work, ignore_errors=True)
        report.rejected.sort(key=lambda r: r.line)
        return report


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class _FileLoad:
    """The phases of one file's import, with the state they share (thread-confined)."""

    def __init__(self, ingest: Ingest) -> None:
        self.ingest = ingest
        self._width = 0
        self._cells = _EXPLICIT

    # -- reading

    def _read(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        scan: _Scan,
        spec: FileSpec,
        report: FileReport,
        work: Path,
    ) -> dict[str, int]:
        if path.suffix.lower() == ".parquet":
            return self._read_parquet(con, path, spec, report)
        self._cells = _EXPLICIT
        source, encoding = path, None
        if path.suffix.lower() == ".csv" and not scan.utf8 and not _starts_with_utf16_bom(path):
            # One strict GB18030 pass that also writes the UTF-8 copy DuckDB reads.
            source, encoding = work / "utf8.csv", "gb18030"
            _transcode(path, encoding, source, report.file)
        if path.suffix.lower() == ".csv" and (scan.utf8 or source != path):
            fast_encoding = encoding or ("utf-8-sig" if _starts_with_bom(path) else "utf-8")
            header = _csv_header(source, "utf-8-sig")
            lines = scan.lines if header is not None else None
            if header is not None and lines is not None:
                report.format, report.encoding = "csv", fast_encoding
                indexes = resolve_header(spec, header, report)
                self._width = len(header)
                if _load_csv_lines(con, source, self._width, lines):
                    self._cells = _IMPLICIT
                    if source != path:
                        source.unlink()
                    return indexes
                report.unknown_columns.clear()
                report.warnings.clear()
        with open_table(InputFile.of(source, report.file)) as table:
            report.format = table.format
            report.encoding = encoding or table.encoding
            indexes = resolve_header(spec, table.header, report)
            self._width = len(table.header)
            _load_records(con, table.records(), self._width, indexes.get("id_number"))
        if source != path:
            source.unlink()
        return indexes

    def _read_parquet(
        self, con: duckdb.DuckDBPyConnection, path: Path, spec: FileSpec, report: FileReport
    ) -> dict[str, int]:
        report.format = "parquet"
        schema = pq.read_schema(path)
        indexes = resolve_header(spec, list(schema.names), report)
        self._width = len(schema.names)
        columns = "".join(
            f"coalesce(CAST({_quote(n)} AS VARCHAR), '') AS c{i}, "
            for i, n in enumerate(schema.names)
        )
        id_position = indexes.get("id_number")
        numeric = "false"
        if id_position is not None and not pa.types.is_string(schema.field(id_position).type):
            numeric = "true"  # an ID stored as a number: bad_id_format, as in a workbook
        con.execute(
            f"CREATE TEMP TABLE cells AS SELECT file_row_number + 2 AS line, {columns}"  # noqa: S608 - names quoted
            f"'' AS extra, {numeric} AS id_numeric FROM read_parquet(?, file_row_number = true)",
            [str(path)],
        )
        return indexes

    # -- validating

    def _validate(
        self,
        con: duckdb.DuckDBPyConnection,
        spec: FileSpec,
        indexes: dict[str, int],
        quarter: Quarter,
    ) -> None:
        """`checked`: each row's typed values and whether it passes; for a refused row also
        the first failing column (in the row validator's order) and its raw cells."""
        trimmed = ", ".join(
            f"{_trim_sql(_cell(indexes[c.name]))} AS {_trimmed(c.name)}"
            if c.name in indexes
            else f"'' AS {_trimmed(c.name)}"
            for c in spec.columns
        )
        raw = ", ".join(_cell_columns(self._width))
        columns = {
            c.name: _column_sql(c.name, c.type, spec.period_rule, quarter) for c in spec.columns
        }
        derived = "".join(f", {d}" for c in columns.values() for d in c.derived)
        values = ", ".join(f"{c.value} AS v_{c.name}" for c in columns.values())
        order = [spec.columns[position].name for position in check_order(spec)]
        oks = ", ".join(f"coalesce({columns[n].ok}, false) AS ok_{n}" for n in order)
        ok = " AND ".join(f"ok_{n}" for n in order)
        first_bad = " ".join(f"WHEN NOT ok_{n} THEN {i}" for i, n in enumerate(order))
        cells = ", ".join(f"coalesce({c}, '')" for c in _cell_columns(self._width))
        names = ", ".join(f"v_{c.name}" for c in spec.columns)
        con.execute(
            f"CREATE TEMP TABLE checked AS SELECT line, {names}, {ok} AS ok, "  # noqa: S608 - SQL built from the spec
            f"CASE WHEN NOT ({ok}) THEN CASE {first_bad} END END AS bad, "
            f"CASE WHEN NOT ({ok}) THEN [{cells}] END AS refused, extra, id_numeric "
            f"FROM (SELECT line, extra, id_numeric, {raw}, {values}, {oks} "
            f"FROM (SELECT *{derived} FROM (SELECT {self._cells}, {raw}, {trimmed} FROM cells)))"
        )

    def _explain_refused(
        self,
        con: duckdb.DuckDBPyConnection,
        spec: FileSpec,
        indexes: dict[str, int],
        ctx: Context,
        report: FileReport,
    ) -> None:
        """Reason and message of each refused row, from the row validator's parser of the
        column SQL found at fault; blank rows are skipped."""
        ((records,),) = con.execute("SELECT count(*) FROM checked").fetchall()
        checks = compile_checks(spec, indexes, ctx)
        id_position = indexes.get("id_number")
        refused = con.execute(
            "SELECT line, bad, refused, extra, id_numeric FROM checked WHERE NOT ok ORDER BY line"
        )
        while batch := refused.fetchmany(10_000):
            for line, bad, cells, extra, id_numeric in batch:
                if not ("".join(cells) + extra).strip():
                    report.blank_rows += 1
                    continue
                if id_numeric and id_position is not None:
                    cells[id_position] = NumberCell(cells[id_position])
                index, _, parse = checks[bad]
                try:
                    parse(cells[index] if index < len(cells) else "")
                except RowRejected as rejected:
                    report.reject(line, rejected.reason, rejected.message, rejected.column)
                    continue
                raise RuntimeError(
                    f"{report.file} line {line}: the SQL checks refused a cell the row "
                    "validator accepts — jiuzhu.screening.ingest and jiuzhu.exchange.columns "
                    "disagree"
                )
        report.rows_read = int(records) - report.blank_rows

    def _deduplicate(
        self, con: duckdb.DuckDBPyConnection, spec: FileSpec, report: FileReport
    ) -> None:
        """One row per distinct typed row, at its first line; the later ones are duplicates."""
        names = [f"v_{c.name}" for c in spec.columns]
        keys = ", ".join(names)
        con.execute(
            f"CREATE TEMP TABLE good AS SELECT {keys}, min(line) AS line, count(*) AS copies "  # noqa: S608 - SQL built from the spec
            f"FROM checked WHERE ok GROUP BY {keys}"
        )
        same = " AND ".join(f"c.{n} IS NOT DISTINCT FROM g.{n}" for n in names)
        for line, first_line in con.execute(
            f"SELECT c.line, g.line FROM checked c JOIN (SELECT * FROM good WHERE copies > 1) g "  # noqa: S608 - SQL built from the spec
            f"ON {same} WHERE c.ok AND c.line <> g.line ORDER BY c.line"
        ).fetchall():
            report.reject(int(line), "duplicate", duplicate_message(int(first_line)))
        con.execute("DROP TABLE checked")
        ((loaded,),) = con.execute("SELECT count(*) FROM good").fetchall()
        report.rows_loaded = int(loaded)

    # -- matching and writing

    def _match(self, con: duckdb.DuckDBPyConnection) -> None:
        """Blind indexes for the ID numbers not seen earlier in this session.

        Under the session's lock: two files loading at once must not both add a number.
        """
        with self.ingest.lock:
            self._match_locked(con)

    def _match_locked(self, con: duckdb.DuckDBPyConnection) -> None:
        new = (
            con.sql(
                "SELECT DISTINCT g.v_id_number FROM good g ANTI JOIN id_cache c "
                "ON c.id_number = g.v_id_number"
            )
            .to_arrow_table()
            .column(0)
        )
        index = self.ingest.index
        batch = pa.table(
            {
                "id_number": new,
                "id_index": pa.array([index(n) for n in new.to_pylist()], pa.string()),
            }
        )
        con.register("new_ids", batch)
        con.execute("INSERT INTO id_cache SELECT id_number, id_index FROM new_ids")
        con.unregister("new_ids")

    def _write(
        self, con: duckdb.DuckDBPyConnection, kind: FileKind, target: Path, work: Path
    ) -> None:
        schema = EXTRACT_SCHEMAS[kind]
        types = {
            pa.string(): "VARCHAR",
            pa.int64(): "BIGINT",
            pa.date32(): "DATE",
            pa.decimal128(18, 6): "DECIMAL(18, 6)",
        }
        select = ", ".join(
            "m.id_index"
            if f.name == "id_index"
            else f"CAST(g.v_{f.name.removesuffix('_fen')} AS {types[f.type]}) AS {f.name}"
            for f in schema
        )
        tmp = work / "extract.parquet"
        # DuckDB writes the file itself, in parallel; it marks columns REQUIRED (they hold
        # no null), which the engine's reader casts away (rules.open_tables).
        con.execute(
            f"COPY (SELECT {select} FROM good g JOIN id_cache m "  # noqa: S608 - SQL from the schema
            f"ON m.id_number = g.v_id_number) TO {_literal(str(tmp))} (FORMAT parquet, COMPRESSION uncompressed)"
        )
        os.replace(tmp, target)


def load_quarter_folder(
    folder: Path,
    quarter: Quarter | str,
    data_dir: Path,
    *,
    keyring: KeyRing,
    progress: Progress = None,
    timings: Timings | None = None,
) -> list[LoadedFile]:
    """Validate every extract file found in `folder` for `quarter` and write it.

    Files whose name is no extract kind are skipped; the reports say what was
    rejected. Raises the exchange errors (`MissingColumn`, …) of a refused
    file; the files loaded before it stay loaded (each file is one
    department's period, replaced atomically).
    """
    with Ingest(data_dir, keyring=keyring, timings=timings) as ingest:
        return ingest.load_folder(folder, quarter, progress=progress)


__all__ = [
    "Ingest",
    "Timings",
    "UnreadableFile",
    "load_quarter_folder",
    "manifest_path",
]
