"""Back-office pages for a reply received by phone, letter or email, recorded for the organisation.

Included in the back-office router before the workshop pages (whose POST
`/{workshop_id}/invitations/{invitation_id}/{change}` would otherwise take these), so a
signed-in session and CSRF are already checked; recording needs an administrator.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from app.core.i18n import N_, gettext
from app.deps import LanguageDep, NowDep, RowId, SessionDep, WriteSessionDep, workshop_or_404
from app.routers.staff_deps import AdminOnly, FormDep, NoStoreRoute, StaffDep, render, see_other
from app.schemas.reply import error_texts, parse_reply
from app.services import invitations, seating
from app.vocab import REPLY_CHANNEL_CODES

router = APIRouter(prefix="/workshops", route_class=NoStoreRoute, include_in_schema=False)
REPLY_REFUSED = N_("This invitation cannot be answered now (cancelled, expired, or the "
                   "workshop has started).")
NOT_ENOUGH_SEATS = N_("Not enough seats are free for that many representatives.")



def _reply_page(request: Request, staff: StaffDep, session: SessionDep, language: str,
                workshop_id: int, invitation_id: int, status_code: int = 200,
                **context: Any) -> Response:
    workshop = workshop_or_404(session, workshop_id)
    try:
        invitation = invitations.get_invitation(session=session, workshop_id=workshop_id,
                                                invitation_id=invitation_id)
    except invitations.InvitationNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    errors = error_texts(context.pop("errors", {}), context.pop("error_counts", {}),
                         lambda message: gettext(language, message))
    return render(request, "workshop_reply.html", language, status_code, staff=staff,
                  workshop=workshop, invitation=invitation, channels=REPLY_CHANNEL_CODES,
                  errors=errors, **{"values": {}, "notice": "", **context})


@router.get("/{workshop_id}/invitations/{invitation_id}/reply", dependencies=[AdminOnly])
def reply_form(request: Request, workshop_id: RowId, invitation_id: RowId,
               staff: StaffDep, session: SessionDep, language: LanguageDep) -> Response:
    """Show the form for a reply received by phone or letter."""
    return _reply_page(request, staff, session, language, workshop_id, invitation_id)


@router.post("/{workshop_id}/invitations/{invitation_id}/reply", dependencies=[AdminOnly])
def record_reply(request: Request, workshop_id: RowId, invitation_id: RowId,
                 form: FormDep, staff: StaffDep, session: WriteSessionDep, now: NowDep,
                 language: LanguageDep) -> Response:
    """Record a reply on the organisation's behalf; it is logged with who and how it came."""
    workshop = workshop_or_404(session, workshop_id)
    channel = str(form.get("channel", ""))
    answer = parse_reply(form, max_representatives=workshop.max_representatives)
    if channel not in REPLY_CHANNEL_CODES or channel == "link":
        answer.errors["channel"] = N_("Choose how the reply came")
    if answer.errors:
        return _reply_page(request, staff, session, language, workshop_id, invitation_id,
                           422, values=answer.typed, errors=answer.errors,
                           error_counts=answer.error_counts)
    try:
        invitation = invitations.get_invitation(session=session, workshop_id=workshop_id,
                                                invitation_id=invitation_id)
    except invitations.InvitationNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    try:
        seating.reply(session=session, invitation=invitation, answer=answer, now=now,
                      channel=channel, staff_user_id=staff.user.id)
    except (seating.ReplyRefused, seating.NotEnoughSeats) as refused:
        notice = NOT_ENOUGH_SEATS if isinstance(refused, seating.NotEnoughSeats) else REPLY_REFUSED
        return _reply_page(request, staff, session, language, workshop_id, invitation_id,
                           409, values=answer.typed, notice=notice)
    return see_other(f"/staff/workshops/{workshop_id}?saved=1#invitation-{invitation_id}")
