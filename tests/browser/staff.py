"""Staff accounts and registrations for the browser tests, made the way the secretariat would."""

from __future__ import annotations

import io
import itertools
import sys
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from app import cli
from app.core.clock import utcnow
from app.core.db import new_session
from app.models import Registration
from app.services.private_links import manage_token
from tests.factories import registration_payload
from tests.staff_helpers import factors

PASSWORD = "kata laluan yang panjang 2022"  # noqa: S105 - a test account
_numbers = itertools.count(1)


def create_staff(monkeypatch: pytest.MonkeyPatch, *, role: str = "admin") -> str:
    """Create a staff account with `alliance87 create-staff --password-stdin`; return its email."""
    email = f"urusetia{next(_numbers)}.{role}@mohr.gov.my"
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    status = cli.main(["create-staff", "--email", email, "--role", role, "--password-stdin"])
    assert status == 0, "alliance87 create-staff failed"
    return email


def register_by_api(base_url: str, **overrides: Any) -> str:
    """Register an organisation through the public API; return its reference."""
    answer = httpx.post(f"{base_url}/api/v1/registrations",
                        json=registration_payload(**overrides), timeout=10)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["reference"])


def private_link(base_url: str, reference: str) -> str:
    """Return a registration's private link, as its confirmation carries it."""
    with new_session() as session:
        registration = session.scalars(
            select(Registration).where(Registration.reference == reference)).one()
        token = manage_token(registration)
    return f"{base_url}/manage/{token}"


def sign_in(page: Page, base_url: str, email: str, *, lang: str = "ms") -> None:
    """Sign in through the login page and the second step, as the secretariat would."""
    page.goto(f"{base_url}/staff/login?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    second_step(page, email)
    assert "/staff/login" not in page.url, "sign-in failed"


def second_step(page: Page, email: str) -> None:
    """Set the second factor up (keeping the recovery codes), or give a code from it."""
    if "/staff/login/setup" in page.url:
        code = factors.set_up(email, page.locator("#secret").inner_text().strip(), utcnow())
        page.fill("#code", code)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        factors.recovery_codes[email] = [
            text.strip() for text in page.locator("#recovery-codes code").all_inner_texts()]
        with page.expect_navigation():
            page.locator("main a.button").click()
    elif "/staff/login/code" in page.url:
        page.fill("#code", factors.code(email, utcnow()))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
