"""DuckDB and Spark give the same warning list, whole: household, rule, members, details, direction.

The same `rules.py` expressions run on both engines (`jiuzhu.screening.backends`);
the lists are compared as a whole, details values with their Python types, on the
shared sample set and on hand-made tables that sit at every rule's near misses.
The Spark half runs on a local SparkSession (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import ibis
import pytest

from jiuzhu.exchange import (
    BusinessRow,
    DeathRow,
    ExtractRow,
    HouseholdRow,
    HrssBenefitRow,
    ImportReport,
    MedicalSettlementRow,
    MemberRow,
    PropertyRow,
    RosterResult,
    TaxIncomeRow,
    VehicleRow,
)
from jiuzhu.protection.sm import KeyRing
from jiuzhu.screening import (
    RULES,
    ScreeningWarning,
    Thresholds,
    load_quarter_folder,
    screen,
    write_extract,
    write_roster,
)
from jiuzhu.screening.backends import (
    CONF_ENV,
    ENGINES,
    MASTER_ENV,
    EngineUnavailable,
    connect,
    parse_conf,
    spark_options,
)
from tests.exchange.helpers import make_id
from tests.screening.test_samples import SAMPLES, THRESHOLDS, _roster

Q = "2026Q1"
VERIFIED = dt.date(2025, 6, 30)
BEYOND_FLOAT = Decimal("90071992547409.93")  # 2**53 + 1 fen: a float64 would round it
BIG_NOW = (BEYOND_FLOAT * Decimal("1.3")).quantize(Decimal("0.01"))  # +30%, still odd fen

# PySpark leaves the socket of each collected result to the garbage collector.
pytestmark = pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning")

Row = tuple[str, str, tuple[str, ...], dict[str, tuple[str, Any]], str]


def whole(warnings: list[ScreeningWarning]) -> list[Row]:
    """Every field, details with their types (ScreeningWarning's == skips details)."""
    return [
        (
            w.household_id,
            w.rule,
            w.members,
            {k: (type(v).__name__, v) for k, v in w.details.items()},
            w.direction,
        )
        for w in warnings
    ]


@pytest.fixture
def duck() -> Iterator[Any]:
    backend = ibis.duckdb.connect()
    yield backend
    backend.disconnect()


# ------------------------------------------------------------------ the shared samples


@pytest.fixture(scope="module")
def samples_dir(tmp_path_factory: pytest.TempPathFactory, keyring: KeyRing) -> Path:
    if not (SAMPLES / "expected_warnings.csv").is_file():
        pytest.skip(f"exchange samples not found at {SAMPLES} (set JIUZHU_EXCHANGE_SAMPLES)")
    data_dir = tmp_path_factory.mktemp("agree-samples")
    write_roster(_roster(), data_dir, keyring=keyring)
    for folder in sorted(SAMPLES.iterdir()):
        if folder.is_dir() and folder.name[:4].isdigit():
            load_quarter_folder(folder, folder.name, data_dir, keyring=keyring)
    return data_dir


@pytest.mark.spark
def test_the_samples_give_the_same_list_on_both_engines(
    samples_dir: Path, duck: Any, spark_con: Any
) -> None:
    on_duckdb = whole(screen(duck, samples_dir, Q, THRESHOLDS))
    on_spark = whole(screen(spark_con, samples_dir, Q, THRESHOLDS))
    assert len(on_duckdb) > 20
    assert {row[1] for row in on_duckdb} == set(RULES)
    assert on_spark == on_duckdb


# ---------------------------------------------------------------- the near-miss tables


def _id(n: int) -> str:
    return make_id(order=n)


def _household(
    hid: str, *, declared: str = "0.00", verified: dt.date | None = VERIFIED
) -> HouseholdRow:
    enrolled = dt.date(2020, 1, 1)
    benefit, income = Decimal("500.00"), Decimal(declared)
    return HouseholdRow(
        0, hid, "510104001001", "测试地址", "dibao", "B", enrolled, verified, benefit, income
    )


def _tax(n: int, month: str, amount: Decimal | str) -> TaxIncomeRow:
    return TaxIncomeRow(0, _id(n), dt.date.fromisoformat(month + "-01"), "wage", Decimal(amount))


def _hrss(n: int, month: str, amount: Decimal | str) -> HrssBenefitRow:
    day = dt.date.fromisoformat(month + "-01")
    return HrssBenefitRow(0, _id(n), day, "pension", Decimal(amount))


def _settlement(n: int, on: dt.date, paid: str) -> MedicalSettlementRow:
    return MedicalSettlementRow(0, _id(n), on, Decimal("9999.00"), Decimal("1.00"), Decimal(paid))


# household → its members' numbers (member n has ID make_id(order=n))
HOUSEHOLDS: dict[str, tuple[int, ...]] = {
    # INCOME_SWING: (previous quarter, this quarter)
    "S_EXACT": (1,),  # 1000.00 → 1200.00: exactly 20%, no
    "S_OVER": (2,),  # 1000.00 → 1200.10: fires
    "S_DOWN": (3,),  # 1000.00 → 799.90: fires
    "S_ZERO_SOME": (4,),  # 0 → 0.01: fires
    "S_SOME_ZERO": (5,),  # 500.00 → 0: fires
    "S_TWO": (6, 7),  # two members, tax and HRSS: 1000.00 → 1500.00, fires
    "S_BIG": (8,),  # 2**53+1 fen → 2**53+1 fen + 30%: fires, exact
    # MEDICAL_BURDEN (declared 1000.00 a month → 12,000.00 a year, 30% = 3,600.00)
    "M30": (11,),
    "M3001": (12,),
    "M_OUT": (13,),  # only a settlement the day before the 12 months
    "M_ZERO": (14,),  # no income at all, 0.01 paid: fires
    "M_EXTRACT": (15, 16),  # extract income above declared; both members paid
    # assets (last check 2025-06-30)
    "P_EQ": (21,),
    "P_AFTER": (22,),
    "P_ENROLLED": (23,),  # never verified: enrolled_on 2020-01-01 counts
    "P_OLD_SNAPSHOT": (24,),  # only in the 2025Q4 snapshot: not the latest
    "P_AFTER_Q": (25,),
    "V_TWO": (26, 27),  # two vehicles, two members
    "V_EQ": (28,),
    "B_AFTER": (29,),
    "B_EQ": (30,),
    # MEMBER_DECEASED
    "D_OLD": (31,),
    "D_Q": (32, 33),  # one of two members died on Q's last day
    "D_LATER": (34,),  # registered for 2026Q2 only
    "QUIET": (35,),  # nothing at all
}
DECLARED = {"M30": "1000.00", "M3001": "1000.00", "M_EXTRACT": "100.00"}


def _extracts() -> dict[tuple[str, str], list[ExtractRow]]:
    after = VERIFIED + dt.timedelta(days=1)
    return {
        ("2025Q3", "hrss_benefits"): [],  # an empty file of a kind
        ("2025Q4", "tax_income"): [
            _tax(1, "2025-10", "1000.00"),
            _tax(2, "2025-11", "1000.00"),
            _tax(3, "2025-12", "1000.00"),
            _tax(5, "2025-12", "500.00"),
            _tax(6, "2025-10", "600.00"),
            _tax(8, "2025-11", BEYOND_FLOAT),
            _tax(15, "2025-12", "10000.00"),
        ],
        ("2025Q4", "hrss_benefits"): [_hrss(7, "2025-12", "400.00")],
        (Q, "tax_income"): [
            _tax(1, "2026-01", "600.00"),
            _tax(1, "2026-02", "600.00"),
            _tax(2, "2026-03", "1200.10"),
            _tax(3, "2026-01", "799.90"),
            _tax(6, "2026-02", "1100.00"),
            _tax(8, "2026-03", BIG_NOW),
            _tax(15, "2026-01", "0.00"),
        ],
        (Q, "hrss_benefits"): [_hrss(4, "2026-03", "0.01"), _hrss(7, "2026-01", "400.00")],
        ("2025Q1", "medical_settlements"): [_settlement(13, dt.date(2025, 3, 31), "5000.00")],
        ("2025Q2", "medical_settlements"): [
            _settlement(11, dt.date(2025, 4, 1), "1800.00"),
            _settlement(12, dt.date(2025, 4, 1), "1800.00"),
        ],
        (Q, "medical_settlements"): [
            _settlement(11, dt.date(2026, 3, 31), "1800.00"),
            _settlement(12, dt.date(2026, 3, 31), "1800.01"),
            _settlement(14, dt.date(2026, 2, 1), "0.01"),
            _settlement(15, dt.date(2026, 2, 1), "2000.00"),
            _settlement(16, dt.date(2026, 2, 2), "1000.01"),
        ],
        ("2025Q4", "property_registry"): [
            PropertyRow(0, _id(24), "OLD", "residential", Decimal("50.00"), after)
        ],
        (Q, "property_registry"): [
            PropertyRow(0, _id(21), "U21", "residential", Decimal("80.50"), VERIFIED),
            PropertyRow(0, _id(22), "U22", "commercial", Decimal("30.00"), after),
            PropertyRow(0, _id(23), "U23", "other", Decimal("10.00"), dt.date(2020, 1, 2)),
            PropertyRow(0, _id(25), "U25", "other", Decimal("10.00"), dt.date(2026, 4, 1)),
        ],
        (Q, "vehicle_registry"): [
            VehicleRow(0, _id(27), "川B00002", "car", dt.date(2026, 2, 1)),
            VehicleRow(0, _id(26), "川A00001", "car", after),
            VehicleRow(0, _id(28), "川A00003", "car", VERIFIED),
        ],
        ("2025Q4", "business_registry"): [],
        (Q, "business_registry"): [
            BusinessRow(0, _id(29), "91510100MA0000001X", "shareholder", after),
            BusinessRow(0, _id(30), "91510100MA0000000X", "legal_rep", VERIFIED),
        ],
        ("2025Q4", "death_records"): [DeathRow(0, _id(31), dt.date(2019, 5, 1))],
        (Q, "death_records"): [DeathRow(0, _id(33), dt.date(2026, 3, 31))],
        ("2026Q2", "death_records"): [DeathRow(0, _id(34), dt.date(2026, 4, 2))],
    }


@pytest.fixture(scope="module")
def edge_dir(tmp_path_factory: pytest.TempPathFactory, keyring: KeyRing) -> Path:
    # A space and Chinese in the path: Spark is handed it as a file:// location.
    data_dir = tmp_path_factory.mktemp("agree-edges") / "筛查 数据"
    households = [
        _household(hid, declared=DECLARED.get(hid, "0.00"), verified=None)
        if hid == "P_ENROLLED"
        else _household(hid, declared=DECLARED.get(hid, "0.00"))
        for hid in HOUSEHOLDS
    ]
    members = [
        MemberRow(0, hid, _id(n), "测试", "head", "full", 0, "healthy", False, "employed")
        for hid, numbers in HOUSEHOLDS.items()
        for n in numbers
    ]
    write_roster(RosterResult([], households, members, ImportReport()), data_dir, keyring=keyring)
    for (quarter, kind), rows in _extracts().items():
        write_extract(rows, kind, quarter, data_dir, keyring=keyring)
    return data_dir


FINE = Thresholds(income_swing_ratio=Fraction(1, 2), medical_burden_ratio=Fraction(2999, 10_000))


@pytest.mark.spark
@pytest.mark.parametrize(
    ("quarter", "thresholds"),
    [(Q, THRESHOLDS), (Q, FINE), ("2025Q4", THRESHOLDS)],
    ids=["2026Q1", "2026Q1-other-ratios", "2025Q4"],
)
def test_the_near_misses_give_the_same_list_on_both_engines(
    edge_dir: Path, duck: Any, spark_con: Any, quarter: str, thresholds: Thresholds
) -> None:
    on_duckdb = whole(screen(duck, edge_dir, quarter, thresholds))
    on_spark = whole(screen(spark_con, edge_dir, quarter, thresholds))
    assert on_duckdb, "the tables should fire something"
    assert on_spark == on_duckdb


def test_the_near_misses_fire_as_planted_on_duckdb(edge_dir: Path, duck: Any) -> None:
    """What the engines agree on is right (DuckDB; Spark gives the same list above)."""
    got = {(w.household_id, w.rule): w for w in screen(duck, edge_dir, Q, THRESHOLDS)}
    assert set(got) == {
        ("S_OVER", "INCOME_SWING"),
        ("S_DOWN", "INCOME_SWING"),
        ("S_ZERO_SOME", "INCOME_SWING"),
        ("S_SOME_ZERO", "INCOME_SWING"),
        ("S_TWO", "INCOME_SWING"),
        ("S_BIG", "INCOME_SWING"),
        ("M_EXTRACT", "INCOME_SWING"),  # 10,000.00 in 2025Q4, nothing in Q
        ("M3001", "MEDICAL_BURDEN"),
        ("M_ZERO", "MEDICAL_BURDEN"),
        ("M_EXTRACT", "MEDICAL_BURDEN"),
        ("P_AFTER", "NEW_PROPERTY"),
        ("P_ENROLLED", "NEW_PROPERTY"),
        ("V_TWO", "NEW_VEHICLE"),
        ("B_AFTER", "NEW_BUSINESS"),
        ("D_OLD", "MEMBER_DECEASED"),
        ("D_Q", "MEMBER_DECEASED"),
    }
    big = got["S_BIG", "INCOME_SWING"].details
    assert big["previous_quarter_income_fen"] == 2**53 + 1
    assert big["quarter_income_fen"] == int(BIG_NOW * 100) == 11709359031163291
    assert len(got["S_TWO", "INCOME_SWING"].members) == 2
    assert got["M_EXTRACT", "MEDICAL_BURDEN"].details["self_paid_fen"] == 300001
    vehicles = got["V_TWO", "NEW_VEHICLE"]
    assert vehicles.details["items"] == ["川A00001", "川B00002"]
    assert vehicles.details["last_dated_on"] == "2026-02-01"
    assert len(vehicles.members) == 2


# ------------------------------------------------------------------ the connections


@pytest.mark.spark
def test_spark_reads_a_local_path_whatever_its_default_file_system(
    edge_dir: Path, spark_con: Any
) -> None:
    """On a cluster the default file system is HDFS; the data directory stays a local path."""
    members = edge_dir / "roster" / "members.parquet"
    hadoop = spark_con._session.sparkContext._jsc.hadoopConfiguration()
    before = hadoop.get("fs.defaultFS")
    hadoop.set("fs.defaultFS", "nosuchfs://nowhere/")
    try:
        with pytest.raises(Exception, match="nosuchfs"):
            spark_con._session.read.parquet(str(members))  # a bare path is not enough
        table = spark_con.read_parquet(members)
        assert spark_con.to_pyarrow(table.count()).as_py() == sum(map(len, HOUSEHOLDS.values()))
    finally:
        hadoop.set("fs.defaultFS", before)


@pytest.mark.spark
def test_a_spark_connection_has_utc_dates_ansi_arithmetic_and_one_session(spark_con: Any) -> None:
    conf = spark_con._session.conf
    assert conf.get("spark.sql.session.timeZone") == "UTC"
    assert conf.get("spark.sql.ansi.enabled") == "true"
    # A second connection reuses the running session and sets its runtime settings again.
    before = conf.get("spark.sql.shuffle.partitions")
    again = connect("spark", conf={"spark.sql.shuffle.partitions": "3"})
    try:
        assert again._session is spark_con._session
        assert conf.get("spark.sql.shuffle.partitions") == "3"
    finally:
        conf.set("spark.sql.shuffle.partitions", before)


@pytest.mark.spark
def test_an_int64_overflow_stops_spark_instead_of_wrapping(
    tmp_path: Path, keyring: KeyRing, spark_con: Any
) -> None:
    """|q − e| × 5 past 2**63 fen: ANSI mode raises; a wrapped product would be negative."""
    write_roster(
        RosterResult(
            [],
            [_household("HUGE")],
            [MemberRow(0, "HUGE", _id(1), "测试", "head", "full", 0, "healthy", False, "none")],
            ImportReport(),
        ),
        tmp_path,
        keyring=keyring,
    )
    write_extract(
        [_tax(1, "2025-10", "20000000000000000.00")],
        "tax_income",
        "2025Q4",
        tmp_path,
        keyring=keyring,
    )
    write_extract(
        [_tax(1, "2026-02", "40000000000000000.00")], "tax_income", Q, tmp_path, keyring=keyring
    )
    with pytest.raises(Exception, match="ARITHMETIC_OVERFLOW"):
        screen(spark_con, tmp_path, Q, THRESHOLDS, rules=("INCOME_SWING",))


def test_spark_options_come_from_arguments_then_environment_then_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MASTER_ENV, raising=False)
    monkeypatch.delenv(CONF_ENV, raising=False)
    master, conf = spark_options()
    assert master == "local[2]"
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert conf["spark.sql.ansi.enabled"] == "true"
    assert conf["spark.sql.shuffle.partitions"] == "2"

    monkeypatch.setenv(MASTER_ENV, "yarn")
    monkeypatch.setenv(CONF_ENV, "spark.executor.memory=8g, spark.sql.shuffle.partitions=200")
    master, conf = spark_options()
    assert master == "yarn"
    assert conf["spark.executor.memory"] == "8g"
    assert conf["spark.sql.shuffle.partitions"] == "200"
    assert "spark.driver.host" not in conf  # the loopback settings are for local masters only

    monkeypatch.delenv(CONF_ENV)
    assert "spark.sql.shuffle.partitions" not in spark_options()[1]  # the cluster's own
    assert spark_options("local[*]")[1]["spark.sql.shuffle.partitions"] == str(os.cpu_count())

    master, conf = spark_options("spark://10.0.0.1:7077", {"spark.executor.memory": "16g"})
    assert master == "spark://10.0.0.1:7077"
    assert conf["spark.executor.memory"] == "16g"


def test_a_malformed_spark_conf_is_refused_in_chinese() -> None:
    assert parse_conf(" a=1 ,, b = x=y ") == {"a": "1", "b": "x=y"}
    with pytest.raises(EngineUnavailable, match="JIUZHU_SPARK_CONF 格式错误"):
        parse_conf("spark.executor.memory")


def test_an_unknown_engine_is_refused() -> None:
    assert ENGINES == ("duckdb", "spark")
    with pytest.raises(ValueError, match="未知的筛查引擎：hive"):
        connect("hive")


def test_without_pyspark_the_spark_engine_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # as if the extra were not installed
    with pytest.raises(EngineUnavailable, match=r"未安装 PySpark：pip install 'jiuzhu\[spark\]'"):
        connect("spark")
