"""The registrant's private page (view, correct, withdraw) in a real browser, in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, AxeCheck, OpenPage
from tests.browser.pages import horizontal_overflow
from tests.browser.staff import private_link, register_by_api
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LANGUAGES = ["ms", "en"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_manage_pages_pass_axe(open_page: OpenPage, axe_check: AxeCheck, server: LiveServer,
                               lang: str) -> None:
    reference = register_by_api(server.url, organisation_name=f"Pertubuhan Urus {lang}")
    link = private_link(server.url, reference)
    page = open_page(axe=True)

    for path in ("", "/edit", "/withdraw"):
        page.goto(f"{link}{path}?lang={lang}")
        assert page.evaluate("document.documentElement.lang") == lang, path
        expect(page.locator("h1")).to_be_visible()
        axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_correction_with_errors_passes_axe(open_page: OpenPage, axe_check: AxeCheck,
                                           server: LiveServer, lang: str) -> None:
    reference = register_by_api(server.url, organisation_name=f"Pertubuhan Pembetulan {lang}")
    page = open_page(axe=True)
    page.goto(f"{private_link(server.url, reference)}/edit?lang={lang}")
    page.fill("#contact_email", "bukan-emel")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()

    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#contact_email")).to_have_value("bukan-emel")
    axe_check(page)


def test_invalid_private_link_passes_axe(open_page: OpenPage, axe_check: AxeCheck,
                                         server: LiveServer) -> None:
    page = open_page(axe=True)
    page.goto(f"{server.url}/manage/{'x' * 43}")

    expect(page.locator("h1")).to_be_visible()
    axe_check(page)


def test_manage_pages_fit_a_phone(open_page: OpenPage, server: LiveServer) -> None:
    link = private_link(server.url, register_by_api(server.url))
    page = open_page(**PHONE)

    for path in ("", "/edit", "/withdraw"):
        page.goto(f"{link}{path}")
        assert horizontal_overflow(page) == 0, path
