"""What a second reading of the workshop features found: misspelt filters, answers sent
again, private pages in caches, erasure, and odd form keys."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Invitation, OutboxMail, Registration, Representative
from app.services import purge
from app.services.private_links import form_guard
from tests.staff_helpers import registration
from tests.workshop_helpers import (
    AISYAH,
    RAVI,
    accept_form,
    api_token,
    create_workshop,
    invitation_of,
    invited,
    mail_kinds,
)

pytestmark = pytest.mark.usefixtures("staff_ready")

def test_a_misspelt_filter_is_refused_and_invites_no_one(
    client: TestClient, session: Session
) -> None:
    headers = api_token(session)
    registration(session, category="cso")
    registration(session, category="academic")
    workshop_id = create_workshop(client, headers)

    response = client.post(f"/api/v1/workshops/{workshop_id}/invitations",
                           json={"filters": {"categry": "cso"}}, headers=headers)

    assert response.status_code == 422
    assert "categry" in response.text
    session.expire_all()
    assert session.scalars(select(Invitation)).all() == []
    assert session.scalars(select(OutboxMail).where(OutboxMail.kind.like("workshop_%"))).all() \
        == []


def test_the_same_answer_sent_again_keeps_the_people_and_mails_nothing_more(
    client: TestClient, session: Session
) -> None:
    reply = invited(client, session)
    guard = form_guard(reply.token)
    client.post(reply.path, data=accept_form(guard, AISYAH, RAVI))
    first = {p.email: p.id for p in invitation_of(session, reply.registration, reply.workshop_id)
             .representatives}
    session.execute(update(Representative).where(Representative.email == AISYAH[2])
                    .values(checked_in_at=dt.datetime(2022, 11, 15, 1, 0, tzinfo=dt.UTC)))
    session.commit()

    # A double click, or the page sent again; then Ravi's designation corrected.
    client.post(reply.path, data=accept_form(guard, AISYAH, RAVI))
    changed = (RAVI[0], "Pengurus Program", RAVI[2])
    client.post(reply.path, data=accept_form(guard, AISYAH, changed))

    people = invitation_of(session, reply.registration, reply.workshop_id).representatives
    assert {p.email: p.id for p in people} == first  # the check-in links mailed still work
    assert [p.checked_in_at is not None for p in people] == [True, False]
    assert people[1].designation == "Pengurus Program"
    kinds = mail_kinds(session, reply.registration)
    # The invitation, one acceptance, and one more only for the change that was made.
    assert kinds.count("workshop_accepted") == 2, kinds


def test_the_reply_page_is_never_kept_by_a_browser_or_proxy(
    client: TestClient, session: Session
) -> None:
    reply = invited(client, session)

    assert client.get(reply.path).headers["cache-control"] == "no-store"


def test_a_row_number_in_another_script_gets_a_page_not_a_server_error(
    client: TestClient, session: Session
) -> None:
    reply = invited(client, session)

    response = client.post(reply.path, data={"guard": form_guard(reply.token), "answer": "accept",
                                       "representatives-²-full_name": "Siti"})

    assert response.status_code == 422


def test_erasing_a_registration_erases_its_representatives(
    client: TestClient, session: Session
) -> None:
    reply = invited(client, session)
    client.post(reply.path, data=accept_form(form_guard(reply.token), AISYAH))
    session.execute(update(OutboxMail).values(status="sent"))
    session.execute(update(Registration).where(Registration.id == reply.registration.id)
                    .values(withdrawn_at=dt.datetime.now(dt.UTC)))
    session.commit()

    purge.purge(session=session, now=dt.datetime.now(dt.UTC), keep_for=None)
    session.commit()

    session.expire_all()
    [person] = session.scalars(select(Representative)).all()
    assert (person.full_name, person.email, person.phone, person.needs) == (
        "[erased]", "[erased]", "", "")


def test_the_attendee_files_carry_the_id_that_check_in_takes(
    client: TestClient, session: Session
) -> None:
    reply = invited(client, session)
    client.post(reply.path, data=accept_form(form_guard(reply.token), AISYAH))
    base = f"/api/v1/workshops/{reply.workshop_id}/attendees"
    [listed] = client.get(base, headers=reply.headers).json()

    rows = list(csv.reader(io.StringIO(client.get(f"{base}.csv?lang=en", headers=reply.headers)
                                       .content.decode("utf-8-sig"))))

    assert rows[0][-1] == "Attendee id" and rows[1][-1] == str(listed["id"])
    checked = client.post(f"{base}/{rows[1][-1]}/check-in", headers=reply.headers)
    assert checked.status_code == 200
