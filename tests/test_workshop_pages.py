"""The back-office workshop pages, as an administrator uses them."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditLog, Invitation, OutboxMail, Workshop
from app.vocab import label
from tests.conftest import Clock
from tests.staff_helpers import registration, sign_in, staff_user
from tests.workshop_helpers import stored_workshop

pytestmark = pytest.mark.usefixtures("staff_ready")
FORM = {"title_ms": "Bengkel pelan hala tuju", "title_en": "Roadmap workshop",
        "starts_at": "2022-11-15T09:00", "ends_at": "2022-11-15T17:00", "venue": "Putrajaya",
        "online_url": "", "replies_close_at": "2022-11-08T17:00", "capacity": "40",
        "max_representatives": "2"}


def test_an_administrator_creates_a_workshop_in_malaysian_time(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, staff_user(session))

    wrong = client.post("/staff/workshops/new", params={"lang": "en"}, data={
        **FORM, "csrf_token": csrf, "ends_at": "2022-11-15T08:00", "capacity": "lots"})
    made = client.post("/staff/workshops/new", data={**FORM, "csrf_token": csrf},
                       follow_redirects=False)

    assert wrong.status_code == 422
    assert "Enter the number of seats as a whole number" in wrong.text
    assert 'value="Bengkel pelan hala tuju"' in wrong.text
    assert made.status_code == 303
    session.expire_all()
    workshop = session.scalars(select(Workshop)).one()
    assert workshop.starts_at.isoformat() == "2022-11-15T01:00:00+00:00"
    page = client.get(made.headers["location"], params={"lang": "en"})
    assert "Roadmap workshop" in page.text and "9:00 am MYT (UTC+8)" in page.text


def test_inviting_from_the_registrant_list_previews_then_sends_once(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, staff_user(session))
    workshop_id = stored_workshop(session, capacity=10)
    for _ in range(2):
        registration(session, category="cso")
    registration(session, category="academic")

    listing = client.get("/staff/registrations", params={"category": "cso", "lang": "en"})
    assert "Invite all 2 matching to a workshop" in listing.text
    assert "/staff/workshops/invite?category=cso" in listing.text
    preview = client.get("/staff/workshops/invite", params={"category": "cso", "lang": "en"})
    assert "To invite now: 2. Already invited: 0." in preview.text
    sent = client.post(f"/staff/workshops/{workshop_id}/invite",
                       data={"csrf_token": csrf, "category": "cso"}, follow_redirects=False)
    again = client.post(f"/staff/workshops/{workshop_id}/invite",
                        data={"csrf_token": csrf, "category": "cso"})

    assert sent.status_code == 303
    assert "Invitations sent: 0. Already invited, sent nothing new: 2." in client.get(
        f"{again.url}&lang=en").text
    session.expire_all()
    assert len(session.scalars(select(OutboxMail).where(
        OutboxMail.kind == "workshop_invitation")).all()) == 2


def test_inviting_the_ticked_rows_only(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, staff_user(session))
    workshop_id = stored_workshop(session, capacity=10)
    chosen, other = registration(session), registration(session)

    listing = client.get("/staff/registrations")
    assert f'name="reference" value="{chosen.reference}"' in listing.text
    nothing = client.get("/staff/workshops/invite", params={"selection": "1", "lang": "en"})
    preview = client.get("/staff/workshops/invite", params={
        "selection": "1", "reference": chosen.reference, "lang": "en"})
    sent = client.post(f"/staff/workshops/{workshop_id}/invite",
                       data={"csrf_token": csrf, "reference": chosen.reference})

    assert "Select at least one registration in the list first." in nothing.text
    assert "To invite now: 0." in nothing.text
    assert "The 1 registrations you selected are invited." in preview.text
    assert "To invite now: 1. Already invited: 0." in preview.text
    assert sent.status_code == 200
    session.expire_all()
    invited = session.scalars(select(Invitation.registration_id)).all()
    assert invited == [chosen.id] and other.id not in invited


def test_a_reply_by_phone_is_recorded_with_who_and_how(
    client: TestClient, session: Session
) -> None:
    admin = staff_user(session)
    csrf = sign_in(client, admin)
    workshop_id = stored_workshop(session, capacity=10)
    registered = registration(session)
    client.post(f"/staff/workshops/{workshop_id}/invite",
                data={"csrf_token": csrf, "q": registered.reference})
    invitation = session.scalars(select(Invitation)).one()
    url = f"/staff/workshops/{workshop_id}/invitations/{invitation.id}/reply"

    bad = client.post(url, data={"csrf_token": csrf, "channel": "phone", "answer": "accept",
                                 "representatives-0-full_name": "Siti",
                                 "representatives-0-designation": "Pengurus",
                                 "representatives-0-email": "siti@"})
    good = client.post(url, data={"csrf_token": csrf, "channel": "phone", "answer": "accept",
                                  "representatives-0-full_name": "Siti",
                                  "representatives-0-designation": "Pengurus",
                                  "representatives-0-email": "siti@example.my"},
                       follow_redirects=False)

    assert bad.status_code == 422 and 'value="Siti"' in bad.text
    assert good.status_code == 303
    session.expire_all()
    stored = session.get(Invitation, invitation.id)
    assert stored is not None and (stored.status, stored.reply_channel) == ("accepted", "phone")
    entry = session.scalars(select(AuditLog).where(
        AuditLog.action == "invitation_reply_recorded")).one()
    assert entry.staff_user_id == admin.id
    assert json.loads(entry.detail)["channel"] == "phone"
    page = client.get(f"/staff/registrations/{registered.reference}", params={"lang": "en"})
    assert "Siti, Pengurus" in page.text and "Accepted" in page.text
    workshop_page = client.get(f"/staff/workshops/{workshop_id}", params={"lang": "en"}).text
    table = workshop_page.split('id="reach-category"', 1)[1].split("</table>", 1)[0]
    category = label("category", registered.category, "en").replace("'", "&#39;")
    # Registered, invited and accepted: one each.
    assert re.search(rf">{re.escape(category)}</th>(<td class=\"numeric\">1</td>){{3}}", table)

    cancelled = client.post(f"/staff/workshops/{workshop_id}/invitations/{invitation.id}/cancel",
                            data={"csrf_token": csrf}, follow_redirects=False)
    assert cancelled.status_code == 303
    session.expire_all()
    assert session.get(Invitation, invitation.id).status == "cancelled"  # type: ignore[union-attr]


def test_a_viewer_cannot_invite_or_record_replies(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, staff_user(session, role="viewer"))
    workshop_id = stored_workshop(session, capacity=10)
    registration(session)

    invited = client.post(f"/staff/workshops/{workshop_id}/invite", data={"csrf_token": csrf})

    assert invited.status_code == 403
    assert client.get(f"/staff/workshops/{workshop_id}").status_code == 200
    session.expire_all()
    assert session.scalars(select(Invitation)).all() == []


def test_inviting_has_a_heading_of_its_own_and_the_preview_names_the_organisations(
    client: TestClient, session: Session
) -> None:
    sign_in(client, staff_user(session))
    stored_workshop(session, capacity=10)
    tenaganita = registration(session, category="cso", organisation_name="Tenaganita Selangor")
    sahabat = registration(session, category="cso", organisation_name="Persatuan Sahabat Wanita")
    registration(session, category="academic", organisation_name="Universiti Malaya")

    listing = client.get("/staff/registrations", params={"category": "cso", "lang": "en"}).text
    exports = listing.split("Export these registrations:", 1)[1].split("</p>", 1)[0]
    inviting = listing.split('<h2 id="invite-title">Invite to a workshop</h2>', 1)[1]
    preview = client.get("/staff/workshops/invite", params={"category": "cso", "lang": "en"})
    listed = preview.text.split(">Organisations to invite</h3>", 1)[1].split("</ol>", 1)[0]

    assert "Invite all" not in exports
    assert "Invite all 2 matching to a workshop" in inviting.split("</section>", 1)[0]
    assert re.findall(r"<li>([^<]+) <span class=\"hint\">(\w+)</span></li>", listed) == [
        ("Persatuan Sahabat Wanita", sahabat.reference),
        ("Tenaganita Selangor", tenaganita.reference)]
    assert "Universiti Malaya" not in preview.text
    assert "Send 2 invitations" in preview.text
    assert session.scalars(select(Invitation)).all() == []  # looking sends nothing


def test_replies_closing_in_the_past_are_warned_of_and_kept_only_when_saved_again(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, staff_user(session))
    past = {**FORM, "csrf_token": csrf, "replies_close_at": "2022-10-14T17:00"}  # now: 15 Oct

    warned = client.post("/staff/workshops/new", params={"lang": "en"}, data=past)
    session.expire_all()
    assert warned.status_code == 200 and session.scalars(select(Workshop)).all() == []
    assert "Warning:</strong> This time is in the past" in warned.text
    assert 'href="#replies_close_at">Check when replies close, below.' in warned.text
    assert 'name="confirmed_replies_close_at" value="2022-10-14T17:00"' in warned.text

    saved = client.post("/staff/workshops/new", params={"lang": "en"}, follow_redirects=False,
                        data={**past, "confirmed_replies_close_at": "2022-10-14T17:00"})
    assert saved.status_code == 303
    page = client.get(saved.headers["location"], params={"lang": "en"}).text
    assert "Replies have closed: nobody new can be invited" in page
    workshop_id = session.scalars(select(Workshop.id)).one()
    edit = f"/staff/workshops/{workshop_id}/edit"
    assert "Replies have closed" in client.get(edit, params={"lang": "en"}).text

    # The same closing time, already stored, needs no second "yes".
    renamed = client.post(edit, data={**past, "venue": "Dewan Besar"}, follow_redirects=False)
    reopened = client.post(edit, data={**past, "replies_close_at": "2022-11-08T17:00"},
                           follow_redirects=False)
    assert renamed.status_code == reopened.status_code == 303
    assert "Warning:" not in client.get(f"/staff/workshops/{workshop_id}").text

    after_start = client.post("/staff/workshops/new", params={"lang": "en"}, data={
        **FORM, "csrf_token": csrf, "replies_close_at": "2022-11-15T10:00"})
    assert after_start.status_code == 422
    assert "Replies must close before the workshop starts" in after_start.text


def test_a_workshop_page_warns_that_replies_have_closed_until_it_starts(
    client: TestClient, session: Session, clock: Clock
) -> None:
    sign_in(client, staff_user(session, role="viewer"))
    # Replies close a week before each starts.
    open_, closed, started = (
        client.get(f"/staff/workshops/{stored_workshop(session, capacity=10, starts_at=starts)}",
                   params={"lang": "en"}).text
        for starts in (clock.now + dt.timedelta(days=8), clock.now + dt.timedelta(days=2),
                       clock.now - dt.timedelta(hours=1)))

    assert "Warning:" not in open_
    assert "Warning:</strong> Replies have closed: nobody new can be invited" in closed
    assert "Warning:" not in started  # the workshop is under way: nothing is left to fix
