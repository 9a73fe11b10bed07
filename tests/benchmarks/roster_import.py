"""Roster import benchmark: 100,000 households (≈250,000 members) on this machine.

Run with `make bench` (or `python -m tests.benchmarks.roster_import --households N --runs K`).
Each run imports the same synthetic roster into a fresh database in a child
process and records wall time and the child's peak RSS. The baseline, measured
in the same session, is a child process that only reads the three CSV files with
Python's `csv` module — the floor any importer pays. Reported: the median of the
runs and its ratio to the baseline median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

BASELINE = """
import csv, sys
from pathlib import Path
n = 0
for name in ("divisions.csv", "households.csv", "members.csv"):
    with (Path(sys.argv[1]) / name).open(encoding="utf-8", newline="") as handle:
        for _ in csv.reader(handle):
            n += 1
print(n)
"""


@dataclass
class Run:
    seconds: float
    peak_mib: float


def measure(cmd: list[str], env: dict[str, str]) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"命令失败：{' '.join(cmd)}\n{out}\n{err}")
    return Run(seconds=seconds, peak_mib=usage.ru_maxrss / 1024)


def postgres_database() -> tuple[str, str] | None:
    url = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
            name = f"jiuzhu_bench_{uuid.uuid4().hex[:8]}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception:
        return None
    return url, url.rsplit("/", 1)[0] + "/" + name


def drop_postgres(admin: str, url: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()

    from jiuzhu.protection.keyfile import write_key_file
    from jiuzhu.registry.synthetic import write_synthetic_roster

    work = Path(tempfile.mkdtemp(prefix="jiuzhu-bench-"))
    roster = work / "roster"
    planted = write_synthetic_roster(roster, households=args.households, bad_fraction=0.001)
    members = sum(1 for _ in (roster / "members.csv").open(encoding="utf-8")) - 1
    keys = work / "keys.json"
    write_key_file(keys)
    base_env = {
        **os.environ,
        "JIUZHU_ENV": "test",
        "JIUZHU_KEY_FILE": str(keys),
        "JIUZHU_DATA_DIR": str(work),
    }
    python = sys.executable

    print(
        f"名册：{args.households} 户、{members} 行成员，另有 {len(planted)} 行故意错误；每项运行 {args.runs} 次取中位数"
    )
    baseline = [measure([python, "-c", BASELINE, str(roster)], base_env) for _ in range(args.runs)]
    rows = [("baseline: csv.reader only", baseline)]

    for engine in args.engines.split(","):
        runs: list[Run] = []
        for i in range(args.runs):
            if engine == "sqlite":
                url, admin = f"sqlite:///{work / f'bench{i}.sqlite3'}", None
            else:
                made = postgres_database()
                if made is None:
                    print("PostgreSQL 不可达，跳过")
                    break
                admin, url = made
            env = {**base_env, "DATABASE_URL": url}
            subprocess.run([python, "-m", "jiuzhu", "migrate", "-v", "0"], env=env, check=True)
            runs.append(
                measure(
                    [python, "-m", "jiuzhu", "import-roster", str(roster), "--show-rejects", "0"],
                    env,
                )
            )
            if admin:
                drop_postgres(admin, url)
        if runs:
            rows.append((f"import-roster on {engine}", runs))

    base_s = statistics.median(r.seconds for r in baseline)
    base_m = statistics.median(r.peak_mib for r in baseline)
    print()
    print("| what | median wall time | × baseline | median peak RSS | × baseline | runs (s) |")
    print("|---|---|---|---|---|---|")
    for label, runs in rows:
        s = statistics.median(r.seconds for r in runs)
        m = statistics.median(r.peak_mib for r in runs)
        detail = ", ".join(f"{r.seconds:.1f}" for r in runs)
        print(
            f"| {label} | {s:.1f} s | {s / base_s:.1f} | {m:.0f} MiB | {m / base_m:.1f} | {detail} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
