"""Announcement benchmark: queueing one mail per registrant against a bare INSERT … SELECT.

    .venv/bin/python bench/bench_announcements.py [--sizes 5000 20000 50000] [--repeats 3]

For each size it seeds a fresh SQLite database with `alliance87 seed-demo`, then runs, in
turn and `--repeats` times, each as its own process:

- the baseline: one bare `INSERT INTO outbox_mail … SELECT … FROM registration` of the same
  rows (the same columns, a Message-ID made in SQL, no filters but "not withdrawn"), in one
  transaction;
- `send_announcement()`, as the API and the compose page call it: the recipients counted,
  the announcement stored, its mails queued by INSERT … SELECT in batches of ids, the counts
  per language taken from the outbox, the audit entry written, all in one transaction.

Before each, a separate process empties the outbox and the announcements. It reports the
median time of the work inside the process (start-up excluded, as it is the same for both),
the ratio of the two measured in the same run, each process's peak resident memory (wait4)
and the peak of Python's own allocations during the work (tracemalloc).
"""

from __future__ import annotations

import argparse
import json
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
INSERT INTO outbox_mail (registration_id, kind, to_address, language, body_text, body_html,
  message_id, status, attempts, next_attempt_at, last_error, created_at)
SELECT id, 'announcement', contact_email, preferred_language, '', '',
  '<bench.' || id || '@mohr.gov.my>', 'queued', 0, :now, '', :now
FROM registration WHERE withdrawn_at IS NULL
"""


def child(mode: str) -> None:
    """Run one measured queueing in this process and print its figures as JSON."""
    import datetime as dt
    import tracemalloc

    from sqlalchemy import select, text

    from app.core.db import begin_write, new_session
    from app.models import Registration
    from app.schemas.staff import RegistrationFilters
    from app.services import announcements, staff_auth
    from app.services.announcement_texts import clean_texts

    now = dt.datetime.now(dt.UTC)
    with new_session() as session:
        begin_write(session)
        if mode == "reset":
            session.execute(text("DELETE FROM outbox_mail"))
            session.execute(text("DELETE FROM announcement"))
            if staff_auth.find_staff(session=session, email="bench@mohr.gov.my") is None:
                staff_auth.create_staff(session=session, email="bench@mohr.gov.my",
                                        role="admin", password="bench-password-long", now=now)
            session.commit()
            print("{}")
            return
        user = staff_auth.find_staff(session=session, email="bench@mohr.gov.my")
        assert user is not None
        # What a running server has done once for good, outside the timing: the ORM's
        # mappers configured (the first ORM query does it, ~0.2 s).
        session.scalar(select(Registration.id).limit(1))
        session.rollback()
        texts = clean_texts(subject_ms="Bengkel", body_ms="Salam {contact_name}.",
                            subject_en="Workshop", body_en="Dear {contact_name}.")
        tracemalloc.start()
        started = time.perf_counter()
        begin_write(session)
        if mode == "baseline":
            session.execute(text(BASELINE_SQL), {"now": now.replace(tzinfo=None)})
            queued = session.scalar(text("SELECT count(*) FROM outbox_mail"))
        else:
            sent = announcements.send_announcement(
                session=session, texts=texts, filters=RegistrationFilters(),
                staff_user_id=user.id, now=now)
            queued = sent.announcement.recipients
        session.commit()
        elapsed = time.perf_counter() - started
        _current, python_peak = tracemalloc.get_traced_memory()
    print(json.dumps({"seconds": elapsed, "queued": queued, "python_peak": python_peak}))


def run_measured(mode: str, env: dict[str, str]) -> dict[str, float]:
    """Run one child and take its peak RSS from wait4 (that process alone)."""
    process = subprocess.Popen([sys.executable, __file__, "--child", mode], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read()
    err = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{mode} failed: {err.decode()[-2000:]}")
    figures: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    figures["rss_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    return figures


def seed(directory: Path, count: int) -> dict[str, str]:
    database = directory / f"bench-{count}.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "ENVIRONMENT": "development", "LOG_LEVEL": "WARNING"}
    subprocess.run([BIN / "alembic", "upgrade", "head"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    subprocess.run([BIN / "alliance87", "seed-demo", "--count", str(count), "--seed", "87"],
                   env=env, cwd=ROOT, check=True, capture_output=True)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 20_000, 50_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=("reset", "baseline", "announcement"),
                        help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child)
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="alliance87-bench-") as name:
        for size in arguments.sizes:
            print(f"seeding {size} registrations …", file=sys.stderr)
            env = seed(Path(name), size)
            results: dict[str, list[dict[str, float]]] = {"baseline": [], "announcement": []}
            for _ in range(arguments.repeats):
                # Alternating, so a slow moment of the machine touches both alike.
                for mode in results:
                    run_measured("reset", env)  # emptied in a process of its own, untimed
                    results[mode].append(run_measured(mode, env))
            rows.append((size, results))
    print(f"Announcement queueing, SQLite, median of {arguments.repeats} alternating runs "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)\n")
    print("| registrants | queued | INSERT … SELECT | send_announcement | ratio | "
          "peak RSS (bare / ours) | peak Python allocations (ours) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size, results in rows:
        base = statistics.median(r["seconds"] for r in results["baseline"])
        ours = statistics.median(r["seconds"] for r in results["announcement"])
        queued = int(results["announcement"][0]["queued"])
        base_rss = max(r["rss_mb"] for r in results["baseline"])
        our_rss = max(r["rss_mb"] for r in results["announcement"])
        python_peak = max(r["python_peak"] for r in results["announcement"]) / 1024
        print(f"| {size:,} | {queued:,} | {base:.3f} s | {ours:.3f} s | {ours / base:.2f}× | "
              f"{base_rss:.0f} / {our_rss:.0f} MB | {python_peak:.0f} KiB |")
    print("\nTarget: at most 3× the bare INSERT … SELECT; memory flat as the list grows.")


if __name__ == "__main__":
    main()
