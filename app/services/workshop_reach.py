"""Whom a workshop reaches: organisations registered, invited and accepted, by category,
pillar and state, for planning who else to invite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Invitation, Registration, RegistrationPillar
from app.vocab import CATEGORY_CODES, PILLAR_CODES, STATE_CODES


@dataclass(frozen=True)
class ReachRow:
    """One category, pillar or state: how many organisations, at each step, in organisations."""

    code: str
    registered: int
    invited: int
    accepted: int


@dataclass(frozen=True)
class WorkshopReach:
    by_category: list[ReachRow]
    by_pillar: list[ReachRow]
    by_state: list[ReachRow]


def workshop_reach(*, session: Session, workshop_id: int) -> WorkshopReach:
    """Count the standing registrations, and those invited to and accepted at the workshop.

    Invited counts every invitation not cancelled, whatever its answer. An organisation
    counts once under each pillar it chose. Withdrawn registrations are left out.
    """
    invited = select(Invitation.registration_id).where(
        Invitation.workshop_id == workshop_id, Invitation.status != "cancelled")
    accepted = invited.where(Invitation.status == "accepted")

    def rows(column: Any, codes: tuple[str, ...], *joins: Any) -> list[ReachRow]:
        statement = select(column, func.count(),
                           func.count().filter(Registration.id.in_(invited)),
                           func.count().filter(Registration.id.in_(accepted)))
        statement = statement.select_from(Registration)
        for join in joins:
            statement = statement.join(join)
        counts = {code: (int(r), int(i), int(a)) for code, r, i, a in session.execute(
            statement.where(Registration.withdrawn_at.is_(None)).group_by(column))}
        return [ReachRow(code, *counts.get(code, (0, 0, 0))) for code in codes]

    return WorkshopReach(
        by_category=rows(Registration.category, CATEGORY_CODES),
        by_pillar=rows(RegistrationPillar.pillar, PILLAR_CODES, RegistrationPillar),
        by_state=rows(Registration.state, STATE_CODES),
    )
