"""The outbox in the back-office: what mail is queued, sent or failed, and why; retry and resend.

Included in the back-office router, so a signed-in session and CSRF are already checked.
Every member of staff may look; retrying and resending are for administrators.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from app.deps import LanguageDep, NowDep, RowId, SessionDep, WriteSessionDep
from app.routers.staff_deps import AdminOnly, NoStoreRoute, StaffDep, render
from app.services import outbox
from app.services.registration.resend import (
    RegistrationNotFound,
    RegistrationWithdrawn,
    resend_confirmation,
)
from app.vocab import MAIL_STATUS_CODES

OUTBOX_PER_PAGE = 50

router = APIRouter(route_class=NoStoreRoute, include_in_schema=False)


@router.get("/outbox")
def outbox_page(
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    language: LanguageDep,
    mail_status: Annotated[str, Query(alias="status", max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """List outgoing mail, newest first, with its delivery state and last error."""
    shown = mail_status if mail_status in MAIL_STATUS_CODES else None
    listing = outbox.list_outbox(
        session=session, status=shown, limit=OUTBOX_PER_PAGE, offset=(page - 1) * OUTBOX_PER_PAGE
    )
    pages = max(1, -(-listing.total // OUTBOX_PER_PAGE))
    return render(request, "outbox.html", language, staff=staff, listing=listing,
                  mail_status=shown or "", statuses=MAIL_STATUS_CODES, page=page, pages=pages,
                  done=request.query_params.get("done", ""))


@router.post("/outbox/{mail_id}/retry", dependencies=[AdminOnly])
def retry(mail_id: RowId, staff: StaffDep, session: WriteSessionDep, now: NowDep) -> Response:
    """Make a failed or waiting mail due now."""
    try:
        outbox.retry_mail(session=session, mail_id=mail_id, now=now,
                          staff_user_id=staff.user.id)
    except outbox.MailNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    except outbox.MailNotRetryable:
        raise HTTPException(status.HTTP_409_CONFLICT) from None
    return RedirectResponse("/staff/outbox?done=retried", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/registrations/{reference}/resend", dependencies=[AdminOnly])
def resend(reference: str, staff: StaffDep, session: WriteSessionDep, now: NowDep) -> Response:
    """Send the registrant's confirmation again, with the private link it had before."""
    try:
        resend_confirmation(session=session, reference=reference, now=now,
                            actor=f"staff:{staff.user.id}", staff_user_id=staff.user.id)
    except RegistrationNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    except RegistrationWithdrawn:
        raise HTTPException(status.HTTP_409_CONFLICT) from None
    return RedirectResponse(f"/staff/registrations/{reference}?resent=1",
                            status_code=status.HTTP_303_SEE_OTHER)
