"""The registrant list, the detail page, invitation status and the workshop page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Invitation, Registration, RegistrationEvent, Workshop
from app.services import staff_auth
from tests.conftest import Clock
from tests.staff_helpers import (
    SETUP,
    registration,
    sign_in,
    staff_user,
)
from tests.workshop_helpers import stored_workshop

T0 = dt.datetime(2022, 10, 10, 9, 0, tzinfo=dt.UTC)


pytestmark = pytest.mark.usefixtures("staff_ready")


@pytest.fixture
def three(session: Session) -> dict[str, Registration]:
    """Three different registrations, submitted an hour apart."""
    return {
        "cso": registration(session, organisation_name="Tenaganita Selangor", category="cso",
                            state="selangor", pillars=["protection"],
                            focus_areas=["labour_migration"],
                            workshop_attendees=2, contact_name="Siti Hajar",
                            contact_email="siti@tenaganita.example", submitted_at=T0),
        "academic": registration(session, organisation_name="Universiti Malaya",
                                 category="academic",
                                 state="wp_kuala_lumpur", pillars=["prevention", "partnership"],
                                 focus_areas=["child_labour"], workshop_attendees=0,
                                 contact_name="陈伟明", contact_email="chen@um.example",
                                 submitted_at=T0 + dt.timedelta(hours=1)),
        "union": registration(session, organisation_name="Kesatuan Pekerja Ladang Sabah",
                              category="workers_union", state="sabah",
                              pillars=["prosecution_enforcement"], focus_areas=[],
                              workshop_attendees=3, contact_name="இராஜேஸ்வரி",
                              contact_email="raj@union.example",
                              submitted_at=T0 + dt.timedelta(hours=2)),
    }


def _api_references(client: TestClient, token: str, **params: str) -> list[str]:
    answer = client.get("/api/v1/registrations", params=params,
                        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return [item["reference"] for item in answer.json()["items"]]


def _page_references(client: TestClient, **params: str) -> list[str]:
    page = client.get("/staff/registrations", params=params)
    assert page.status_code == 200
    return re.findall(r'href="/staff/registrations/([A-Z0-9]{8})"', page.text)


@pytest.fixture
def token(session: Session) -> str:
    user = staff_user(session, role="viewer")
    value, _ = staff_auth.create_token(session=session, user=user, now=dt.datetime.now(dt.UTC),
        actor=SETUP)
    session.commit()
    return value


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["union", "academic", "cso"]),
    ({"category": "academic"}, ["academic"]),
    ({"state": "sabah"}, ["union"]),
    ({"pillar": "partnership"}, ["academic"]),
    ({"focus_area": "labour_migration"}, ["cso"]),
    ({"attending": "yes"}, ["union", "cso"]),
    ({"attending": "no"}, ["academic"]),
    ({"q": "TENAGANITA"}, ["cso"]),
    ({"q": "universiti"}, ["academic"]),
    ({"q": "陈伟"}, ["academic"]),
    ({"q": "RAJ@UNION"}, ["union"]),
    ({"q": "%"}, []),
    ({"category": "cso", "state": "sabah"}, []),
    ({"sort": "organisation_name"}, ["union", "cso", "academic"]),
    ({"sort": "-workshop_attendees"}, ["union", "cso", "academic"]),
    ({"sort": "submitted_at"}, ["cso", "academic", "union"]),
    ({"category": ""}, ["union", "academic", "cso"]),
])
def test_filters_search_and_sorting_in_the_api_and_on_the_page(
    client: TestClient, session: Session, three: dict[str, Registration], token: str,
    params: dict[str, str], expected: list[str],
) -> None:
    references = [three[key].reference for key in expected]
    assert _api_references(client, token, **params) == references
    sign_in(client, staff_user(session, role="viewer"))
    assert _page_references(client, **params) == references


def test_search_finds_a_registration_by_its_reference(
    client: TestClient, three: dict[str, Registration], token: str
) -> None:
    reference = three["union"].reference
    assert _api_references(client, token, q=reference.lower()) == [reference]


def test_withdrawn_registrations_are_left_out_unless_asked_for(
    client: TestClient, session: Session, three: dict[str, Registration], token: str
) -> None:
    three["cso"].withdrawn_at = T0 + dt.timedelta(days=1)
    session.commit()
    assert three["cso"].reference not in _api_references(client, token)
    assert _api_references(client, token, withdrawn="only") == [three["cso"].reference]
    assert len(_api_references(client, token, withdrawn="include")) == 3


def test_unknown_filter_codes_are_refused(client: TestClient, token: str) -> None:
    answer = client.get("/api/v1/registrations", params={"category": "bogus"},
                        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 422


def test_pages_cover_every_registration_once(
    client: TestClient, session: Session, token: str
) -> None:
    made = {registration(session, submitted_at=T0 + dt.timedelta(minutes=n)).reference
            for n in range(7)}
    seen: list[str] = []
    for page in (1, 2, 3):
        answer = client.get("/api/v1/registrations", params={"per_page": 3, "page": page},
                            headers={"Authorization": f"Bearer {token}"}).json()
        assert (answer["total"], answer["pages"], answer["page"]) == (7, 3, page)
        seen += [item["reference"] for item in answer["items"]]
    assert len(seen) == 7 and set(seen) == made


def test_the_list_page_has_pages_that_keep_the_filters(
    client: TestClient, session: Session
) -> None:
    for n in range(55):
        registration(session, category="academic", submitted_at=T0 + dt.timedelta(minutes=n))
    sign_in(client, staff_user(session, role="viewer"))

    first = client.get("/staff/registrations", params={"category": "academic"})
    second = client.get("/staff/registrations", params={"category": "academic", "page": 2})

    assert "category=academic&amp;page=2" in first.text
    assert len(re.findall(r'href="/staff/registrations/[A-Z0-9]{8}"', first.text)) == 50
    assert len(re.findall(r'href="/staff/registrations/[A-Z0-9]{8}"', second.text)) == 5


def test_api_detail_and_its_404(client: TestClient, three: dict[str, Registration],
                                token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    found = client.get(f"/api/v1/registrations/{three['academic'].reference}", headers=headers)
    missing = client.get("/api/v1/registrations/ZZZZZZZZ", headers=headers)

    assert found.status_code == 200
    body = found.json()
    assert body["organisation_name"] == "Universiti Malaya"
    assert body["pillars"] == ["prevention", "partnership"]
    assert missing.status_code == 404


def test_detail_page_shows_the_registration_in_the_staff_language(
    client: TestClient, session: Session, three: dict[str, Registration]
) -> None:
    sign_in(client, staff_user(session, role="viewer"))
    url = f"/staff/registrations/{three['academic'].reference}"

    malay = client.get(url)
    english = client.get(url, params={"lang": "en"})

    assert "Universiti Malaya" in malay.text and "陈伟明" in malay.text
    assert "Institusi akademik" in malay.text
    assert "Perkongsian dan Kerjasama Strategik" in malay.text
    assert "Academic institution" in english.text
    assert "Partnership and Strategic Collaboration" in english.text
    assert client.get("/staff/registrations/ZZZZZZZZ").status_code == 404


def test_hostile_names_are_escaped_on_the_pages(client: TestClient, session: Session) -> None:
    hostile = registration(session, organisation_name='<script>alert("x")</script> Sdn Bhd')
    sign_in(client, staff_user(session, role="viewer"))
    for url in ("/staff/registrations", f"/staff/registrations/{hostile.reference}"):
        page = client.get(url).text
        assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_staff_notes_change_is_recorded_with_who_and_when(
    client: TestClient, session: Session, three: dict[str, Registration], clock: Clock
) -> None:
    admin = staff_user(session, role="admin")
    csrf = sign_in(client, admin)
    registered = three["union"]

    answer = client.post(f"/staff/registrations/{registered.reference}", data={
        "csrf_token": csrf, "staff_notes": "Jemput ke bengkel"}, follow_redirects=False)

    assert answer.status_code == 303
    session.expire_all()
    assert session.get(Registration, registered.id).staff_notes == "Jemput ke bengkel"
    events = session.scalars(select(RegistrationEvent).where(
        RegistrationEvent.registration_id == registered.id).order_by(RegistrationEvent.id)).all()
    assert [(e.action, e.actor, e.detail, e.at) for e in events] == [
        ("staff_notes", f"staff:{admin.id}", "", clock.now),
    ]
    page = client.get(answer.headers["location"], params={"lang": "en"})
    assert "Staff notes changed" in page.text and admin.email in page.text
    assert "Not invited to any workshop yet." in page.text


def test_notes_that_are_too_long_are_refused(
    client: TestClient, session: Session, three: dict[str, Registration]
) -> None:
    csrf = sign_in(client, staff_user(session, role="admin"))
    answer = client.post(f"/staff/registrations/{three['cso'].reference}",
                         data={"csrf_token": csrf, "staff_notes": "x" * 5001})
    assert answer.status_code == 422
    session.expire_all()
    assert session.get(Registration, three["cso"].id).staff_notes == ""


def _invitation(session: Session, registered: Registration, status: str) -> None:
    workshop = session.scalars(select(Workshop)).first()
    if workshop is None:
        workshop = session.get(Workshop, stored_workshop(session, capacity=10))
    session.add(Invitation(workshop_id=workshop.id, registration_id=registered.id,
                           status=status, invited_at=T0))


def test_a_workshop_page_counts_who_registered_was_invited_and_accepted(
    client: TestClient, session: Session, three: dict[str, Registration]
) -> None:
    _invitation(session, three["union"], "accepted")
    _invitation(session, three["cso"], "declined")
    _invitation(session, three["academic"], "cancelled")
    withdrawn = registration(session, category="academic", state="sabah", pillars=["protection"])
    withdrawn.withdrawn_at = T0
    session.commit()
    workshop_id = session.scalars(select(Workshop.id)).one()
    sign_in(client, staff_user(session, role="viewer"))

    page = client.get(f"/staff/workshops/{workshop_id}", params={"lang": "en"}).text

    def counts(table: str, label: str) -> tuple[int, ...]:
        """Return a row's registered, invited and accepted, as the table shows them."""
        rows = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
        found = re.search(rf'<th scope="row">{re.escape(label)}</th>'
                          r'<td class="numeric">(\d+)</td><td class="numeric">(\d+)</td>'
                          r'<td class="numeric">(\d+)</td>', rows)
        assert found, (table, label)
        return tuple(int(count) for count in found.groups())

    assert '<caption id="reach-category-caption">Organisations by category</caption>' in page
    assert counts("reach-category", "Workers&#39; union") == (1, 1, 1)
    assert counts("reach-category", "Academic institution") == (1, 0, 0)  # cancelled, withdrawn
    assert counts("reach-category", "Civil society organisation (CSO)") == (1, 1, 0)
    assert counts("reach-pillar", "Prevention") == (1, 0, 0)
    assert counts("reach-pillar", "Protection") == (1, 1, 0)
    assert counts("reach-state", "Sabah") == (1, 1, 1)
    assert counts("reach-state", "Johor") == (0, 0, 0)


def test_the_old_planning_page_leads_to_the_workshops_and_its_capacity_is_gone(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, staff_user(session, role="admin"))

    old = client.get("/staff/workshop", follow_redirects=False)
    capacity = client.post("/staff/workshop/capacity", data={"csrf_token": csrf, "capacity": "4"},
                           follow_redirects=False)
    menu = client.get("/staff/workshops", params={"lang": "en"}).text

    assert old.status_code == 301 and old.headers["location"] == "/staff/workshops"
    assert capacity.status_code == 404
    assert 'href="/staff/workshop"' not in menu and "Workshop capacity" not in menu


def test_the_deadline_can_be_changed_by_an_administrator(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, staff_user(session, role="admin"))

    bad = client.post("/staff/deadline", data={"csrf_token": csrf, "deadline": "next week"})
    good = client.post("/staff/deadline", data={"csrf_token": csrf, "deadline": "2022-10-27"},
                       follow_redirects=False)

    assert bad.status_code == 422
    assert good.status_code == 303
    assert "27 Oktober 2022, 11:59 malam" in client.get("/staff/deadline").text
    assert "27 Oktober 2022" in client.get("/").text


def test_administrators_manage_staff_and_tokens(client: TestClient, session: Session) -> None:
    admin = staff_user(session, role="admin")
    csrf = sign_in(client, admin)

    short = client.post("/staff/users", data={"csrf_token": csrf, "email": "new@mohr.gov.my",
                                              "role": "viewer", "password": "short"})
    made = client.post("/staff/users", data={"csrf_token": csrf, "email": "new@mohr.gov.my",
                                             "role": "viewer", "password": "a long password 1"},
                       follow_redirects=False)
    token_page = client.post("/staff/tokens", data={"csrf_token": csrf})

    assert short.status_code == 422 and "12" in short.text
    assert made.status_code == 303
    assert staff_auth.find_staff(session=session, email="NEW@mohr.gov.my").role == "viewer"
    shown = re.search(r'<code class="token">(a87_[^<]+)</code>', token_page.text).group(1)
    assert client.get("/api/v1/registrations",
                      headers={"Authorization": f"Bearer {shown}"}).status_code == 200
    # The token page never shows it again.
    assert shown not in client.get("/staff/tokens").text
