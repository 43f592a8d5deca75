"""Workers on a committed database: several at once never send a message twice; the command."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.models import OutboxMail
from app.services.mailer import deliver_due
from app.services.smtp_process import SmtpProcess
from tests.conftest import ROOT, TEST_DATABASE_URL, LiveServer
from tests.factories import registration_payload, store_registrations
from tests.smtp import (
    SilentServer,
    SmtpServer,
    mail_settings,
    running_silent_server,
)

WORKERS = 4
REGISTRATIONS = 40


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    yield from running_silent_server()



def test_workers_running_at_once_send_each_message_exactly_once(
    committed_db: Engine, smtp_server: SmtpServer
) -> None:
    references = store_registrations(committed_db, REGISTRATIONS)
    smtp_server.handler.delay_seconds = 0.005  # so that the workers overlap
    settings = smtp_server.settings()
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(committed_db, expire_on_commit=False) as session:
                start.wait()
                while deliver_due(session=session, settings=settings, limit=5).claimed_ids:
                    pass
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    sent_ids = Counter(r.message["Message-ID"] for r in smtp_server.received)
    assert len(sent_ids) == 2 * REGISTRATIONS
    assert max(sent_ids.values()) == 1
    with Session(committed_db) as session:
        rows = session.scalars(select(OutboxMail)).all()
        assert {row.status for row in rows} == {"sent"}
        assert {row.attempts for row in rows} == {1}
        assert set(sent_ids) == {row.message_id for row in rows}
    for reference in references:
        assert sum(reference in r.message["Subject"] for r in smtp_server.received) == 2


def _run_command(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app.cli", *arguments], cwd=ROOT, capture_output=True, text=True,
        timeout=60, env={**os.environ, "DATABASE_URL": TEST_DATABASE_URL, **env},
    )


def test_send_emails_once_delivers_what_is_due_and_exits(
    committed_db: Engine, smtp_server: SmtpServer
) -> None:
    store_registrations(committed_db, 2)

    result = _run_command("send-emails", "--once", env={
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port)})

    assert result.returncode == 0, result.stderr
    assert "Sent 4, to retry 0, failed 0." in result.stdout
    assert len(smtp_server.received) == 4
    assert "@example.org.my" not in result.stderr


def test_send_emails_without_smtp_host_keeps_mail_queued(committed_db: Engine) -> None:
    store_registrations(committed_db, 1)

    result = _run_command("send-emails", "--once", env={"SMTP_HOST": ""})

    assert result.returncode == 0, result.stderr
    assert "stays queued: SMTP_HOST is not set" in result.stderr
    assert "@" not in result.stderr.replace("alliance8.7@mohr.gov.my", "")
    with Session(committed_db) as session:
        assert set(session.scalars(select(OutboxMail.status))) == {"queued"}


def test_a_mail_server_that_never_answers_does_not_hold_up_registrations(
    live_server: LiveServer, committed_db: Engine, silent_server: SilentServer
) -> None:
    store_registrations(committed_db, 3)
    settings = mail_settings(silent_server.port, smtp_timeout_seconds=3)
    worker_done = threading.Event()

    def worker() -> None:
        with Session(committed_db, expire_on_commit=False) as session:
            deliver_due(session=session, settings=settings)
        worker_done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    time.sleep(0.3)  # the worker is now waiting on the silent server
    timings = []
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        for _ in range(5):
            started = time.monotonic()
            response = client.post("/api/v1/registrations", json=registration_payload())
            timings.append(time.monotonic() - started)
            assert response.status_code == 201
    still_waiting = not worker_done.is_set()
    thread.join(timeout=30)

    assert still_waiting, "the worker should still have been waiting on the silent server"
    assert max(timings) < 1.5
    with Session(committed_db) as session:
        statuses = Counter(session.scalars(select(OutboxMail.status)))
    assert statuses == {"retry": 6, "queued": 10}


def test_the_sending_process_delivers_each_message_once_and_each_is_recorded(
    committed_db: Engine, smtp_server: SmtpServer
) -> None:
    store_registrations(committed_db, 30)
    courier = SmtpProcess(smtp_server.settings())
    try:
        with Session(committed_db, expire_on_commit=False) as session:
            reports = [deliver_due(session=session, settings=courier.settings,
                                   connection=courier) for _ in range(3)]
    finally:
        courier.close()

    assert [report.sent for report in reports] == [50, 10, 0]
    sent_ids = Counter(r.message["Message-ID"] for r in smtp_server.received)
    assert len(sent_ids) == 60 and max(sent_ids.values()) == 1
    with Session(committed_db) as session:
        assert set(session.scalars(select(OutboxMail.status))) == {"sent"}
    assert multiprocessing.active_children() == []  # closed with the worker


def test_when_the_sending_process_dies_the_mail_waits_and_goes_with_the_next(
    committed_db: Engine, smtp_server: SmtpServer
) -> None:
    store_registrations(committed_db, 2)  # four mails
    smtp_server.handler.delay_seconds = 1.5  # the server takes 1.5 s over each message
    courier = SmtpProcess(smtp_server.settings(smtp_timeout_seconds=10))

    def kill_the_child_while_it_sends_the_second() -> None:
        while len(smtp_server.received) < 1:
            time.sleep(0.005)
        time.sleep(0.4)  # the first is answered and recorded; the second is with the server
        for child in multiprocessing.active_children():
            if child.name == "alliance87-smtp":
                child.kill()

    killer = threading.Thread(target=kill_the_child_while_it_sends_the_second)
    killer.start()
    try:
        with Session(committed_db, expire_on_commit=False) as session:
            first = deliver_due(session=session, settings=courier.settings, connection=courier)
            killer.join(timeout=30)
            smtp_server.handler.delay_seconds = 0
            # What the dead child left is due again in a minute; a new child sends it.
            later = deliver_due(session=session, settings=courier.settings, connection=courier,
                                now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2))
    finally:
        courier.close()

    assert (first.sent, first.retrying) == (1, 3)
    assert later.sent == 3
    with Session(committed_db) as session:
        assert set(session.scalars(select(OutboxMail.status))) == {"sent"}
    received = Counter(r.message["Message-ID"] for r in smtp_server.received)
    assert len(received) == 4  # nothing lost
    # Only the message in the child's hands when it died can arrive twice (the server
    # took it, the child never heard), as when a whole worker dies after the server's
    # "250" (docs/mail.md, "Exactly once").
    assert sum(count - 1 for count in received.values()) <= 1
