"""Accepted representatives stored directly, for the workshop day's tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Invitation, Registration, Representative
from tests.workshop_helpers import NOW


def accepted(session: Session, workshop_id: int, registered: Registration,
             *names: str) -> list[Representative]:
    """Store an accepted invitation with these representatives, and commit it."""
    invitation = Invitation(workshop_id=workshop_id, registration_id=registered.id,
                            status="accepted", invited_at=NOW, replied_at=NOW,
                            reply_channel="phone")
    invitation.representatives = [
        Representative(position=n, full_name=name, designation="Officer",
                       email=f"person{n}@{registered.reference.lower()}.my")
        for n, name in enumerate(names)]
    session.add(invitation)
    session.commit()
    return list(invitation.representatives)
