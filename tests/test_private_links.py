"""Every link the portal mails keeps working until it is killed on purpose (issue 23, part 1).

The mails are read from a real SMTP server (aiosmtpd) and every link in them is opened.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import AuditLog, Invitation, OutboxMail, Registration
from app.schemas.reply import ReplyAnswer, RepresentativeAnswer
from app.services import invitations, seating, workshop_due
from app.services.mailer import deliver_due
from tests.conftest import Clock
from tests.factories import registration_payload
from tests.smtp import Received, SmtpServer
from tests.staff_helpers import csrf_of, registration, sign_in, staff_user
from tests.workshop_helpers import (
    AISYAH,
    NOW,
    RAVI,
    accept_form,
    api_token,
    create_workshop,
    invitation_of,
    invite,
    stored_workshop,
)

pytestmark = pytest.mark.usefixtures("staff_ready")
INVITATION_LINK = re.compile(r"http://127\.0\.0\.1:8000(/invitation/[A-Za-z0-9_.-]+)")
MANAGE_LINK = re.compile(r"http://127\.0\.0\.1:8000(/manage/[A-Za-z0-9_.-]+)")
CONTACT = "urusetia@pertubuhan.example.my"
HOLDER = "pemegang@lain.example.my"
GUARD = re.compile(r'name="guard" value="([^"]+)"')
INVALID = "Pautan ini tidak sah"


def _send_emails(session: Session, smtp_server: SmtpServer, now: dt.datetime) -> None:
    """What one pass of `alliance87 send-emails` does: what falls due, then the mail."""
    workshop_due.run_due(session=session, now=now)
    deliver_due(session=session, settings=smtp_server.settings(), now=now)


def _links(mails: list[Received], pattern: re.Pattern[str]) -> list[str]:
    """Return the link in each mail's plain text, checking the HTML part carries it too."""
    found = []
    for mail in mails:
        link = pattern.search(mail.text)
        assert link is not None, mail.text
        assert link.group(1) in mail.html
        found.append(link.group(1))
    return found


def _guard(client: TestClient, path: str) -> str:
    found = GUARD.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def _kinds(mails: list[Received]) -> list[str]:
    return [str(mail.message["Subject"]).split(":")[0] for mail in mails]


def _decline(session: Session, invitation: Invitation, now: dt.datetime) -> None:
    seating.reply(session=session, invitation=invitation, now=now,
                  answer=ReplyAnswer(answer="decline", decline_reason="Tiada pegawai"))
    session.commit()


def test_every_link_ever_mailed_for_an_invitation_opens_its_reply_page(
    client: TestClient, session: Session, smtp_server: SmtpServer, clock: Clock
) -> None:
    clock.set(NOW)
    headers = api_token(session)
    # Replies close in two days: the reminder (three days before) is already due.
    workshop_id = create_workshop(
        client, headers, capacity=1, starts_at=(NOW + dt.timedelta(days=4)).isoformat(),
        ends_at=(NOW + dt.timedelta(days=4, hours=8)).isoformat(),
        replies_close_at=(NOW + dt.timedelta(days=2)).isoformat())
    holder = registration(session, contact_email=HOLDER)
    invitations.invite(session=session, workshop_id=workshop_id, staff_user_id=None,
                       now=NOW - dt.timedelta(days=9), references=[holder.reference])
    seating.reply(session=session, invitation=invitation_of(session, holder, workshop_id),
                  now=NOW - dt.timedelta(days=8), answer=ReplyAnswer(
                      answer="accept",
                      representatives=[RepresentativeAnswer(*RAVI)]))
    session.commit()
    registered = registration(session, contact_email=CONTACT, preferred_language="ms")

    # Invited inside the reminder window: no reminder follows in the same pass.
    invite(client, headers, workshop_id, registered.reference)
    _send_emails(session, smtp_server, NOW)
    assert _kinds(smtp_server.handler.to(CONTACT)) == ["Jemputan"]

    # "Send again", through the staff page.
    invitation = invitation_of(session, registered, workshop_id)
    csrf = sign_in(client, staff_user(session))
    sent_again = client.post(
        f"/staff/workshops/{workshop_id}/invitations/{invitation.id}/resend",
        data={"csrf_token": csrf}, follow_redirects=False)
    assert sent_again.status_code == 303
    _send_emails(session, smtp_server, NOW + dt.timedelta(minutes=5))

    # The registrant accepts through the first mail's link; the one seat is taken.
    first, second = _links(smtp_server.handler.to(CONTACT), INVITATION_LINK)
    waiting = client.post(first, data=accept_form(_guard(client, first), AISYAH),
                          follow_redirects=False)
    assert waiting.status_code == 303
    assert invitation_of(session, registered, workshop_id).status == "waiting"
    _send_emails(session, smtp_server, NOW + dt.timedelta(minutes=10))

    # The seat frees up and is offered to them.
    _decline(session, invitation_of(session, holder, workshop_id), NOW + dt.timedelta(hours=1))
    assert invitation_of(session, registered, workshop_id).status == "offered"
    _send_emails(session, smtp_server, NOW + dt.timedelta(hours=1, minutes=5))

    # They take it through the link in the second mail ("Send again"), an older one.
    accepted = client.post(second, data=accept_form(_guard(client, second), AISYAH),
                           follow_redirects=False)
    assert accepted.status_code == 303
    assert invitation_of(session, registered, workshop_id).status == "accepted"
    _send_emails(session, smtp_server, NOW + dt.timedelta(hours=2))

    mails = smtp_server.handler.to(CONTACT)
    assert _kinds(mails) == ["Jemputan", "Jemputan", "Dalam senarai menunggu",
                             "Tempat kosong untuk anda", "Tempat anda disahkan"]
    links = _links(mails, INVITATION_LINK)
    for link in links:
        page = client.get(link)
        assert page.status_code == 200, link
        assert INVALID not in page.text
        assert "Bengkel perancangan strategik" in page.text
        assert AISYAH[0] in page.text  # the answer as it stands
    # The link in the very first mail still answers: a reply through it is taken.
    declined = client.post(first, data={"guard": _guard(client, first), "answer": "decline",
                                        "decline_reason": "Bertembung dengan mesyuarat"},
                           follow_redirects=False)
    assert declined.status_code == 303
    assert invitation_of(session, registered, workshop_id).status == "declined"


def test_a_reminder_goes_to_an_invitation_held_a_while_and_carries_the_same_link(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    headers = api_token(session)
    workshop_id = create_workshop(
        client, headers, replies_close_at=(NOW + dt.timedelta(days=2)).isoformat())
    registered = registration(session, contact_email=CONTACT)
    invitations.invite(session=session, workshop_id=workshop_id, staff_user_id=None,
                       now=NOW - dt.timedelta(days=10), references=[registered.reference])
    session.commit()
    _send_emails(session, smtp_server, NOW - dt.timedelta(days=10))
    _send_emails(session, smtp_server, NOW)
    _send_emails(session, smtp_server, NOW + dt.timedelta(hours=1))  # once only

    mails = smtp_server.handler.to(CONTACT)
    assert _kinds(mails) == ["Jemputan", "Peringatan, sila jawab"]
    for link in _links(mails, INVITATION_LINK):
        assert client.get(link).status_code == 200


def test_every_workshop_mail_carries_the_link(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    headers = api_token(session)
    workshop_id = create_workshop(client, headers)
    registered = registration(session, contact_email=CONTACT, preferred_language="en")
    invite(client, headers, workshop_id, registered.reference)
    deliver_due(session=session, settings=smtp_server.settings())
    [link] = _links(smtp_server.handler.to(CONTACT), INVITATION_LINK)
    client.post(link, data=accept_form(_guard(client, link), AISYAH))
    client.patch(f"/api/v1/workshops/{workshop_id}", json={"venue": "Dewan Kecil"},
                 headers=headers)
    deliver_due(session=session, settings=smtp_server.settings())

    mails = smtp_server.handler.to(CONTACT)
    assert _kinds(mails) == ["Invitation", "Your place is confirmed", "Changed details"]
    assert set(_links(mails, INVITATION_LINK)) == {link}
    accepted = mails[1].text
    assert "See your answer, or change it until replies close, through your private link" \
        in accepted
    assert "newest email" not in accepted


def test_the_registrations_link_survives_a_resent_confirmation(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    body = client.post("/api/v1/registrations",
                       json=registration_payload(contact_email=CONTACT)).json()
    deliver_due(session=session, settings=smtp_server.settings())
    csrf = sign_in(client, staff_user(session))
    resent = client.post(f"/staff/registrations/{body['reference']}/resend",
                         data={"csrf_token": csrf}, follow_redirects=False)
    assert resent.status_code == 303
    deliver_due(session=session, settings=smtp_server.settings())

    confirmations = smtp_server.handler.to(CONTACT)
    assert len(confirmations) == 2
    for link in _links(confirmations, MANAGE_LINK):
        page = client.get(link)
        assert page.status_code == 200
        assert body["reference"] in page.text


def test_make_a_new_link_asks_first_then_kills_the_older_links_and_mails_one_that_works(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    headers = api_token(session)
    workshop_id = create_workshop(client, headers)
    registered = registration(session, contact_email=CONTACT, preferred_language="en")
    invite(client, headers, workshop_id, registered.reference)
    invitation = invitation_of(session, registered, workshop_id)
    invitations.resend_invitation(session=session, workshop_id=workshop_id,
                                  invitation_id=invitation.id, staff_user_id=None, now=NOW)
    session.commit()
    deliver_due(session=session, settings=smtp_server.settings())
    older = _links(smtp_server.handler.to(CONTACT), INVITATION_LINK)
    user = staff_user(session)
    sign_in(client, user)

    # The workshop page offers it; the question is a page of its own, with a plain form.
    workshop_page = client.get(f"/staff/workshops/{workshop_id}", params={"lang": "en"})
    question_path = f"/staff/workshops/{workshop_id}/invitations/{invitation.id}/new-link"
    assert f'href="{question_path}"' in workshop_page.text
    question = client.get(question_path)
    assert question.status_code == 200
    assert "Make a new link?" in question.text and CONTACT in question.text
    assert f'<form method="post" action="{question_path}">' in question.text
    for link in older:  # asking changes nothing
        assert client.get(link).status_code == 200

    done = client.post(question_path, data={"csrf_token": csrf_of(question.text)},
                       follow_redirects=False)
    assert done.status_code == 303
    assert "A new link has been mailed" in client.get(done.headers["location"]).text
    deliver_due(session=session, settings=smtp_server.settings())

    mails = smtp_server.handler.to(CONTACT)
    assert _kinds(mails)[-1] == "A new private link"
    [newest] = _links(mails[-1:], INVITATION_LINK)
    assert newest not in older
    for link in older:
        assert client.get(link).status_code == 404
    assert client.get(newest).status_code == 200
    entry = session.scalars(select(AuditLog).where(
        AuditLog.action == "invitation_new_link")).one()
    assert entry.staff_user_id == user.id

    # Cancelling kills the link too, and inviting again does not bring the old ones back.
    invitations.cancel_invitation(session=session, workshop_id=workshop_id,
                                  invitation_id=invitation.id, staff_user_id=None, now=NOW)
    session.commit()
    assert client.get(newest).status_code == 404
    invitations.resend_invitation(session=session, workshop_id=workshop_id,
                                  invitation_id=invitation.id, staff_user_id=None, now=NOW)
    session.commit()
    deliver_due(session=session, settings=smtp_server.settings())
    [again] = _links(smtp_server.handler.to(CONTACT)[-1:], INVITATION_LINK)
    assert client.get(again).status_code == 200
    for link in [*older, newest]:
        assert client.get(link).status_code == 404


def test_make_a_new_link_for_a_registration(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    body = client.post("/api/v1/registrations",
                       json=registration_payload(contact_email=CONTACT)).json()
    reference = body["reference"]
    deliver_due(session=session, settings=smtp_server.settings())
    [older] = _links(smtp_server.handler.to(CONTACT), MANAGE_LINK)
    user = staff_user(session)
    sign_in(client, user)

    page = client.get(f"/staff/registrations/{reference}", params={"lang": "en"})
    assert f'href="/staff/registrations/{reference}/new-link"' in page.text
    question = client.get(f"/staff/registrations/{reference}/new-link")
    assert "Make a new link?" in question.text
    assert client.get(older).status_code == 200
    without_csrf = client.post(f"/staff/registrations/{reference}/new-link",
                               follow_redirects=False)
    assert without_csrf.status_code == 403
    done = client.post(f"/staff/registrations/{reference}/new-link",
                       data={"csrf_token": csrf_of(question.text)}, follow_redirects=False)
    assert done.status_code == 303
    deliver_due(session=session, settings=smtp_server.settings())

    mails = smtp_server.handler.to(CONTACT)
    assert str(mails[-1].message["Subject"]).startswith("Alliance 8.7 Malaysia: pautan")
    [newest] = _links(mails[-1:], MANAGE_LINK)
    assert client.get(older).status_code == 404
    assert client.get(newest).status_code == 200
    assert session.scalars(select(AuditLog).where(
        AuditLog.action == "registration_new_link")).one().staff_user_id == user.id


def _reminded(session: Session, *, sent_before_reminder: dt.timedelta,
              resent_before_reminder: dt.timedelta | None = None) -> bool:
    """Invite (and perhaps send again) that long before the reminder; say if one goes."""
    closes = NOW + dt.timedelta(days=2)
    due = closes - dt.timedelta(hours=72)
    workshop_id = stored_workshop(session, capacity=10, starts_at=NOW + dt.timedelta(days=4),
                                  replies_close_at=closes)
    registered = registration(session)
    invitations.invite(session=session, workshop_id=workshop_id, staff_user_id=None,
                       now=due - sent_before_reminder, references=[registered.reference])
    if resent_before_reminder is not None:
        invitation = invitation_of(session, registered, workshop_id)
        invitations.resend_invitation(session=session, workshop_id=workshop_id,
                                      invitation_id=invitation.id, staff_user_id=None,
                                      now=due - resent_before_reminder)
    session.commit()
    report = workshop_due.run_due(session=session, now=max(NOW, due + dt.timedelta(hours=1)))
    return report.reminded == 1


def test_the_reminder_is_for_those_who_have_had_the_invitation_a_while(
    session: Session
) -> None:
    hours = dt.timedelta(hours=workshop_due.REMINDER_NEEDS_HOURS)
    assert _reminded(session, sent_before_reminder=hours + dt.timedelta(hours=1))
    assert _reminded(session, sent_before_reminder=dt.timedelta(days=10))
    # Mailed just before the reminder, or after it (inside the window): none.
    assert not _reminded(session, sent_before_reminder=hours - dt.timedelta(hours=1))
    assert not _reminded(session, sent_before_reminder=-dt.timedelta(hours=2))
    # Sent again just before the reminder: it is fresh in their inbox.
    assert not _reminded(session, sent_before_reminder=dt.timedelta(days=10),
                         resent_before_reminder=dt.timedelta(hours=1))


def test_withdrawing_kills_the_invitation_links_and_erasing_the_registrations(
    client: TestClient, session: Session
) -> None:
    from app.services import manage, purge
    from app.services.invitation_links import invitation_token
    from app.services.private_links import manage_token

    headers = api_token(session)
    workshop_id = create_workshop(client, headers)
    body = client.post("/api/v1/registrations", json=registration_payload()).json()
    withdrawing = session.scalars(select(Registration).where(
        Registration.reference == body["reference"])).one()
    invite(client, headers, workshop_id, withdrawing.reference)
    invitation = invitation_of(session, withdrawing, workshop_id)
    reply_link = f"/invitation/{invitation_token(invitation)}"
    manage_link = f"/manage/{manage_token(withdrawing)}"
    manage.withdraw_registration(session=session, registration=withdrawing,
                                 now=dt.datetime(2022, 10, 16, tzinfo=dt.UTC))
    session.commit()

    assert client.get(reply_link).status_code == 404
    # The registration's own link still shows it, withdrawn, until it is erased.
    assert client.get(manage_link).status_code == 200
    session.execute(update(OutboxMail).values(status="sent"))  # its mail has gone
    purge.purge(session=session, now=dt.datetime(2022, 10, 17, tzinfo=dt.UTC), keep_for=None)
    session.commit()
    assert client.get(manage_link).status_code == 404


def test_a_token_opens_only_its_own_kind_of_row_and_only_with_this_key(
    client: TestClient, session: Session
) -> None:
    from app.core.config import get_settings
    from app.services import invitation_links, private_links

    headers = api_token(session)
    workshop_id = create_workshop(client, headers)
    registered = registration(session)
    invite(client, headers, workshop_id, registered.reference)
    invitation = invitation_of(session, registered, workshop_id)
    nonce = invitation.link_nonce
    assert nonce is not None
    # The same id and nonce, signed for the other kind of link, opens nothing.
    as_manage = private_links.signed_token("manage", invitation.id, nonce)
    assert invitation_links.find_by_token(session=session, token=as_manage) is None
    token = str(invitation_links.invitation_token(invitation))
    assert invitation_links.find_by_token(session=session, token=token) is invitation
    # Another key (a rotated SECRET_KEY) makes another token.
    settings = get_settings()
    original = settings.secret_key
    try:
        settings.secret_key = "another-key"
        assert invitation_links.find_by_token(session=session, token=token) is None
    finally:
        settings.secret_key = original
    # A damaged signature, or an id out of range, opens nothing and raises nothing.
    damaged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert invitation_links.find_by_token(session=session, token=damaged) is None
    assert client.get(f"/invitation/99999999999.{token.partition('.')[2]}").status_code == 404
