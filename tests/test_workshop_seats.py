"""Seats: never more representatives than the capacity, a waiting list, offers and reminders."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from app.models import Invitation, OutboxMail, Registration, Representative
from app.schemas.reply import ReplyAnswer, RepresentativeAnswer
from app.schemas.workshop import WorkshopPatch
from app.services import deadline, invitations, manage, seating, workshop_due, workshops
from app.services.invitation_links import invitation_token
from app.services.private_links import form_guard
from tests.conftest import ROOT, TEST_DATABASE_URL, LiveServer
from tests.smtp import SmtpServer
from tests.staff_helpers import registration
from tests.workshop_helpers import NOW, stored_workshop


def _invited(session: Session, workshop_id: int, count: int,
             now: dt.datetime = NOW) -> list[Invitation]:
    registered = [registration(session) for _ in range(count)]
    invitations.invite(session=session, workshop_id=workshop_id, now=now, staff_user_id=None,
                       references=[r.reference for r in registered])
    session.commit()
    return [session.scalars(select(Invitation).where(
        Invitation.registration_id == r.id)).one() for r in registered]


def _accept(people: int) -> ReplyAnswer:
    return ReplyAnswer(answer="accept", representatives=[
        RepresentativeAnswer(f"Person {n}", "Officer", f"p{n}@example.my") for n in range(people)])


def _kinds(session: Session, invitation: Invitation) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(OutboxMail.kind).where(
        OutboxMail.invitation_id == invitation.id).order_by(OutboxMail.id)))


def test_a_reply_that_does_not_fit_waits_and_is_offered_freed_seats_in_turn(
    session: Session
) -> None:
    workshop_id = stored_workshop(session, capacity=2)
    first, second, third = _invited(session, workshop_id, 3)

    assert seating.reply(session=session, invitation=first, answer=_accept(2),
                         now=NOW) == "accepted"
    assert seating.reply(session=session, invitation=second, answer=_accept(2),
                         now=NOW) == "waiting"
    assert seating.reply(session=session, invitation=third, answer=_accept(2),
                         now=NOW + dt.timedelta(minutes=1)) == "waiting"
    assert _kinds(session, second)[-1] == "workshop_waiting"

    # One seat freed is not enough for the first waiting (2), and nobody jumps the queue.
    seating.reply(session=session, invitation=first, answer=_accept(1), now=NOW)
    assert (second.status, third.status) == ("waiting", "waiting")

    seating.reply(session=session, invitation=first, answer=ReplyAnswer(answer="decline"),
                  now=NOW)
    assert (second.status, third.status) == ("offered", "waiting")
    assert _kinds(session, second)[-1] == "workshop_offer"
    assert second.offer_expires_at == NOW + dt.timedelta(hours=48)

    # The offer runs out unanswered: it expires and passes to the next on the list.
    session.commit()
    report = workshop_due.run_due(session=session, now=NOW + dt.timedelta(hours=49))
    session.expire_all()
    assert report.expired == 1
    assert (second.status, third.status) == ("expired", "offered")
    with pytest.raises(seating.ReplyRefused):
        seating.reply(session=session, invitation=second, answer=_accept(1),
                      now=NOW + dt.timedelta(hours=50))
    assert seating.reply(session=session, invitation=third, answer=_accept(2),
                         now=NOW + dt.timedelta(hours=50)) == "accepted"
    assert _kinds(session, third)[-1] == "workshop_accepted"
    seats = workshops.seat_counts(session=session,
                                  workshop=workshops.get_workshop(session=session,
                                                                  workshop_id=workshop_id))
    assert (seats.accepted, seats.offered, seats.waiting) == (2, 0, 0)


def test_raising_the_capacity_offers_seats_but_never_after_the_workshop_starts(
    session: Session
) -> None:
    workshop_id = stored_workshop(session, capacity=1)
    first, second = _invited(session, workshop_id, 2)
    seating.reply(session=session, invitation=first, answer=_accept(1), now=NOW)
    seating.reply(session=session, invitation=second, answer=_accept(1), now=NOW)
    assert second.status == "waiting"

    workshops.update_workshop(session=session, workshop_id=workshop_id,
                              changes=WorkshopPatch(capacity=2), staff_user_id=None, now=NOW)
    assert second.status == "offered"

    with pytest.raises(workshops.WorkshopInvalid) as invalid:
        workshops.update_workshop(session=session, workshop_id=workshop_id,
                                  changes=WorkshopPatch(capacity=0), staff_user_id=None, now=NOW)
    assert "capacity" in invalid.value.errors

    started = dt.datetime(2022, 11, 15, 10, 0, tzinfo=MALAYSIA)
    workshop = workshops.get_workshop(session=session, workshop_id=workshop_id)
    second.status, second.offer_expires_at = "waiting", None
    workshop.capacity = 5
    assert seating.offer_free_seats(session=session, workshop=workshop, now=started) == 0


def test_a_changed_venue_tells_everyone_invited_or_accepted_once(session: Session) -> None:
    workshop_id = stored_workshop(session, capacity=5)
    accepted, invited, declined = _invited(session, workshop_id, 3)
    seating.reply(session=session, invitation=accepted, answer=_accept(1), now=NOW)
    seating.reply(session=session, invitation=declined, answer=ReplyAnswer(answer="decline"),
                  now=NOW)

    workshops.update_workshop(session=session, workshop_id=workshop_id,
                              changes=WorkshopPatch(venue="Dewan Merdeka", capacity=6),
                              staff_user_id=None, now=NOW)
    workshops.update_workshop(session=session, workshop_id=workshop_id,
                              changes=WorkshopPatch(title_en="Roadmap workshop"),
                              staff_user_id=None, now=NOW)

    assert [_kinds(session, i).count("workshop_changed") for i in (accepted, invited, declined)] \
        == [1, 1, 0]


def test_racing_accepts_take_exactly_the_capacity_and_the_rest_wait(
    committed_session: Session
) -> None:
    session = committed_session
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    workshop_id = stored_workshop(session, capacity=5, starts_at=soon)
    rows = _invited(session, workshop_id, 12)
    tokens = [str(invitation_token(invitation)) for invitation in rows]
    session.commit()
    server = LiveServer(workers=2)
    try:
        server.wait_ready(timeout=120)  # two workers starting on a busy machine
        start = threading.Barrier(len(tokens))

        def accept(token: str) -> int:
            start.wait()
            response = httpx.post(f"{server.url}/invitation/{token}", timeout=60, data={
                "guard": form_guard(token), "answer": "accept",
                "representatives-0-full_name": "Wakil", "representatives-0-designation": "Pegawai",
                "representatives-0-email": "wakil@example.my"})
            return response.status_code

        with ThreadPoolExecutor(len(tokens)) as pool:
            codes = list(pool.map(accept, tokens))
    finally:
        server.stop()

    assert codes == [303] * len(tokens)
    session.expire_all()
    statuses = sorted(session.scalars(select(Invitation.status).where(
        Invitation.workshop_id == workshop_id)))
    assert statuses == ["accepted"] * 5 + ["waiting"] * 7
    seated = session.scalar(select(func.count()).select_from(Representative).join(Invitation)
                            .where(Invitation.status == "accepted"))
    assert seated == 5
    assert session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.kind == "workshop_waiting")) == 7


def test_reminders_go_once_however_many_workers_run(committed_session: Session) -> None:
    session = committed_session
    starts = NOW + dt.timedelta(days=4)
    # Replies close in two days: within the three days before, when reminders fall due.
    workshop_id = stored_workshop(session, capacity=50, starts_at=starts,
                            replies_close_at=NOW + dt.timedelta(days=2))
    # Invited a week ago: long enough before the reminder to be reminded.
    rows = _invited(session, workshop_id, 8, now=NOW - dt.timedelta(days=7))
    seating.reply(session=session, invitation=rows[0], answer=_accept(1), now=NOW)
    session.commit()
    engine = session.get_bind()

    def worker(_: int) -> int:
        total = 0
        for _pass in range(3):
            with Session(engine) as own:
                total += workshop_due.run_due(session=own, now=NOW).reminded
        return total

    with ThreadPoolExecutor(4) as pool:
        reminded = sum(pool.map(worker, range(4)))

    assert reminded == 7  # the one that accepted is not reminded
    assert session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.kind == "workshop_reminder")) == 7
    assert session.scalar(select(func.count()).select_from(Registration)) == 8


def test_two_send_emails_workers_send_each_reminder_once(
    committed_session: Session, smtp_server: SmtpServer
) -> None:
    session = committed_session
    now = dt.datetime.now(dt.UTC)
    workshop_id = stored_workshop(session, capacity=50, starts_at=now + dt.timedelta(days=3),
                                  replies_close_at=now + dt.timedelta(days=1))
    invitations.invite(session=session, workshop_id=workshop_id, now=now - dt.timedelta(days=9),
                       staff_user_id=None,
                       references=[registration(session).reference for _ in range(3)])
    session.commit()
    environment = {**os.environ, "DATABASE_URL": TEST_DATABASE_URL, "SMTP_HOST": "127.0.0.1",
                   "SMTP_PORT": str(smtp_server.port)}

    workers = [subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "app.cli", "send-emails", "--once"], cwd=ROOT, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read() if worker.stderr else ""

    subjects = [str(mail.message["Subject"]) for mail in smtp_server.received]
    assert sum(subject.startswith("Peringatan") for subject in subjects) == 3
    assert sum(subject.startswith("Jemputan") for subject in subjects) == 3
    assert len(subjects) == 6


def test_a_withdrawn_registration_gives_up_its_seats(session: Session) -> None:
    workshop_id = stored_workshop(session, capacity=1)
    first, second = _invited(session, workshop_id, 2)
    seating.reply(session=session, invitation=first, answer=_accept(1), now=NOW)
    seating.reply(session=session, invitation=second, answer=_accept(1), now=NOW)
    withdrawing = session.get(Registration, first.registration_id)
    assert withdrawing is not None

    # Withdrawing is only possible while the call is open.
    closes = deadline.registration_closes_at(session)
    manage.withdraw_registration(session=session, registration=withdrawing,
                                 now=closes - dt.timedelta(days=1))

    session.expire_all()
    assert (first.status, first.link_nonce, second.status) == ("cancelled", None, "offered")
