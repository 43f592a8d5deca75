"""Announcements in a real browser: axe on every new page in both languages, and an
administrator who writes and sends one with the keyboard alone on a 360 px phone."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, AxeCheck, OpenPage
from tests.browser.pages import horizontal_overflow
from tests.browser.staff import create_staff, register_by_api, sign_in
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)


def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("lang", ["ms", "en"])
def test_announcement_pages_pass_axe(open_page: OpenPage, axe_check: AxeCheck,
                                     server: LiveServer, monkeypatch: pytest.MonkeyPatch,
                                     lang: str) -> None:
    tag = f"Axe Pengumuman {lang} {next(_numbers)}"
    register_by_api(server.url, organisation_name=f"{tag} Satu", preferred_language="ms")
    register_by_api(server.url, organisation_name=f"{tag} Dua", preferred_language="en")
    page = open_page(axe=True)
    sign_in(page, server.url, create_staff(monkeypatch), lang=lang)

    page.goto(f"{server.url}/staff/announcements/new?q={tag}&lang={lang}")
    axe_check(page)
    page.fill("#subject_ms", "Bengkel {organisasi}")
    page.fill("#body_ms", "Salam {contact_name}")
    page.fill("#subject_en", "Workshop")
    with page.expect_navigation():
        page.locator("button[value=preview]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#subject_ms-error")).to_contain_text("{organisasi}")
    expect(page.locator("#subject_ms")).to_have_value("Bengkel {organisasi}")
    axe_check(page)

    page.fill("#subject_ms", "Bengkel {organisation_name}")
    page.fill("#body_en", "Dear {contact_name},\n\nSee https://www.mohr.gov.my/")
    with page.expect_navigation():
        page.locator("button[value=preview]").click()
    expect(page.locator(".announcement-preview")).to_contain_text("Dear Nur Aisyah")
    axe_check(page)
    with page.expect_navigation():
        page.locator("button[value=send]").click()
    expect(page.locator("h1")).to_have_text(
        "Workshop" if lang == "en" else "Bengkel {organisation_name}")
    axe_check(page)
    page.goto(f"{server.url}/staff/announcements?lang={lang}")
    axe_check(page)


def test_an_administrator_writes_and_sends_with_the_keyboard_on_a_phone(
    open_page: OpenPage, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = f"Papan Kekunci {next(_numbers)}"
    register_by_api(server.url, organisation_name=f"{tag} Berhad", preferred_language="en",
                    contact_name="Lim Mei Ling")
    page = open_page(**PHONE)
    sign_in(page, server.url, create_staff(monkeypatch), lang="en")
    page.goto(f"{server.url}/staff/registrations?q={tag}")
    assert horizontal_overflow(page) == 0

    _tab_to(page, "a[href^='/staff/announcements/new']")
    expect(page.locator(":focus")).to_have_text("Write to these 1 registrants")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert horizontal_overflow(page) == 0
    for field, text in (("subject_ms", "Bengkel November"),
                        ("body_ms", "Salam {contact_name}."),
                        ("subject_en", "November workshop"),
                        ("body_en", "Dear {contact_name}.")):
        _tab_to(page, f"#{field}")
        page.keyboard.type(text)
    _tab_to(page, "button[value=preview]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".announcement-preview")).to_contain_text("Dear Lim Mei Ling.")
    assert horizontal_overflow(page) == 0
    _tab_to(page, "button[value=send]")
    expect(page.locator(":focus")).to_have_text("Send to 1 registrants")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("November workshop")
    expect(page.locator("[role=status]")).to_contain_text("queued")
    expect(page.locator("table")).to_contain_text(f"{tag} Berhad")
    assert horizontal_overflow(page) == 0
