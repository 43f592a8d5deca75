"""One bad mail stops no other: a message that cannot be rendered, built or sent fails alone.

The poisoned messages are put in the queue directly, as rows stored before input was
checked (or past it) would be: workshops whose titles carry a header (issue 29), a
recipient with a line break, a kind no renderer knows, a renderer that raises. The mails
queued behind them go out in the same run, and a worker left running stays up.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import smtplib
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.core.db import begin_write
from app.models import Invitation, OutboxMail, Registration, Workshop
from app.schemas.staff import RegistrationFilters
from app.services import announcements, mail_batch, mail_queue, workshop_mail
from app.services.announcement_texts import clean_texts
from app.services.mail_content import RenderedMail
from app.services.mailer import deliver_due
from tests.conftest import ROOT, TEST_DATABASE_URL
from tests.factories import IN_TIME, registration_payload, store_registrations
from tests.smtp import SmtpServer, wait_for
from tests.staff_helpers import registration as stored_registration
from tests.staff_helpers import sign_in, staff_user

BCC = "Bengkel A\r\nBcc: evil@attacker.test"
REPLY_TO = "Bengkel C\r\nReply-To : evil@attacker.test"
EARLIER = IN_TIME - dt.timedelta(days=14)  # due before everything else
FUTURE = dt.datetime(2099, 11, 15, 1, 0, tzinfo=dt.UTC)  # nothing about it falls due now


def _workshop(session: Session, title: str) -> Workshop:
    workshop = Workshop(title_ms=title, title_en=title, starts_at=FUTURE,
                        ends_at=FUTURE + dt.timedelta(hours=8), venue="Putrajaya",
                        replies_close_at=FUTURE - dt.timedelta(days=7), capacity=10,
                        created_at=EARLIER, updated_at=EARLIER)
    session.add(workshop)
    session.flush()
    return workshop


def queue_poisoned(session: Session, registration: Registration) -> list[int]:
    """Queue, ahead of every other mail, four that cannot go as they are; return their ids."""
    rows = []
    for title in (BCC, REPLY_TO):
        invitation = Invitation(workshop_id=_workshop(session, title).id,
                                registration_id=registration.id, invited_at=EARLIER)
        session.add(invitation)
        session.flush()
        rows.append(workshop_mail.mail_row("workshop_invitation", registration, invitation,
                                           EARLIER))
    rows.append(mail_queue.to_registrant(
        "confirmation", registration_id=registration.id, now=EARLIER, language="ms",
        address="aisyah@example.org.my\r\nBcc: evil@attacker.test"))
    rows.append(mail_queue.to_registrant("no_such_kind", registration_id=registration.id,
                                         address=registration.contact_email, language="ms",
                                         now=EARLIER))
    workshop_mail.queue(session, [{"invitation_id": None, **row} for row in rows])
    # In the order queued: the last is the mail of no kind (PostgreSQL keeps no order).
    queued = list(session.scalars(select(OutboxMail.id).where(
        OutboxMail.next_attempt_at == EARLIER, OutboxMail.status == "queued")
        .order_by(OutboxMail.id)))
    session.commit()
    return queued


def _command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "app.cli", "send-emails", *arguments]


def _environment(port: int) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": TEST_DATABASE_URL, "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port)}


def _statuses(engine: Engine) -> dict[int, tuple[str, str]]:
    with Session(engine) as session:
        return {mail.id: (mail.status, mail.last_error)
                for mail in session.scalars(select(OutboxMail))}


def _nobody_evil(smtp_server: SmtpServer) -> None:
    for received in smtp_server.received:
        assert "evil@attacker.test" not in received.rcpt_tos
        assert "evil" not in str(received.message["Reply-To"])
        assert received.message["Bcc"] is None


def test_send_emails_once_fails_the_poisoned_mails_and_delivers_those_behind_them(
    committed_db: Engine, committed_session: Session, smtp_server: SmtpServer
) -> None:
    [reference, _other] = store_registrations(committed_db, 2)  # four good mails
    registration = committed_session.scalars(
        select(Registration).where(Registration.reference == reference)).one()
    poisoned = queue_poisoned(committed_session, registration)

    result = subprocess.run(  # noqa: S603
        _command("--once"), cwd=ROOT, capture_output=True, text=True,
        timeout=60, env=_environment(smtp_server.port))

    assert result.returncode == 0, result.stderr
    assert "Sent 4, to retry 0, failed 4." in result.stdout
    assert len(smtp_server.received) == 4
    _nobody_evil(smtp_server)
    statuses = _statuses(committed_db)
    assert {statuses[mail_id][0] for mail_id in poisoned} == {"failed"}
    assert all(statuses[mail_id][1] for mail_id in poisoned), statuses
    assert "no kind of mail 'no_such_kind'" in statuses[poisoned[-1]][1]
    assert sorted(status for status, _error in statuses.values()) == ["failed"] * 4 + ["sent"] * 4
    assert "evil@attacker.test" not in result.stderr  # the log names no addresses


def test_a_renderer_that_raises_fails_its_mail_alone(
    committed_db: Engine, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_registrations(committed_db, 3)
    with Session(committed_db) as session:
        first = session.scalars(select(OutboxMail).where(OutboxMail.kind == "confirmation")
                                .order_by(OutboxMail.id)).first()
        assert first is not None
        broken_id = first.id
    render = mail_batch.RENDERERS["confirmation"]

    def broken(*, session: Session, mail: OutboxMail) -> RenderedMail:
        if mail.id == broken_id:
            raise RuntimeError("a bug in one renderer")
        return render(session=session, mail=mail)

    monkeypatch.setitem(mail_batch.RENDERERS, "confirmation", broken)

    with Session(committed_db, expire_on_commit=False) as session:
        report = deliver_due(session=session, settings=smtp_server.settings())

    assert (report.sent, report.failed, report.retrying) == (5, 1, 0)
    assert _statuses(committed_db)[broken_id] == (
        "failed", "Cannot be sent as it is: RuntimeError: a bug in one renderer")


def test_an_unexpected_error_while_sending_fails_that_mail_alone(
    committed_db: Engine, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_registrations(committed_db, 2)
    with Session(committed_db) as session:
        first = session.scalars(select(OutboxMail).order_by(OutboxMail.id)).first()
        assert first is not None
    sendmail = smtplib.SMTP.sendmail

    def breaks_on_the_first(self: smtplib.SMTP, sender: str, to: list[str], message: bytes,
                            *more: object, **options: object) -> object:
        if to == [first.to_address]:
            raise TypeError("a bug while sending")
        return sendmail(self, sender, to, message)

    monkeypatch.setattr(smtplib.SMTP, "sendmail", breaks_on_the_first)

    with Session(committed_db, expire_on_commit=False) as session:
        report = deliver_due(session=session, settings=smtp_server.settings())

    assert (report.sent, report.failed, report.retrying) == (3, 1, 0)
    assert _statuses(committed_db)[first.id] == ("failed", "TypeError: a bug while sending")


@pytest.fixture
def worker(committed_db: Engine, smtp_server: SmtpServer) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(  # noqa: S603
        _command("--interval", "0.2"), cwd=ROOT, text=True,
        env=_environment(smtp_server.port), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    yield process
    if process.poll() is None:
        process.kill()
        process.communicate(timeout=30)


def test_a_running_worker_stays_up_through_poisoned_mail(
    committed_db: Engine, committed_session: Session, smtp_server: SmtpServer,
    worker: subprocess.Popen[str],
) -> None:
    for round_number in (1, 2):
        [reference] = store_registrations(committed_db, 1)
        # The worker writes meanwhile: on SQLite, take the write lock first, as it does.
        begin_write(committed_session)
        registration = committed_session.scalars(
            select(Registration).where(Registration.reference == reference)).one()
        queue_poisoned(committed_session, registration)

        wait_for(lambda n=round_number: len(smtp_server.received) == 2 * n, timeout=60)
        assert worker.poll() is None, worker.communicate()[1]

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    _nobody_evil(smtp_server)
    statuses = [status for status, _error in _statuses(committed_db).values()]
    assert sorted(statuses) == ["failed"] * 8 + ["sent"] * 4


def test_the_outbox_page_shows_a_poisoned_mail_failed_with_its_reason(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    assert client.post("/api/v1/registrations", json=registration_payload()).status_code == 201
    registration = session.scalars(select(Registration)).one()
    queue_poisoned(session, registration)

    report = deliver_due(session=session, settings=smtp_server.settings())
    sign_in(client, staff_user(session))
    page = client.get("/staff/outbox?status=failed&lang=en")

    assert (report.sent, report.failed) == (2, 4)
    assert page.status_code == 200
    assert page.text.count("Cannot be sent as it is") == 3
    assert "there is no kind of mail" in page.text
    assert "Bengkel A" in page.text  # its subject, as it would have been
    assert session.scalars(select(OutboxMail).where(OutboxMail.status == "inflight")).all() == []


def test_an_announcement_whose_filled_subject_outgrows_the_outbox_is_sent_and_recorded(
    session: Session, smtp_server: SmtpServer
) -> None:
    long_name = "Persatuan " + "Sahabat " * 23  # 194 characters
    stored_registration(session, organisation_name=long_name, contact_name=long_name)
    texts = clean_texts(subject_ms="{organisation_name}: {contact_name}", body_ms="Isi",
                        subject_en="{organisation_name}: {contact_name}", body_en="Body")
    announcements.send_announcement(session=session, texts=texts, filters=RegistrationFilters(),
                                    staff_user_id=staff_user(session).id, now=IN_TIME)
    session.commit()

    report = deliver_due(session=session, settings=smtp_server.settings())

    assert (report.sent, report.failed) == (1, 0)
    [mail] = session.scalars(select(OutboxMail).where(OutboxMail.kind == "announcement"))
    assert mail.status == "sent" and mail.subject is not None
    assert len(mail.subject) == 300 and mail.subject.endswith("…")
    assert smtp_server.received[0].message["Subject"] == mail.subject
