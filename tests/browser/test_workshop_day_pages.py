"""The workshop day in a real browser: axe on the desk, the personal link and the groups page,
in both languages, and a check-in with the keyboard alone on a 360 px phone."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.core.db import new_session
from app.models import Registration, Representative
from app.schemas.workshop import WorkshopCreate
from app.services import working_groups, workshops
from app.services.check_in_codes import check_in_url
from tests.browser.conftest import PHONE, AxeCheck, OpenPage
from tests.browser.pages import horizontal_overflow
from tests.browser.staff import create_staff, register_by_api, sign_in
from tests.conftest import LiveServer
from tests.day_helpers import accepted

pytestmark = pytest.mark.browser
LANGUAGES = ["ms", "en"]


def day(base_url: str, organisation: str, *names: str) -> tuple[int, list[int]]:
    """A workshop with default groups and one organisation's accepted representatives."""
    reference = register_by_api(base_url, organisation_name=organisation)
    now = dt.datetime.now(dt.UTC)
    starts = now + dt.timedelta(days=30)
    with new_session() as session:
        workshop = workshops.create_workshop(session=session, staff_user_id=None, now=now,
                                             details=WorkshopCreate(
            title_ms="Bengkel perancangan strategik", title_en="Strategic planning workshop",
            starts_at=starts, ends_at=starts + dt.timedelta(hours=8),
            venue="Dewan Besar, Putrajaya", replies_close_at=starts - dt.timedelta(days=7),
            capacity=10))
        working_groups.create_default_groups(session=session, workshop_id=workshop.id,
                                             staff_user_id=None, now=now)
        registered = session.scalars(
            select(Registration).where(Registration.reference == reference)).one()
        people = accepted(session, workshop.id, registered, *names)
        return workshop.id, [person.id for person in people]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_desk_the_personal_link_and_the_groups_page_pass_axe(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer,
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    workshop_id, (aminah, _ravi) = day(server.url, f"Pertubuhan Hari Bengkel {lang}",
                                       "Aminah binti Ali", "Ravi a/l Kumar")
    page = open_page(axe=True)
    sign_in(page, server.url, create_staff(monkeypatch), lang=lang)
    desk = f"{server.url}/staff/workshops/{workshop_id}/check-in"

    page.goto(f"{desk}?lang={lang}")
    expect(page.locator(".check-in-count")).to_be_visible()
    axe_check(page)
    page.goto(f"{desk}?q=aminah")
    with page.expect_navigation():
        page.locator(f"#person-{aminah} button").click()
    expect(page.locator(".notice-banner")).to_be_visible()
    expect(page.locator(f"#person-{aminah} .check-in-done")).to_be_visible()
    axe_check(page)

    page.goto(check_in_url(workshop_id=workshop_id, representative_id=aminah,
                           base_url=server.url))
    expect(page.locator("h1")).to_be_visible()
    axe_check(page)
    page.goto(f"{desk}/not-a-real-code")
    expect(page.locator(".error-summary, [role=alert]").first).to_be_visible()
    axe_check(page)

    page.goto(f"{server.url}/staff/workshops/{workshop_id}/groups")
    expect(page.locator("h1")).to_be_visible()
    axe_check(page)
    page.goto(f"{server.url}/staff/workshops/{workshop_id}")
    expect(page.locator("#attendance")).to_be_visible()
    axe_check(page)


def test_a_viewer_checks_a_person_in_with_the_keyboard_alone_on_a_phone(
    open_page: OpenPage, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    workshop_id, (siti, _ahmad) = day(server.url, "Pertubuhan Papan Kekunci",
                                      "Siti Nurhaliza", "Ahmad Tarmimi")
    page: Page = open_page(**PHONE)
    sign_in(page, server.url, create_staff(monkeypatch, role="viewer"), lang="en")
    page.goto(f"{server.url}/staff/workshops/{workshop_id}/check-in?lang=en")
    assert horizontal_overflow(page) == 0

    def tab_to(selector: str, most: int = 60) -> None:
        for _ in range(most):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#q")
    page.keyboard.type("siti")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".check-in-person")).to_have_count(1)
    tab_to(f"#person-{siti} button")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator(".notice-banner")).to_contain_text("Checked in.")
    expect(page.locator(".check-in-count")).to_contain_text("Present: 1 of 2 expected")
    expect(page.locator(f"#person-{siti} .check-in-done")).to_be_visible()
    assert horizontal_overflow(page) == 0
    with new_session() as session:
        person = session.get(Representative, siti)
        assert person is not None and person.checked_in_at is not None


def today(base_url: str, organisation: str, *names: str) -> tuple[int, str, list[int]]:
    """A workshop that starts now, so the desk adds walk-ins, with accepted representatives."""
    reference = register_by_api(base_url, organisation_name=organisation)
    now = dt.datetime.now(dt.UTC)
    with new_session() as session:
        workshop = workshops.create_workshop(session=session, staff_user_id=None, now=now,
                                             details=WorkshopCreate(
            title_ms="Bengkel hari ini", title_en="Today's workshop",
            starts_at=now + dt.timedelta(minutes=1), ends_at=now + dt.timedelta(hours=8),
            venue="Dewan Besar, Putrajaya", replies_close_at=now - dt.timedelta(days=1),
            capacity=10, max_representatives=1))
        registered = session.scalars(
            select(Registration).where(Registration.reference == reference)).one()
        people = accepted(session, workshop.id, registered, *names)
        return workshop.id, reference, [person.id for person in people]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_representatives_own_link_and_a_refused_walk_in_pass_axe_on_a_phone(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer,
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    workshop_id, reference, (aminah,) = today(server.url, f"Pertubuhan Kod {lang}",
                                              "Aminah binti Ali")
    page = open_page(axe=True, **PHONE)

    page.goto(check_in_url(workshop_id=workshop_id, representative_id=aminah,
                           base_url=server.url) + f"?lang={lang}")
    expect(page.locator("img.check-in-qr")).to_be_visible()
    assert horizontal_overflow(page) == 0
    axe_check(page)

    sign_in(page, server.url, create_staff(monkeypatch), lang=lang)
    page.goto(f"{server.url}/staff/workshops/{workshop_id}/check-in?lang={lang}")
    page.fill("#reference", reference)
    page.fill("#full_name", "Ravi a/l Kumar")
    with page.expect_navigation():
        page.locator("#walk-in ~ form button[type=submit]").click()
    expect(page.locator("#organisation-answer")).to_be_visible()
    expect(page.locator("#override_reason")).to_be_visible()
    assert horizontal_overflow(page) == 0
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_on_a_phone_the_desk_search_is_on_the_first_screen_and_the_menu_after_the_desk(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer,
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    workshop_id, _people = day(server.url, f"Pertubuhan Meja Kecil {lang}", "Aminah binti Ali",
                               "Ravi a/l Kumar", "Tan Mei Ling", "Siti Nurhaliza")
    small_phone = {"width": 360, "height": 640}
    page = open_page(**small_phone, axe=True)
    # An administrator: the longest menu.
    sign_in(page, server.url, create_staff(monkeypatch), lang=lang)
    page.goto(f"{server.url}/staff/workshops/{workshop_id}/check-in?lang={lang}")

    box = page.locator(".check-in-search").bounding_box()
    assert box is not None and page.evaluate("window.scrollY") == 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= small_phone["height"], box
    expect(page.locator("#q")).to_be_in_viewport()
    expect(page.locator(".staff-nav--wide-only")).to_be_hidden()
    menu = page.locator("#menu")
    expect(menu).not_to_be_in_viewport()
    page.locator("a[href='#menu']").click()
    expect(menu).to_be_in_viewport()
    expect(menu.get_by_role("button")).to_be_visible()  # "Log out" is in the menu too
    assert horizontal_overflow(page) == 0
    axe_check(page)

    wide = open_page(axe=True)
    sign_in(wide, server.url, create_staff(monkeypatch), lang=lang)
    wide.goto(f"{server.url}/staff/workshops/{workshop_id}/check-in?lang={lang}")
    expect(wide.locator(".staff-nav--wide-only")).to_be_in_viewport()
    expect(wide.locator("#menu")).to_be_hidden()
    expect(wide.locator("a[href='#menu']")).to_be_hidden()
    axe_check(wide)
