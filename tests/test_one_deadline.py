"""One deadline per database, however the web process and the mail worker were started."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.models import CallDeadline
from tests.factories import store_registrations
from tests.smtp import SmtpServer
from tests.test_mail_workers import _run_command


def test_web_worker_and_a_second_start_state_the_first_recorded_deadline(
    committed_db: Engine, committed_client: TestClient, smtp_server: SmtpServer
) -> None:
    # `make run` once, then again a day later: the second start keeps the first deadline.
    first = _run_command("set-deadline", "--if-unset", "2030-03-14", "--by", "make run", env={})
    second = _run_command("set-deadline", "--if-unset", "2030-03-15", "--by", "make run", env={})
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "kept" in second.stdout
    with Session(committed_db) as session:
        assert session.scalars(select(CallDeadline.given_as)).all() == ["2030-03-14"]

    # The web process was started with the 2022 default in its settings.
    assert committed_client.get("/api/v1/call").json()["deadline"] == "2030-03-15T00:00:00+08:00"

    # A mail worker started on its own, with yet another REGISTRATION_DEADLINE.
    store_registrations(committed_db, 1)
    worker = _run_command("send-emails", "--once", env={
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port),
        "REGISTRATION_DEADLINE": "2031-01-01"})
    assert worker.returncode == 0, worker.stderr
    confirmation = next(r for r in smtp_server.received if "alliance8.7" not in r.rcpt_tos[0])
    assert "14 March 2030" in confirmation.text or "14 Mac 2030" in confirmation.text
    assert "2031" not in confirmation.text and "2022" not in confirmation.text.split("Alliance")[0]


def test_an_explicit_set_deadline_still_replaces_the_recorded_one(committed_db: Engine) -> None:
    assert _run_command("set-deadline", "--if-unset", "2030-03-14", env={}).returncode == 0
    assert _run_command("set-deadline", "2030-04-01", env={}).returncode == 0

    with Session(committed_db) as session:
        latest = session.scalars(select(CallDeadline).order_by(CallDeadline.id.desc())).first()
    # The whole of 1 April counts in Malaysia: it closes at midnight, 16:00 UTC.
    assert latest is not None and latest.closes_at == dt.datetime(2030, 4, 1, 16, 0, tzinfo=dt.UTC)
