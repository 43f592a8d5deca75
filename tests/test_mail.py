"""Mail through the outbox to a real SMTP server on loopback: once each, in the right language."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OutboxMail, Registration
from app.services import outbox
from app.services.deadline import set_deadline
from app.services.mailer import (
    LEASE,
    MAX_ATTEMPTS,
    claim_due,
    deliver_due,
    log_waiting_mail,
    retry_delay,
)
from app.services.private_links import manage_token
from tests.conftest import Clock, free_port
from tests.factories import form_fields, registration_payload
from tests.smtp import (
    SilentServer,
    SmtpServer,
    mail_settings,
    running_silent_server,
)

URL = "/api/v1/registrations"
SECRETARIAT = "alliance8.7@mohr.gov.my"


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    yield from running_silent_server()


def _register(client: TestClient, **overrides: object) -> dict[str, str]:
    response = client.post(URL, json=registration_payload(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def _mails(session: Session) -> list[OutboxMail]:
    session.expire_all()
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_each_contact_gets_one_confirmation_in_their_language_and_the_secretariat_is_told(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    contacts = {f"contact{n}@example.org.my": ("ms" if n % 2 else "en") for n in range(6)}
    references = {}
    for address, language in list(contacts.items())[:4]:
        references[address] = _register(client, contact_email=address,
                                        preferred_language=language)["reference"]
    for address, language in list(contacts.items())[4:]:
        response = client.post("/", data=form_fields(contact_email=address,
                                                     preferred_language=language),
                               follow_redirects=False)
        assert response.status_code == 303
        references[address] = session.scalars(
            select(Registration.reference).where(Registration.contact_email == address)
        ).one()

    report = deliver_due(session=session, settings=smtp_server.settings())

    assert report.sent == 12
    for address, language in contacts.items():
        [confirmation] = smtp_server.handler.to(address)
        reference = references[address]
        assert reference in confirmation.message["Subject"]
        assert reference in confirmation.text and reference in confirmation.html
        if language == "ms":
            assert "pendaftaran diterima" in confirmation.message["Subject"]
            assert "Nombor rujukan anda ialah" in confirmation.text
        else:
            assert "registration received" in confirmation.message["Subject"]
            assert "Your reference number is" in confirmation.text
        assert confirmation.message["Content-Language"] == language
    told = smtp_server.handler.to(SECRETARIAT)
    assert len(told) == 6
    assert sorted(ref for ref in references.values()
                  if any(ref in mail.message["Subject"] for mail in told)) == sorted(
        references.values())
    for received in smtp_server.received:
        if received.rcpt_tos == [SECRETARIAT]:
            # The secretariat presses Reply and writes to the registrant, not to itself.
            [contact] = [address for address in contacts if address in received.text]
            assert received.message["Reply-To"] == contact
        else:
            assert received.message["Reply-To"] == SECRETARIAT
        [sender] = received.message["From"].addresses
        assert (sender.display_name, sender.addr_spec) == ("Alliance 8.7 Malaysia", SECRETARIAT)
        assert received.mail_from == SECRETARIAT
        assert received.message["Date"]
    message_ids = [r.message["Message-ID"] for r in smtp_server.received]
    assert len(set(message_ids)) == 12
    assert set(message_ids) == {m.message_id for m in _mails(session)}
    assert {m.status for m in _mails(session)} == {"sent"}

    assert deliver_due(session=session, settings=smtp_server.settings()).sent == 0
    assert len(smtp_server.received) == 12


def test_the_confirmation_reads_as_a_person_expects(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    body = _register(client, contact_email="aisyah@example.org.my", preferred_language="ms",
                     contact_name="Nur Aisyah binti Ahmad")
    deliver_due(session=session, settings=smtp_server.settings())

    [mail] = smtp_server.handler.to("aisyah@example.org.my")
    text = mail.text
    assert text.startswith("Yang dihormati Nur Aisyah binti Ahmad,")
    assert f"Nombor rujukan anda ialah {body['reference']}." in text
    assert "20 Oktober 2022, 11:59 malam waktu Malaysia (UTC+8)" in text
    assert "pelan hala tuju Alliance 8.7" in text
    assert "November 2022" in text
    assert "alliance8.7@mohr.gov.my" in text
    assert "Pencegahan" in text and "Migrasi Buruh" in text
    link = re.search(r"http://127\.0\.0\.1:8000(/manage/[A-Za-z0-9_.-]+)", text)
    assert link is not None
    assert link.group(0) in mail.html
    page = client.get(link.group(1))
    assert page.status_code == 200
    assert body["reference"] in page.text


def test_the_html_part_shows_hostile_names_as_text(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    _register(client, organisation_name="<script>alert(1)</script> Sdn Bhd",
              contact_name='<img src=x onerror="alert(2)">', contact_email="x@example.org.my")
    deliver_due(session=session, settings=smtp_server.settings())

    for received in smtp_server.received:
        assert "<script>" not in received.html
        assert "<img src=x" not in received.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Sdn Bhd" in received.html
    [confirmation] = smtp_server.handler.to("x@example.org.my")
    assert "<script>alert(1)</script> Sdn Bhd" in confirmation.text


def test_nothing_is_sent_and_nothing_is_lost_while_the_server_is_down(
    client: TestClient, session: Session, clock: Clock
) -> None:
    port = free_port()
    settings = mail_settings(port)
    started = time.monotonic()
    references = [_register(client)["reference"] for _ in range(3)]
    assert time.monotonic() - started < 3

    first_try = dt.datetime(2022, 10, 15, 2, 0, tzinfo=dt.UTC)
    report = deliver_due(session=session, settings=settings, now=first_try)

    assert report.sent == 0 and report.retrying == 6
    for mail in _mails(session):
        assert mail.status == "retry"
        assert mail.attempts == 1
        assert mail.next_attempt_at == first_try + dt.timedelta(minutes=1)
        assert "ConnectionRefused" in mail.last_error

    server = SmtpServer(port)
    server.start()
    try:
        too_soon = deliver_due(session=session, settings=settings,
                               now=first_try + dt.timedelta(seconds=30))
        assert too_soon.sent == 0 and server.received == []
        report = deliver_due(session=session, settings=settings,
                             now=first_try + dt.timedelta(minutes=2))
        again = deliver_due(session=session, settings=settings,
                            now=first_try + dt.timedelta(hours=3))
    finally:
        server.stop()

    assert report.sent == 6 and again.sent == 0
    assert len(server.received) == 6
    assert len({r.message["Message-ID"] for r in server.received}) == 6
    for reference in references:
        assert sum(reference in r.message["Subject"] for r in server.received) == 2
    assert {(m.status, m.last_error) for m in _mails(session)} == {("sent", "")}


def test_a_server_that_never_answers_times_out_quickly(
    client: TestClient, session: Session, silent_server: SilentServer
) -> None:
    _register(client)
    settings = mail_settings(silent_server.port, smtp_timeout_seconds=0.5)

    started = time.monotonic()
    report = deliver_due(session=session, settings=settings)

    assert time.monotonic() - started < 3
    assert report.retrying == 2
    assert all("timed out" in mail.last_error for mail in _mails(session))


def test_a_permanent_refusal_fails_with_its_error_shown_to_staff_and_can_be_retried(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    _register(client, contact_email="nobody@example.org.my")
    smtp_server.handler.rcpt_reply = "550 5.1.1 Mailbox unavailable"

    report = deliver_due(session=session, settings=smtp_server.settings())

    assert report.failed == 2
    page = outbox.list_outbox(session=session, status="failed")
    assert page.total == 2 and page.counts["failed"] == 2
    assert all("550 5.1.1 Mailbox unavailable" in m.last_error for m in page.mails)
    assert all(m.attempts == 1 for m in page.mails)

    smtp_server.handler.rcpt_reply = None
    retried = outbox.retry_mail(session=session, mail_id=page.mails[0].id,
                                now=dt.datetime.now(dt.UTC))
    assert retried.status == "queued"
    assert deliver_due(session=session, settings=smtp_server.settings()).sent == 1
    assert outbox.list_outbox(session=session).counts == {
        "queued": 0, "inflight": 0, "retry": 0, "failed": 1, "sent": 1,
    }


def test_a_temporary_refusal_is_retried_with_growing_waits_then_fails(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    _register(client)
    smtp_server.handler.data_reply = "451 4.3.0 Try again later"
    now = dt.datetime(2022, 10, 15, 2, 0, tzinfo=dt.UTC)

    waits = []
    for _ in range(MAX_ATTEMPTS):
        deliver_due(session=session, settings=smtp_server.settings(), now=now)
        [mail, *_] = _mails(session)
        if mail.status == "failed":
            break
        assert mail.status == "retry" and "451 4.3.0 Try again later" in mail.last_error
        waits.append(mail.next_attempt_at - now)
        now = mail.next_attempt_at

    assert waits[:4] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(waits) == dt.timedelta(hours=1)
    assert retry_delay(1) == dt.timedelta(minutes=1)
    assert mail.status == "failed" and mail.attempts == MAX_ATTEMPTS
    assert smtp_server.received == []


def test_a_mail_whose_worker_died_is_sent_once_its_lease_runs_out(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    _register(client)
    now = dt.datetime(2022, 10, 15, 2, 0, tzinfo=dt.UTC)
    claimed = claim_due(session=session, now=now)  # ...and the worker dies here.
    assert len(claimed) == 2

    within_lease = deliver_due(session=session, settings=smtp_server.settings(),
                               now=now + LEASE - dt.timedelta(seconds=1))
    after_lease = deliver_due(session=session, settings=smtp_server.settings(),
                              now=now + LEASE)

    assert within_lease.sent == 0
    assert after_lease.sent == 2
    assert len(smtp_server.received) == 2


def test_sent_mail_keeps_no_private_link(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    _register(client, contact_email="aisyah@example.org.my")
    registration = session.scalars(select(Registration)).one()
    token = manage_token(registration)
    assert token

    deliver_due(session=session, settings=smtp_server.settings())

    [received] = smtp_server.handler.to("aisyah@example.org.my")
    assert f"/manage/{token}" in received.text
    [confirmation] = [m for m in _mails(session) if m.kind == "confirmation"]
    assert "/manage/[removed-after-sending]" in confirmation.body_text
    assert token.partition(".")[2] not in confirmation.body_text + confirmation.body_html
    assert not re.search(r"/manage/[A-Za-z0-9_.-]{20,}", confirmation.body_text)
    assert not re.search(r"/manage/[A-Za-z0-9_.-]{20,}", confirmation.body_html)


def test_without_smtp_host_mail_stays_queued_and_the_log_names_no_one(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    _register(client, contact_email="private.person@example.org.my",
              contact_name="Siti Private")
    no_host = mail_settings(25, smtp_host=None)

    with caplog.at_level(logging.INFO, logger="alliance87.mail"):
        assert deliver_due(session=session, settings=no_host).claimed_ids == []
        last_id = log_waiting_mail(session=session)
        assert log_waiting_mail(session=session, after_id=last_id) == last_id

    assert {m.status for m in _mails(session)} == {"queued"}
    lines = [record.getMessage() for record in caplog.records
             if record.name == "alliance87.mail"]
    assert len(lines) == 2
    assert all("stays queued" in line for line in lines)
    assert any("confirmation" in line for line in lines)
    assert not any("private.person" in line or "Siti" in line or "@" in line for line in lines)


def test_delivery_logs_name_no_one(
    client: TestClient, session: Session, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    _register(client, contact_email="private.person@example.org.my",
              contact_name="Siti Private")
    smtp_server.handler.rcpt_reply = "550 5.1.1 <private.person@example.org.my>: unknown"

    with caplog.at_level(logging.INFO, logger="alliance87.mail"):
        deliver_due(session=session, settings=smtp_server.settings())

    lines = [record.getMessage() for record in caplog.records
             if record.name == "alliance87.mail"]
    assert lines
    assert not any("private.person" in line or "Siti" in line for line in lines)


def test_staff_can_page_and_filter_the_outbox(client: TestClient, session: Session) -> None:
    for _ in range(3):
        _register(client)
    registration = session.scalars(select(Registration).limit(1)).one()

    page = outbox.list_outbox(session=session, limit=4)
    assert page.total == 6 and len(page.mails) == 4
    assert page.counts["queued"] == 6
    mine = outbox.list_outbox(session=session, registration_id=registration.id)
    assert sorted(m.kind for m in mine.mails) == ["confirmation", "notification"]
    assert outbox.list_outbox(session=session, status="sent").mails == []


def test_sent_and_inflight_mail_cannot_be_retried(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    _register(client)
    deliver_due(session=session, settings=smtp_server.settings())
    sent = _mails(session)[0]

    with pytest.raises(outbox.MailNotRetryable):
        outbox.retry_mail(session=session, mail_id=sent.id, now=dt.datetime.now(dt.UTC))
    with pytest.raises(outbox.MailNotFound):
        outbox.retry_mail(session=session, mail_id=10**9, now=dt.datetime.now(dt.UTC))


def test_a_long_outage_never_uses_up_the_attempts(
    client: TestClient, session: Session, clock: Clock
) -> None:
    port = free_port()
    settings = mail_settings(port)
    _register(client)
    now = dt.datetime(2022, 10, 15, 2, 0, tzinfo=dt.UTC)

    for _ in range(MAX_ATTEMPTS + 5):  # more than a day of hourly tries against nothing
        deliver_due(session=session, settings=settings, now=now)
        now = min(m.next_attempt_at for m in _mails(session))

    assert {m.status for m in _mails(session)} == {"retry"}
    server = SmtpServer(port)
    server.start()
    try:
        deliver_due(session=session, settings=settings, now=now)
    finally:
        server.stop()
    assert {m.status for m in _mails(session)} == {"sent"}
    assert len(server.received) == 2


def test_a_message_the_server_cannot_carry_fails_alone(
    client: TestClient, session: Session, smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import smtplib

    _register(client, contact_email="first@example.org.my")
    _register(client, contact_email="second@example.org.my")
    real_send = smtplib.SMTP.sendmail

    def send(self: smtplib.SMTP, from_addr: str, to_addrs: list[str], message: bytes) -> object:
        if "first@example.org.my" in to_addrs:
            raise smtplib.SMTPNotSupportedError("SMTPUTF8 not supported by server")
        return real_send(self, from_addr, to_addrs, message)

    monkeypatch.setattr(smtplib.SMTP, "sendmail", send)
    deliver_due(session=session, settings=smtp_server.settings())

    statuses = {m.to_address: m.status for m in _mails(session) if m.kind == "confirmation"}
    assert statuses == {"first@example.org.my": "failed", "second@example.org.my": "sent"}
    assert len(smtp_server.handler.to(SECRETARIAT)) == 2


def test_a_confirmation_tells_the_deadline_as_it_stands_when_it_is_sent(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    _register(client, contact_email="aisyah@example.org.my", preferred_language="en")
    set_deadline(session=session, value="2022-10-27", set_by="admin@mohr.gov.my",
                 now=dt.datetime.now(dt.UTC))

    deliver_due(session=session, settings=smtp_server.settings())

    [confirmation] = smtp_server.handler.to("aisyah@example.org.my")
    assert "Until the deadline, 27 October 2022, 11:59" in " ".join(confirmation.text.split())


def test_a_mail_whose_registration_is_gone_fails_with_the_reason(
    session: Session, smtp_server: SmtpServer
) -> None:
    now = dt.datetime.now(dt.UTC)
    session.add(OutboxMail(
        kind="confirmation", to_address="gone@example.org.my", language="ms", subject="-",
        message_id="<gone@mohr.gov.my>", status="queued", attempts=0, next_attempt_at=now,
        last_error="", created_at=now,
    ))
    session.commit()

    report = deliver_due(session=session, settings=smtp_server.settings())

    [mail] = _mails(session)
    assert report.failed == 1 and smtp_server.received == []
    assert mail.status == "failed" and "no registration" in mail.last_error
