"""Staff accounts, signed-in clients and registrations for the staff tests."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import httpx
import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.ratelimit import limiter
from app.deps import request_time
from app.main import app
from app.models import Registration, RegistrationFocusArea, RegistrationPillar, StaffUser
from app.schemas.registration import RegistrationCreate
from app.services import audit, staff_auth
from app.services.references import new_reference
from app.services.registration.store import registration_values
from tests.factories import registration_payload

# Accounts and tokens a test sets up are made as if at the command line.
SETUP = audit.Actor(None, "test-setup")

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def staff_user(session: Session, *, role: str = "admin", email: str | None = None,
               password: str = PASSWORD) -> StaffUser:
    """Create a staff account and commit it, so requests can begin their own transactions."""
    user = staff_auth.create_staff(
        session=session, email=email or f"staff{next(_numbers)}@mohr.gov.my", role=role,
        password=password, now=utcnow(), actor=SETUP)
    session.commit()
    return user


def registration(session: Session, *, submitted_at: dt.datetime | None = None,
                 **overrides: Any) -> Registration:
    """Store a registration directly (no deadline, no mail) and commit it."""
    data = RegistrationCreate.model_validate(registration_payload(**overrides))
    row = Registration(
        **registration_values(data, now=submitted_at or utcnow()),
        reference=new_reference(),
        pillar_rows=[RegistrationPillar(pillar=code) for code in data.pillars],
        focus_area_rows=[RegistrationFocusArea(focus_area=code) for code in data.focus_areas],
    )
    session.add(row)
    session.commit()
    return row


def csrf_of(html: str) -> str:
    """Return the CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class SecondFactors:
    """What a member of staff keeps: each account's secret and unused recovery codes.

    It hands out a code the server has not taken yet: a TOTP code of a later time-step than
    the last one it gave (the server allows one step either side of now), else a recovery
    code.
    """

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.recovery_codes: dict[str, list[str]] = {}
        self._last_steps: dict[str, int] = {}

    def set_up(self, email: str, secret: str, now: dt.datetime) -> str:
        """Remember a new secret (forgetting the old one); return the code that confirms it."""
        self.secrets[email] = secret
        self.recovery_codes[email] = []
        self._last_steps.pop(email, None)
        return self.code(email, now)

    def code(self, email: str, now: dt.datetime) -> str:
        """Return a code for `email` that the server has not taken yet."""
        totp = pyotp.TOTP(self.secrets[email])
        current = totp.timecode(now)
        for step in (current, current + 1):
            if step > self._last_steps.get(email, -1):
                self._last_steps[email] = step
                return totp.generate_otp(step)
        return self.recovery_codes[email].pop()


factors = SecondFactors()
SECRET_ON_PAGE = re.compile(r'id="secret"[^>]*>([A-Z2-7]+)<')
RECOVERY_CODES_ON_PAGE = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")


def server_now() -> dt.datetime:
    """Return the time the app reads: the test's movable clock if one is set."""
    moved = app.dependency_overrides.get(request_time)
    return moved() if moved is not None else utcnow()


def second_step(client: httpx.Client, email: str, answer: httpx.Response) -> httpx.Response:
    """Finish a sign-in that the password began: set the factor up, or give a code."""
    location = answer.headers["location"]
    page = client.get(location)
    next_path = re.search(r'name="next" value="([^"]*)"', page.text)
    form = {"csrf_token": csrf_of(page.text), "next": next_path.group(1) if next_path else ""}
    if location.startswith("/staff/login/setup"):
        found = SECRET_ON_PAGE.search(page.text)
        assert found, "no secret on the set-up page"
        code = factors.set_up(email, found.group(1), server_now())
        done = client.post("/staff/login/setup", data={**form, "code": code},
                           follow_redirects=False)
        assert done.status_code == 200, done.text
        factors.recovery_codes[email] = RECOVERY_CODES_ON_PAGE.findall(done.text)
        return done
    assert location.startswith("/staff/login/code"), location
    code = factors.code(email, server_now())
    return client.post("/staff/login/code", data={**form, "code": code},
                       follow_redirects=False)


def sign_in(client: TestClient, user: StaffUser, password: str = PASSWORD) -> str:
    """Sign in through the login form and the second step; return the session's CSRF token."""
    page = client.get("/staff/login")
    response = client.post("/staff/login", data={
        "email": user.email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False)
    assert response.status_code == 303, response.text
    done = second_step(client, user.email, response)
    assert done.status_code in (200, 303), done.text
    return csrf_of(client.get("/staff/registrations").text)


def reset_login_limits() -> None:
    """Forget failed sign-ins counted by earlier tests."""
    limiter().storage.reset()


def use_fast_password_hashing(monkeypatch: Any) -> None:
    """Hash passwords cheaply in tests; the real parameters cost ~0.5 s a time."""
    from argon2 import PasswordHasher

    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(staff_auth, "_hasher", lambda: fast)
    staff_auth._unknown_user_hash.cache_clear()
    monkeypatch.setattr(staff_auth, "_unknown_user_hash", lambda: fast.hash("unknown"))
