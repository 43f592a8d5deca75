"""The secretariat's pages in a real browser: WCAG 2.2 AA by axe in both languages, and a
member of staff who signs in, filters the list and downloads an export."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, AxeCheck, OpenPage
from tests.browser.pages import horizontal_overflow
from tests.browser.staff import create_staff, register_by_api, sign_in
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LANGUAGES = ["ms", "en"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_login_page_passes_axe(open_page: OpenPage, axe_check: AxeCheck, server: LiveServer,
                               lang: str) -> None:
    page = open_page(axe=True)
    page.goto(f"{server.url}/staff/login?lang={lang}")

    assert page.evaluate("document.documentElement.lang") == lang
    expect(page.locator("#email")).to_have_attribute("autocomplete", "username")
    expect(page.locator("#password")).to_have_attribute("autocomplete", "current-password")
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_failed_login_passes_axe(open_page: OpenPage, axe_check: AxeCheck, server: LiveServer,
                                 lang: str) -> None:
    page = open_page(axe=True)
    page.goto(f"{server.url}/staff/login?lang={lang}")
    page.fill("#email", "nobody@mohr.gov.my")
    page.fill("#password", "not the password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_staff_pages_pass_axe(open_page: OpenPage, axe_check: AxeCheck, server: LiveServer,
                              monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """Every back-office page, as an administrator sees them."""
    reference = register_by_api(server.url, organisation_name=f"Kesatuan Pekerja Axe {lang}",
                                category="workers_union", workshop_attendees=3)
    page = open_page(axe=True)
    sign_in(page, server.url, create_staff(monkeypatch), lang=lang)

    for path in ("/staff/registrations", f"/staff/registrations/{reference}",
                 f"/staff/registrations/{reference}/new-link", "/staff/workshops",
                 "/staff/outbox", "/staff/users", "/staff/tokens", "/staff/deadline",
                 "/staff/audit"):
        page.goto(f"{server.url}{path}?lang={lang}")
        assert page.evaluate("document.documentElement.lang") == lang, path
        expect(page.locator("h1")).to_be_visible()
        axe_check(page)


def test_staff_member_signs_in_filters_and_downloads_an_export(
    open_page: OpenPage, server: LiveServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    academic = "Institut Kajian Buruh Paksa Universiti Malaya"
    company = "Syarikat Sarung Tangan Berhad"
    register_by_api(server.url, organisation_name=academic, category="academic",
                    pillars=["prevention", "protection"])
    register_by_api(server.url, organisation_name=company, category="private_organisation")
    page = open_page()
    sign_in(page, server.url, create_staff(monkeypatch, role="viewer"), lang="en")

    expect(page.locator("h1")).to_have_text("List of registrants")
    expect(page.locator("table")).to_contain_text(company)
    page.select_option("#category", "academic")
    page.fill("#q", "Kajian Buruh")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    table = page.locator("table")
    expect(table).to_contain_text(academic)
    expect(table).not_to_contain_text(company)
    assert "category=academic" in page.url

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV (Excel)").click()
    csv_path = tmp_path / csv_download.value.suggested_filename
    csv_download.value.save_as(csv_path)
    exported = csv_path.read_bytes().decode("utf-8-sig")
    assert csv_path.suffix == ".csv"
    assert academic in exported
    assert company not in exported

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Excel workbook (XLSX)").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    xlsx_path = tmp_path / "export.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    assert xlsx_path.read_bytes()[:2] == b"PK"


def test_staff_list_fits_a_phone(open_page: OpenPage, server: LiveServer,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide table scrolls inside its own box; the page itself never scrolls sideways."""
    register_by_api(server.url, organisation_name="Pertubuhan Telefon Bimbit")
    page = open_page(**PHONE)
    sign_in(page, server.url, create_staff(monkeypatch))

    for path in ("/staff/registrations", "/staff/workshops"):
        page.goto(f"{server.url}{path}")
        assert horizontal_overflow(page) == 0, path
