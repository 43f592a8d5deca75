"""The public roadmap: `/roadmap` and `/roadmap.json` against the call's small JSON document.

    .venv/bin/python bench/bench_roadmap.py [--registrations 2000] [--commitments 500]
                                            [--periods 10] [--requests 200] [--rounds 5]

A fresh SQLite database (or `--database-url`, e.g. a PostgreSQL one of your own, emptied
first) is migrated with alembic and filled with `alliance87 seed-demo` and
`alliance87 seed-roadmap`; then `--periods` reporting periods are opened through the
portal's own `open_period` (timed: the request mails are queued in one statement) and every
report in them is marked approved, so 10 periods of 500 commitments give 5,000 approved
reports on the page and in the document. One uvicorn worker serves it. Each round asks,
in turn, for the baseline (`GET /api/v1/call`: one small query and a small JSON document,
the cheapest request the portal answers from the database), the JSON document and the page, each
`--requests` times one after another over one keep-alive connection, after a warm-up; the
order of the three changes every round. It prints each one's median time per request over
the rounds, and its ratio to the baseline measured in the same rounds, so the machine's
load weighs on all three alike. The goal (issue 25) is the page under 100 ms and the
document under 50 ms on a warm server.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import httpx
from harness import ROOT, migrate, portal_env, server, temp_sqlite_url

CONTENDERS = {
    "baseline: GET /api/v1/call": "/api/v1/call",
    "GET /roadmap.json": "/roadmap.json",
    "GET /roadmap (the page)": "/roadmap?lang=en",
}


def _seed(env: dict[str, str], registrations: int, commitments: int) -> None:
    for arguments in (["seed-demo", "--count", str(registrations), "--seed", "87"],
                      ["seed-roadmap", "--commitments", str(commitments), "--seed", "87"]):
        subprocess.run([sys.executable, "-m", "app.cli", *arguments], cwd=ROOT, env=env,
                       check=True, capture_output=True)


# Run in a process of its own, on the benchmark's database: open the periods, approve all.
_REPORTS = """
import datetime as dt, random, sys, time
from sqlalchemy import update
from app.core.db import new_session
from app.models import RoadmapReport
from app.roadmap.progress import periods
from app.services import audit
rng, now, took = random.Random(87), dt.datetime.now(dt.UTC), []
with new_session() as session:
    for n in range(int(sys.argv[1])):
        started = time.perf_counter()
        period, _ = periods.open_period(
            session=session, label=f"P{n}", starts_on=dt.date(2023 + n, 1, 1),
            ends_on=dt.date(2023 + n, 6, 30), due_on=dt.date(2023 + n, 7, 15),
            actor=audit.Actor(None, "bench"), now=now)
        session.commit()
        took.append(time.perf_counter() - started)
        session.execute(update(RoadmapReport).where(RoadmapReport.period_id == period.id).values(
            state="approved", status="substantial", progress=rng.randint(0, 100), value="15",
            narrative_ms="Laporan " * 20, narrative_en="Report " * 20,
            evidence_urls="https://example.org/a", submitted_at=now, reviewed_at=now))
        session.commit()
print(sorted(took)[len(took) // 2] * 1000)
"""


def _approved_reports(env: dict[str, str], periods: int) -> float:
    """Open the periods and approve their reports; return the median ms to open one."""
    done = subprocess.run([sys.executable, "-c", _REPORTS, str(periods)], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def _per_request_ms(client: httpx.Client, path: str, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    return (time.perf_counter() - started) / requests * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--commitments", type=int, default=500)
    parser.add_argument("--periods", type=int, default=0)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="")
    arguments = parser.parse_args()

    env = portal_env(arguments.database_url or temp_sqlite_url("bench-roadmap"))
    migrate(env)
    _seed(env, arguments.registrations, arguments.commitments)
    opening = _approved_reports(env, arguments.periods) if arguments.periods else None
    times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    with server("app.main:app", env) as url, httpx.Client(base_url=url) as client:
        for path in CONTENDERS.values():  # warm: templates compiled, caches filled
            _per_request_ms(client, path, 5)
        names = list(CONTENDERS)
        for round_number in range(arguments.rounds):
            order = names[round_number % 3:] + names[:round_number % 3]
            for name in order:
                times[name].append(_per_request_ms(client, CONTENDERS[name], arguments.requests))
    baseline = statistics.median(times[names[0]])
    print(f"{arguments.registrations} registrations, {arguments.commitments} commitments, "
          f"{arguments.periods * arguments.commitments} approved reports, "
          f"{arguments.requests} requests a round, {arguments.rounds} rounds")
    if opening is not None:
        print(f"opening a period for {arguments.commitments} commitments (its reports and "
              f"request mails): median {opening:.0f} ms")
    for name in names:
        median = statistics.median(times[name])
        rounds = " ".join(f"{value:.1f}" for value in times[name])
        print(f"{name:30} median {median:7.2f} ms a request  ({median / baseline:5.1f}x the "
              f"baseline)  rounds: {rounds}")


if __name__ == "__main__":
    main()
