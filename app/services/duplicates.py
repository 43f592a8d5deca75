"""Likely duplicate organisations, for staff: list the pairs, dismiss one, or merge it.

Merging withdraws the later registration and moves its invitations (with their
representatives and check-ins) to the one kept, in one transaction. The rule for a
conflict: where both are invited to the same workshop, the kept registration's invitation
stays as it is, and the later one's is cancelled (its seats offered on, as when a
registration is withdrawn). Every dismissal and merge is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.core.i18n import N_
from app.models import (
    DuplicateDismissal,
    Invitation,
    Registration,
    RegistrationEvent,
    RoadmapCommitment,
    RoadmapPartner,
)
from app.services import audit, invitations
from app.services.duplicate_pairs import Candidate, Pair, find_pairs
from app.services.references import normalise_reference

MERGE_RULE = N_(
    "The later registration is withdrawn. Its invitations, with their representatives and "
    "check-ins, move to the registration kept, and their links keep working. Where both "
    "are invited to the same workshop, the kept registration's invitation stays and the "
    "later one's is cancelled, its seats offered on."
)


class UnknownReference(LookupError):
    """No registration has this reference."""


class CannotMerge(ValueError):
    """The two registrations cannot be merged this way; the message says why."""


def _by_reference(session: Session, reference: str) -> Registration:
    found = session.scalar(select(Registration).where(
        Registration.reference == normalise_reference(reference)))
    if found is None:
        raise UnknownReference(reference)
    return found


def likely_duplicates(*, session: Session) -> list[Pair]:
    """Return the pairs of registrations (not withdrawn) that may be one organisation."""
    candidates = [Candidate(*row) for row in session.execute(
        select(Registration.id, Registration.reference, Registration.organisation_name,
               Registration.registration_number, Registration.contact_email)
        .where(Registration.withdrawn_at.is_(None)).order_by(Registration.id))]
    dismissed = frozenset(
        (row.first_id, row.second_id) for row in session.execute(
            select(DuplicateDismissal.first_id, DuplicateDismissal.second_id)))
    return find_pairs(candidates, dismissed)


def dismiss(*, session: Session, references: Sequence[str], staff_user_id: int,
            now: dt.datetime) -> None:
    """Record that two registrations are not the same, so the pair is never listed again."""
    first, second = sorted((_by_reference(session, ref) for ref in references),
                           key=lambda row: row.id)
    if first.id == second.id:
        raise CannotMerge("A registration is not a duplicate of itself.")
    if session.get(DuplicateDismissal, (first.id, second.id)) is None:
        session.add(DuplicateDismissal(first_id=first.id, second_id=second.id,
                                       dismissed_at=now, dismissed_by=staff_user_id))
    session.flush()
    audit.record(session=session, action="duplicates_dismissed", staff_user_id=staff_user_id,
                 now=now, detail={"references": [first.reference, second.reference]})


def _later_of(a: Registration, b: Registration) -> Registration:
    return max(a, b, key=lambda row: (row.submitted_at, row.id))


def merge(*, session: Session, reference: str, into: str, staff_user_id: int,
          now: dt.datetime) -> dict[str, list[int]]:
    """Withdraw `reference` (the later one) and move its invitations and commitments to `into`."""
    later, kept = _by_reference(session, reference), _by_reference(session, into)
    if later.id == kept.id:
        raise CannotMerge("A registration cannot be merged into itself.")
    if later.withdrawn_at is not None or kept.withdrawn_at is not None:
        raise CannotMerge("A withdrawn registration cannot be merged.")
    if _later_of(later, kept) is not later:
        raise CannotMerge(f"{later.reference} was registered before {kept.reference}: "
                          "merge the later registration into the earlier one.")
    kept_workshops = set(session.scalars(
        select(Invitation.workshop_id).where(Invitation.registration_id == kept.id)))
    moved = []
    for invitation in session.scalars(
            select(Invitation).where(Invitation.registration_id == later.id)):
        if invitation.workshop_id not in kept_workshops:
            invitation.registration_id = kept.id
            moved.append(invitation.id)
    commitments = _move_commitments(session, later, kept)
    session.flush()
    # What stays with the later registration clashes with the kept one's: cancelled, as a
    # withdrawal cancels, with its seats offered on.
    later.withdrawn_at = now
    later.updated_at = now
    cancelled = list(session.scalars(select(Invitation.id).where(
        Invitation.registration_id == later.id,
        Invitation.status.in_(("invited", "accepted", "waiting", "offered")))))
    invitations.withdraw_invitations(session=session, registration_id=later.id, now=now)
    actor = f"staff:{staff_user_id}"
    session.add_all([
        RegistrationEvent(registration_id=later.id, at=now, actor=actor, action="merged_away",
                          detail=f"into {kept.reference}"),
        RegistrationEvent(registration_id=kept.id, at=now, actor=actor, action="merged_in",
                          detail=f"from {later.reference}"),
    ])
    session.flush()
    outcome = {"moved_invitations": moved, "cancelled_invitations": cancelled,
               "moved_commitments": commitments}
    audit.record(session=session, action="registrations_merged", staff_user_id=staff_user_id,
                 now=now, detail={"reference": later.reference, "into": kept.reference,
                                  **outcome})
    return outcome


def _move_commitments(session: Session, later: Registration, kept: Registration) -> list[int]:
    """Make the kept registration lead, or partner in, what the later one did; return their ids."""
    led = list(session.scalars(select(RoadmapCommitment.id).where(
        RoadmapCommitment.lead_registration_id == later.id)))
    session.execute(update(RoadmapCommitment)
                    .where(RoadmapCommitment.lead_registration_id == later.id)
                    .values(lead_registration_id=kept.id))
    partnered = set(session.scalars(select(RoadmapPartner.commitment_id).where(
        RoadmapPartner.registration_id == later.id)))
    # Where the kept one is already the lead or a partner, the later one's place goes.
    already = set(session.scalars(select(RoadmapPartner.commitment_id).where(
        RoadmapPartner.registration_id == kept.id))) | set(session.scalars(
            select(RoadmapCommitment.id).where(RoadmapCommitment.lead_registration_id == kept.id)))
    session.execute(delete(RoadmapPartner).where(
        RoadmapPartner.registration_id == later.id,
        RoadmapPartner.commitment_id.in_(partnered & already)))
    session.execute(update(RoadmapPartner).where(RoadmapPartner.registration_id == later.id)
                    .values(registration_id=kept.id))
    return sorted(set(led) | partnered)
