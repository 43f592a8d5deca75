"""Every staff page and endpoint refuses whoever should not see it; found from app.routes."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.main import app
from app.models import ApiToken, Registration, RoadmapReport
from app.roadmap.plan import commitments, outcomes
from app.roadmap.plan.schemas import CommitmentCreate, OutcomeCreate
from app.roadmap.progress import periods
from app.routers.staff_deps import admin_only
from app.schemas.staff import RegistrationFilters
from app.services import announcements, staff_auth, working_groups
from app.services.announcement_texts import clean_texts
from app.services.check_in_codes import check_in_code
from tests.conftest import Clock
from tests.day_helpers import accepted
from tests.staff_helpers import (
    SETUP,
    registration,
    sign_in,
    staff_user,
)
from tests.workshop_helpers import STARTS, stored_workshop

pytestmark = pytest.mark.usefixtures("staff_ready")


def _depends_on(route: RouteContext, dependency: object) -> bool:
    pending = [route.dependant]
    while pending:
        current = pending.pop()
        if current.call is dependency:
            return True
        pending.extend(current.dependencies)
    return False


def _routes(prefix: str) -> list[tuple[str, str, RouteContext]]:
    # Included routers are resolved lazily; iter_route_contexts gives each route as served,
    # with its full path and the dependencies of every router it was included through.
    found = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.path.startswith(prefix):
            for method in sorted(route.methods):
                found.append((method, route.path, route))
    return found


STAFF_ROUTES = [r for r in _routes("/staff") if r[1] != "/staff/login"]
# A representative opens their own check-in link: anyone gets a page (tested with the desk).
OPEN_TO_ANYONE = {("GET", "/staff/workshops/{workshop_id}/check-in/{code}")}
API_ROUTES = [r for r in _routes("/api/v1/")
              if r[1].startswith(("/api/v1/exports", "/api/v1/registrations",
                                  "/api/v1/announcements"))
              and not (r[0] == "POST" and r[1] == "/api/v1/registrations")]


def test_the_enumeration_finds_the_pages_and_endpoints() -> None:
    paths = {path for _, path, _ in STAFF_ROUTES}
    assert {"/staff/registrations", "/staff/registrations/{reference}", "/staff/workshops",
            "/staff/exports/registrations.csv", "/staff/exports/registrations.xlsx",
            "/staff/audit", "/staff/users", "/staff/tokens", "/staff/deadline"} <= paths
    assert {path for _, path, _ in API_ROUTES} == {
        "/api/v1/registrations", "/api/v1/registrations/{reference}",
        "/api/v1/exports/registrations.csv", "/api/v1/exports/registrations.xlsx",
        "/api/v1/announcements", "/api/v1/announcements/{announcement_id}",
        "/api/v1/registrations/duplicates", "/api/v1/registrations/duplicates/dismiss",
        "/api/v1/registrations/{reference}/merge"}


def _url(path: str, reference: str, announcement_id: int = 1, workshop_id: int = 1,
         day: dict[str, str] | None = None) -> str:
    url = (path.replace("{reference}", reference).replace("{user_id}", "1")
           .replace("{token_id}", "1").replace("{change}", "disable")
           .replace("{announcement_id}", str(announcement_id))
           .replace("{workshop_id}", str(workshop_id)).replace("{invitation_id}", "1")
           .replace("{file_format}", "csv"))
    for placeholder, value in (day or {}).items():
        url = url.replace(placeholder, value)
    return url


def _workshop_day(session: Session, path: str, workshop_id: int,
                  registered: Registration) -> dict[str, str]:
    """An accepted representative and a working group, for the paths of the workshop day."""
    day: dict[str, str] = {}
    if "{representative_id}" in path or "{code}" in path:
        person = accepted(session, workshop_id, registered, "Siti Aminah binti Omar")[0]
        day["{representative_id}"] = str(person.id)
        day["{code}"] = check_in_code(workshop_id=workshop_id, representative_id=person.id)
    if "{group_id}" in path:
        working_groups.create_default_groups(session=session, workshop_id=workshop_id,
                                             staff_user_id=None, now=dt.datetime.now(dt.UTC))
        session.commit()
        groups = working_groups.list_groups(session=session, workshop_id=workshop_id)
        day["{group_id}"] = str(groups[0].id)
    return day


def _roadmap(session: Session, path: str) -> dict[str, str]:
    """An outcome and a commitment (and a period with its report), for the roadmap's paths."""
    if not any(name in path for name in ("{outcome_id}", "{commitment_id}", "{period_id}",
                                         "{report_id}")):
        return {}
    now = dt.datetime.now(dt.UTC)
    outcome = outcomes.create_outcome(session=session, actor=SETUP, now=now, details=(
        OutcomeCreate(number="1.1", pillar="prevention", title_ms="Hasil", title_en="Outcome",
                      indicator_ms="Penunjuk", indicator_en="Indicator")))
    commitment = commitments.create_commitment(session=session, actor=SETUP, now=now, details=(
        CommitmentCreate.model_validate({
            "code": "1.1.1", "outcome": "1.1", "title_ms": "Komitmen", "title_en": "Commitment",
            "lead": {"name": "Jabatan"}, "starts_on": "2023-01-01", "ends_on": "2023-12-31"})))
    period, _requested = periods.open_period(
        session=session, label="2023", starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2023, 12, 31), due_on=dt.date(2024, 1, 31), actor=SETUP, now=now)
    session.commit()
    report_id = session.scalars(select(RoadmapReport.id)).one()
    return {"{outcome_id}": str(outcome.id), "{commitment_id}": str(commitment.id),
            "{period_id}": str(period.id), "{report_id}": str(report_id)}


def _announcement_id(session: Session, path: str) -> int:
    """An announcement that exists, for a path that names one."""
    if "{announcement_id}" not in path:
        return 1
    texts = clean_texts(subject_ms="S", body_ms="B", subject_en="S", body_en="B")
    sent = announcements.send_announcement(
        session=session, texts=texts, filters=RegistrationFilters(),
        staff_user_id=staff_user(session).id, now=dt.datetime.now(dt.UTC))
    session.commit()
    return sent.announcement.id


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in STAFF_ROUTES
                                               if (m, p) not in OPEN_TO_ANYONE])
def test_staff_pages_send_anonymous_people_to_the_login_page(
    client: TestClient, session: Session, method: str, path: str
) -> None:
    registered = registration(session)

    response = client.request(method, _url(path, registered.reference), follow_redirects=False,
                              data={"staff_notes": "x"} if method == "POST" else None)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login")
    session.expire_all()
    assert session.get(Registration, registered.id).staff_notes == ""


@pytest.mark.parametrize(("method", "path", "route"), STAFF_ROUTES)
def test_viewers_are_refused_what_only_administrators_may_do(
    client: TestClient, session: Session, clock: Clock, method: str, path: str,
    route: RouteContext
) -> None:
    clock.set(STARTS)  # the workshop's day, when the desk adds walk-ins
    viewer = staff_user(session, role="viewer")
    registered = registration(session)
    announcement_id = _announcement_id(session, path)
    workshop_id = stored_workshop(session, capacity=5)
    day = _workshop_day(session, path, workshop_id, registered) | _roadmap(session, path)
    csrf = sign_in(client, viewer)
    # A walk-in names its organisation and the person; other forms need only the token.
    form = {"csrf_token": csrf, "reference": registered.reference, "full_name": "Ravi a/l Kumar"}

    response = client.request(method, _url(path, registered.reference, announcement_id,
                                           workshop_id, day),
                              follow_redirects=False,
                              data=form if method == "POST" else None)

    if _depends_on(route, admin_only):
        assert response.status_code == 403, path
    else:  # 301: an old address that moved (the one-workshop planning page)
        assert response.status_code in (200, 301, 303), (path, response.status_code)


def test_administrator_only_routes_are_the_expected_ones() -> None:
    admin_paths = {path for _, path, route in STAFF_ROUTES if _depends_on(route, admin_only)}
    assert {"/staff/audit", "/staff/users", "/staff/tokens", "/staff/deadline",
            "/staff/outbox/{mail_id}/retry",
            "/staff/registrations/{reference}/resend", "/staff/announcements/new",
            "/staff/workshops/new",
            "/staff/workshops/{workshop_id}/invite", "/staff/workshops/{workshop_id}/edit",
            "/staff/workshops/{workshop_id}/invitations/{invitation_id}/reply",
            "/staff/workshops/{workshop_id}/invitations/{invitation_id}/{change}",
            "/staff/roadmap/outcomes/new", "/staff/roadmap/outcomes/{outcome_id}/edit",
            "/staff/roadmap/commitments/new", "/staff/roadmap/commitments/{commitment_id}/edit",
            "/staff/roadmap/import", "/staff/roadmap/reports/{report_id}/review",
            "/staff/roadmap/reports/{report_id}/enter"} <= admin_paths
    assert "/staff/roadmap/periods/{period_id}" not in admin_paths
    assert "/staff/roadmap/reports/{report_id}" not in admin_paths
    assert "/staff/roadmap" not in admin_paths
    assert "/staff/roadmap/commitments/{commitment_id}" not in admin_paths
    assert "/staff/announcements" not in admin_paths
    assert "/staff/announcements/{announcement_id}" not in admin_paths
    assert "/staff/workshops/{workshop_id}" not in admin_paths
    assert "/staff/outbox" not in admin_paths
    assert "/staff/registrations" not in admin_paths
    assert "/staff/exports/registrations.csv" not in admin_paths


@pytest.mark.parametrize("path", [p for m, p, _ in STAFF_ROUTES if m == "GET"])
def test_staff_pages_are_never_cached(client: TestClient, session: Session, path: str) -> None:
    admin = staff_user(session)
    registered = registration(session)
    announcement_id = _announcement_id(session, path)
    workshop_id = stored_workshop(session, capacity=5)
    sign_in(client, admin)

    response = client.get(_url(path, registered.reference, announcement_id, workshop_id),
                          follow_redirects=False)

    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in API_ROUTES])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz",
                                           "Bearer "])
def test_staff_api_refuses_missing_and_bad_tokens(
    client: TestClient, session: Session, method: str, path: str, authorization: str | None
) -> None:
    registered = registration(session)
    headers = {"Authorization": authorization} if authorization else {}

    response = client.request(method, _url(path, registered.reference), headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert registered.organisation_name not in response.text


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in API_ROUTES])
def test_staff_api_refuses_a_revoked_token_and_a_disabled_account(
    client: TestClient, session: Session, method: str, path: str
) -> None:
    registered = registration(session)
    user = staff_user(session, role="viewer")
    revoked, row = staff_auth.create_token(session=session, user=user, now=dt.datetime.now(dt.UTC),
        actor=SETUP)
    staff_auth.revoke_token(session=session, token_id=row.id, now=dt.datetime.now(dt.UTC),
        actor=SETUP)
    other = staff_user(session, role="viewer")
    disabled_token, _ = staff_auth.create_token(session=session, user=other,
                                                now=dt.datetime.now(dt.UTC),
        actor=SETUP)
    other.disabled_at = dt.datetime.now(dt.UTC)
    session.commit()

    for token in (revoked, disabled_token):
        response = client.request(method, _url(path, registered.reference),
                                  headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


def test_a_valid_token_works_and_its_use_is_recorded(
    client: TestClient, session: Session, clock
) -> None:  # noqa: ANN001
    registration(session)
    user = staff_user(session, role="viewer")
    token, row = staff_auth.create_token(session=session, user=user, now=dt.datetime.now(dt.UTC),
        actor=SETUP)
    session.commit()
    assert row.last_used_at is None

    response = client.get("/api/v1/registrations", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    session.expire_all()
    used = session.scalars(select(ApiToken.last_used_at).where(ApiToken.id == row.id)).one()
    assert used == clock.now


def test_the_api_documents_bearer_auth_and_its_errors(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    listing = document["paths"]["/api/v1/registrations"]["get"]
    detail = document["paths"]["/api/v1/registrations/{reference}"]["get"]

    assert "401" in listing["responses"] and "401" in detail["responses"]
    assert "404" in detail["responses"]
    assert listing["security"] and document["components"]["securitySchemes"]
    assert not any(path.startswith("/staff") for path in document["paths"])
