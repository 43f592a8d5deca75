"""Declines: confirmed by mail with the private link; taken after replies close, freeing seats."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services import workshop_due
from app.services.mailer import deliver_due
from app.services.private_links import form_guard
from tests.conftest import Clock
from tests.smtp import SmtpServer
from tests.staff_helpers import registration
from tests.workshop_helpers import (
    AISYAH,
    LINK,
    NOW,
    RAVI,
    STARTS,
    accept_form,
    api_token,
    create_workshop,
    invitation_of,
    invite,
    invited,
    latest_link,
)

pytestmark = pytest.mark.usefixtures("staff_ready")

CLOSED = STARTS - dt.timedelta(days=2)  # replies closed five days before, the workshop is ahead


def test_a_decline_is_confirmed_by_mail_in_the_registrants_language_with_the_private_link(
    client: TestClient, session: Session, clock: Clock, smtp_server: SmtpServer
) -> None:
    clock.set(NOW)
    reply = invited(client, session, preferred_language="ms",
                    contact_email="hubungi@example.org.my")
    deliver_due(session=session, settings=smtp_server.settings())  # the invitation

    declined = client.post(reply.path, data={"guard": form_guard(reply.token),
                                             "answer": "decline",
                                             "decline_reason": "Mesyuarat agung <tahunan>"})
    assert "Kami telah menghantar pengesahan melalui emel" in declined.text
    # The same decline sent again (a reload) mails nothing more.
    client.post(reply.path, data={"guard": form_guard(reply.token), "answer": "decline"})
    deliver_due(session=session, settings=smtp_server.settings())

    invitation_mail, confirmation = smtp_server.handler.to("hubungi@example.org.my")
    assert confirmation.message["Subject"] == (
        "Jawapan anda direkodkan, tidak hadir: Bengkel perancangan strategik")
    assert "tidak akan menghadiri bengkel di bawah" in confirmation.text
    assert "masih boleh menerima jemputan" in confirmation.text
    found = LINK.search(confirmation.text)
    assert found is not None, confirmation.text
    # The link opens the reply page, where the registrant can still change their mind.
    page = client.get(found.group(1))
    assert page.status_code == 200 and "Menolak" in page.text
    accepted = client.post(found.group(1), data=accept_form(form_guard(found.group(2)), AISYAH))
    assert accepted.status_code == 200
    assert invitation_of(session, reply.registration, reply.workshop_id).status == "accepted"


def test_a_decline_after_replies_close_frees_the_seats_for_the_first_organisation_waiting(
    client: TestClient, session: Session, clock: Clock, smtp_server: SmtpServer
) -> None:
    clock.set(NOW)
    headers = api_token(session)
    workshop_id = create_workshop(client, headers, capacity=2)
    holding = registration(session, preferred_language="en",
                           contact_email="holding@example.org.my")
    first_waiting = registration(session, preferred_language="en",
                                 contact_email="first@example.org.my")
    second_waiting = registration(session, preferred_language="en",
                                  contact_email="second@example.org.my")
    invite(client, headers, workshop_id, holding.reference, first_waiting.reference,
           second_waiting.reference)
    links = {r.id: latest_link(session, r) for r in (holding, first_waiting, second_waiting)}
    for row, at in ((holding, 0), (first_waiting, 1), (second_waiting, 2)):
        clock.set(NOW + dt.timedelta(minutes=at))
        path, token = links[row.id]
        client.post(path, data=accept_form(form_guard(token), AISYAH, RAVI))
    assert invitation_of(session, first_waiting, workshop_id).status == "waiting"
    assert invitation_of(session, second_waiting, workshop_id).status == "waiting"
    deliver_due(session=session, settings=smtp_server.settings())
    smtp_server.handler.received.clear()

    clock.set(CLOSED)
    path, token = links[holding.id]
    page = client.get(path)
    # Only a decline is offered now, and the page says why.
    assert "Replies closed on" in page.text and "can still decline here" in page.text
    assert 'value="accept"' not in page.text and "representatives-0-full_name" not in page.text
    refused = client.post(path, data=accept_form(form_guard(token), AISYAH))
    assert refused.status_code == 403
    assert "can no longer accept or change its representatives" in refused.text
    declined = client.post(path, data={"guard": form_guard(token), "answer": "decline",
                                       "decline_reason": "Our director is abroad"})
    assert declined.status_code == 200 and "will not attend" in declined.text

    assert invitation_of(session, holding, workshop_id).status == "declined"
    assert invitation_of(session, first_waiting, workshop_id).status == "offered"
    assert invitation_of(session, second_waiting, workshop_id).status == "waiting"
    deliver_due(session=session, settings=smtp_server.settings())
    [confirmation] = smtp_server.handler.to("holding@example.org.my")
    assert "Replies have closed, so this answer can no longer be changed" in confirmation.text
    [offer] = smtp_server.handler.to("first@example.org.my")
    assert offer.message["Subject"] == "Seats are free for you: Strategic planning workshop"
    assert smtp_server.handler.to("second@example.org.my") == []
    # The offer's link lets the organisation take the seats, though replies have closed.
    found = LINK.search(offer.text)
    assert found is not None, offer.text
    taken = client.post(found.group(1),
                        data=accept_form(form_guard(found.group(2)), AISYAH, RAVI))
    assert taken.status_code == 200
    assert invitation_of(session, first_waiting, workshop_id).status == "accepted"

    # The secretariat's digest tells the late decline and the offer taken.
    workshop_due.run_due(session=session, now=clock())
    deliver_due(session=session, settings=smtp_server.settings())
    [digest] = smtp_server.handler.to("alliance8.7@mohr.gov.my")
    assert "Declined" in digest.text and "Our director is abroad" in digest.text
    assert "Took the seats offered" in digest.text


def test_no_decline_once_the_workshop_has_started_nor_a_second_one_after_replies_close(
    client: TestClient, session: Session, clock: Clock
) -> None:
    clock.set(NOW)
    reply = invited(client, session, preferred_language="en")
    other = invited(client, session, preferred_language="en")
    guard = form_guard(reply.token)
    client.post(reply.path, data={"guard": guard, "answer": "decline"})

    clock.set(CLOSED)
    page = client.get(reply.path)
    assert "Decline: we will not attend" not in page.text
    assert "Replies to this workshop have closed" in page.text
    again = client.post(reply.path, data={"guard": guard, "answer": "decline"})
    assert again.status_code == 403

    clock.set(STARTS + dt.timedelta(minutes=5))
    started = client.post(other.path, data={"guard": form_guard(other.token),
                                            "answer": "decline"})
    assert started.status_code == 403 and "The workshop has started" in started.text
    assert invitation_of(session, other.registration, other.workshop_id).status == "invited"
