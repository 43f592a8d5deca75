"""Helpers that act on the portal's pages the way a person would."""

from __future__ import annotations

import itertools

from playwright.sync_api import Page

_numbers = itertools.count(1)


def fill_registration(page: Page, *, organisation: str | None = None) -> str:
    """Fill the open registration form with valid answers; return the organisation's name."""
    name = organisation or f"Pertubuhan Pelayar Ujian {next(_numbers)}"
    page.fill("#organisation_name", name)
    page.check("#category-cso")
    page.fill("#address", "No. 12, Jalan Tun Razak\nKuala Lumpur")
    page.fill("#postcode", "50400")
    page.select_option("#state", "wp_kuala_lumpur")
    page.fill("#contact_name", "Nur Aisyah binti Ahmad")
    page.fill("#contact_designation", "Pengurus Program")
    page.fill("#contact_email", f"aisyah.{abs(hash(name))}@example.org.my")
    page.fill("#contact_phone", "012-345 6789")
    page.check("#pillars-prevention")
    page.check("#focus_areas-labour_migration")
    page.fill("#interest_statement", "Kami membantu pekerja migran, mangsa buruh paksa.")
    page.check("#workshop_attendees-2")
    page.check("#consent_pdpa-true")
    return name


def submit(page: Page) -> None:
    """Send the form and wait for the next page."""
    with page.expect_navigation():
        page.click("button[type=submit]")


def register(page: Page, base_url: str, *, lang: str = "ms") -> str:
    """Register an organisation through the form; return the page's reference number."""
    page.goto(f"{base_url}/?lang={lang}")
    fill_registration(page)
    submit(page)
    return page.inner_text(".reference").strip()


def horizontal_overflow(page: Page) -> int:
    """Return by how many CSS pixels the page is wider than its viewport (0: no sideways scroll)."""
    return int(page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))
