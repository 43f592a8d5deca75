"""Export benchmark: `alliance87 export` against `sqlite3 -csv` dumping the same rows.

    .venv/bin/python bench/bench_export.py [--sizes 10000 50000] [--repeats 3]

For each size it seeds a fresh SQLite database with `alliance87 seed-demo`, then runs, in
turn and `--repeats` times: the baseline (sqlite3 -csv), the CSV export and the XLSX export,
each as its own process. It reports the median wall time of each, the CSV export as a ratio
of the baseline measured in the same run, and each process's peak resident memory (from
wait4's rusage, so it is that process alone).

The baseline selects the same 23 columns in the same order (submitted_at), with the pillars
and focus areas of each registration gathered by correlated group_concat subqueries, as the
export does. It prints codes where the export prints labels in the staff member's language,
Malaysian times and dialable phone numbers, neutralises formulas and adds the BOM: the
ratio is the price of those.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BASELINE_SQL = """
.headers on
.mode csv
SELECT r.reference, r.submitted_at, r.organisation_name, r.category, r.category_other,
  r.registration_number, r.address, r.postcode, r.state, r.website, r.contact_name,
  r.contact_designation, r.contact_email, r.contact_phone,
  (SELECT group_concat(p.pillar, ',') FROM registration_pillar p
    WHERE p.registration_id = r.id) AS pillars,
  (SELECT group_concat(f.focus_area, ',') FROM registration_focus_area f
    WHERE f.registration_id = r.id) AS focus_areas,
  r.interest_statement, r.workshop_attendees, r.preferred_language,
  r.consent_share_partners, r.invitation_status, r.staff_notes, r.withdrawn_at
FROM registration r WHERE r.withdrawn_at IS NULL ORDER BY r.submitted_at DESC, r.id DESC;
"""


def run(
    command: list[str], *, env: dict[str, str], stdin: str | None = None, stdout: Path | None = None
) -> tuple[float, float, float]:
    """Run one process; return (wall seconds, CPU seconds, peak RSS in MB) for it alone."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.PIPE if stdin else None,
    )
    if stdin:
        assert process.stdin is not None
        process.stdin.write(stdin.encode())
        process.stdin.close()
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if stdout:
        out.close()  # type: ignore[union-attr]
    if process.returncode != 0:
        raise SystemExit(f"{command} failed with {process.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB on Linux


def seed(directory: Path, count: int) -> dict[str, str]:
    database = directory / f"bench-{count}.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [BIN / "alembic", "upgrade", "head"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    subprocess.run(
        [BIN / "alliance87", "seed-demo", "--count", str(count), "--seed", "87"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    env["BENCH_DATABASE"] = str(database)
    return env


Timings = dict[str, list[tuple[float, float, float]]]


def measure(env: dict[str, str], directory: Path, repeats: int) -> Timings:
    database = env["BENCH_DATABASE"]
    results: Timings = {"sqlite3": [], "csv": [], "xlsx": []}
    for _ in range(repeats):
        # Alternating, so a slow moment of the machine touches every contender alike.
        results["sqlite3"].append(
            run(
                ["sqlite3", database],
                env=env,
                stdin=BASELINE_SQL,
                stdout=directory / "baseline.csv",
            )
        )
        for file_format in ("csv", "xlsx"):
            results[file_format].append(
                run(
                    [
                        str(BIN / "alliance87"),
                        "export",
                        "--format",
                        file_format,
                        "--output",
                        str(directory / f"export.{file_format}"),
                    ],
                    env=env,
                )
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--plot", type=Path, help="draw time and peak memory against rows here")
    arguments = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="alliance87-bench-") as name:
        directory = Path(name)
        for size in arguments.sizes:
            print(f"seeding {size} registrations …", file=sys.stderr)
            env = seed(directory, size)
            results = measure(env, directory, arguments.repeats)
            median = {k: statistics.median(t for t, _, _ in v) for k, v in results.items()}
            cpu = {k: statistics.median(c for _, c, _ in v) for k, v in results.items()}
            peak = {k: max(m for _, _, m in v) for k, v in results.items()}
            rows.append((size, median, cpu, peak))
    print(
        f"Export benchmark, SQLite, median of {arguments.repeats} alternating runs "
        f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)\n"
    )
    print("Wall-clock time (what a person waits):\n")
    print("| rows | sqlite3 -csv | CSV export | CSV ÷ sqlite3 | XLSX export | XLSX ÷ sqlite3 |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size, median, _cpu, _peak in rows:
        print(
            f"| {size:,} | {median['sqlite3']:.2f} s | {median['csv']:.2f} s | "
            f"{median['csv'] / median['sqlite3']:.2f}× | {median['xlsx']:.2f} s | "
            f"{median['xlsx'] / median['sqlite3']:.1f}× |"
        )
    print("\nCPU time, user + system (steadier than wall time on a shared machine):\n")
    print("| rows | sqlite3 -csv | CSV export | CSV ÷ sqlite3 | XLSX export | XLSX ÷ sqlite3 |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size, _median, cpu, _peak in rows:
        print(
            f"| {size:,} | {cpu['sqlite3']:.2f} s | {cpu['csv']:.2f} s | "
            f"{cpu['csv'] / cpu['sqlite3']:.2f}× | {cpu['xlsx']:.2f} s | "
            f"{cpu['xlsx'] / cpu['sqlite3']:.1f}× |"
        )
    print("\nPeak resident memory of each process:\n")
    print("| rows | sqlite3 -csv | CSV export | XLSX export |")
    print("|---:|---:|---:|---:|")
    for size, _median, _cpu, peak in rows:
        print(
            f"| {size:,} | {peak['sqlite3']:.0f} MB | {peak['csv']:.0f} MB "
            f"| {peak['xlsx']:.0f} MB |"
        )
    if len(rows) > 1:
        (small, _, _, small_peak), (large, _, _, large_peak) = rows[0], rows[-1]
        for file_format in ("csv", "xlsx"):
            growth = large_peak[file_format] / small_peak[file_format]
            print(
                f"\nPeak memory of the {file_format.upper()} export, {large:,} rows against "
                f"{small:,}: {growth:.2f}× ({large // small}× the rows)",
                end="",
            )
        print()
    print(
        "\nTargets: CSV within 5× sqlite3; XLSX within 30 s; every export under 200 MB "
        "and flat as rows grow."
    )
    if arguments.plot:
        plot(rows, arguments.plot)


def plot(
    rows: list[tuple[int, dict[str, float], dict[str, float], dict[str, float]]], path: Path
) -> None:
    """Draw export time and peak memory against the number of registrations."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [size for size, _, _, _ in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for key, name in (("sqlite3", "sqlite3 -csv"), ("csv", "CSV export"), ("xlsx", "XLSX export")):
        left.plot(sizes, [cpu[key] for _, _, cpu, _ in rows], marker="o", label=name)
        right.plot(sizes, [peak[key] for _, _, _, peak in rows], marker="o", label=name)
    # CPU time, not wall time: steadier on a shared machine, and what grows with the rows.
    left.set(title="Export time (median CPU time)", xlabel="registrations", ylabel="seconds")
    right.set(
        title="Peak memory of the process", xlabel="registrations", ylabel="MB", ylim=(0, 220)
    )
    right.axhline(200, color="grey", linestyle="--", linewidth=1)
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    print(f"\nPlot written to {path}")


if __name__ == "__main__":
    main()
