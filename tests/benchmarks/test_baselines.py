"""The two baselines of the screening benchmark are correct: both return exactly the planted truth.

A benchmark is only fair when the floor (hand-written DuckDB SQL) and the
analyst's script (pandas) compute the same warning list as the platform, so
each runs here over a small generated set (the benchmark's default files:
CSV, mixed encodings and headers, 1 % bad rows, near misses at every
threshold) and must match the generator's truth exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jiuzhu.screening.synthetic import RULES, Truth, generate
from tests.benchmarks import screening_pandas, screening_sql


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> Truth:
    return generate(tmp_path_factory.mktemp("baselines"), scale=0.003, seed=21)


def _check(got: set[tuple[str, str]], truth: Truth) -> None:
    expected = set(truth.warnings)
    assert sorted(got - expected) == [], "false positives"
    assert sorted(expected - got) == [], "missed warnings"
    assert {rule for _, rule in got} == set(RULES)


def test_the_sql_floor_returns_exactly_the_truth(truth: Truth) -> None:
    timings: dict[str, float] = {}
    _check(screening_sql.run(truth.root, truth.quarter, timings=timings), truth)
    assert timings["detect_transcode"] >= 0
    assert {"read_roster", "members", "income", "warnings"} <= set(timings)


def test_the_pandas_script_returns_exactly_the_truth(truth: Truth) -> None:
    _check(screening_pandas.run(truth.root, truth.quarter), truth)


def test_both_refuse_a_file_without_a_required_column(truth: Truth, tmp_path: Path) -> None:
    root = tmp_path / "copy"
    root.mkdir()
    for name in ("divisions.csv", "households.csv", "members.csv"):
        (root / name).write_bytes((truth.root / name).read_bytes())
    folder = root / truth.quarter
    folder.mkdir()
    (folder / "death_records.csv").write_text("id_number,remark\n", encoding="utf-8")
    for baseline in (screening_sql, screening_pandas):
        with pytest.raises(ValueError, match="died_on"):
            baseline.run(root, truth.quarter)
