"""The secretariat's digest of workshop replies: each reply told once, one digest an hour."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.db import begin_write
from app.models import Invitation, OutboxMail, Registration, ReplyDigest, ReplyNotice
from app.schemas.reply import ReplyAnswer, RepresentativeAnswer
from app.services import invitations, outbox, purge, reply_digest, seating, workshop_due
from app.services.mailer import deliver_due
from app.services.private_links import form_guard
from tests.conftest import ROOT, TEST_DATABASE_URL, Clock
from tests.smtp import Received, SmtpServer
from tests.staff_helpers import registration
from tests.workshop_helpers import (
    AISYAH,
    NOW,
    RAVI,
    accept_form,
    api_token,
    create_workshop,
    invitation_of,
    invite,
    invited,
    latest_link,
    stored_workshop,
)

pytestmark = pytest.mark.usefixtures("staff_ready")

SECRETARIAT = get_settings().notify_email


def _digests(smtp_server: SmtpServer) -> list[Received]:
    return [mail for mail in smtp_server.handler.to(SECRETARIAT)
            if str(mail.message["Subject"]).startswith("Workshop replies")]


def _accept(people: int) -> ReplyAnswer:
    return ReplyAnswer(answer="accept", representatives=[
        RepresentativeAnswer(f"Person {n}", "Officer", f"p{n}@example.my") for n in range(people)])


def test_the_secretariat_hears_of_accepts_declines_and_the_waiting_list_in_english(
    client: TestClient, session: Session, clock: Clock, smtp_server: SmtpServer
) -> None:
    clock.set(NOW)
    headers = api_token(session)
    workshop_id = create_workshop(client, headers, capacity=2)
    accepting = registration(session, organisation_name="Persatuan Nelayan Kuala Kedah",
                             preferred_language="ms")
    declining = registration(session, organisation_name="Syarikat <b>Bold</b> & Co",
                             preferred_language="ms")
    waiting = registration(session, organisation_name="Kesatuan Pekerja Ladang")
    invite(client, headers, workshop_id, accepting.reference, declining.reference,
           waiting.reference)
    links = {r.reference: latest_link(session, r) for r in (accepting, declining, waiting)}

    path, token = links[accepting.reference]
    client.post(path, data=accept_form(form_guard(token), AISYAH, RAVI))
    path, token = links[declining.reference]
    client.post(path, data={"guard": form_guard(token), "answer": "decline",
                            "decline_reason": 'Our <script>alert("AGM")</script> clashes'})
    path, token = links[waiting.reference]
    client.post(path, data=accept_form(form_guard(token), ("Siti", "Setiausaha",
                                                           "siti@example.org.my")))
    assert invitation_of(session, waiting, workshop_id).status == "waiting"

    report = workshop_due.run_due(session=session, now=clock())
    deliver_due(session=session, settings=smtp_server.settings())

    assert report.digested == 3
    [digest] = _digests(smtp_server)
    assert digest.message["Subject"] == "Workshop replies: 3 new"
    assert digest.message["Content-Language"] == "en"
    text = digest.text
    assert "Strategic planning workshop" in text  # the secretariat reads English
    assert "Persatuan Nelayan Kuala Kedah" in text and "Accepted" in text
    assert "Representatives: 2" in text
    assert "Declined" in text and 'Reason: Our <script>alert("AGM")</script> clashes' in text
    assert "Kesatuan Pekerja Ladang" in text and "Moved to the waiting list" in text
    assert "MYT (UTC+8)" in text and "Seats taken now: 2 of 2" in text
    assert f"/staff/workshops/{workshop_id}" in text
    # Everything the registrants typed is escaped in the HTML part.
    html = digest.html
    assert "<script>" not in html and "<b>Bold</b>" not in html
    assert "&lt;script&gt;" in html and "Syarikat &lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html
    # Sent: nothing is left waiting, and staff's outbox shows what went.
    assert workshop_due.run_due(session=session, now=clock()).digested == 0
    subjects = outbox.list_outbox(session=session).subjects.values()
    assert "Workshop replies: 3 new" in subjects


def test_at_most_one_digest_an_hour_while_replies_keep_coming(
    client: TestClient, session: Session, clock: Clock, smtp_server: SmtpServer
) -> None:
    clock.set(NOW)
    headers = api_token(session)
    workshop_id = create_workshop(client, headers, capacity=20)
    names = ["Pertubuhan Satu", "Pertubuhan Dua", "Pertubuhan Tiga", "Pertubuhan Empat"]
    registered = [registration(session, organisation_name=name) for name in names]
    invite(client, headers, workshop_id, *[r.reference for r in registered])
    links = [latest_link(session, r) for r in registered]

    def accept(number: int, at: dt.timedelta) -> None:
        clock.set(NOW + at)
        path, token = links[number]
        response = client.post(path, data=accept_form(form_guard(token), AISYAH))
        assert response.status_code == 200  # followed to the page that thanks them

    def send_due(at: dt.timedelta) -> list[str]:
        """Run a pass of send-emails at `at`; return the digests' texts it sent."""
        before = len(_digests(smtp_server))
        workshop_due.run_due(session=session, now=NOW.astimezone(dt.UTC) + at)
        deliver_due(session=session, settings=smtp_server.settings(),
                    now=NOW.astimezone(dt.UTC) + at)
        return [mail.text for mail in _digests(smtp_server)[before:]]

    # The first reply after a quiet spell goes on the next pass.
    accept(0, dt.timedelta(0))
    [first] = send_due(dt.timedelta(minutes=1))
    assert "Pertubuhan Satu" in first
    # Replies keep coming: they wait until an hour has passed since that digest.
    accept(1, dt.timedelta(minutes=10))
    assert send_due(dt.timedelta(minutes=11)) == []
    accept(2, dt.timedelta(minutes=40))
    assert send_due(dt.timedelta(minutes=60, seconds=59)) == []
    [second] = send_due(dt.timedelta(minutes=61))
    assert "Pertubuhan Dua" in second and "Pertubuhan Tiga" in second
    assert "Pertubuhan Satu" not in second
    # After a quiet spell, the next reply goes at once again.
    accept(3, dt.timedelta(hours=5))
    [third] = send_due(dt.timedelta(hours=5, minutes=1))
    assert "Pertubuhan Empat" in third and "Pertubuhan Dua" not in third
    assert send_due(dt.timedelta(hours=7)) == []
    assert len(_digests(smtp_server)) == 3


def _replies_to_tell(session: Session, count: int) -> int:
    """Store a workshop with `count` accepted replies, committed; return the workshop's id."""
    workshop_id = stored_workshop(session, capacity=50)
    registered = [registration(session) for _ in range(count)]
    invitations.invite(session=session, workshop_id=workshop_id, now=NOW, staff_user_id=None,
                       references=[r.reference for r in registered])
    session.commit()
    for row in registered:
        seating.reply(session=session, invitation=invitation_of(session, row, workshop_id),
                      answer=_accept(1), now=NOW.astimezone(dt.UTC))
        session.commit()
    return workshop_id


def test_workers_racing_make_one_digest_telling_each_reply_once(
    committed_session: Session
) -> None:
    session = committed_session
    _replies_to_tell(session, 6)
    engine = session.get_bind()
    start = threading.Barrier(4)
    told: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            for _pass in range(3):
                with Session(engine) as own:
                    told.append(workshop_due.run_due(session=own, now=NOW).digested)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(told) == [0] * 11 + [6]
    assert session.scalar(select(func.count()).select_from(ReplyDigest)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.kind == "reply_digest")) == 1
    assert session.scalar(select(func.count()).select_from(ReplyNotice).where(
        ReplyNotice.digest_id.is_(None))) == 0


def test_a_worker_that_loses_the_race_sends_no_second_digest_within_the_hour(
    committed_session: Session
) -> None:
    session = committed_session
    workshop_id = _replies_to_tell(session, 2)
    late = registration(session)
    invitations.invite(session=session, workshop_id=workshop_id, now=NOW, staff_user_id=None,
                       references=[late.reference])
    session.commit()
    late_invitation = invitation_of(session, late, workshop_id).id
    engine = session.get_bind()
    results: list[int] = []

    def second_worker() -> None:
        with Session(engine) as own:
            begin_write(own)
            results.append(reply_digest.queue_digest(
                session=own, now=NOW + dt.timedelta(minutes=1)))
            own.commit()

    def late_reply() -> None:
        with Session(engine) as own:
            begin_write(own)
            invitation = own.get(Invitation, late_invitation)
            assert invitation is not None
            seating.reply(session=own, invitation=invitation, answer=_accept(1),
                          now=NOW.astimezone(dt.UTC))
            own.commit()

    # The first worker has made its digest and not yet committed it when a new reply
    # arrives and the second worker looks for the last digest (and finds none).
    with Session(engine) as first:
        begin_write(first)
        assert reply_digest.queue_digest(session=first, now=NOW) == 2
        threads = [threading.Thread(target=late_reply), threading.Thread(target=second_worker)]
        for thread in threads:
            thread.start()
            time.sleep(0.5)
        first.commit()
    for thread in threads:
        thread.join(timeout=60)

    assert results == [0]
    session.rollback()  # a fresh read
    assert session.scalar(select(func.count()).select_from(ReplyDigest)) == 1
    # The late reply waits for the next digest, an hour after the first.
    assert session.scalar(select(func.count()).select_from(ReplyNotice).where(
        ReplyNotice.digest_id.is_(None))) == 1


def test_two_send_emails_workers_send_the_digest_once(
    committed_session: Session, smtp_server: SmtpServer
) -> None:
    session = committed_session
    now = dt.datetime.now(dt.UTC)
    workshop_id = stored_workshop(session, capacity=50, starts_at=now + dt.timedelta(days=10))
    registered = [registration(session, organisation_name=f"Pertubuhan {n}") for n in range(3)]
    invitations.invite(session=session, workshop_id=workshop_id, now=now, staff_user_id=None,
                       references=[r.reference for r in registered])
    session.commit()
    for row in registered:
        seating.reply(session=session, invitation=invitation_of(session, row, workshop_id),
                      answer=_accept(2), now=now)
        session.commit()
    environment = {**os.environ, "DATABASE_URL": TEST_DATABASE_URL, "SMTP_HOST": "127.0.0.1",
                   "SMTP_PORT": str(smtp_server.port)}

    workers = [subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "app.cli", "send-emails", "--once"], cwd=ROOT, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read() if worker.stderr else ""

    [digest] = _digests(smtp_server)
    assert digest.message["Subject"] == "Workshop replies: 3 new"
    for n in range(3):
        assert digest.text.count(f"Pertubuhan {n} (") == 1
    # The registrants' own mails went too, each once: three invitations, three acceptances.
    assert len(smtp_server.received) == 7


def test_erasing_a_registration_erases_its_reasons_waiting_for_the_digest(
    client: TestClient, session: Session, clock: Clock
) -> None:
    clock.set(NOW)
    reply = invited(client, session)
    client.post(reply.path, data={"guard": form_guard(reply.token), "answer": "decline",
                                  "decline_reason": "Our director, Encik Rahman, is unwell"})
    session.execute(update(OutboxMail).values(status="sent"))
    session.execute(update(Registration).where(Registration.id == reply.registration.id)
                    .values(withdrawn_at=dt.datetime.now(dt.UTC)))
    session.commit()

    purge.purge(session=session, now=dt.datetime.now(dt.UTC), keep_for=None)
    session.commit()

    session.expire_all()
    [notice] = session.scalars(select(ReplyNotice)).all()
    assert (notice.outcome, notice.reason) == ("declined", "")
