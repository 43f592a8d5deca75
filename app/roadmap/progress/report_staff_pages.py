"""Back-office pages for progress reports: periods, a period's reports, and the review.

Any staff account reads them; administrators open periods and review reports. A review
here is the same as through the API (`reports.review`): audited, a return mailed.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from app.core.i18n import N_, gettext
from app.deps import LanguageDep, NowDep, RowId, SessionDep, WriteSessionDep
from app.models import RoadmapReport
from app.models.roadmap_reports import COMPLETION_SCALE
from app.roadmap.progress import periods, reports
from app.roadmap.progress.evidence import MAX_URLS
from app.routers.staff_deps import (
    AdminOnly,
    FormDep,
    NoStoreRoute,
    StaffDep,
    csrf_checked,
    render,
)
from app.services import audit

router = APIRouter(prefix="/staff/roadmap", dependencies=[Depends(csrf_checked)],
                   route_class=NoStoreRoute, include_in_schema=False)
PERIOD_FIELDS = ("label", "starts_on", "ends_on", "due_on")


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _periods_page(request: Request, staff: StaffDep, session: SessionDep, language: str,
                  values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  status_code: int = 200) -> Response:
    errors = {name: gettext(language, message) for name, message in (errors or {}).items()}
    return render(request, "roadmap_periods.html", language, status_code, staff=staff,
                  periods=periods.list_periods(session), values=values or {}, errors=errors,
                  error_order=[name for name in PERIOD_FIELDS if name in errors],
                  requested=request.query_params.get("requested"))


@router.get("/periods")
def period_list(request: Request, staff: StaffDep, session: SessionDep,
                language: LanguageDep) -> Response:
    """List the reporting periods; administrators open a new one here."""
    return _periods_page(request, staff, session, language)


@router.post("/periods", dependencies=[AdminOnly])
def open_period(request: Request, staff: StaffDep, form: FormDep, session: WriteSessionDep,
                language: LanguageDep, now: NowDep) -> Response:
    """Open a period: a report requested per commitment, one mail per registered lead."""
    values = {name: str(form.get(name, "")).strip() for name in PERIOD_FIELDS}
    errors: dict[str, str] = {}
    if not values["label"] or len(values["label"]) > 100 or "\n" in values["label"]:
        errors["label"] = N_("Give the period a label of at most 100 characters.")
    dates = {name: _date(values[name]) for name in ("starts_on", "ends_on", "due_on")}
    for name, day in dates.items():
        if day is None:
            errors[name] = N_("Give a date as YYYY-MM-DD.")
    starts_on, ends_on, due_on = dates["starts_on"], dates["ends_on"], dates["due_on"]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = N_("The end must not be before the start.")
    if errors or starts_on is None or ends_on is None or due_on is None:
        return _periods_page(request, staff, session, language, values, errors,
                             status.HTTP_422_UNPROCESSABLE_CONTENT)
    period, requested = periods.open_period(
        session=session, label=values["label"], starts_on=starts_on, ends_on=ends_on,
        due_on=due_on, actor=audit.Actor(staff.user.id), now=now)
    return RedirectResponse(f"/staff/roadmap/periods/{period.id}?requested={requested}",
                            status_code=status.HTTP_303_SEE_OTHER)


@router.get("/periods/{period_id}")
def period_reports(request: Request, period_id: RowId, staff: StaffDep, session: SessionDep,
                   language: LanguageDep) -> Response:
    """A period's reports, one per commitment: requested, sent, late, approved, returned."""
    try:
        period = periods.get_period(session, period_id)
    except periods.PeriodNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    return render(request, "roadmap_period.html", language, staff=staff, period=period,
                  reports=reports.period_reports(session, period_id), states=reports.STATE_LABELS,
                  requested=request.query_params.get("requested"))


@router.get("/reports/{report_id}")
def report_page(request: Request, report_id: RowId, staff: StaffDep, session: SessionDep,
                language: LanguageDep) -> Response:
    """A report beside the commitment's previous approved one, with the review's form."""
    try:
        report = reports.get_report(session, report_id)
    except reports.ReportNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    return render(request, "roadmap_report_review.html", language, staff=staff, report=report,
                  previous=reports.previous_approved(session, report),
                  states=reports.STATE_LABELS,
                  reviewed=request.query_params.get("reviewed"), error="")


@router.post("/reports/{report_id}/review", dependencies=[AdminOnly])
def review(request: Request, report_id: RowId, staff: StaffDep, form: FormDep,
           session: WriteSessionDep, language: LanguageDep, now: NowDep) -> Response:
    """Approve the report, or return it to its lead with a comment (mailed)."""
    decision = str(form.get("decision", ""))
    comment = str(form.get("comment", "")).strip()
    try:
        report = reports.get_report(session, report_id)
    except reports.ReportNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    error = ""
    if decision not in ("approve", "return"):
        error = N_("Choose whether to approve the report or return it.")
    elif decision == "return" and not comment:
        error = N_("Say what to change: the comment is mailed to the lead.")
    elif report.state != "submitted":
        error = N_("This report is not waiting for review.")
    if error:
        return render(request, "roadmap_report_review.html", language,
                      status.HTTP_422_UNPROCESSABLE_CONTENT, staff=staff, report=report,
                      previous=reports.previous_approved(session, report),
                      states=reports.STATE_LABELS, reviewed=None,
                      error=gettext(language, error), comment=comment)
    reports.review(session=session, report_id=report.id, decision=decision, comment=comment,
                   actor=audit.Actor(staff.user.id), now=now)
    return RedirectResponse(f"/staff/roadmap/reports/{report.id}?reviewed={decision}",
                            status_code=status.HTTP_303_SEE_OTHER)


def _enter_page(request: Request, staff: StaffDep, language: str, report: RoadmapReport,
                values: dict[str, str], errors: dict[str, str], status_code: int = 200) -> Response:
    errors = {name: gettext(language, message) for name, message in errors.items()}
    return render(request, "roadmap_report_enter.html", language, status_code, staff=staff,
                  report=report, values=values, errors=errors, error_order=list(errors),
                  scale=COMPLETION_SCALE, max_urls=MAX_URLS)


@router.get("/reports/{report_id}/enter", dependencies=[AdminOnly])
def enter_form(request: Request, report_id: RowId, staff: StaffDep, session: SessionDep,
               language: LanguageDep) -> Response:
    """The report form for staff, for a lead that reports by other means (a named body)."""
    try:
        report = reports.get_report(session, report_id)
    except reports.ReportNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    values = {"status": report.status or "", "value": report.value,
              "progress": "" if report.progress is None else str(report.progress),
              "narrative_ms": report.narrative_ms, "narrative_en": report.narrative_en,
              **{f"evidence_url-{index}": url for index, url in enumerate(report.urls)}}
    return _enter_page(request, staff, language, report, values, {})


@router.post("/reports/{report_id}/enter", dependencies=[AdminOnly])
def enter_report(request: Request, report_id: RowId, staff: StaffDep, form: FormDep,
                 session: WriteSessionDep, language: LanguageDep, now: NowDep) -> Response:
    """Save a report staff entered for its lead; it then waits for review like any other."""
    try:
        report = reports.get_report(session, report_id)
    except reports.ReportNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    typed = {name: str(form.get(name, "")) for name in
             ("status", "progress", "value", "narrative_ms", "narrative_en")}
    urls = [str(form.get(f"evidence_url-{index}", "")).strip() for index in range(MAX_URLS)]
    typed.update({f"evidence_url-{index}": url for index, url in enumerate(urls)})
    values = reports.ReportInput(typed["status"], typed["progress"].strip(), typed["value"],
                                 typed["narrative_ms"], typed["narrative_en"], urls)
    errors = reports.check_input(values)
    if report.state not in reports.EDITABLE:
        errors["status"] = N_("This report is approved and can no longer be changed.")
    if errors:
        return _enter_page(request, staff, language, report, typed, errors,
                           status.HTTP_422_UNPROCESSABLE_CONTENT)
    reports.submit(session=session, report=report, values=values, files=[], now=now)
    audit.record_change(session=session, actor=audit.Actor(staff.user.id),
                        action="roadmap_report_entered", now=now,
                        detail={"report": report.id, "commitment": report.commitment.code,
                                "progress": report.progress, "status": report.status})
    return RedirectResponse(f"/staff/roadmap/reports/{report.id}",
                            status_code=status.HTTP_303_SEE_OTHER)
