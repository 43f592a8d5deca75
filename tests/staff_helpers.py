"""Staff accounts, signed-in clients and registrations for the staff tests."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.ratelimit import limiter
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


def sign_in(client: TestClient, user: StaffUser, password: str = PASSWORD) -> str:
    """Sign in through the login form; return the session's CSRF token."""
    page = client.get("/staff/login")
    response = client.post("/staff/login", data={
        "email": user.email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False)
    assert response.status_code == 303, response.text
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
