"""Staff's "Make a new link" for an invitation or a registration: a question, then the change.

Making a new link kills every link mailed before (unlike "Send again", which mails the same
link), so it asks first, on a page of its own that works without JavaScript. Included in
the back-office router before the workshop pages, whose `/{change}` route would otherwise
take the POST; changes need an administrator.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from app.deps import LanguageDep, NowDep, RowId, SessionDep, WriteSessionDep, workshop_or_404
from app.models import Registration
from app.routers.staff_deps import AdminOnly, NoStoreRoute, StaffDep, render, see_other
from app.services import invitations, new_links, staff_registrations, workshops

router = APIRouter(route_class=NoStoreRoute, include_in_schema=False)



def _registration_or_404(session: SessionDep, reference: str) -> Registration:
    registration = staff_registrations.find_registration(session=session, reference=reference)
    if registration is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return registration


@router.get("/workshops/{workshop_id}/invitations/{invitation_id}/new-link",
            dependencies=[AdminOnly])
def invitation_question(request: Request, workshop_id: RowId, invitation_id: RowId,
                        staff: StaffDep, session: SessionDep,
                        language: LanguageDep) -> Response:
    """Ask whether to make a new link for the invitation, saying what it does."""
    workshop = workshop_or_404(session, workshop_id)
    try:
        invitation = invitations.get_invitation(session=session, workshop_id=workshop_id,
                                                invitation_id=invitation_id)
    except invitations.InvitationNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    back = f"/staff/workshops/{workshop_id}#invitation-{invitation_id}"
    return render(request, "new_link.html", language, staff=staff,
                  registration=invitation.registration, workshop=workshop,
                  possible=invitation.status != "cancelled"
                  and invitation.registration.withdrawn_at is None,
                  action=f"/staff/workshops/{workshop_id}/invitations/{invitation_id}/new-link",
                  back=back)


@router.post("/workshops/{workshop_id}/invitations/{invitation_id}/new-link",
             dependencies=[AdminOnly])
def invitation_new_link(workshop_id: RowId, invitation_id: RowId, staff: StaffDep,
                        session: WriteSessionDep, now: NowDep) -> Response:
    """Mail the invitation a new link; every older link stops working (logged)."""
    try:
        new_links.new_invitation_link(session=session, workshop_id=workshop_id,
                                      invitation_id=invitation_id,
                                      staff_user_id=staff.user.id, now=now)
    except (invitations.InvitationNotFound, workshops.WorkshopNotFound):
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    except new_links.NoLinkToReplace:
        raise HTTPException(status.HTTP_409_CONFLICT) from None
    return see_other(f"/staff/workshops/{workshop_id}?new_link=1#invitation-{invitation_id}")


@router.get("/registrations/{reference}/new-link", dependencies=[AdminOnly])
def registration_question(request: Request, reference: str, staff: StaffDep,
                          session: SessionDep, language: LanguageDep) -> Response:
    """Ask whether to make a new private link for the registration."""
    registration = _registration_or_404(session, reference)
    return render(request, "new_link.html", language, staff=staff, registration=registration,
                  workshop=None, possible=registration.withdrawn_at is None,
                  action=f"/staff/registrations/{registration.reference}/new-link",
                  back=f"/staff/registrations/{registration.reference}")


@router.post("/registrations/{reference}/new-link", dependencies=[AdminOnly])
def registration_new_link(reference: str, staff: StaffDep, session: WriteSessionDep,
                          now: NowDep) -> Response:
    """Mail the registration a new private link; every older link stops working (logged)."""
    registration = _registration_or_404(session, reference)
    try:
        new_links.new_registration_link(session=session, registration=registration,
                                        staff_user_id=staff.user.id, now=now)
    except new_links.NoLinkToReplace:
        raise HTTPException(status.HTTP_409_CONFLICT) from None
    return see_other(f"/staff/registrations/{registration.reference}?new_link=1")
