"""A progress report in a real browser: the lead's page at 360 px in both languages, without
JavaScript, with axe; the approved report's progress bar on the public roadmap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from app.core.db import new_session
from app.models import RoadmapReport
from app.roadmap.plan import commitments, outcomes
from app.roadmap.plan.schemas import CommitmentCreate, OutcomeCreate
from app.roadmap.progress import periods, reports
from app.services import audit
from tests.browser.conftest import PHONE, AxeCheck, OpenPage
from tests.browser.pages import horizontal_overflow
from tests.browser.staff import create_staff, register_by_api, sign_in
from tests.conftest import LiveServer
from tests.report_helpers import pdf_bytes

pytestmark = pytest.mark.browser
SETUP = audit.Actor(None, "browser-test")


@pytest.fixture(scope="module")
def report_path(server: LiveServer) -> Iterator[str]:
    """A commitment led by a registered organisation, a period opened: the report's path."""
    lead = register_by_api(server.url, organisation_name="Pertubuhan Laporan Kemajuan Johor")
    now = dt.datetime.now(dt.UTC)
    with new_session() as session:
        outcomes.create_outcome(session=session, actor=SETUP, now=now, details=OutcomeCreate(
            number="8.1", pillar="partnership", title_ms="Kerjasama antara agensi",
            title_en="Cooperation between agencies", indicator_ms="Bilangan perjanjian",
            indicator_en="Number of agreements", baseline="2", baseline_year=2022,
            target="10", target_year=2025))
        made = commitments.create_commitment(session=session, actor=SETUP, now=now,
                                             details=CommitmentCreate.model_validate({
            "code": "8.1.1", "outcome": "8.1", "title_ms": "Memorandum persefahaman negeri",
            "title_en": "State memoranda of understanding", "lead": {"reference": lead},
            "starts_on": "2023-01-01", "ends_on": "2025-12-31"}))
        periods.open_period(session=session, label="2023 H1", starts_on=dt.date(2023, 1, 1),
                            ends_on=dt.date(2023, 6, 30), due_on=dt.date(2099, 7, 15),
                            actor=SETUP, now=now)
        session.flush()
        report = session.query(RoadmapReport).filter_by(commitment_id=made.id).one()
        path = f"/roadmap/report/{reports.report_token(report)}"
        session.commit()
        yield path


@pytest.mark.parametrize("lang", ["ms", "en"])
def test_the_report_page_passes_axe_at_360_px_with_its_errors(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer, report_path: str, lang: str
) -> None:
    page = open_page(axe=True, width=PHONE["width"])
    page.goto(f"{server.url}{report_path}?lang={lang}")
    expect(page.locator("h1")).to_contain_text("8.1.1")
    axe_check(page)
    assert horizontal_overflow(page) == 0

    page.fill("#progress", "150")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#progress")).to_have_value("150")
    axe_check(page)
    assert horizontal_overflow(page) == 0


def test_a_lead_reports_without_javascript_and_the_approved_progress_shows(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer, report_path: str
) -> None:
    page = open_page(javascript=False, width=PHONE["width"])
    page.goto(f"{server.url}{report_path}?lang=en")
    page.get_by_label("Substantial").check()
    page.fill("#progress", "40")
    page.fill("#narrative_en", "Four states signed.")
    page.set_input_files("#evidence_file", files=[
        {"name": "signed.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status")).to_contain_text("Your report is sent")

    with new_session() as session:
        report = session.query(RoadmapReport).filter_by(state="submitted").one()
        reports.review(session=session, report_id=report.id, decision="approve", comment="",
                       actor=SETUP, now=dt.datetime.now(dt.UTC))
        session.commit()

    public = open_page(axe=True, width=PHONE["width"])
    public.goto(f"{server.url}/roadmap?lang=en")
    bar = public.locator("#pillar-partnership ~ p progress").first
    expect(bar).to_have_attribute("value", "40.0")
    expect(public.get_by_text("Four states signed.")).to_be_visible()
    expect(public.get_by_role("link", name="signed.pdf")).to_be_visible()
    axe_check(public)
    assert horizontal_overflow(public) == 0


def test_the_back_office_reporting_pages_pass_axe_at_360_px(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer, report_path: str,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    with new_session() as session:
        report = session.query(RoadmapReport).order_by(RoadmapReport.id).first()
        assert report is not None
        period_id, report_id = report.period_id, report.id
    page = open_page(axe=True, width=PHONE["width"])
    sign_in(page, server.url, create_staff(monkeypatch), lang="en")
    for path in ("/staff/roadmap/periods", f"/staff/roadmap/periods/{period_id}",
                 f"/staff/roadmap/reports/{report_id}",
                 f"/staff/roadmap/reports/{report_id}/enter"):
        page.goto(f"{server.url}{path}")
        axe_check(page)
        assert horizontal_overflow(page) == 0, path

    page.goto(f"{server.url}/staff/roadmap/periods")
    page.fill("#label", "2024 H1")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
