"""The deadline surge: hundreds of clients keep submitting across the closing instant.

    .venv/bin/python bench/bench_surge.py [--clients 300] [--seconds 12] [--postgres URL]

wrk (bench/surge.lua) keeps every connection submitting a new organisation; the deadline is
set halfway into the run. wrk, in C, is the load generator because a Python client cannot
keep up: with httpx, 300 clients in one process spent 93 % of a core while the server idled.
Afterwards the script counts, against the database: every acknowledged (201) submission is
stored exactly once, nothing is stored that was not acknowledged or at or after the instant,
and no answer was a 5xx or lost. It prints p50/p99 latency, and the ratio of the surge's
throughput to a calm run of one connection measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter

from harness import migrate, portal_env, server, temp_sqlite_url, wrk
from sqlalchemy import create_engine, text


def run(name: str, database_url: str, workers: int, clients: int, seconds: int) -> None:
    env = portal_env(database_url, REGISTRATION_DEADLINE="2099-12-31")
    migrate(env)
    with server("app.main:app", env, workers=workers, ready_path="/healthz") as url:
        calm = wrk(url, script="surge.lua", seconds=2, connections=1)
        closes_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds / 2)
        subprocess_set_deadline(env, closes_at)
        surge = wrk(url, script="surge.lua", seconds=seconds, connections=clients, threads=2)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT reference, submitted_at FROM registration "
                "WHERE organisation_key LIKE 'surge organisation %'"
            )
        ).all()
    engine.dispose()
    statuses: Counter[str] = Counter()
    for counts in surge["statuses"]:
        statuses.update(counts)
    acknowledged = set(surge["references"]) | set(calm["references"])
    stored = Counter(reference for reference, _ in rows)
    late = [r for r, at in rows if _aware(at) >= closes_at]
    server_errors = sum(n for status, n in statuses.items() if status.startswith("5"))
    print(f"\n== {name}: {clients} connections for {seconds}s, deadline mid-run")
    print(f"answers: {dict(statuses)}")
    print(f"5xx: {server_errors}, transport errors: {surge['transport_errors']}")
    duplicates = sum(1 for n in stored.values() if n > 1)
    missing = len(acknowledged - set(stored))
    unacknowledged = len(set(stored) - acknowledged)
    print(
        f"acknowledged {len(surge['references'])} (+{len(calm['references'])} in the calm run), "
        f"stored {len(rows)}, duplicates {duplicates}, acknowledged but missing {missing}, "
        f"stored but not acknowledged {unacknowledged} (at most 1 expected: the calm run's "
        "last request, in flight when wrk stopped reading)"
    )
    print(f"stored at or after the instant: {len(late)}")
    print(f"latency p50 {surge['p50_ms']:.0f} ms, p99 {surge['p99_ms']:.0f} ms")
    print(
        f"throughput {surge['rps']:.0f} answers/s = "
        f"{surge['rps'] / calm['rps']:.2f}x a calm single connection ({calm['rps']:.0f}/s)"
    )


def subprocess_set_deadline(env: dict[str, str], closes_at: dt.datetime) -> None:
    import subprocess
    import sys

    from harness import ROOT

    subprocess.run(
        [sys.executable, "-m", "app.cli", "set-deadline", closes_at.isoformat()],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def _aware(value: object) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--postgres", help="postgresql+psycopg://… of an empty database")
    arguments = parser.parse_args()
    run(
        "SQLite, 1 worker",
        temp_sqlite_url("surge.sqlite3"),
        1,
        arguments.clients,
        arguments.seconds,
    )
    if arguments.postgres:
        run("PostgreSQL, 4 workers", arguments.postgres, 4, arguments.clients, arguments.seconds)


if __name__ == "__main__":
    main()
