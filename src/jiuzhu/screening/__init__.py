"""The screening engine (大数据筛查): extracts and roster in, warning list (预警清单) out.

Framework-free (import-linter contract `screening-is-framework-free`): no
Django, no database driver. `load` writes validated exchange rows as Parquet
(ID numbers as keyed blind indexes, money in fen); `rules` holds the six
rules of data-exchange.md §3 as Ibis expressions and `screen`, which runs
them on any Ibis backend (DuckDB: `ibis.duckdb.connect()`).
"""

from jiuzhu.screening.load import (
    LoadedFile,
    extract_path,
    load_quarter_folder,
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
    "LoadedFile",
    "ScreeningWarning",
    "Tables",
    "Thresholds",
    "extract_path",
    "load_quarter_folder",
    "open_tables",
    "screen",
    "write_extract",
    "write_roster",
    "write_roster_rows",
]
