"""Department extract files → Parquet, validated in DuckDB: the import path at scale.

Why not the row validator of `jiuzhu.exchange` alone: a county's quarter is
millions of rows, and checking them one Python object at a time takes
minutes. Here DuckDB reads the file, every column check of the standard runs
as one vectorised SQL predicate, duplicates are found with a window, and ID
numbers become blind indexes once per distinct number. Only the rows SQL
refuses (about 1%) go through the row validator (`compile_checks`,
`parse_cells`), which gives each its reason code and Chinese message — so
reasons and messages keep one home. The SQL predicates mirror
`jiuzhu.exchange.columns`; `tests/screening/test_ingest.py` holds the two to
the same decisions, row by row, on the sample set and on fuzzed cells, and
the import fails loudly if they ever disagree on a refused row.

Reading: a CSV whose bytes hold no quote, no NUL, no blank line and no bare
CR (nearly every department export) is read by DuckDB line by line, so the
record of line n is the (n−1)th data line. Anything else — quoted fields,
XLSX, odd line ends — is read by `jiuzhu.exchange.reader` (which tracks
physical lines through quoted line breaks) and handed to DuckDB as Arrow.
GB18030 is transcoded to a private temporary UTF-8 copy first. Parquet input
(columns as in the standard) is read directly; `line` is then the row number
plus one, as if a header preceded it.

No clear ID number reaches the disk through this module: temporary copies
and DuckDB's spill directory live in a private temporary folder removed at
the end, and the Parquet written holds `id_index` only.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import mmap
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
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
from jiuzhu.exchange.validate import compile_checks, parse_cells, resolve_header
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


# ------------------------------------------------------------------ the keyed index


class IndexCache:
    """Clear ID number → blind index, computed once per number for one import run.

    Kept in memory only; the same person recurs across a quarter's files.
    """

    def __init__(self, keyring: KeyRing) -> None:
        self._index = keyring.blind_indexer(purpose=ID_PURPOSE)
        self._known: dict[str, str] = {}

    def table(self, numbers: list[str]) -> pa.Table:
        known, index = self._known, self._index
        out: list[str] = []
        for number in numbers:
            value = known.get(number)
            if value is None:
                value = known[number] = index(number)
            out.append(value)
        return pa.table({"id_number": pa.array(numbers, pa.string()), "id_index": out})


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
    return f"coalesce(cells[{index + 1}], '')"


def _trim_sql(cell: str) -> str:
    """Python's `str.strip()`; the common case (no whitespace at either end) skips the scan."""
    return (
        f"CASE WHEN unicode({cell}) BETWEEN 33 AND 132 AND unicode(right({cell}, 1)) "
        f"BETWEEN 33 AND 132 THEN {cell} ELSE trim({cell}, {_literal(_WHITESPACE)}) END"
    )


def _period_sql(rule: PeriodRule, first: str, last: str, quarter: Quarter) -> str:
    if rule == "none":
        return "true"
    after_end = f"{first} <= {_date(quarter.end)}"
    if rule == "end":
        return after_end
    return f"({after_end} AND {last} >= {_date(quarter.start)})"


def _id_sql(t: str, quarter: Quarter) -> _Column:
    # n: the normalised number; p: its first 17 characters as an integer, so that the
    # check character and the birth date come from integer arithmetic, not string slicing.
    n, p = "n_id_number", "p_id_number"
    derived = (f"upper({t}) AS {n}", f"TRY_CAST(substr(upper({t}), 1, 17) AS BIGINT) AS {p}")
    total = " + ".join(f"(({p} // {10 ** (16 - i)}) % 10) * {w}" for i, w in enumerate(_ID_WEIGHTS))
    y, m, d = (
        f"CAST(({p} // {10**k}) % {mod} AS INTEGER)" for k, mod in ((7, 10000), (5, 100), (3, 100))
    )
    ok = (
        f"CASE WHEN NOT id_numeric AND regexp_full_match({n}, '[0-9]{{17}}[0-9X]') THEN "
        f"substr({n}, 18, 1) = substr('10X98765432', (({total}) % 11) + 1, 1) "
        f"AND CASE WHEN {m} BETWEEN 1 AND 12 AND {d} >= 1 "
        f"AND {d} <= day(last_day(make_date({y}, {m}, 1))) "
        f"THEN make_date({y}, {m}, {d}) BETWEEN DATE '1900-01-01' AND {_date(quarter.end)} "
        f"ELSE false END ELSE false END"
    )
    return _Column("id_number", n, ok, derived)


def _column_sql(name: str, kind: ColumnType, rule: PeriodRule, quarter: Quarter) -> _Column:
    t = _trimmed(name)
    match kind:
        case IdNumber():
            return _id_sql(t, quarter)
        case Text(max_length=max_length, required=required):
            ok = f"length({t}) <= {max_length}" + (f" AND {t} <> ''" if required else "")
            return _Column(name, t, ok)
        case Date(optional=optional):
            day = f"TRY_CAST({t} AS DATE)"
            valid = (
                f"CASE WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
                f"AND substr({t}, 1, 4) <> '0000' THEN {day} IS NOT NULL "
                f"AND {_period_sql(rule, day, day, quarter)} ELSE false END"
            )
            empty = "true" if optional else "false"
            return _Column(
                name,
                f"CASE WHEN {t} = '' THEN NULL ELSE {day} END",
                f"CASE WHEN {t} = '' THEN {empty} ELSE {valid} END",
            )
        case Month():
            year = f"TRY_CAST(substr({t}, 1, 4) AS INTEGER)"
            month = f"TRY_CAST(substr({t}, 6, 2) AS INTEGER)"
            first = f"make_date({year}, {month}, 1)"
            ok = (
                f"CASE WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}') "
                f"AND {month} BETWEEN 1 AND 12 AND {year} >= 1 "
                f"THEN {_period_sql(rule, first, f'last_day({first})', quarter)} ELSE false END"
            )
            value = f"CASE WHEN {ok} THEN {first} END"
            return _Column(name, value, ok)
        case Money():
            amount = f"TRY_CAST({t} AS DECIMAL(38, 2))"
            ok = (
                f"CASE WHEN regexp_full_match({t}, '[0-9]+(\\.[0-9]{{1,2}})?') "
                f"THEN coalesce({amount} <= {_MAX_AMOUNT}, false) ELSE false END"
            )
            return _Column(name, f"CAST({amount} * 100 AS BIGINT)", ok)
        case Code(codes=codes):
            whens = " ".join(
                f"WHEN {_literal(key)} THEN {_literal(word)}"
                for word in codes.words
                for key in dict.fromkeys((word.lower(), *codes.labels[word]))
            )
            value = f"CASE lower({t}) {whens} END"
            return _Column(name, value, f"({value}) IS NOT NULL")
        case Area():
            ok = f"regexp_full_match({t}, '[0-9]{{1,12}}(\\.[0-9]{{1,6}})?')"
            return _Column(name, f"CASE WHEN {ok} THEN CAST({t} AS DECIMAL(18, 6)) END", ok)
    raise NotImplementedError(f"no SQL check for {type(kind).__name__} ({name})")


# ------------------------------------------------------------------ reading into `cells`


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _plain_lines(path: Path) -> bool:
    """True when every physical line after the header is one record DuckDB can split on commas."""
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if any(data.find(b) != -1 for b in (b'"', b"\x00", b"\x01", b"\n\n", b"\n\r\n")):
            return False
        if data.find(b"\r") != -1:
            crs = sum(1 for _ in _iter_find(data, b"\r"))
            if crs != sum(1 for _ in _iter_find(data, b"\r\n")):
                return False
        return True


def _iter_find(data: mmap.mmap, needle: bytes) -> Iterator[int]:
    at = data.find(needle)
    while at != -1:
        yield at
        at = data.find(needle, at + 1)


def _transcode(source: Path, encoding: str, target: Path) -> None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    with source.open("rb") as src, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := src.read(_CHUNK):
            out.write(decoder.decode(chunk))
        out.write(decoder.decode(b"", final=True))


def _load_csv_lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    # `\x01` cannot occur (checked): each physical line arrives whole, in file order (rowid).
    con.execute(
        "CREATE TEMP TABLE raw AS SELECT line FROM read_csv(?, header = true, "
        "columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '', escape = '', "
        "auto_detect = false, null_padding = false)",
        [str(path)],
    )
    con.execute(
        "CREATE TEMP TABLE cells AS SELECT rowid + 2 AS line, "
        "string_split(coalesce(line, ''), ',') AS cells, false AS id_numeric FROM raw"
    )
    con.execute("DROP TABLE raw")


_CELLS_SCHEMA = pa.schema(
    [("line", pa.int64()), ("cells", pa.list_(pa.string())), ("id_numeric", pa.bool_())]
)


def _load_records(
    con: duckdb.DuckDBPyConnection,
    records: Iterator[tuple[int, list[str]]],
    id_position: int | None,
) -> None:
    con.execute("CREATE TEMP TABLE cells (line BIGINT, cells VARCHAR[], id_numeric BOOLEAN)")

    def flush(lines: list[int], rows: list[list[str]], numeric: list[bool]) -> None:
        batch = pa.Table.from_arrays(
            [pa.array(lines, pa.int64()), pa.array(rows), pa.array(numeric, pa.bool_())],
            schema=_CELLS_SCHEMA,
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


@contextmanager
def _clock(timings: Timings | None, phase: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
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
    """Loads extract files for one run, sharing the keyed-index cache and the timings."""

    def __init__(
        self,
        data_dir: Path,
        *,
        keyring: KeyRing,
        memory_limit: str = "2GB",
        threads: int | None = None,
        timings: Timings | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.index = IndexCache(keyring)
        self.memory_limit = memory_limit
        self.threads = threads
        self.timings = timings

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
        digest = _sha256(path)
        previous = _read_manifest(manifest)
        if previous and previous.get("sha256") == digest and target.is_file():
            report = FileReport.from_dict(previous["report"])
            report.file = name
            report.warnings.append("该文件与本期已导入的文件完全相同，未重复导入")
            if progress is not None:
                progress(report.rows_read)
            return LoadedFile(kind, target, report, unchanged=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".ingest-", dir=target.parent))
        try:
            os.chmod(work, 0o700)
            report = self._load(path, kind, quarter, name, target, work, progress)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        _write_json(
            {"sha256": digest, "file": name, "kind": str(kind), "report": report.to_dict()},
            manifest,
        )
        return LoadedFile(kind, target, report)

    def _load(
        self,
        path: Path,
        kind: FileKind,
        quarter: Quarter,
        name: str,
        target: Path,
        work: Path,
        progress: Progress,
    ) -> FileReport:
        spec = spec_for(kind)
        ctx = extract_context(spec, quarter)
        report = FileReport(file=name, kind=str(kind))
        con = _connect(work, self.memory_limit, self.threads)
        try:
            with _clock(self.timings, "parse"):
                indexes = self._read(con, path, spec, report, work)
            with _clock(self.timings, "validate"):
                self._validate(con, spec, indexes, quarter)
                self._explain_refused(con, spec, indexes, ctx, report)
            if progress is not None:
                progress(report.rows_read)
            with _clock(self.timings, "deduplicate"):
                self._deduplicate(con, spec, report)
            with _clock(self.timings, "match"):
                self._match(con)
            with _clock(self.timings, "write"):
                self._write(con, kind, target, work)
        finally:
            con.close()
        report.rejected.sort(key=lambda r: r.line)
        return report

    # -- reading

    def _read(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        spec: FileSpec,
        report: FileReport,
        work: Path,
    ) -> dict[str, int]:
        if path.suffix.lower() == ".parquet":
            return self._read_parquet(con, path, spec, report)
        with open_table(InputFile.of(path, report.file)) as table:
            report.format = table.format
            report.encoding = table.encoding
            indexes = resolve_header(spec, table.header, report)
            id_position = indexes.get("id_number")
            if table.format == "csv" and table.header_line == 1:
                source = path
                if table.encoding not in ("utf-8", "utf-8-sig"):
                    source = work / "utf8.csv"
                    _transcode(path, str(table.encoding), source)
                plain = _plain_lines(source)
                if plain:
                    _load_csv_lines(con, source)
                if source != path:
                    source.unlink()
                if plain:
                    return indexes
            _load_records(con, table.records(), id_position)
        return indexes

    def _read_parquet(
        self, con: duckdb.DuckDBPyConnection, path: Path, spec: FileSpec, report: FileReport
    ) -> dict[str, int]:
        report.format = "parquet"
        schema = pq.read_schema(path)
        indexes = resolve_header(spec, list(schema.names), report)
        columns = ", ".join(f"CAST({_quote(n)} AS VARCHAR)" for n in schema.names)
        id_position = indexes.get("id_number")
        numeric = "false"
        if id_position is not None and not pa.types.is_string(schema.field(id_position).type):
            numeric = "true"  # an ID stored as a number: bad_id_format, as in a workbook
        con.execute(
            f"CREATE TEMP TABLE cells AS SELECT file_row_number + 2 AS line, "  # noqa: S608 - SQL built from the spec; file names are quoted
            f"list_transform([{columns}], lambda x: coalesce(x, '')) AS cells, "
            f"{numeric} AS id_numeric FROM read_parquet(?, file_row_number = true)",
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
        trimmed = ", ".join(
            f"{_trim_sql(_cell(indexes[c.name]))} AS {_trimmed(c.name)}"
            if c.name in indexes
            else f"'' AS {_trimmed(c.name)}"
            for c in spec.columns
        )
        columns = [_column_sql(c.name, c.type, spec.period_rule, quarter) for c in spec.columns]
        derived = "".join(f", {d}" for c in columns for d in c.derived)
        values = ", ".join(f"{c.value} AS v_{c.name}" for c in columns)
        ok = " AND ".join(f"coalesce({c.ok}, false)" for c in columns)
        con.execute(
            f"CREATE TEMP TABLE checked AS SELECT line, {values}, {ok} AS ok "  # noqa: S608 - SQL built from the spec
            f"FROM (SELECT *{derived} FROM (SELECT line, id_numeric, {trimmed} FROM cells))"
        )

    def _explain_refused(
        self,
        con: duckdb.DuckDBPyConnection,
        spec: FileSpec,
        indexes: dict[str, int],
        ctx: Context,
        report: FileReport,
    ) -> None:
        """Reason and message of each refused row, from the row validator; blank rows are skipped."""
        ((records,),) = con.execute("SELECT count(*) FROM checked").fetchall()
        checks = compile_checks(spec, indexes, ctx)
        width = len(spec.columns)
        id_position = indexes.get("id_number")
        refused = con.execute(
            "SELECT c.line, c.cells, c.id_numeric FROM cells c JOIN checked k USING (line) "
            "WHERE NOT k.ok ORDER BY c.line"
        )
        while batch := refused.fetchmany(10_000):
            for line, cells, id_numeric in batch:
                if not "".join(cells).strip():
                    report.blank_rows += 1
                    continue
                if id_numeric and id_position is not None:
                    cells[id_position] = NumberCell(cells[id_position])
                try:
                    parse_cells(checks, width, cells)
                except RowRejected as rejected:
                    report.reject(line, rejected.reason, rejected.message, rejected.column)
                    continue
                raise RuntimeError(
                    f"{report.file} line {line}: the SQL checks refused a row the row "
                    "validator accepts — jiuzhu.screening.ingest and jiuzhu.exchange.columns "
                    "disagree"
                )
        report.rows_read = int(records) - report.blank_rows
        con.execute("DROP TABLE cells")

    def _deduplicate(
        self, con: duckdb.DuckDBPyConnection, spec: FileSpec, report: FileReport
    ) -> None:
        keys = ", ".join(f"v_{c.name}" for c in spec.columns)
        con.execute(
            f"CREATE TEMP TABLE good AS SELECT *, min(line) OVER w AS first_line FROM "  # noqa: S608 - SQL built from the spec; file names are quoted
            f"(SELECT line, {keys} FROM checked WHERE ok) WINDOW w AS (PARTITION BY {keys})"
        )
        con.execute("DROP TABLE checked")
        for line, first_line in con.execute(
            "SELECT line, first_line FROM good WHERE line <> first_line ORDER BY line"
        ).fetchall():
            report.reject(int(line), "duplicate", duplicate_message(int(first_line)))
        ((loaded,),) = con.execute("SELECT count(*) FROM good WHERE line = first_line").fetchall()
        report.rows_loaded = int(loaded)

    # -- matching and writing

    def _match(self, con: duckdb.DuckDBPyConnection) -> None:
        numbers = (
            con.sql("SELECT DISTINCT v_id_number FROM good WHERE line = first_line")
            .to_arrow_table()
            .column(0)
            .to_pylist()
        )
        con.register("id_index_map", self.index.table(numbers))
        con.execute("CREATE TEMP TABLE id_map AS SELECT id_number, id_index FROM id_index_map")
        con.unregister("id_index_map")

    def _write(
        self, con: duckdb.DuckDBPyConnection, kind: FileKind, target: Path, work: Path
    ) -> None:
        schema = EXTRACT_SCHEMAS[kind]
        names = [n for n in schema.names if n != "id_index"]
        select = ", ".join(["m.id_index", *(f"g.v_{n.removesuffix('_fen')} AS {n}" for n in names)])
        reader = con.sql(
            f"SELECT {select} FROM good g JOIN id_map m ON m.id_number = g.v_id_number "  # noqa: S608 - SQL built from the spec; file names are quoted
            "WHERE g.line = g.first_line ORDER BY g.line"
        ).to_arrow_reader(_BATCH)
        tmp = work / "extract.parquet"
        with pq.ParquetWriter(tmp, schema) as writer:
            for batch in reader:
                writer.write_table(pa.Table.from_batches([batch]).cast(schema))
        os.replace(tmp, target)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


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
    quarter = as_quarter(quarter)
    ingest = Ingest(data_dir, keyring=keyring, timings=timings)
    loaded: list[LoadedFile] = []
    done = 0

    def step(rows: int) -> None:
        if progress is not None:
            progress(done + rows)

    for file in sorted(Path(folder).iterdir()):
        kind = kind_for_filename(file.name)
        if kind is None or kind not in EXTRACT_KINDS or not file.is_file():
            continue
        result = ingest.load(file, kind, quarter, progress=step)
        done += result.report.rows_read
        loaded.append(result)
    return loaded


__all__ = [
    "IndexCache",
    "Ingest",
    "Timings",
    "UnreadableFile",
    "load_quarter_folder",
    "manifest_path",
]
