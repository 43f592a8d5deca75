"""Workshop planning: who registered, what they want to work on, and seats against capacity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import PortalSetting, Registration, RegistrationFocusArea, RegistrationPillar
from app.services import audit
from app.services.staff_registrations import invitation_status
from app.vocab import (
    CATEGORY_CODES,
    FOCUS_AREA_CODES,
    INVITATION_STATUS_CODES,
    PILLAR_CODES,
    STATE_CODES,
)

CAPACITY_KEY = "workshop_capacity"
MAX_CAPACITY = 100_000


@dataclass(frozen=True)
class Bar:
    code: str
    count: int
    # Length of the bar, 0–100, relative to the longest bar of its chart.
    percent: float


@dataclass(frozen=True)
class Seats:
    offered: int
    invited: int
    confirmed: int
    declined: int
    capacity: int | None

    @property
    def committed(self) -> int:
        """Seats already offered to organisations: invited or confirmed."""
        return self.invited + self.confirmed

    @property
    def remaining(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.committed

    def percent_of_scale(self, value: int) -> float:
        """Return `value` as a share of the larger of the capacity and the seats offered."""
        scale = max(self.capacity or 0, self.offered, 1)
        return round(100 * value / scale, 1)


@dataclass(frozen=True)
class WorkshopSummary:
    registrations: int
    attending: int
    by_category: list[Bar]
    by_state: list[Bar]
    by_pillar: list[Bar]
    by_focus_area: list[Bar]
    by_invitation_status: list[Bar]
    seats: Seats


def bars(counts: dict[str, int], codes: tuple[str, ...]) -> list[Bar]:
    """Return one bar per code, in the vocabulary's order, scaled to the largest count."""
    largest = max(counts.values(), default=0) or 1
    return [Bar(code, counts.get(code, 0), round(100 * counts.get(code, 0) / largest, 1))
            for code in codes]


def _grouped(session: Session, column: Any, *joins: Any) -> dict[str, int]:
    statement = select(column, func.count()).select_from(Registration)
    for join in joins:
        statement = statement.join(join)
    statement = statement.where(Registration.withdrawn_at.is_(None)).group_by(column)
    return {code: int(count) for code, count in session.execute(statement)}


def workshop_capacity(*, session: Session) -> int | None:
    """Return the workshop's capacity in seats, if staff have set it."""
    value = session.scalar(select(PortalSetting.value).where(PortalSetting.key == CAPACITY_KEY))
    return int(value) if value is not None and value.isdigit() else None


def set_workshop_capacity(
    *, session: Session, capacity: int, set_by: str, now: dt.datetime,
    staff_user_id: int | None = None,
) -> None:
    """Record the number of seats the workshop has."""
    if not 0 <= capacity <= MAX_CAPACITY:
        raise ValueError(f"capacity must be between 0 and {MAX_CAPACITY}")
    setting = session.get(PortalSetting, CAPACITY_KEY)
    if setting is None:
        setting = PortalSetting(key=CAPACITY_KEY, value="", updated_by=set_by, updated_at=now)
        session.add(setting)
    setting.value, setting.updated_by, setting.updated_at = str(capacity), set_by, now
    session.flush()
    audit.record(session=session, action="capacity_set", staff_user_id=staff_user_id, now=now,
                 detail={"capacity": capacity})


def workshop_summary(*, session: Session) -> WorkshopSummary:
    """Count the registrations still standing by category, state, pillar and focus area."""
    active = Registration.withdrawn_at.is_(None)
    registrations, attending = session.execute(select(
        func.count(), func.count().filter(Registration.workshop_attendees > 0)
    ).where(active)).one()
    # Each registration counts once, by its invitation to the latest workshop.
    status = invitation_status()
    seats_by_status = dict(session.execute(
        select(status, func.sum(Registration.workshop_attendees))
        .where(active).group_by(status)).all())
    statuses = _grouped(session, status)
    seats = Seats(
        offered=int(sum(v or 0 for v in seats_by_status.values())),
        invited=int(sum(seats_by_status.get(code) or 0
                        for code in ("invited", "waiting", "offered"))),
        confirmed=int(seats_by_status.get("accepted") or 0),
        declined=int(seats_by_status.get("declined") or 0),
        capacity=workshop_capacity(session=session),
    )
    return WorkshopSummary(
        registrations=int(registrations),
        attending=int(attending),
        by_category=bars(_grouped(session, Registration.category), CATEGORY_CODES),
        by_state=bars(_grouped(session, Registration.state), STATE_CODES),
        by_pillar=bars(_grouped(session, RegistrationPillar.pillar, RegistrationPillar),
                       PILLAR_CODES),
        by_focus_area=bars(_grouped(session, RegistrationFocusArea.focus_area,
                                    RegistrationFocusArea), FOCUS_AREA_CODES),
        by_invitation_status=bars(statuses, ("not_invited", *INVITATION_STATUS_CODES)),
        seats=seats,
    )
