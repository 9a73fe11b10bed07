"""Data exchange (数据交换): reading and validating the files of `data-exchange.md`.

Framework-free (the import-linter contract `framework-free-core`): plain
files in, typed rows and a report out. Loading into the database is the
caller's business.

- `validate_roster(RosterFiles(...), import_day=…, existing_divisions=…, jurisdiction_code=…)`
  → `RosterResult` (divisions, households, members, report);
- `validate_extract(path, "tax_income", "2026Q1")` → `ExtractResult` (rows, report),
  or `open_extract(...)` to stream the rows;
- the file kinds and their columns are declared once in `specs.SPECS`.
"""

from jiuzhu.exchange.errors import (
    BadPeriod,
    DuplicateColumn,
    ExchangeError,
    FileRefused,
    MissingColumn,
    UnreadableFile,
)
from jiuzhu.exchange.extracts import ExtractResult, ExtractStream, open_extract, validate_extract
from jiuzhu.exchange.periods import Quarter
from jiuzhu.exchange.reader import InputFile
from jiuzhu.exchange.report import REASONS, FileReport, ImportReport, Rejection
from jiuzhu.exchange.roster import ExistingDivision, RosterFiles, RosterResult, validate_roster
from jiuzhu.exchange.rows import (
    BusinessRow,
    DeathRow,
    DivisionRow,
    ExtractRow,
    HouseholdRow,
    HrssBenefitRow,
    MedicalSettlementRow,
    MemberRow,
    PropertyRow,
    TaxIncomeRow,
    VehicleRow,
)
from jiuzhu.exchange.specs import (
    EXTRACT_KINDS,
    ROSTER_KINDS,
    SPECS,
    FileKind,
    kind_for_filename,
    spec_for,
)

__all__ = [
    "EXTRACT_KINDS",
    "REASONS",
    "ROSTER_KINDS",
    "SPECS",
    "BadPeriod",
    "BusinessRow",
    "DeathRow",
    "DivisionRow",
    "DuplicateColumn",
    "ExchangeError",
    "ExistingDivision",
    "ExtractResult",
    "ExtractRow",
    "ExtractStream",
    "FileKind",
    "FileRefused",
    "FileReport",
    "HouseholdRow",
    "HrssBenefitRow",
    "ImportReport",
    "InputFile",
    "MedicalSettlementRow",
    "MemberRow",
    "MissingColumn",
    "PropertyRow",
    "Quarter",
    "Rejection",
    "RosterFiles",
    "RosterResult",
    "TaxIncomeRow",
    "UnreadableFile",
    "VehicleRow",
    "kind_for_filename",
    "open_extract",
    "spec_for",
    "validate_extract",
    "validate_roster",
]
