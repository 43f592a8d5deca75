"""The brake on failed staff sign-ins: a stranger's guesses do not lock the owner out."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.main import app
from app.services import login_brake
from tests.staff_helpers import PASSWORD, csrf_of, staff_user

pytestmark = pytest.mark.usefixtures("staff_ready", "clock")

STRANGER = "198.51.100.7"
OWNER = "203.0.113.20"


@contextmanager
def browser_at(address: str) -> Iterator[TestClient]:
    """A client whose requests come from `address`, as uvicorn reports the peer."""
    with TestClient(app, base_url="http://testserver", client=(address, 50000)) as client:
        yield client


def _login(client: TestClient, email: str, password: str) -> int:
    page = client.get("/staff/login")
    return client.post("/staff/login", data={"email": email, "password": password,
                                             "csrf_token": csrf_of(page.text)},
                       follow_redirects=False).status_code


def test_a_strangers_failures_do_not_lock_the_owner_out_from_their_own_address(
    session: Session,
) -> None:
    user = staff_user(session)
    with browser_at(STRANGER) as stranger:
        guesses = [_login(stranger, user.email, f"guess {n}") for n in range(5)]
        # The stranger's address is locked for this account, even with the right password.
        stranger_with_the_password = _login(stranger, user.email, PASSWORD)

    with browser_at(OWNER) as owner:
        owner_signs_in = _login(owner, user.email, PASSWORD)

    assert guesses == [401] * 5
    assert stranger_with_the_password == 429
    assert owner_signs_in == 303


def test_guessing_from_many_addresses_locks_the_account_everywhere_and_is_logged(
    session: Session, caplog: pytest.LogCaptureFixture,
) -> None:
    user = staff_user(session)
    ceiling = 50
    assert login_brake.FAILED_LOGIN_LIMITS_PER_EMAIL.startswith(f"{ceiling}/")
    per_address = 5
    answers = []
    with caplog.at_level(logging.WARNING, logger="app.login_brake"):
        for botnet_host in range(ceiling // per_address):
            with browser_at(f"192.0.2.{botnet_host + 1}") as guesser:
                answers += [_login(guesser, user.email, f"guess {botnet_host}.{n}")
                            for n in range(per_address)]
        with browser_at(OWNER) as owner:
            owner_signs_in = _login(owner, user.email, PASSWORD)

    assert answers == [401] * ceiling
    assert owner_signs_in == 429
    warnings = [record for record in caplog.records
                if getattr(record, "event", "") == "staff_login_ceiling"]
    assert len(warnings) == 1
    assert user.email not in warnings[0].getMessage()


def test_below_the_ceiling_other_addresses_still_sign_in(session: Session) -> None:
    user = staff_user(session)
    for botnet_host in range(9):
        with browser_at(f"192.0.2.{botnet_host + 1}") as guesser:
            for n in range(5):
                _login(guesser, user.email, f"guess {botnet_host}.{n}")

    with browser_at(OWNER) as owner:
        assert _login(owner, user.email, PASSWORD) == 303


def test_one_address_guessing_many_accounts_is_still_slowed_down(session: Session) -> None:
    users = [staff_user(session) for _ in range(5)]
    with browser_at(STRANGER) as stranger:
        answers = [_login(stranger, user.email, f"guess {n}")
                   for user in users for n in range(4)]
        answers.append(_login(stranger, users[0].email, PASSWORD))

    assert answers == [401] * 20 + [429]
