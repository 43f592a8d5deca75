"""The two-step staff sign-in on a phone (360 px): set-up, recovery codes and the code step,
each checked by axe, in both languages."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from app.core.clock import utcnow
from tests.browser.conftest import PHONE, AxeCheck, OpenPage
from tests.browser.pages import horizontal_overflow
from tests.browser.staff import PASSWORD, create_staff
from tests.conftest import LiveServer
from tests.staff_helpers import factors

pytestmark = pytest.mark.browser


def _password(page, base_url: str, email: str, lang: str) -> None:  # noqa: ANN001
    page.goto(f"{base_url}/staff/login?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize("lang", ["ms", "en"])
def test_the_two_steps_on_a_phone(open_page: OpenPage, axe_check: AxeCheck, server: LiveServer,
                                  monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    email = create_staff(monkeypatch)
    page = open_page(width=PHONE["width"], height=PHONE["height"], axe=True)

    _password(page, server.url, email, lang)
    assert "/staff/login/setup" in page.url
    expect(page.locator("img[alt]")).to_be_visible()
    secret = page.locator("#secret").inner_text().strip()
    assert horizontal_overflow(page) == 0
    axe_check(page)

    page.fill("#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)

    page.fill("#code", factors.set_up(email, secret, utcnow()))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    factors.recovery_codes[email] = codes
    assert horizontal_overflow(page) == 0
    axe_check(page)
    with page.expect_navigation():
        page.locator("main a.button").click()
    expect(page.locator("nav.staff-nav")).to_be_visible()

    page.context.clear_cookies()
    _password(page, server.url, email, lang)
    assert "/staff/login/code" in page.url
    expect(page.locator("#code")).to_have_attribute("autocomplete", "one-time-code")
    assert horizontal_overflow(page) == 0
    axe_check(page)
    page.fill("#code", factors.code(email, utcnow()))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/staff/registrations" in page.url
