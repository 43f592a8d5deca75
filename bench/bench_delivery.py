"""Delivery benchmark: `alliance87 send-emails --once` against smtplib sending the same mail.

    .venv/bin/python bench/bench_delivery.py [--registrations 1000] [--rounds 3]

A fresh SQLite database is migrated with alembic and `--registrations` registrations are
stored by the portal's own group commit (`RegistrationWriter.store_batch`), which queues a
confirmation and a notification for each: 1,000 registrations, 2,000 real outbox rows. A
snapshot of that database is copied before each run. An aiosmtpd server runs on loopback in
a process of its own; it accepts every message and keeps nothing but its Message-ID (so the
two-worker run can check that each mail arrived exactly once).

Contenders, alternated for `--rounds` rounds, each a fresh process timed from start to exit:

- the floor: a process that reads the same mails, already rendered by the portal
  (`render_mail` + `build_message`, done once before the rounds), and sends them with bare
  `smtplib` over one connection;
- the worker: `alliance87 send-emails --once`, as in production (SMTP_HOST/PORT pointing at
  the server), emptying the outbox of the copied database.

It prints the medians, each round's ratio and the ratio of the medians, floor / worker
(≥ 0.5 is the target), then one run of two workers side by side on the same database:
their wall time, how many each sent, and whether every mail arrived exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.MULTILINE | re.IGNORECASE)


def payload(number: int) -> dict[str, Any]:
    """Return a valid registration body, half of them in English."""
    return {
        "organisation_name": f"Persatuan Sahabat Wanita {number}",
        "category": "cso", "category_other": "",
        "registration_number": "PPM-001-10-12345678",
        "address": "No. 12, Jalan Tun Razak\nKuala Lumpur", "postcode": "50400",
        "state": "wp_kuala_lumpur", "website": "https://www.example.org.my",
        "contact_name": "Nur Aisyah binti Ahmad", "contact_designation": "Pengurus Program",
        "contact_email": f"aisyah{number}@example.org.my", "contact_phone": "012-345 6789",
        "pillars": ["prevention", "partnership"], "focus_areas": ["labour_migration"],
        "interest_statement": "Kami membantu pekerja migran yang menjadi mangsa buruh paksa.",
        "workshop_attendees": 2, "preferred_language": "ms" if number % 2 else "en",
        "consent_pdpa": True, "consent_share_partners": False,
    }


def seed(count: int, messages_path: Path) -> None:
    """Store `count` registrations (their mails queued), and save the floor's messages."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.core.clock import utcnow
    from app.core.config import get_settings
    from app.core.db import get_engine
    from app.models import OutboxMail
    from app.schemas.registration import RegistrationCreate
    from app.services.mail_content import build_message, render_mail
    from app.services.registration.writer import RegistrationWriter, Submission

    engine = get_engine()
    writer = RegistrationWriter(lambda: Session(engine, expire_on_commit=False))
    numbers = iter(range(1, count + 1))
    while chunk := list(itertools.islice(numbers, 100)):
        writer.store_batch([
            Submission.of(RegistrationCreate.model_validate(payload(n)), now=utcnow(),
                          idempotency_key=None, request_fingerprint="-")
            for n in chunk
        ])
    settings = get_settings()
    messages = []
    with Session(engine) as session:
        for mail in session.scalars(select(OutboxMail).order_by(OutboxMail.id)):
            messages.append((mail.to_address, build_message(
                mail, render_mail(session=session, mail=mail), settings=settings, now=utcnow())))
    messages_path.write_bytes(pickle.dumps(messages))
    engine.dispose()


def floor(messages_path: Path, port: int) -> None:
    """Send the rendered messages with bare smtplib over one connection."""
    import smtplib

    messages = pickle.loads(messages_path.read_bytes())  # noqa: S301 - our own file
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        for to_address, content in messages:
            smtp.sendmail("alliance8.7@mohr.gov.my", [to_address], content)


def smtp_server(port: int, log_path: Path) -> None:
    """Run aiosmtpd on loopback: accept everything, keep only each Message-ID (in a file)."""
    from aiosmtpd.controller import Controller

    log = log_path.open("ab", buffering=0)

    class Discard:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            found = MESSAGE_ID.search(envelope.original_content or envelope.content)
            log.write((found.group(1) if found else b"-") + b"\n")
            return "250 OK"

    controller = Controller(Discard(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(log_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start the discarding server in its own process; return it once it answers."""
    import smtplib

    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--server", str(port), str(log_path)],
                               cwd=ROOT)
    for _ in range(200):
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=1) as probe:
                probe.noop()
            return process, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the SMTP server did not start")


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command} failed: {result.stderr[-2000:]}")
    return elapsed, result.stdout.strip()


def fresh_copy(snapshot: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(snapshot, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    parser.add_argument("--floor", nargs=2, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.server:
        smtp_server(int(arguments.server[0]), Path(arguments.server[1]))
        return
    if arguments.seed:
        seed(arguments.registrations, Path(arguments.seed))
        return
    if arguments.floor:
        floor(Path(arguments.floor[0]), int(arguments.floor[1]))
        return

    directory = Path(tempfile.mkdtemp(prefix="alliance87-bench-"))
    snapshot, database = directory / "seeded.sqlite3", directory / "run.sqlite3"
    messages_path, log_path = directory / "messages.pickle", directory / "received.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{snapshot}", "LOG_LEVEL": "WARNING",
           "REGISTRATION_DEADLINE": "2099-12-31", "ENVIRONMENT": "development"}
    print(f"seeding {arguments.registrations} registrations …", file=sys.stderr)
    subprocess.run([BIN / "alembic", "upgrade", "head"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    subprocess.run([sys.executable, __file__, "--registrations", str(arguments.registrations),
                    "--seed", str(messages_path)], env=env, cwd=ROOT, check=True)
    mails = 2 * arguments.registrations
    server, port = start_server(log_path)
    worker_env = {**env, "DATABASE_URL": f"sqlite:///{database}", "SMTP_HOST": "127.0.0.1",
                  "SMTP_PORT": str(port)}
    worker_command = [str(BIN / "alliance87"), "send-emails", "--once"]
    floor_command = [sys.executable, __file__, "--floor", str(messages_path), str(port)]
    times: dict[str, list[float]] = {"floor": [], "worker": []}
    try:
        for number in range(arguments.rounds):
            # Alternating, so a slow moment of the machine touches both alike.
            for name in ("floor", "worker") if number % 2 == 0 else ("worker", "floor"):
                fresh_copy(snapshot, database)
                elapsed, output = timed(floor_command if name == "floor" else worker_command,
                                        worker_env)
                if name == "worker" and f"Sent {mails}," not in output:
                    raise SystemExit(f"the worker did not send every mail: {output}")
                times[name].append(elapsed)
                print(f"round {number + 1}: {name} {elapsed:.2f} s", file=sys.stderr)

        # Two workers side by side on one database: each mail must arrive exactly once.
        fresh_copy(snapshot, database)
        log_path.write_bytes(b"")
        started = time.perf_counter()
        workers = [subprocess.Popen(worker_command, env=worker_env, cwd=ROOT,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        outputs = [worker.communicate(timeout=600) for worker in workers]
        together = time.perf_counter() - started
        time.sleep(0.2)
        received = Counter(log_path.read_bytes().split())
    finally:
        server.terminate()
        server.wait(timeout=10)
    floor_median, worker_median = (statistics.median(times[n]) for n in ("floor", "worker"))
    print(f"\nDelivering {mails:,} mails to aiosmtpd on loopback, SQLite, median of "
          f"{arguments.rounds} alternating rounds (Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs)\n")
    print("| contender | median | each round |")
    print("|---|---:|---|")
    for name in ("floor", "worker"):
        rounds = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"| {name} | {statistics.median(times[name]):.2f} s | {rounds} |")
    each = ", ".join(f"{f / w:.2f}" for f, w in zip(times["floor"], times["worker"], strict=True))
    print(f"\nfloor / worker: **{floor_median / worker_median:.2f}×** of the medians "
          f"(each round: {each}); target ≥ 0.5×")
    sent = [out.strip().splitlines()[-1] if out.strip() else err[-300:] for out, err in outputs]
    print(f"\nTwo workers side by side: {together:.2f} s ({floor_median / together:.2f}× the "
          f"floor); {' / '.join(sent)}")
    once = len(received) == mails and max(received.values(), default=0) == 1
    print(f"received {sum(received.values())} messages, {len(received)} distinct Message-IDs, "
          f"most copies of one: {max(received.values(), default=0)} "
          f"({'exactly once' if once else 'NOT exactly once'})")
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
