"""The roadmap in a real browser: axe on the public page and the back office, at 360 px, in
both languages, without JavaScript, and with the keyboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from app.core.db import new_session
from app.roadmap.plan import commitments, outcomes
from app.roadmap.plan.schemas import CommitmentCreate, OutcomeCreate
from app.services import audit
from tests.browser.conftest import DESKTOP, PHONE, AxeCheck, OpenPage
from tests.browser.pages import horizontal_overflow
from tests.browser.staff import create_staff, register_by_api, sign_in
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser
LANGUAGES = ["ms", "en"]
SETUP = audit.Actor(None, "browser-test")


@pytest.fixture(scope="module")
def roadmap(server: LiveServer) -> Iterator[int]:
    """A roadmap of two outcomes with long words and a registered lead; yields a commitment id."""
    lead = register_by_api(server.url, organisation_name="Pertubuhan Pelan Hala Tuju Sabah")
    partner = register_by_api(server.url, organisation_name="Persatuan Rakan Kongsi Sarawak")
    now = dt.datetime.now(dt.UTC)
    with new_session() as session:
        outcomes.create_outcome(session=session, actor=SETUP, now=now, details=OutcomeCreate(
            number="7.1", pillar="prevention",
            title_ms="Kesedaran awam tentang buruh paksa dan pemerdagangan orang meningkat",
            title_en="Public awareness of forced labour and trafficking in persons rises",
            indicator_ms="Peratus majikan yang mengetahui sebelas indikator buruh paksa ILO",
            indicator_en="Share of employers who know the eleven ILO forced labour indicators",
            baseline="12%", baseline_year=2021, target="50%", target_year=2025))
        outcomes.create_outcome(session=session, actor=SETUP, now=now, details=OutcomeCreate(
            number="7.2", pillar="protection", title_ms="Perlindungan mangsa",
            title_en="Protection of victims", indicator_ms="Bilangan rumah perlindungan",
            indicator_en="Number of shelters"))
        made = commitments.create_commitment(session=session, actor=SETUP, now=now,
                                             details=CommitmentCreate.model_validate({
            "code": "7.1.1", "outcome": "7.1",
            "title_ms": "Kempen kesedaran antarabangsa-kebangsaan untuk majikan",
            "title_en": "Awareness campaign for employers in every state",
            "description_ms": "Bengkel separuh hari.", "description_en": "Half-day workshops.",
            "lead": {"reference": lead}, "partners": [partner],
            "starts_on": "2023-01-01", "ends_on": "2025-12-31", "weight": 2}))
        commitments.create_commitment(session=session, actor=SETUP, now=now,
                                      details=CommitmentCreate.model_validate({
            "code": "7.2.1", "outcome": "7.2", "title_ms": "Talian bantuan",
            "title_en": "Helpline", "lead": {"name": "Kementerian Sumber Manusia"},
            "starts_on": "2023-06-01", "ends_on": "2024-05-31"}))
        session.commit()
        yield made.id


@pytest.mark.parametrize("width", [PHONE["width"], DESKTOP["width"]])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_public_roadmap_passes_axe_and_fits_the_screen(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer, roadmap: int, lang: str,
    width: int
) -> None:
    page = open_page(axe=True, width=width)
    page.goto(f"{server.url}/roadmap?lang={lang}")

    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_text("7.1.1", exact=False).first).to_be_visible()
    axe_check(page)
    assert horizontal_overflow(page) == 0


def test_the_public_roadmap_works_without_javascript_and_by_keyboard(
    open_page: OpenPage, server: LiveServer, roadmap: int
) -> None:
    page = open_page(javascript=False, width=PHONE["width"])
    page.goto(f"{server.url}/?lang=en")
    page.get_by_role("link", name="Alliance 8.7 Roadmap").click()
    expect(page).to_have_url(f"{server.url}/roadmap")
    expect(page.get_by_role("heading", name="Outcome 7.1", exact=False)).to_be_visible()
    expect(page.get_by_text("Pertubuhan Pelan Hala Tuju Sabah")).to_be_visible()
    expect(page.get_by_text("Not yet reported").first).to_be_visible()

    keyboard = open_page(width=PHONE["width"])
    keyboard.goto(f"{server.url}/roadmap?lang=ms")
    keyboard.keyboard.press("Tab")  # the skip link
    keyboard.keyboard.press("Enter")
    for _ in range(8):
        keyboard.keyboard.press("Tab")
        if keyboard.evaluate("document.activeElement.getAttribute('href')") == "#pillar-protection":
            break
    keyboard.keyboard.press("Enter")
    assert keyboard.url.endswith("#pillar-protection")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_back_office_roadmap_pages_pass_axe_at_360_px(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer, roadmap: int,
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    page = open_page(axe=True, width=PHONE["width"])
    sign_in(page, server.url, create_staff(monkeypatch), lang=lang)
    for path in ("/staff/roadmap", f"/staff/roadmap/commitments/{roadmap}",
                 f"/staff/roadmap/commitments/{roadmap}/edit", "/staff/roadmap/outcomes/new",
                 "/staff/roadmap/import"):
        page.goto(f"{server.url}{path}")
        axe_check(page)

    page.goto(f"{server.url}/staff/roadmap/commitments/new")
    page.fill("#code", "7.1.9")
    page.get_by_role("button").last.click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.goto(f"{server.url}/staff/roadmap/import")
    page.set_input_files("#file", files=[{"name": "roadmap.csv", "mimeType": "text/csv",
                                          "buffer": b"code,outcome\n"}])
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
