"""Department extracts in, warning list out: the Django side of the screening engine.

The engine (`jiuzhu.screening`) knows no database; this module gives it the
roster of record from the registry (ID numbers as the blind indexes the
registry already keeps — nothing is decrypted), the extracts' folder, the
thresholds from the dated policy parameters, and the key ring.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import ibis
from django.conf import settings

from jiuzhu.core.keys import keyring
from jiuzhu.divisions.models import Division, Level
from jiuzhu.exchange import Quarter
from jiuzhu.exchange.periods import as_quarter
from jiuzhu.policy.services import parameter_table
from jiuzhu.registry.models import Household, Member, Program
from jiuzhu.screening import LoadedFile, ScreeningWarning, Thresholds, load_quarter_folder, screen
from jiuzhu.screening.load import fen, write_roster_rows


def screening_dir() -> Path:
    """Where the Parquet roster and extracts live (never served; no clear ID number inside)."""
    return Path(settings.DATA_DIR) / "screening"


def import_extracts(folder: Path, period: str) -> list[LoadedFile]:
    """Every extract file found in `folder`, for one quarter; a quarter's file is replaced."""
    return load_quarter_folder(folder, as_quarter(period), screening_dir(), keyring=keyring())


def export_roster(data_dir: Path) -> int:
    """The recipients of the registry as the engine's roster; returns the number of households."""
    recipients = Household.objects.exclude(program=Program.NONE)
    households = [
        (
            no,
            code,
            program,
            review_class or None,
            enrolled_on,
            last_verified_on,
            fen(benefit),
            fen(declared),
        )
        for no, code, program, review_class, enrolled_on, last_verified_on, benefit, declared in recipients.values_list(
            "household_no",
            "community__code",
            "program",
            "review_class",
            "enrolled_on",
            "last_verified_on",
            "monthly_benefit",
            "declared_monthly_income",
        ).iterator(chunk_size=5000)
    ]
    members = list(
        Member.objects.filter(household__in=recipients, left_on__isnull=True)
        .values_list(
            "household__household_no",
            "id_number_index",
            "relation",
            "labor_ability",
            "disability_grade",
            "health",
            "is_student",
            "employment",
        )
        .iterator(chunk_size=5000)
    )
    write_roster_rows(households, members, data_dir)
    return len(households)


def thresholds_for(quarter: Quarter, region_code: str) -> Thresholds:
    """The screening ratios in force on the last day of the quarter (data-exchange.md §3)."""
    on = quarter.end
    table = parameter_table()
    return Thresholds(
        income_swing_ratio=Fraction(table.resolve("income_swing_ratio", region_code, on).value),
        medical_burden_ratio=Fraction(table.resolve("medical_burden_ratio", region_code, on).value),
    )


def county_code() -> str:
    county = Division.objects.filter(level=Level.COUNTY).order_by("code").first()
    return county.code if county is not None else ""


def run_screening(period: str) -> list[ScreeningWarning]:
    """Export the roster, then screen `period` on DuckDB."""
    quarter = as_quarter(period)
    data_dir = screening_dir()
    export_roster(data_dir)
    return screen(ibis.duckdb.connect(), data_dir, quarter, thresholds_for(quarter, county_code()))


def warning_row(warning: ScreeningWarning) -> dict[str, Any]:
    """One line of `jiuzhu screen --output`: household_id, rule, members, details."""
    return {
        "household_id": warning.household_id,
        "rule": warning.rule,
        "members": ";".join(warning.members),
        "details": json.dumps(warning.details, ensure_ascii=False, sort_keys=True),
    }
