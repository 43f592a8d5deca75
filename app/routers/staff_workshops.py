"""Back-office pages for workshops: create and edit, invite, follow the answers.

Included in the back-office router, so a signed-in session and CSRF are already checked;
changes need an administrator.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response
from pydantic import ValidationError

from app.core.config import MALAYSIA
from app.core.i18n import N_, format_myt, gettext
from app.deps import LanguageDep, NowDep, RowId, SessionDep, WriteSessionDep, workshop_or_404
from app.models import Workshop
from app.routers.export_responses import attendee_file
from app.routers.staff_deps import (
    AdminOnly,
    FiltersDep,
    FormDep,
    NoStoreRoute,
    StaffDep,
    render,
    see_other,
)
from app.schemas.one_line import ONE_LINE_ERROR, ONE_LINE_MESSAGE
from app.schemas.staff import RegistrationFilters
from app.schemas.workshop import WorkshopCreate, WorkshopPatch
from app.services import invitations, workshop_day, workshop_reach, workshops
from app.vocab import REGISTRANT_INVITATION_STATUS_CODES as STATUS_CODES

router = APIRouter(prefix="/workshops", route_class=NoStoreRoute, include_in_schema=False)
FIELDS = tuple(WorkshopCreate.model_fields)
# A page of the list holds 50; a hand-made selection never needs more than a few pages.
MOST_SELECTED = 1000
TIME_FIELDS = ("starts_at", "ends_at", "replies_close_at")
FORM_MESSAGES = {
    "title_ms": N_("Enter the title in Bahasa Melayu (up to 200 characters)"),
    "title_en": N_("Enter the title in English (up to 200 characters)"),
    "starts_at": N_("Enter when the workshop starts, in Malaysian time"),
    "ends_at": N_("Enter when the workshop ends, in Malaysian time"),
    "venue": N_("Enter the venue (up to 500 characters)"),
    "online_url": N_("Enter a web address starting with https:// or http://"),
    "replies_close_at": N_("Enter when replies close, in Malaysian time"),
    "capacity": N_("Enter the number of seats as a whole number"),
    "max_representatives": N_("Enter a whole number from 1 to 20"),
}
NOT_RESENT = {
    "withdrawn": N_("Nothing was sent: this organisation has withdrawn its registration."),
    "closed": N_("Nothing was sent: replies to this workshop have closed, so the invitation's "
                 "link could not be used."),
    "answered": N_("Nothing was sent: the organisation has already answered. Only an "
                   "invitation not answered yet, or a cancelled one, can be sent again."),
}



def _local_input(moment: dt.datetime) -> str:
    return moment.astimezone(MALAYSIA).strftime("%Y-%m-%dT%H:%M")


def _read_details(form: FormDep) -> tuple[dict[str, Any], dict[str, str]]:
    """Read the workshop form: times are entered in Malaysian time."""
    typed = {name: str(form.get(name, "")).strip() for name in FIELDS}
    values: dict[str, Any] = dict(typed)
    errors: dict[str, str] = {}
    for name in TIME_FIELDS:
        try:
            values[name] = dt.datetime.fromisoformat(typed[name]).replace(tzinfo=MALAYSIA)
        except ValueError:
            errors[name] = FORM_MESSAGES[name]
    try:
        WorkshopCreate.model_validate({k: v for k, v in values.items() if k not in errors})
    except ValidationError as invalid:
        for error in invalid.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            if name in FORM_MESSAGES and name not in errors:
                errors[name] = (ONE_LINE_MESSAGE if error["type"] == ONE_LINE_ERROR
                                else FORM_MESSAGES[name])
    return values, errors


def _form(request: Request, staff: StaffDep, language: str, values: dict[str, Any],
          errors: dict[str, str], workshop_id: int | None = None, status_code: int = 200,
          warning: str = "") -> Response:
    shown = {k: _local_input(v) if isinstance(v, dt.datetime) else v for k, v in values.items()}
    return render(request, "workshop_form.html", language, status_code, staff=staff,
                  values=shown, errors={k: gettext(language, v) for k, v in errors.items()},
                  error_order=[f for f in FIELDS if f in errors],
                  workshop_id=workshop_id, warning=warning)


def _past_close_unconfirmed(form: FormDep, values: dict[str, Any], now: dt.datetime,
                            stored: dt.datetime | None = None) -> bool:
    """Whether replies newly close in the past and staff have not saved that time again."""
    closes = values["replies_close_at"]
    if closes > now or closes == stored:
        return False
    return form.get("confirmed_replies_close_at") != form.get("replies_close_at")


@router.get("")
def workshop_list(request: Request, staff: StaffDep, session: SessionDep,
                  language: LanguageDep) -> Response:
    """List the workshops with their seats."""
    return render(request, "workshops.html", language, staff=staff,
                  workshops=workshops.list_workshops(session=session), when=format_myt)


@router.get("/new", dependencies=[AdminOnly])
def new_workshop(request: Request, staff: StaffDep, language: LanguageDep) -> Response:
    """Show an empty workshop form."""
    return _form(request, staff, language, {"max_representatives": "3"}, {})


@router.post("/new", dependencies=[AdminOnly])
def create_workshop(request: Request, form: FormDep, staff: StaffDep, session: WriteSessionDep,
                    now: NowDep, language: LanguageDep) -> Response:
    """Check and store a new workshop."""
    values, errors = _read_details(form)
    if not errors and _past_close_unconfirmed(form, values, now):
        return _form(request, staff, language, values, {},
                     warning=workshops.REPLIES_CLOSE_IN_THE_PAST)
    if not errors:
        try:
            workshop = workshops.create_workshop(
                session=session, details=WorkshopCreate.model_validate(values),
                staff_user_id=staff.user.id, now=now)
            return see_other(f"/staff/workshops/{workshop.id}?saved=1")
        except workshops.WorkshopInvalid as invalid:
            errors = invalid.errors
    return _form(request, staff, language, values, errors,
                 status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


@router.get("/invite", dependencies=[AdminOnly])
def choose_workshop(request: Request, staff: StaffDep, session: SessionDep, now: NowDep,
                    language: LanguageDep, filters: FiltersDep) -> Response:
    """Preview, for each workshop still open, whom the list's selection or filters would invite."""
    # From the list's "invite the selected" button: only what was ticked, perhaps nothing.
    selecting = request.query_params.get("selection") == "1"
    references = request.query_params.getlist("reference")[:MOST_SELECTED]
    previews = [(workshop, invitations.preview(
                    session=session, workshop_id=workshop.id,
                    references=references if selecting else None,
                    filters=None if selecting else filters))
                for workshop, _seats in workshops.list_workshops(session=session)
                if now < workshop.replies_close_at]
    return render(request, "workshop_invite.html", language, staff=staff, filters=filters,
                  selecting=selecting, references=references, previews=previews,
                  when=format_myt)


@router.post("/{workshop_id}/invite", dependencies=[AdminOnly])
def send_invitations(workshop_id: RowId, form: FormDep, staff: StaffDep,
                     session: WriteSessionDep, now: NowDep) -> Response:
    """Invite the selected registrations, or those the filters match; nobody is mailed twice."""
    references = [str(value) for value in form.getlist("reference")][:MOST_SELECTED] or None
    try:
        filters = None if references else RegistrationFilters.model_validate(dict(form))
    except ValidationError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            detail="This form's filters are not the list's.") from None
    workshop_or_404(session, workshop_id)
    try:
        result = invitations.invite(session=session, workshop_id=workshop_id, now=now,
                                    staff_user_id=staff.user.id, references=references,
                                    filters=filters)
    except invitations.InvitingClosed:
        raise HTTPException(status.HTTP_409_CONFLICT) from None
    return see_other(f"/staff/workshops/{workshop_id}?invited={result.invited}"
                      f"&already={result.already_invited}")


@router.get("/{workshop_id}")
def workshop_page(request: Request, workshop_id: RowId, staff: StaffDep,
                  session: SessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Show a workshop: its seats, its invitations and their answers."""
    return _workshop_page(request, staff, session, now, language,
                          workshop_or_404(session, workshop_id))


def _workshop_page(request: Request, staff: StaffDep, session: SessionDep, now: NowDep,
                   language: str, workshop: Workshop, status_code: int = 200,
                   problem: str = "") -> Response:
    query = request.query_params
    attendance, no_shows = workshop_day.after_the_day(session=session, workshop_id=workshop.id,
                                                      language=language)
    rows = invitations.list_invitations(session=session, workshop_id=workshop.id)
    resent = [registration for invitation, registration in rows
              if str(invitation.id) == query.get("resent")]
    return render(request, "workshop_detail.html", language, status_code, staff=staff,
                  workshop=workshop, attendance=attendance, no_shows=no_shows,
                  replies_warning=workshops.replies_warning(
                      replies_close_at=workshop.replies_close_at,
                      starts_at=workshop.starts_at, now=now),
                  seats=workshops.seat_counts(session=session, workshop=workshop),
                  counts=workshops.invitation_counts(session=session, workshop_id=workshop.id),
                  reach=workshop_reach.workshop_reach(session=session, workshop_id=workshop.id),
                  rows=rows, statuses=STATUS_CODES, when=format_myt, saved=query.get("saved"),
                  invited=query.get("invited"), already=query.get("already"),
                  resent=resent[0] if resent else None, problem=problem,
                  resendable={invitation.id for invitation, registration in rows
                              if not invitations.why_not_resend(invitation, registration,
                                                                workshop, now)},
                  new_link=query.get("new_link") == "1")


@router.get("/{workshop_id}/edit", dependencies=[AdminOnly])
def edit_workshop(request: Request, workshop_id: RowId, staff: StaffDep,
                  session: SessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Show the workshop's details in a form."""
    workshop = workshop_or_404(session, workshop_id)
    return _form(request, staff, language, {name: getattr(workshop, name) for name in FIELDS},
                 {}, workshop.id, warning=workshops.replies_warning(
                     replies_close_at=workshop.replies_close_at, starts_at=workshop.starts_at,
                     now=now))


@router.post("/{workshop_id}/edit", dependencies=[AdminOnly])
def change_workshop(request: Request, workshop_id: RowId, form: FormDep, staff: StaffDep,
                    session: WriteSessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Change the details; a new date, time or venue is mailed to those invited, once."""
    values, errors = _read_details(form)
    if not errors:
        stored = workshop_or_404(session, workshop_id).replies_close_at
        if _past_close_unconfirmed(form, values, now, stored):
            return _form(request, staff, language, values, {}, workshop_id,
                         warning=workshops.REPLIES_CLOSE_IN_THE_PAST)
        try:
            workshops.update_workshop(session=session, workshop_id=workshop_id,
                                      changes=WorkshopPatch.model_validate(values),
                                      staff_user_id=staff.user.id, now=now)
            return see_other(f"/staff/workshops/{workshop_id}?saved=1")
        except workshops.WorkshopInvalid as invalid:
            errors = invalid.errors
    return _form(request, staff, language, values, errors, workshop_id,
                 status.HTTP_422_UNPROCESSABLE_CONTENT)


# staff_replies is included first: this path would otherwise catch its POST .../reply.
@router.post("/{workshop_id}/invitations/{invitation_id}/{change}", dependencies=[AdminOnly])
def change_invitation(request: Request, workshop_id: RowId, invitation_id: RowId, change: str,
                      staff: StaffDep, session: WriteSessionDep, now: NowDep,
                      language: LanguageDep) -> Response:
    """Cancel an invitation (its link stops working) or send it again (with the same link)."""
    actions = {"cancel": invitations.cancel_invitation, "resend": invitations.resend_invitation}
    if change not in actions:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    try:
        actions[change](session=session, workshop_id=workshop_id, invitation_id=invitation_id,
                        staff_user_id=staff.user.id, now=now)
    except (invitations.InvitationNotFound, workshops.WorkshopNotFound):
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    except invitations.ResendRefused as refused:
        return _workshop_page(request, staff, session, now, language,
                              workshop_or_404(session, workshop_id), status.HTTP_409_CONFLICT,
                              problem=NOT_RESENT[refused.reason])
    done = f"resent={invitation_id}" if change == "resend" else "saved=1"
    return see_other(f"/staff/workshops/{workshop_id}?{done}#invitation-{invitation_id}")


@router.get("/{workshop_id}/attendees.{file_format}")
def attendee_export(workshop_id: RowId, file_format: str, staff: StaffDep,
                    session: SessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Download the attendee list as CSV or XLSX (logged)."""
    if file_format not in ("csv", "xlsx"):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return attendee_file(session=session, workshop_id=workshop_id, staff_user_id=staff.user.id,
                         language=language, file_format=file_format, via="page", now=now)
