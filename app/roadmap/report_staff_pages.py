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
from app.roadmap import periods, reports
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
