"""The check-in desk and the personal check-in link pages (SPEC 7.3), as staff use them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditLog, Invitation, Representative
from app.services.check_in_codes import check_in_code
from tests.conftest import Clock
from tests.day_helpers import accepted
from tests.staff_helpers import registration, sign_in, staff_user
from tests.workshop_helpers import STARTS, stored_workshop

pytestmark = pytest.mark.usefixtures("staff_ready")
HOSTILE = '<script>alert("x")</script> Ahmad'


def _person(session: Session, person_id: int) -> Representative:
    session.expire_all()
    found = session.get(Representative, person_id)
    assert found is not None
    return found


def test_a_viewer_searches_checks_in_once_and_undoes_a_mistake(
    client: TestClient, session: Session
) -> None:
    workshop_id = stored_workshop(session, capacity=10)
    org = registration(session, organisation_name="Persatuan Pekerja Migran")
    aminah, _ravi = accepted(session, workshop_id, org, "Aminah binti Ali", "Ravi Kumar")
    viewer = staff_user(session, role="viewer")
    csrf = sign_in(client, viewer)

    found = client.get(f"/staff/workshops/{workshop_id}/check-in?q=aminah&lang=en")
    by_org = client.get(f"/staff/workshops/{workshop_id}/check-in?q=pekerja+migran&lang=en")
    by_ref = client.get(f"/staff/workshops/{workshop_id}/check-in?q={org.reference}&lang=en")
    tapped = client.post(f"/staff/workshops/{workshop_id}/check-in/{aminah.id}",
                         data={"csrf_token": csrf, "q": "aminah"}, follow_redirects=False)
    first_time = _person(session, aminah.id).checked_in_at
    again = client.get(client.post(f"/staff/workshops/{workshop_id}/check-in/{aminah.id}",
                                   data={"csrf_token": csrf}).url.path + "?notice=already&lang=en")

    assert "Aminah binti Ali" in found.text and "Ravi Kumar" not in found.text
    assert "Ravi Kumar" in by_org.text and "Ravi Kumar" in by_ref.text
    assert tapped.status_code == 303 and "q=aminah" in tapped.headers["location"]
    assert first_time is not None
    assert _person(session, aminah.id).checked_in_by == viewer.id
    assert "Already checked in earlier" in again.text
    assert "Present: 1 of 2 expected" in again.text
    assert _person(session, aminah.id).checked_in_at == first_time

    client.post(f"/staff/workshops/{workshop_id}/check-in/{aminah.id}/undo",
                data={"csrf_token": csrf})
    undone = client.get(f"/staff/workshops/{workshop_id}/check-in?notice=undone&lang=en")
    assert "The check-in was undone." in undone.text and "Present: 0 of 2" in undone.text
    assert _person(session, aminah.id).checked_in_at is None
    actions = session.scalars(select(AuditLog.action).where(
        AuditLog.action.like("attendee_%"))).all()
    assert sorted(actions) == ["attendee_check_in_undone", "attendee_checked_in"]


def test_a_check_in_without_the_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    workshop_id = stored_workshop(session, capacity=10)
    (person,) = accepted(session, workshop_id, registration(session), "Siti")
    sign_in(client, staff_user(session, role="viewer"))

    refused = client.post(f"/staff/workshops/{workshop_id}/check-in/{person.id}", data={})

    assert refused.status_code == 403
    assert _person(session, person.id).checked_in_at is None


def test_the_personal_link_shows_the_person_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    workshop_id = stored_workshop(session, capacity=10)
    other_workshop = stored_workshop(session, capacity=10)
    (person,) = accepted(session, workshop_id, registration(session), HOSTILE)
    code = check_in_code(workshop_id=workshop_id, representative_id=person.id)
    link = f"/staff/workshops/{workshop_id}/check-in/{code}?lang=en"

    signed_out = client.get(link, follow_redirects=False)
    sign_in(client, staff_user(session, role="viewer"))
    shown = client.get(link)
    forged = client.get(f"/staff/workshops/{workshop_id}/check-in/{code[:-3]}xyz?lang=en")
    elsewhere = client.get(f"/staff/workshops/{other_workshop}/check-in/{code}?lang=en")

    # The representative opening their own link gets the code to show at the desk.
    assert signed_out.status_code == 200 and "Show this code at the registration desk" in (
        signed_out.text)
    assert shown.status_code == 200 and "Confirm check-in" in shown.text
    assert "&lt;script&gt;" in shown.text and "<script>alert" not in shown.text
    assert _person(session, person.id).checked_in_at is None
    assert forged.status_code == 404 and "incomplete or has been altered" in forged.text
    assert elsewhere.status_code == 404 and "for another workshop" in elsewhere.text


def test_a_removed_representative_cannot_be_checked_in(
    client: TestClient, session: Session
) -> None:
    workshop_id = stored_workshop(session, capacity=10)
    (person,) = accepted(session, workshop_id, registration(session), "Lim Mei Ling")
    invitation = session.get(Invitation, person.invitation_id)
    assert invitation is not None
    invitation.status = "cancelled"
    session.commit()
    csrf = sign_in(client, staff_user(session))

    refused = client.post(f"/staff/workshops/{workshop_id}/check-in/{person.id}?lang=en",
                          data={"csrf_token": csrf})
    unknown = client.post(f"/staff/workshops/{workshop_id}/check-in/999999?lang=en",
                          data={"csrf_token": csrf})

    assert refused.status_code == 409 and "no longer attending" in refused.text
    assert unknown.status_code == 404 and "not an accepted representative" in unknown.text
    assert _person(session, person.id).checked_in_at is None


def test_a_walk_in_counts_against_capacity_with_a_warning(
    client: TestClient, session: Session, clock: Clock
) -> None:
    clock.set(STARTS)  # walk-ins are added on the workshop's day
    workshop_id = stored_workshop(session, capacity=1)
    org = registration(session)
    accepted(session, workshop_id, org, "Tan Ah Kow")
    csrf = sign_in(client, staff_user(session, role="viewer"))

    added = client.post(f"/staff/workshops/{workshop_id}/walk-in?lang=en", data={
        "csrf_token": csrf, "reference": org.reference.lower(), "full_name": HOSTILE,
        "designation": "Volunteer"}, follow_redirects=False)
    shown = client.get(added.headers["location"].replace("#", "&lang=en#"))
    nobody = client.post(f"/staff/workshops/{workshop_id}/walk-in?lang=en", data={
        "csrf_token": csrf, "reference": "NOPE-1", "full_name": "X"})

    assert added.status_code == 303
    assert "over capacity" in shown.text and "Present: 1 of 2 expected" in shown.text
    assert "&lt;script&gt;" in shown.text and "<script>alert" not in shown.text
    assert nobody.status_code == 422 and "No registered organisation" in nobody.text


def test_a_representative_opening_their_own_link_gets_the_code_to_show_at_the_desk(
    client: TestClient, session: Session
) -> None:
    workshop_id = stored_workshop(session, capacity=10)
    org = registration(session, preferred_language="ms")
    (person,) = accepted(session, workshop_id, org, "Nur Aisyah binti Ahmad")
    code = check_in_code(workshop_id=workshop_id, representative_id=person.id)
    link = f"/staff/workshops/{workshop_id}/check-in/{code}"

    in_their_language = client.get(link)
    in_english = client.get(link + "?lang=en")
    broken = client.get(f"/staff/workshops/{workshop_id}/check-in/{code[:-3]}xyz?lang=en")

    assert in_their_language.status_code == 200
    assert 'lang="ms"' in in_their_language.text
    assert "Tunjukkan kod ini di meja pendaftaran" in in_their_language.text
    assert in_english.status_code == 200
    assert "Show this code at the registration desk" in in_english.text
    assert "Nur Aisyah binti Ahmad" in in_english.text and code in in_english.text
    assert 'src="data:image/png;base64,' in in_english.text
    assert "Secretariat log in" not in in_english.text and "Confirm check-in" not in (
        in_english.text)
    assert broken.status_code == 404 and "incomplete or has been altered" in broken.text
    assert _person(session, person.id).checked_in_at is None


def test_the_desk_puts_its_search_first_and_on_a_phone_its_menu_last(
    client: TestClient, session: Session
) -> None:
    workshop_id = stored_workshop(session, capacity=10)
    accepted(session, workshop_id, registration(session), "Aminah binti Ali")
    sign_in(client, staff_user(session, role="viewer"))

    desk = client.get(f"/staff/workshops/{workshop_id}/check-in?lang=en").text
    other = client.get(f"/staff/workshops/{workshop_id}?lang=en").text

    main = desk.index('<main id="main"')
    assert main < desk.index('id="q"') < desk.index("check-in-count") < desk.index("Aminah")
    # Two copies of the menu, one shown on wide screens (before the desk), one on narrow
    # screens (after it), reached from a "Menu" link at the top.
    assert desk.index("staff-nav--wide-only") < main < desk.index('id="menu"')
    assert desk.index('href="#menu"') < main
    assert "staff-nav--" not in other and 'href="#menu"' not in other
