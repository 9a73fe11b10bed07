"""The screening engine (大数据筛查): extracts and roster in, warning list (预警清单) out.

Framework-free (import-linter contract `screening-is-framework-free`): no
Django, no database driver. `ingest` validates department files in DuckDB
and writes them as Parquet, `load` writes typed rows the same way (ID
numbers as keyed blind indexes, money in fen); `rules` holds the six
rules of data-exchange.md §3 as Ibis expressions and `screen`, which runs
them on any Ibis backend (DuckDB: `ibis.duckdb.connect()`).
"""

from jiuzhu.screening.ingest import Ingest, Timings, load_quarter_folder
from jiuzhu.screening.load import (
    LoadedFile,
    extract_path,
    write_extract,
    write_roster,
    write_roster_rows,
)
from jiuzhu.screening.rules import (
    DIRECTIONS,
    RULES,
    ScreeningWarning,
    Tables,
    Thresholds,
    open_tables,
    screen,
)

__all__ = [
    "DIRECTIONS",
    "RULES",
    "Ingest",
    "LoadedFile",
    "ScreeningWarning",
    "Tables",
    "Thresholds",
    "Timings",
    "extract_path",
    "load_quarter_folder",
    "open_tables",
    "screen",
    "write_extract",
    "write_roster",
    "write_roster_rows",
]
