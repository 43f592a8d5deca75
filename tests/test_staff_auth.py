"""Staff accounts and sign-in: the CLI, the login form, sessions, timeouts, CSRF, tokens."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.cli import main
from app.core.db import new_session
from app.main import app
from app.models import ApiToken, AuditLog, Registration, StaffSession, StaffUser
from app.services import staff_auth
from tests.conftest import Clock
from tests.staff_helpers import (
    PASSWORD,
    SETUP,
    csrf_of,
    registration,
    second_step,
    sign_in,
    staff_user,
)

pytestmark = pytest.mark.usefixtures("staff_ready")


def _cookies(response) -> list[str]:  # noqa: ANN001
    return response.headers.get_list("set-cookie")


def _login(client: TestClient, email: str, password: str):  # noqa: ANN202
    page = client.get("/staff/login")
    return client.post("/staff/login", data={"email": email, "password": password,
                                              "csrf_token": csrf_of(page.text)},
                       follow_redirects=False)


# --- the command line ------------------------------------------------------------------

def test_create_staff_and_token_from_the_cli(
    committed_db: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))

    assert main(["create-staff", "--email", "Siti@MOHR.gov.my", "--role", "admin",
                 "--password-stdin"]) == 0
    assert main(["create-token", "--email", "siti@mohr.gov.my"]) == 0

    token = capsys.readouterr().out.strip()
    assert token.startswith("a87_") and len(token) > 40
    with new_session() as session:
        user = session.scalars(select(StaffUser)).one()
        assert user.email == "Siti@MOHR.gov.my" and user.role == "admin"
        assert user.password_hash.startswith("$argon2")
        stored = session.scalars(select(ApiToken)).one()
        assert stored.token_hash == staff_auth.token_hash(token)  # only the hash is kept
        assert token not in stored.token_hash


def test_create_staff_refuses_a_short_password(
    committed_db: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))

    status = main(["create-staff", "--email", "a@mohr.gov.my", "--role", "viewer",
                   "--password-stdin"])

    assert status == 2
    assert "at least 12 characters" in capsys.readouterr().err
    with new_session() as session:
        assert session.scalars(select(StaffUser)).all() == []


def test_create_staff_refuses_a_second_account_for_the_same_email(
    committed_db: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
        status = main(["create-staff", "--email", "a@mohr.gov.my", "--role", "viewer",
                       "--password-stdin"])
    assert status == 1
    assert "already a staff account" in capsys.readouterr().err


def test_revoke_token_from_the_cli(committed_db: Engine) -> None:
    with new_session() as session:
        user = staff_auth.create_staff(session=session, email="a@mohr.gov.my", role="viewer",
                                       password=PASSWORD, now=dt.datetime.now(dt.UTC), actor=SETUP)
        token, row = staff_auth.create_token(session=session, user=user,
                                             now=dt.datetime.now(dt.UTC), actor=SETUP)
        session.commit()
        token_id = row.id

    assert main(["revoke-token", str(token_id)]) == 0
    with TestClient(app) as client:
        answer = client.get("/api/v1/registrations", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401


# --- signing in ------------------------------------------------------------------------

def test_login_sets_a_new_httponly_samesite_cookie(client: TestClient, session: Session) -> None:
    user = staff_user(session)
    client.cookies.set("a87_staff", "a-session-id-an-attacker-planted", path="/staff")

    response = _login(client, user.email, PASSWORD)

    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login/setup"  # the second step
    cookie = next(c for c in _cookies(response) if c.startswith("a87_staff="))
    value = cookie.split(";")[0].split("=", 1)[1]
    assert value != "a-session-id-an-attacker-planted"
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/staff" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test
    stored = session.scalars(select(StaffSession)).one()
    assert stored.id_hash == staff_auth.token_hash(value)


def test_cookie_is_secure_behind_https(session: Session, clock: Clock) -> None:
    user = staff_user(session)
    with TestClient(app, base_url="https://testserver") as client:
        response = _login(client, user.email, PASSWORD)
    cookie = next(c for c in _cookies(response) if c.startswith("a87_staff="))
    assert "Secure" in cookie


def test_signing_in_again_gives_a_new_session_and_ends_the_old(
    client: TestClient, session: Session
) -> None:
    user = staff_user(session)
    _login(client, user.email, PASSWORD)
    first = client.cookies.get("a87_staff")

    _login(client, user.email, PASSWORD)

    assert client.cookies.get("a87_staff") != first
    old = session.get(StaffSession, staff_auth.token_hash(first))
    assert old is not None and old.revoked_at is not None


def test_wrong_password_and_unknown_email_get_the_same_answer(
    client: TestClient, session: Session
) -> None:
    user = staff_user(session)

    wrong_password = _login(client, user.email, "not the password at all")
    unknown_email = _login(client, "nobody@mohr.gov.my", "not the password at all")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert "Alamat emel atau kata laluan tidak betul" in wrong_password.text
    strip = [(r.text.replace(user.email, "EMAIL").replace("nobody@mohr.gov.my", "EMAIL"))
             for r in (wrong_password, unknown_email)]
    strip = [s.split('name="csrf_token"')[0] + s.split('name="csrf_token"')[1][60:]
             for s in strip]
    assert strip[0] == strip[1]
    assert "a87_staff" not in client.cookies


def test_repeated_failures_are_slowed_down_even_for_the_right_password(
    client: TestClient, session: Session
) -> None:
    user = staff_user(session)
    answers = [_login(client, user.email, f"wrong password {n}").status_code for n in range(5)]

    blocked = _login(client, user.email, PASSWORD)

    assert answers == [401] * 5
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "a87_staff" not in client.cookies


def test_unknown_emails_are_slowed_down_the_same_way(client: TestClient, session: Session) -> None:
    answers = [_login(client, "nobody@mohr.gov.my", "guess number one").status_code
               for _ in range(6)]
    assert answers == [401] * 5 + [429]


def test_login_form_without_its_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    user = staff_user(session)
    client.get("/staff/login")

    response = client.post("/staff/login", data={"email": user.email, "password": PASSWORD,
                                                 "csrf_token": "forged"})

    assert response.status_code == 403
    assert "a87_staff" not in client.cookies


def test_disabled_account_cannot_sign_in(client: TestClient, session: Session) -> None:
    user = staff_user(session, role="viewer")
    user.disabled_at = dt.datetime.now(dt.UTC)
    session.commit()

    assert _login(client, user.email, PASSWORD).status_code == 401


def test_login_returns_to_the_page_asked_for(client: TestClient, session: Session) -> None:
    user = staff_user(session)
    sign_in(client, user)  # the second factor is set up
    client.cookies.clear()
    redirect = client.get("/staff/workshops", follow_redirects=False)
    assert redirect.headers["location"] == "/staff/login?next=/staff/workshops"

    page = client.get(redirect.headers["location"])
    answer = client.post("/staff/login", data={"email": user.email, "password": PASSWORD,
                                               "csrf_token": csrf_of(page.text),
                                               "next": "/staff/workshops"},
                         follow_redirects=False)
    assert answer.headers["location"] == "/staff/login/code?next=/staff/workshops"
    assert second_step(client, user.email, answer).headers["location"] == "/staff/workshops"

    page = client.get("/staff/login")
    elsewhere = client.post("/staff/login", data={"email": user.email, "password": PASSWORD,
                                                  "csrf_token": csrf_of(page.text),
                                                  "next": "https://evil.example/"},
                            follow_redirects=False)
    assert elsewhere.headers["location"] == "/staff/login/code"
    assert second_step(client, user.email, elsewhere).headers["location"] == \
        "/staff/registrations"


# --- sessions end ------------------------------------------------------------------------

def test_logout_revokes_the_session_on_the_server(client: TestClient, session: Session) -> None:
    user = staff_user(session)
    csrf = sign_in(client, user)
    cookie = client.cookies.get("a87_staff")

    response = client.post("/staff/logout", data={"csrf_token": csrf}, follow_redirects=False)

    assert response.status_code == 303
    assert session.get(StaffSession, staff_auth.token_hash(cookie)).revoked_at is not None
    # Replaying the old cookie does not sign anyone in.
    client.cookies.clear()
    client.cookies.set("a87_staff", cookie, path="/staff")
    again = client.get("/staff/registrations", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/staff/login")


def test_idle_session_times_out(client: TestClient, session: Session, clock: Clock) -> None:
    user = staff_user(session)
    sign_in(client, user)
    start = clock.now

    clock.set(start + dt.timedelta(minutes=29))
    assert client.get("/staff/registrations", follow_redirects=False).status_code == 200
    clock.set(start + dt.timedelta(minutes=29 + 31))
    assert client.get("/staff/registrations", follow_redirects=False).status_code == 303


def test_active_session_still_ends_after_eight_hours(
    client: TestClient, session: Session, clock: Clock
) -> None:
    user = staff_user(session)
    sign_in(client, user)
    start = clock.now

    for minutes in range(20, 8 * 60, 20):
        clock.set(start + dt.timedelta(minutes=minutes))
        assert client.get("/staff/registrations", follow_redirects=False).status_code == 200
    clock.set(start + dt.timedelta(hours=8))
    assert client.get("/staff/registrations", follow_redirects=False).status_code == 303


# --- CSRF on staff forms -------------------------------------------------------------------

def test_staff_post_without_the_right_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    user = staff_user(session)
    registered = registration(session)
    sign_in(client, user)
    url = f"/staff/registrations/{registered.reference}"

    missing = client.post(url, data={"staff_notes": "x"})
    forged = client.post(url, data={"staff_notes": "x", "csrf_token": "forged"})

    assert missing.status_code == forged.status_code == 403
    session.expire_all()
    stored = session.get(Registration, registered.id)
    assert stored.staff_notes == ""


def test_a_session_token_from_another_session_is_not_accepted(
    client: TestClient, session: Session
) -> None:
    user = staff_user(session)
    other_csrf = sign_in(client, user)
    sign_in(client, user)  # a new session, with its own token

    response = client.post("/staff/tokens", data={"csrf_token": other_csrf})

    assert response.status_code == 403
    assert session.scalars(select(ApiToken)).all() == []


def test_sign_in_is_in_the_audit_log(client: TestClient, session: Session) -> None:
    user = staff_user(session)
    sign_in(client, user)
    assert session.scalars(select(AuditLog.action).where(AuditLog.staff_user_id == user.id)
                           .order_by(AuditLog.id)).all() == ["second_factor_set_up", "sign_in"]
