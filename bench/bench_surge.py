"""The deadline surge: hundreds of clients keep submitting across the closing instant.

    .venv/bin/python bench/bench_surge.py [--clients 300] [--seconds 12] [--postgres URL]

The deadline is set a few seconds into the run. Afterwards the script counts, against the
database: every acknowledged (201) submission is stored exactly once, nothing is stored at
or after the instant, and no answer was a 5xx. It prints p50/p99 latency, and the ratio of
the surge's throughput to a calm run of one client at a time measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import time
from collections import Counter

import httpx
from harness import median, migrate, portal_env, server, temp_sqlite_url
from sqlalchemy import create_engine, text

_numbers = itertools.count()


def body() -> dict[str, object]:
    n = next(_numbers)
    return {
        "organisation_name": f"Surge Organisation {n}",
        "category": "cso",
        "address": "Jalan Tun Razak",
        "postcode": "50400",
        "state": "wp_kuala_lumpur",
        "contact_name": "Nur Aisyah",
        "contact_designation": "Pengarah",
        "contact_email": f"surge{n}@example.org.my",
        "contact_phone": "012-345 6789",
        "pillars": ["prevention"],
        "interest_statement": "Kami membantu pekerja migran.",
        "workshop_attendees": 1,
        "consent_pdpa": True,
    }


async def client_loop(client: httpx.AsyncClient, stop_at: float, log: list) -> None:
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            response = await client.post("/api/v1/registrations", json=body())
            status = response.status_code
            reference = response.json().get("reference") if status == 201 else None
        except httpx.HTTPError as error:
            status, reference = type(error).__name__, None
        log.append((status, reference, time.perf_counter() - started))


async def surge(url: str, clients: int, seconds: float) -> list:
    log: list = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(client_loop(client, stop_at, log) for _ in range(clients)))
    return log


def run(name: str, database_url: str, workers: int, clients: int, seconds: float) -> None:
    env = portal_env(database_url, REGISTRATION_DEADLINE="2099-12-31")
    migrate(env)
    with server("app.main:app", env, workers=workers, ready_path="/healthz") as url:
        calm = asyncio.run(surge(url, 1, 1.5))
        closes_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds / 2)
        subprocess_set_deadline(env, closes_at)
        log = asyncio.run(surge(url, clients, seconds))
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT reference, submitted_at FROM registration "
                "WHERE organisation_key LIKE 'surge organisation %'"
            )
        ).all()
    engine.dispose()
    statuses = Counter(status for status, _, _ in log)
    acknowledged = [reference for status, reference, _ in log if status == 201]
    stored = Counter(reference for reference, _ in rows)
    late = [r for r, at in rows if _aware(at) >= closes_at]
    calm_acknowledged = sum(1 for status, _, _ in calm if status == 201)
    latencies = sorted(seconds_taken for _, _, seconds_taken in log)
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    surge_rate = len(log) / seconds
    calm_rate = len(calm) / 1.5
    print(f"\n== {name}: {clients} clients for {seconds:.0f}s, deadline mid-run")
    print(f"answers: {dict(statuses)}")
    print(f"5xx or transport errors: {sum(n for s, n in statuses.items() if s not in (201, 403))}")
    duplicates = sum(1 for n in stored.values() if n > 1)
    missing = len(set(acknowledged) - set(stored))
    print(
        f"acknowledged {len(acknowledged)}, stored {len(rows) - calm_acknowledged} "
        f"(+{calm_acknowledged} from the calm run), duplicates {duplicates}, "
        f"acknowledged but missing {missing}"
    )
    print(f"stored at or after the instant: {len(late)}")
    print(f"latency p50 {median(latencies) * 1000:.0f} ms, p99 {p99:.0f} ms")
    print(
        f"throughput {surge_rate:.0f} answers/s = "
        f"{surge_rate / calm_rate:.2f}x a calm single client"
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
    parser.add_argument("--seconds", type=float, default=12)
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
