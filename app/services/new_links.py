"""Staff's "Make a new link": a new private link mailed, and every older one killed.

This is the one way, besides cancelling an invitation or erasing a registration, that a
link the portal has mailed stops working (docs/staff.md, "Private links"): for a link
that reached the wrong person, say. "Send again" and a resent confirmation never do it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.models import Invitation, Registration, RegistrationEvent
from app.services import audit, mail_queue, workshop_mail
from app.services.invitation_links import make_new_link
from app.services.invitations import get_invitation
from app.services.private_links import make_new_manage_link
from app.services.workshops import lock_workshop


class NoLinkToReplace(Exception):
    """The row has no link to replace: a cancelled invitation, a withdrawn registration."""


def new_invitation_link(
    *, session: Session, workshop_id: int, invitation_id: int, staff_user_id: int,
    now: dt.datetime,
) -> Invitation:
    """Give the invitation a new link, mail it, and make every older link stop working."""
    lock_workshop(session=session, workshop_id=workshop_id)
    invitation = get_invitation(session=session, workshop_id=workshop_id,
                                invitation_id=invitation_id)
    registration = session.get(Registration, invitation.registration_id)
    assert registration is not None
    if invitation.status == "cancelled" or registration.withdrawn_at is not None:
        raise NoLinkToReplace(invitation_id)
    make_new_link(invitation)
    session.flush()
    workshop_mail.queue(session, [workshop_mail.mail_row(
        "workshop_new_link", registration, invitation, now)])
    audit.record(session=session, action="invitation_new_link", staff_user_id=staff_user_id,
                 now=now, detail={"workshop": workshop_id, "invitation": invitation.id,
                                  "reference": registration.reference})
    return invitation


def new_registration_link(
    *, session: Session, registration: Registration, staff_user_id: int, now: dt.datetime,
) -> None:
    """Give the registration a new private link, mail it, and kill every older link."""
    if registration.withdrawn_at is not None:
        raise NoLinkToReplace(registration.reference)
    make_new_manage_link(registration=registration)
    mail_queue.queue(session, [mail_queue.to_registrant(
        "manage_new_link", registration_id=registration.id,
        address=registration.contact_email, language=registration.preferred_language,
        now=now,
    )])
    session.add(RegistrationEvent(registration_id=registration.id, at=now,
                                  actor=f"staff:{staff_user_id}", action="new_link"))
    session.flush()
    audit.record(session=session, action="registration_new_link", staff_user_id=staff_user_id,
                 now=now, detail={"reference": registration.reference})
