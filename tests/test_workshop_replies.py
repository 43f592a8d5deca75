"""Invitations by mail and the reply page behind their link, as a registrant meets them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OutboxMail
from app.services import outbox
from app.services.mailer import deliver_due
from app.services.private_links import form_guard
from tests.conftest import Clock
from tests.smtp import SmtpServer
from tests.staff_helpers import registration
from tests.workshop_helpers import (
    AISYAH,
    LINK,
    RAVI,
    STARTS,
    accept_form,
    api_token,
    create_workshop,
    invitation_of,
    invite,
    invited,
    latest_link,
    mail_kinds,
)

pytestmark = pytest.mark.usefixtures("staff_ready")


def test_the_invitation_mail_leads_to_a_page_where_the_registrant_accepts(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    headers = api_token(session)
    registered = registration(session, preferred_language="ms",
                              contact_email="hubungi@example.org.my")
    workshop_id = create_workshop(client, headers)
    assert invite(client, headers, workshop_id, registered.reference) == {
        "invited": 1, "already_invited": 0, "unknown_references": []}

    deliver_due(session=session, settings=smtp_server.settings())
    [mail] = smtp_server.handler.to("hubungi@example.org.my")
    assert "Jemputan" in mail.message["Subject"]
    assert "MYT (UTC+8)" in mail.text and "Dewan Besar, Putrajaya" in mail.text
    found = LINK.search(mail.text)
    assert found is not None, mail.text
    path, token = found.group(1), found.group(2)

    page = client.get(path)
    assert page.status_code == 200
    assert "Bengkel perancangan strategik" in page.text
    # Opening the link, as a mail scanner does, is not answering.
    assert invitation_of(session, registered, workshop_id).status == "invited"

    guard = re.search(r'name="guard" value="([^"]+)"', page.text)
    assert guard is not None
    answered = client.post(path, data=accept_form(guard.group(1), AISYAH, RAVI),
                           follow_redirects=False)
    assert answered.status_code == 303
    done = client.get(answered.headers["location"])
    assert "Terima kasih" in done.text and "Aisyah binti Ahmad" in done.text
    invitation = invitation_of(session, registered, workshop_id)
    assert invitation.status == "accepted"
    assert [p.full_name for p in invitation.representatives] == [AISYAH[0], RAVI[0]]

    deliver_due(session=session, settings=smtp_server.settings())
    confirmation = smtp_server.handler.to("hubungi@example.org.my")[-1]
    attachments = list(confirmation.message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["workshop.ics"]
    ics = attachments[0].get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "DTSTART;TZID=Asia/Kuala_Lumpur:20221115T090000" in ics
    assert "Ravi a/l Kumar" in confirmation.text
    calendar = client.get(f"{path}/workshop.ics")
    assert calendar.status_code == 200 and calendar.headers["content-type"].startswith(
        "text/calendar")
    # The private link is not kept once the mail has gone.
    session.expire_all()
    assert token not in " ".join(mail.body_text for mail in session.scalars(select(OutboxMail)))


def test_inviting_twice_sends_nothing_new(client: TestClient, session: Session) -> None:
    headers = api_token(session)
    registered = registration(session)
    workshop_id = create_workshop(client, headers)
    invite(client, headers, workshop_id, registered.reference)

    again = invite(client, headers, workshop_id, registered.reference, "NOSUCH22")

    assert again == {"invited": 0, "already_invited": 1, "unknown_references": ["NOSUCH22"]}
    assert mail_kinds(session, registered) == ["workshop_invitation"]
    # Staff's outbox shows the waiting invitation's subject, in the registrant's language.
    page = outbox.list_outbox(session=session)
    assert list(page.subjects.values()) == ["Jemputan: Bengkel perancangan strategik"]


def test_declining_and_changing_the_answer_until_replies_close(
    client: TestClient, session: Session, clock: Clock
) -> None:
    reply = invited(client, session, preferred_language="en")

    guard = form_guard(reply.token)
    declined = client.post(reply.path, data={"guard": guard, "answer": "decline",
                                             "decline_reason": "Clash with our AGM"})
    assert "will not attend" in declined.text
    invitation = invitation_of(session, reply.registration, reply.workshop_id)
    assert invitation.decline_reason == "Clash with our AGM"

    client.post(reply.path, data=accept_form(guard, AISYAH))
    assert invitation_of(session, reply.registration, reply.workshop_id).status == "accepted"

    clock.set(STARTS - dt.timedelta(days=2))  # replies have closed
    page = client.get(reply.path)
    # Only a decline is still offered (tests/test_late_declines.py takes it).
    assert "Send our answer" not in page.text and "alliance8.7@mohr.gov.my" in page.text
    assert "Decline: we will not attend" in page.text and 'value="accept"' not in page.text
    late = client.post(reply.path, data=accept_form(guard, RAVI))
    assert late.status_code == 403
    assert "can no longer accept or change its representatives" in late.text
    invitation = invitation_of(session, reply.registration, reply.workshop_id)
    assert invitation.status == "accepted"
    assert [person.full_name for person in invitation.representatives] == [AISYAH[0]]


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 500])
def test_a_wrong_link_gets_a_clear_page_that_reveals_nothing(
    client: TestClient, session: Session, token: str
) -> None:
    registered = registration(session)
    response = client.get(f"/invitation/{token}")
    assert response.status_code == 404
    assert "Pautan ini tidak sah" in response.text
    assert registered.organisation_name not in response.text
    assert client.post(f"/invitation/{token}", data={"answer": "decline"}).status_code == 404


def test_a_resent_invitation_keeps_its_link_and_a_cancelled_one_loses_it(
    client: TestClient, session: Session
) -> None:
    reply = invited(client, session)
    from app.services import invitations

    invitation = invitation_of(session, reply.registration, reply.workshop_id)
    invitations.resend_invitation(session=session, workshop_id=reply.workshop_id,
                                  invitation_id=invitation.id, staff_user_id=None,
                                  now=STARTS - dt.timedelta(days=30))  # replies still open
    session.commit()
    assert client.get(reply.path).status_code == 200
    second_path, _ = latest_link(session, reply.registration)
    assert client.get(second_path).status_code == 200
    invitations.cancel_invitation(session=session, workshop_id=reply.workshop_id,
                                  invitation_id=invitation.id, staff_user_id=None,
                                  now=dt.datetime.now(dt.UTC))
    session.commit()
    assert client.get(second_path).status_code == 404
    assert client.get(reply.path).status_code == 404


def test_a_forged_post_changes_nothing(client: TestClient, session: Session) -> None:
    reply = invited(client, session)

    for guard in ("", "0" * 64):
        response = client.post(reply.path, data=accept_form(guard, AISYAH))
        assert response.status_code == 403
    assert invitation_of(session, reply.registration, reply.workshop_id).status == "invited"


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"answer": "maybe"}, "answer", "Choose whether your organisation will attend"),
    ({"answer": "accept"}, "representatives-0-full_name", "Name at least one representative"),
    ({"answer": "accept", "representatives-0-full_name": "Aisyah",
      "representatives-0-designation": "Pengarah", "representatives-0-email": "not-an-email"},
     "representatives-0-email", "correct format"),
    ({"answer": "accept", "representatives-0-full_name": "A" * 201,
      "representatives-0-designation": "Pengarah", "representatives-0-email": "a@example.my"},
     "representatives-0-full_name", "up to 200 characters"),
    ({"answer": "accept",
      **{f"representatives-{n}-{k}": v for n in range(2) for k, v in (
          ("full_name", f"Person {n}"), ("designation", "Officer"), ("email", "same@example.my"))}},
     "representatives-1-email", "already named above"),
    ({"answer": "accept",
      **{f"representatives-{n}-{k}": v for n in range(4) for k, v in (
          ("full_name", f"Person {n}"), ("designation", "Officer"),
          ("email", f"p{n}@example.my"))}},
     "representatives", "at most 3 representatives"),
    ({"answer": "decline", "decline_reason": "x" * 1001}, "decline_reason", "under 1,000"),
])
def test_bad_replies_are_explained_beside_the_field_and_keep_what_was_typed(
    client: TestClient, session: Session, form: dict[str, str], field: str, message: str
) -> None:
    reply = invited(client, session, preferred_language="en")

    response = client.post(reply.path, data={"guard": form_guard(reply.token), **form})

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    for value in form.values():
        if len(value) < 100 and value not in ("accept", "decline", "maybe"):
            assert f'value="{value}"' in response.text
    assert invitation_of(session, reply.registration, reply.workshop_id).status == "invited"


@pytest.mark.parametrize(("language", "second", "third"), [
    ("en", "Representative 2: Enter an email address", "Representative 3: Enter the"),
    ("ms", "Wakil 2: Masukkan alamat emel", "Wakil 3: Masukkan nama penuh wakil"),
])
def test_errors_about_a_representative_say_which_one(
    client: TestClient, session: Session, language: str, second: str, third: str
) -> None:
    reply = invited(client, session, preferred_language=language)
    form = accept_form(form_guard(reply.token), AISYAH, ("Ravi a/l Kumar", "Pegawai", "ravi@"),
                       ("", "Pengurus", "mei@example.my"))

    page = client.post(reply.path, data=form).text
    summary = page.split('id="error-summary"', 1)[1].split("</div>", 1)[0]

    assert re.search(rf'href="#representatives-1-email">{re.escape(second)}', summary)
    assert re.search(rf'href="#representatives-2-full_name">{re.escape(third)}', summary)
    beside = page.split('id="representatives-1-email-error"', 1)[1].split("</p>", 1)[0]
    assert second in beside
    assert "representatives-0" not in summary  # the first is fine


def test_the_reply_page_asks_for_an_answer_under_one_heading(
    client: TestClient, session: Session
) -> None:
    reply = invited(client, session, preferred_language="en")

    page = client.get(reply.path).text

    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", page).count("Your answer") == 1
    assert "<dt>Status of your invitation</dt><dd><strong>Invited</strong>" in page
    assert "<dt>Your answer</dt>" not in page
