"""Workshop invitations in a real browser: the reply page and the staff pages, both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.core.config import MALAYSIA
from app.core.db import new_session
from app.models import Invitation, Registration, Workshop
from app.schemas.workshop import WorkshopCreate
from app.services import invitations, workshops
from app.services.invitation_links import invitation_token
from tests.browser.conftest import PHONE, AxeCheck, OpenPage
from tests.browser.pages import horizontal_overflow
from tests.browser.staff import create_staff, register_by_api, sign_in
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser
LANGUAGES = ["ms", "en"]


def invited(base_url: str, **overrides: object) -> tuple[str, int]:
    """Register an organisation, invite it to a new workshop; return its link and the workshop."""
    reference = register_by_api(base_url, **overrides)
    now = dt.datetime.now(dt.UTC)
    starts = now + dt.timedelta(days=30)
    with new_session() as session:
        workshop = workshops.create_workshop(session=session, staff_user_id=None, now=now,
                                             details=WorkshopCreate(
            title_ms="Bengkel perancangan strategik", title_en="Strategic planning workshop",
            starts_at=starts, ends_at=starts + dt.timedelta(hours=8),
            venue="Dewan Besar, Putrajaya", online_url="https://meet.example.my/bengkel",
            replies_close_at=starts - dt.timedelta(days=7), capacity=10))
        invitations.invite(session=session, workshop_id=workshop.id, now=now,
                           staff_user_id=None, references=[reference])
        invitation = session.scalars(select(Invitation).join(
            Registration, Registration.id == Invitation.registration_id)
            .where(Registration.reference == reference)).one()
        token = invitation_token(invitation)
        session.commit()
        return f"{base_url}/invitation/{token}", workshop.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_reply_page_passes_axe_blank_with_errors_and_answered(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer, lang: str
) -> None:
    link, _ = invited(server.url, organisation_name=f"Pertubuhan Jemputan {lang}")
    page = open_page(axe=True)
    page.goto(f"{link}?lang={lang}")
    assert page.evaluate("document.documentElement.lang") == lang
    axe_check(page)

    page.check("#answer-accept")
    page.fill("#representatives-0-full_name", "Aisyah binti Ahmad")
    page.fill("#representatives-0-email", "bukan-emel")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#representatives-0-full_name")).to_have_value("Aisyah binti Ahmad")
    axe_check(page)

    page.fill("#representatives-0-designation", "Pengarah")
    page.fill("#representatives-0-email", "aisyah@example.org.my")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".panel--success")).to_be_visible()
    axe_check(page)


def test_a_wrong_invitation_link_passes_axe(open_page: OpenPage, axe_check: AxeCheck,
                                             server: LiveServer) -> None:
    page = open_page(axe=True)
    page.goto(f"{server.url}/invitation/{'x' * 43}")
    expect(page.locator("h1")).to_be_visible()
    axe_check(page)


def _tab_to(page: Page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


def test_a_registrant_accepts_with_the_keyboard_alone_on_a_phone(
    open_page: OpenPage, server: LiveServer
) -> None:
    link, _ = invited(server.url, organisation_name="Pertubuhan Papan Kekunci")
    page = open_page(**PHONE)
    page.goto(f"{link}?lang=en")
    assert horizontal_overflow(page) == 0

    _tab_to(page, "#answer-accept")
    page.keyboard.press("Space")
    _tab_to(page, "#representatives-0-full_name")
    page.keyboard.type("Nur Aisyah binti Ahmad")
    page.keyboard.press("Tab")
    page.keyboard.type("Pengurus Program")
    page.keyboard.press("Tab")
    page.keyboard.type("aisyah@example.org.my")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator(".panel--success")).to_contain_text("Your place is confirmed")
    expect(page.locator("main")).to_contain_text("Nur Aisyah binti Ahmad")
    assert horizontal_overflow(page) == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_staff_workshop_pages_pass_axe(open_page: OpenPage, axe_check: AxeCheck,
                                           server: LiveServer, lang: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _, workshop_id = invited(server.url, organisation_name=f"Pertubuhan Bengkel {lang}")
    page = open_page(axe=True)
    sign_in(page, server.url, create_staff(monkeypatch), lang=lang)
    with new_session() as session:
        invitation_id = session.scalars(select(Invitation.id).where(
            Invitation.workshop_id == workshop_id)).one()
    for path in ("/staff/workshops", "/staff/workshops/new", f"/staff/workshops/{workshop_id}",
                 f"/staff/workshops/{workshop_id}/edit", "/staff/workshops/invite?category=cso",
                 f"/staff/workshops/{workshop_id}/invitations/{invitation_id}/reply",
                 f"/staff/workshops/{workshop_id}/invitations/{invitation_id}/new-link"):
        page.goto(f"{server.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_after_replies_close_the_reply_page_offers_only_to_decline_and_passes_axe(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer, lang: str
) -> None:
    link, workshop_id = invited(server.url, organisation_name=f"Pertubuhan Lewat {lang}")
    with new_session() as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        workshop.replies_close_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        session.commit()
    page = open_page(width=PHONE["width"], axe=True)
    page.goto(f"{link}?lang={lang}")
    heading = {"ms": "Tolak jemputan", "en": "Decline the invitation"}[lang]
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("#answer-accept")).to_have_count(0)
    expect(page.locator("#representatives-0-full_name")).to_have_count(0)
    axe_check(page)

    page.fill("#decline_reason", "Pengarah kami berada di luar negara")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".panel--success")).to_be_visible()
    expect(page.get_by_role("heading", name=heading)).to_have_count(0)
    axe_check(page)


def _headings(page: Page) -> list[tuple[str, str]]:
    """The page's headings in order, as a screen reader lists them: level and text."""
    found = page.eval_on_selector_all(
        "main :is(h1, h2, h3, h4)",
        "els => els.filter(e => e.offsetParent !== null)"
        "          .map(e => [e.tagName, e.textContent.trim().replace(/\\s+/g, ' ')])")
    return [(str(tag), str(text)) for tag, text in found]


def test_on_a_phone_the_reply_page_asks_for_the_answer_under_one_heading(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer
) -> None:
    link, _ = invited(server.url, organisation_name="Pertubuhan Tajuk Jelas")
    page = open_page(**PHONE, axe=True)
    page.goto(f"{link}?lang=en")

    assert _headings(page) == [("H1", "Strategic planning workshop"), ("H2", "Your answer"),
                               ("H3", "Representatives (if you accept)")]
    expect(page.locator("dt").filter(has_text="Status of your invitation")).to_be_visible()
    expect(page.locator("dd").filter(has_text="Invited")).to_be_visible()
    axe_check(page)

    page.check("#answer-accept")
    page.fill("#representatives-0-full_name", "Aisyah binti Ahmad")
    page.fill("#representatives-0-designation", "Pengarah")
    page.fill("#representatives-0-email", "aisyah@example.org.my")
    page.fill("#representatives-1-full_name", "Ravi a/l Kumar")
    page.fill("#representatives-1-designation", "Pegawai Program")
    page.fill("#representatives-1-email", "ravi@")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    assert _headings(page) == [("H2", "There is a problem"),
                               ("H1", "Strategic planning workshop"), ("H2", "Your answer"),
                               ("H3", "Representatives (if you accept)")]
    expect(page.locator(".error-summary a")).to_have_text(
        ["Representative 2: Enter an email address in the correct format, like "
         "name@example.org.my"])
    expect(page.locator("#representatives-1-email-error")).to_contain_text("Representative 2:")
    assert horizontal_overflow(page) == 0
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_warning_a_list_to_confirm_and_no_groups_yet_pass_axe(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer, lang: str,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    _, workshop_id = invited(server.url, organisation_name=f"Pertubuhan Dijemput {lang}")
    newcomer = f"Pertubuhan Belum Dijemput {lang}"
    register_by_api(server.url, organisation_name=newcomer)
    page = open_page(axe=True)
    sign_in(page, server.url, create_staff(monkeypatch), lang=lang)

    page.goto(f"{server.url}/staff/workshops/invite?q={newcomer.replace(' ', '+')}")
    expect(page.locator(".invite-list").first).to_contain_text(newcomer)
    axe_check(page)

    page.goto(f"{server.url}/staff/workshops/{workshop_id}/groups?preview=1")
    expect(page.locator("#suggestion-no-groups")).to_be_visible()
    axe_check(page)

    page.goto(f"{server.url}/staff/workshops/{workshop_id}/edit")
    yesterday = dt.datetime.now(MALAYSIA) - dt.timedelta(days=1)
    page.fill("#replies_close_at", yesterday.strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#replies_close_at-warning")).to_be_visible()
    axe_check(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#replies-warning")).to_be_visible()  # saved: the workshop's page
    expect(page.locator("#reach-state")).to_be_visible()
    axe_check(page)
