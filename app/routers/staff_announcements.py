"""Announcements in the back-office: administrators write them, every member of staff reads them.

Included in the back-office router, so a signed-in session and CSRF are already checked.
The compose form carries a one-time form token; sending stores it as the announcement's
unique key, so a double click or a resent form makes one announcement.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.core.csrf import form_token_is_valid, new_form_token
from app.core.db import begin_write
from app.core.i18n import N_, gettext
from app.deps import LanguageDep, NowDep, RowId, SessionDep
from app.routers.staff_deps import AdminOnly, FiltersDep, FormDep, NoStoreRoute, StaffDep, render
from app.schemas.staff import RegistrationFilters
from app.services import announcement_reports, announcements
from app.services.announcement_mail import placeholder_values, render_texts
from app.services.announcement_texts import (
    TEXT_FIELDS,
    AnnouncementInvalid,
    AnnouncementTexts,
    Problem,
    clean_texts,
)
from app.vocab import LANGUAGES

FORM_PURPOSE = "announcement"
PER_PAGE = 50
RECIPIENTS_PER_PAGE = 100
FORM_EXPIRED = N_("This form has expired. Copy your text, reload the page and try again.")
ANNOUNCEMENT_NOT_FOUND = N_("There is no announcement with this number.")

router = APIRouter(route_class=NoStoreRoute, include_in_schema=False)


def _compose_page(
    request: Request, staff: StaffDep, session: SessionDep, language: str, now: dt.datetime, *,
    filters: RegistrationFilters, values: dict[str, str], form_token: str,
    problems: dict[str, Problem] | None = None, texts: AnnouncementTexts | None = None,
    notice: str = "", status_code: int = 200,
) -> Response:
    selection = announcements.select_recipients(session=session, filters=filters)
    sample = announcements.sample_recipient(session=session, filters=filters)
    previews: dict[str, Any] = {}
    if texts is not None and sample is not None:
        previews = {each: render_texts(texts, each, placeholder_values(sample),
                                       written_at=now)
                    for each in LANGUAGES}
    errors = {field: problem.text(lambda message: gettext(language, message))
              for field, problem in (problems or {}).items()}
    return render(request, "announcement_compose.html", language, status_code, staff=staff,
                  filters=filters, values=values, form_token=form_token, errors=errors,
                  selection=selection, sample=sample, previews=previews, notice=notice)


def _filters_from_form(value: str) -> RegistrationFilters:
    try:
        return RegistrationFilters.model_validate(dict(parse_qsl(value)))
    except ValidationError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            detail="The filters in this form are not the list's.") from None


@router.get("/announcements")
def announcement_list(
    request: Request, staff: StaffDep, session: SessionDep, language: LanguageDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """List announcements, newest first, with who sent them and how delivery goes."""
    summaries, total = announcement_reports.list_announcements(
        session=session, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render(request, "announcements.html", language, staff=staff, summaries=summaries,
                  page=page, pages=max(1, -(-total // PER_PAGE)), total=total)


@router.get("/announcements/new", dependencies=[AdminOnly])
def compose(request: Request, staff: StaffDep, session: SessionDep, now: NowDep,
            language: LanguageDep, filters: FiltersDep) -> Response:
    """Show the form to write to the registrants the list's filters select."""
    return _compose_page(request, staff, session, language, now, filters=filters,
                         values=dict.fromkeys(TEXT_FIELDS, ""),
                         form_token=new_form_token(FORM_PURPOSE))


@router.post("/announcements/new", dependencies=[AdminOnly])
def compose_action(request: Request, form: FormDep, staff: StaffDep, session: SessionDep,
                   now: NowDep, language: LanguageDep) -> Response:
    """Preview the announcement, send a test of it to me, or send it."""
    filters = _filters_from_form(str(form.get("filters", "")))
    values = {field: str(form.get(field, "")) for field in TEXT_FIELDS}
    form_token = str(form.get("form_token", ""))
    action = str(form.get("action", "preview"))
    page: dict[str, Any] = {"filters": filters, "values": values, "form_token": form_token}
    if not form_token_is_valid(form_token, FORM_PURPOSE):
        page["form_token"] = new_form_token(FORM_PURPOSE)
        return _compose_page(request, staff, session, language, now, **page,
                             problems={"form": Problem(FORM_EXPIRED)},
                             status_code=status.HTTP_400_BAD_REQUEST)
    # One form previews, tests and sends; only the last two write, so they take SQLite's
    # write lock themselves and a preview never waits for it.
    try:
        texts = clean_texts(**values)
        if action == "test":
            begin_write(session)
            announcements.queue_test(session=session, texts=texts, filters=filters,
                                     to_address=staff.user.email, staff_user_id=staff.user.id,
                                     now=now)
            return _compose_page(request, staff, session, language, now, **page, texts=texts,
                                 notice="test_sent")
        if action == "send":
            begin_write(session)
            sent = announcements.send_announcement(
                session=session, texts=texts, filters=filters, staff_user_id=staff.user.id,
                now=now, idempotency_key=f"form:{form_token}")
            return RedirectResponse(f"/staff/announcements/{sent.announcement.id}?sent=1",
                                    status_code=status.HTTP_303_SEE_OTHER)
    except AnnouncementInvalid as invalid:
        return _compose_page(request, staff, session, language, now, **page,
                             problems=invalid.problems,
                             status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    except announcements.KeyReused:
        # The same form, sent again with other texts after it was sent: not a second send.
        page["form_token"] = new_form_token(FORM_PURPOSE)
        return _compose_page(request, staff, session, language, now, **page,
                             problems={"form": Problem(FORM_EXPIRED)},
                             status_code=status.HTTP_409_CONFLICT)
    return _compose_page(request, staff, session, language, now, **page, texts=texts)


@router.get("/announcements/{announcement_id}")
def announcement_detail(
    request: Request, announcement_id: RowId, staff: StaffDep, session: SessionDep,
    language: LanguageDep, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """Show one announcement: both texts, who sent it, and each recipient's delivery."""
    summary = announcement_reports.find_announcement(session=session,
                                                     announcement_id=announcement_id)
    if summary is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail=gettext(language, ANNOUNCEMENT_NOT_FOUND))
    recipients = announcement_reports.announcement_recipients(
        session=session, announcement_id=announcement_id, limit=RECIPIENTS_PER_PAGE,
        offset=(page - 1) * RECIPIENTS_PER_PAGE)
    pages = max(1, -(-summary.announcement.recipients // RECIPIENTS_PER_PAGE))
    return render(request, "announcement.html", language, staff=staff, summary=summary,
                  recipients=recipients, page=page, pages=pages,
                  sent=request.query_params.get("sent") == "1")
