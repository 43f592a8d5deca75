"""Send again (issue 29, 5; issue 23, 3): only where it can work, saying what was sent."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from app.services import invitations
from app.services.private_links import form_guard
from tests.conftest import Clock
from tests.staff_helpers import sign_in, staff_user
from tests.workshop_helpers import (
    AISYAH,
    NOW,
    STARTS,
    Invited,
    accept_form,
    invitation_of,
    invited,
    mail_kinds,
)

pytestmark = pytest.mark.usefixtures("staff_ready")


def _invited(client: TestClient, session: Session, clock: Clock) -> tuple[Invited, int, str]:
    """A registration invited to a workshop, its invitation's id, and an admin's CSRF token."""
    clock.set(NOW)
    case = invited(client, session, organisation_name="Persatuan Hantar Semula",
                   contact_email="setiausaha@hantar.example.my")
    csrf = sign_in(client, staff_user(session))
    return case, invitation_of(session, case.registration, case.workshop_id).id, csrf


def _send_again(client: TestClient, csrf: str, case: Invited, invitation_id: int) -> Response:
    return client.post(
        f"/staff/workshops/{case.workshop_id}/invitations/{invitation_id}/resend?lang=en",
        data={"csrf_token": csrf}, follow_redirects=False)


def _offers_send_again(client: TestClient, case: Invited, invitation_id: int) -> bool:
    page = client.get(f"/staff/workshops/{case.workshop_id}?lang=en")
    assert page.status_code == 200
    return f"/invitations/{invitation_id}/resend" in page.text


def test_a_withdrawn_registration_is_not_invited_again(
    client: TestClient, session: Session, clock: Clock
) -> None:
    case, invitation_id, csrf = _invited(client, session, clock)
    # The registrant withdraws through their private link: their invitation is cancelled.
    case.registration.withdrawn_at = NOW
    invitations.withdraw_invitations(session=session, registration_id=case.registration.id,
                                     now=NOW)
    session.commit()
    mails_before = mail_kinds(session, case.registration)

    offered = _offers_send_again(client, case, invitation_id)
    refused = _send_again(client, csrf, case, invitation_id)

    assert not offered
    assert refused.status_code == 409
    assert "Nothing was sent: this organisation has withdrawn its registration." in refused.text
    assert mail_kinds(session, case.registration) == mails_before
    assert invitation_of(session, case.registration, case.workshop_id).status == "cancelled"


def test_nothing_is_sent_again_once_replies_have_closed(
    client: TestClient, session: Session, clock: Clock
) -> None:
    case, invitation_id, csrf = _invited(client, session, clock)
    mails_before = mail_kinds(session, case.registration)
    clock.set(STARTS - dt.timedelta(days=2))  # replies closed a week before the start
    csrf = sign_in(client, staff_user(session))

    offered = _offers_send_again(client, case, invitation_id)
    refused = _send_again(client, csrf, case, invitation_id)

    assert not offered
    assert refused.status_code == 409 and "replies to this workshop have closed" in refused.text
    assert mail_kinds(session, case.registration) == mails_before


def test_send_again_is_not_offered_for_an_answer_given(
    client: TestClient, session: Session, clock: Clock
) -> None:
    case, invitation_id, csrf = _invited(client, session, clock)
    answered = client.post(case.path, data=accept_form(form_guard(case.token), AISYAH),
                           follow_redirects=False)
    assert answered.status_code == 303
    mails_before = mail_kinds(session, case.registration)

    offered = _offers_send_again(client, case, invitation_id)
    refused = _send_again(client, csrf, case, invitation_id)

    assert not offered
    assert refused.status_code == 409 and "has already answered" in refused.text
    assert mail_kinds(session, case.registration) == mails_before


def test_send_again_says_what_was_sent_and_to_whom(
    client: TestClient, session: Session, clock: Clock
) -> None:
    case, invitation_id, csrf = _invited(client, session, clock)

    offered = _offers_send_again(client, case, invitation_id)
    sent = _send_again(client, csrf, case, invitation_id)
    page = client.get(sent.headers["location"].replace("#", "&lang=en#"))

    assert offered
    assert sent.status_code == 303
    assert "Your changes have been saved" not in page.text
    assert ("The invitation was sent again, by email to Persatuan Hantar Semula "
            "(setiausaha@hantar.example.my), with its link to reply.") in page.text
    assert mail_kinds(session, case.registration) == ["workshop_invitation"] * 2
