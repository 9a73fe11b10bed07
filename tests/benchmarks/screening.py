"""Screening benchmark: import + screening of generated extracts, against two baselines.

Run with `make bench-screening SCALE=1` (or `python -m tests.benchmarks.screening
--scale 1 --runs 3`). At scale 1.0 the generator (`jiuzhu.screening.synthetic`,
deterministic) writes 100,000 recipient households among 1,000,000 persons and two
quarters of the seven department extracts — about 13.6 million rows, 675 MB of CSV
in mixed encodings and headers with 1% bad rows. Generated once and kept under
`var/bench/`.

Each run starts three child processes over the same files, in turn:

- **project** — what the platform does: the roster validated by `jiuzhu.exchange`
  and written as Parquet, every quarter folder imported by `jiuzhu.screening.ingest`
  (validation, deduplication, keyed index, Parquet), then `screen` on DuckDB;
- **sql** — the floor: one hand-written DuckDB script (`screening_sql.py`) doing
  the same validation, deduplication and exact arithmetic, matching clear IDs;
- **pandas** — what an analyst would write (`screening_pandas.py`).

Wall time and the child's peak RSS are measured from outside (`os.wait4`); the
project child also reports where its time went (roster, parse, validate,
deduplicate, match, write, rules). All three warning lists must equal the
generator's truth, or the run fails. Reported: medians over the runs and the ratios.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

PIPELINES = ("project", "sql", "pandas")
QUARTER = "2026Q1"
IMPORT_DAY = "2026-11-30"


def data_root(scale: float, seed: int) -> Path:
    return Path("var") / "bench" / f"screening-s{scale:g}-seed{seed}"


def ensure_data(scale: float, seed: int) -> Path:
    """Generate the data set once per scale and seed (the manifest marks a complete one)."""
    root = data_root(scale, seed)
    if not (root / "truth" / "manifest.json").is_file():
        from jiuzhu.screening.synthetic import generate

        started = time.perf_counter()
        generate(root, scale=scale, seed=seed)
        print(f"生成测试数据（规模 {scale:g}）用时 {time.perf_counter() - started:.1f} 秒：{root}")
    return root


def truth(root: Path) -> set[tuple[str, str]]:
    with (root / "truth" / "expected_warnings.csv").open(encoding="utf-8", newline="") as fh:
        return {(row["household_id"], row["rule"]) for row in csv.DictReader(fh)}


# ---------------------------------------------------------------- the children


def roster_snapshot(root: Path, data_dir: Path, keyring: Any) -> float:
    """The roster validated by `jiuzhu.exchange` and written as Parquet; returns its seconds."""
    import datetime as dt

    from jiuzhu.exchange import RosterFiles, validate_roster
    from jiuzhu.screening import write_roster

    clock = time.perf_counter()
    roster = validate_roster(
        RosterFiles(
            divisions=root / "divisions.csv",
            households=root / "households.csv",
            members=root / "members.csv",
        ),
        import_day=dt.date.fromisoformat(IMPORT_DAY),
        existing_divisions={},
        jurisdiction_code=None,
    )
    write_roster(roster, data_dir, keyring=keyring)
    return time.perf_counter() - clock


def _project(root: Path, out: dict[str, Any]) -> set[tuple[str, str]]:
    import ibis

    from jiuzhu.protection.sm import KeyRing
    from jiuzhu.screening import Ingest, Thresholds, Timings, screen

    keyring = KeyRing("bench", {"bench": os.urandom(16)}, index_key=os.urandom(32))
    timings = Timings()
    with tempfile.TemporaryDirectory(prefix="bench-screening-", dir=root.parent) as tmp:
        data_dir = Path(tmp)
        rows = 0
        # The roster snapshot and the extract import are independent inputs of the
        # screening: the roster (pure Python) is validated in a second process while
        # DuckDB imports the extracts here.
        spawn = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            roster_job = pool.submit(roster_snapshot, root, data_dir, keyring)
            with Ingest(data_dir, keyring=keyring, timings=timings) as ingest:
                for folder in sorted(
                    p for p in root.iterdir() if p.is_dir() and p.name[:2] == "20"
                ):
                    if folder.name <= QUARTER:
                        for loaded in ingest.load_folder(folder, folder.name):
                            rows += loaded.report.rows_read
            roster_seconds = roster_job.result()
        clock = time.perf_counter()
        warnings = screen(ibis.duckdb.connect(), data_dir, QUARTER, Thresholds())
        rules_seconds = time.perf_counter() - clock
    out["phases"] = {"roster": roster_seconds, **timings.as_dict(), "rules": rules_seconds}
    out["extract_rows"] = rows
    return {(w.household_id, w.rule) for w in warnings}


def _sql(root: Path, out: dict[str, Any]) -> set[tuple[str, str]]:
    import datetime as dt

    from tests.benchmarks import screening_sql

    stages: dict[str, float] = {}
    result = screening_sql.run(
        root, QUARTER, import_day=dt.date.fromisoformat(IMPORT_DAY), timings=stages
    )
    out["phases"] = stages
    return result


def _pandas(root: Path, out: dict[str, Any]) -> set[tuple[str, str]]:
    import datetime as dt

    from tests.benchmarks import screening_pandas

    return screening_pandas.run(root, QUARTER, import_day=dt.date.fromisoformat(IMPORT_DAY))


def child(pipeline: str, root: Path, result_file: Path) -> None:
    out: dict[str, Any] = {}
    warnings = {"project": _project, "sql": _sql, "pandas": _pandas}[pipeline](root, out)
    out["warnings"] = sorted(warnings)
    result_file.write_text(json.dumps(out), encoding="utf-8")


# ---------------------------------------------------------------- the parent


def measure(pipeline: str, root: Path) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        result_file = Path(fh.name)
    cmd = [sys.executable, "-m", "tests.benchmarks.screening", "--child", pipeline]
    cmd += ["--root", str(root), "--result", str(result_file)]
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{pipeline} 失败：{' '.join(cmd)}")
        result = json.loads(result_file.read_text(encoding="utf-8"))
    finally:
        result_file.unlink(missing_ok=True)
    result["seconds"] = seconds
    result["peak_mib"] = usage.ru_maxrss / 1024
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["warnings"] = {tuple(w) for w in result["warnings"]}
    return result


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def report(results: dict[str, list[dict[str, Any]]], root: Path, runs: int) -> dict[str, Any]:
    medians = {p: _median([r["seconds"] for r in rs]) for p, rs in results.items()}
    peaks = {p: max(r["peak_mib"] for r in rs) for p, rs in results.items()}
    phases: dict[str, float] = {}
    for name in results["project"][0]["phases"]:
        phases[name] = _median([r["phases"][name] for r in results["project"]])
    summary: dict[str, Any] = {
        "root": str(root),
        "runs": runs,
        "extract_rows": results["project"][0]["extract_rows"],
        "csv_mib": sum(p.stat().st_size for p in root.rglob("20*/*.csv")) / 2**20,
        "median_seconds": medians,
        "runs_seconds": {p: [r["seconds"] for r in rs] for p, rs in results.items()},
        "peak_mib": peaks,
        "project_phases": phases,
        "project_vs_sql": medians["project"] / medians["sql"],
    }
    if "pandas" in medians:
        summary["pandas_vs_project"] = medians["pandas"] / medians["project"]
    return summary


def print_summary(summary: dict[str, Any]) -> None:
    print()
    print(
        f"数据：{summary['extract_rows']:,} 行比对数据，{summary['csv_mib']:,.0f} MiB CSV；"
        f"每项 {summary['runs']} 次，取中位数"
    )
    print("| 方案 | 中位用时 (秒) | 各次 (秒) | 峰值内存 (MiB) |")
    print("|---|---|---|---|")
    for pipeline, seconds in summary["median_seconds"].items():
        runs = ", ".join(f"{s:.1f}" for s in summary["runs_seconds"][pipeline])
        print(f"| {pipeline} | {seconds:.1f} | {runs} | {summary['peak_mib'][pipeline]:,.0f} |")
    print(f"\nproject / sql = {summary['project_vs_sql']:.2f}（要求 ≤ 1.5）")
    if "pandas_vs_project" in summary:
        print(f"pandas / project = {summary['pandas_vs_project']:.2f}（要求 ≥ 3）")
    print("\nproject 用时分布（中位数，秒）：")
    for name, seconds in summary["project_phases"].items():
        print(f"  {name}: {seconds:.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="比对筛查基准测试（导入 + 筛查）")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip", action="append", default=[], choices=PIPELINES[1:])
    parser.add_argument("--child", choices=PIPELINES, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.root, args.result)
        return 0
    root = ensure_data(args.scale, args.seed)
    expected = truth(root)
    pipelines = [p for p in PIPELINES if p not in args.skip]
    results: dict[str, list[dict[str, Any]]] = {p: [] for p in pipelines}
    for run in range(1, args.runs + 1):
        for pipeline in pipelines:
            result = measure(pipeline, root)
            missing, extra = expected - result["warnings"], result["warnings"] - expected
            if missing or extra:
                raise SystemExit(
                    f"{pipeline} 的预警清单与真值不符：漏报 {len(missing)} 条，误报 {len(extra)} 条"
                )
            results[pipeline].append(result)
            print(
                f"第 {run} 次 {pipeline}: {result['seconds']:.1f} 秒，"
                f"峰值内存 {result['peak_mib']:,.0f} MiB，预警 {len(expected):,} 条（与真值一致）",
                flush=True,
            )
    summary = report(results, root, args.runs)
    print_summary(summary)
    out = root.parent / f"screening-results-s{args.scale:g}.json"
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\n结果已写入 {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
