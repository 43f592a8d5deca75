"""What staff see of announcements: who sent what, when, to how many, and how delivery goes."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Announcement, OutboxMail, Registration, StaffUser
from app.vocab import ANNOUNCEMENT_DELIVERY, DELIVERY_OF_MAIL_STATUS


@dataclass(frozen=True, slots=True)
class AnnouncementSummary:
    """An announcement with its author's email and its delivered/waiting/failed counts."""

    announcement: Announcement
    sent_by: str | None
    delivery: dict[str, int]

    @property
    def filters(self) -> dict[str, Any]:
        loaded = json.loads(self.announcement.filters or "{}")
        return loaded if isinstance(loaded, dict) else {}


@dataclass(frozen=True, slots=True)
class RecipientRow:
    """One recipient of an announcement and what became of its mail."""

    reference: str | None
    organisation_name: str
    to_address: str
    language: str
    delivery: str
    sent_at: dt.datetime | None
    last_error: str


def delivery_counts(*, session: Session, announcement_ids: list[int]) -> dict[int, dict[str, int]]:
    """Count each announcement's mails as delivered, waiting or failed."""
    counts = {announcement_id: {term.code: 0 for term in ANNOUNCEMENT_DELIVERY}
              for announcement_id in announcement_ids}
    if not announcement_ids:
        return counts
    for announcement_id, status, count in session.execute(
            select(OutboxMail.announcement_id, OutboxMail.status, func.count())
            .where(OutboxMail.announcement_id.in_(announcement_ids))
            .group_by(OutboxMail.announcement_id, OutboxMail.status)):
        if announcement_id is not None:
            counts[announcement_id][DELIVERY_OF_MAIL_STATUS[status]] += int(count)
    return counts


def list_announcements(
    *, session: Session, limit: int = 50, offset: int = 0
) -> tuple[list[AnnouncementSummary], int]:
    """Return a page of announcements, newest first, and how many there are."""
    total = int(session.scalar(select(func.count()).select_from(Announcement)) or 0)
    rows = session.execute(
        select(Announcement, StaffUser.email)
        .outerjoin(StaffUser, StaffUser.id == Announcement.created_by)
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(limit).offset(offset)).all()
    counts = delivery_counts(session=session, announcement_ids=[row[0].id for row in rows])
    return [AnnouncementSummary(announcement, email, counts[announcement.id])
            for announcement, email in rows], total


def find_announcement(*, session: Session, announcement_id: int) -> AnnouncementSummary | None:
    """Return one announcement with its author and delivery counts, if it exists."""
    row = session.execute(
        select(Announcement, StaffUser.email)
        .outerjoin(StaffUser, StaffUser.id == Announcement.created_by)
        .where(Announcement.id == announcement_id)).first()
    if row is None:
        return None
    counts = delivery_counts(session=session, announcement_ids=[announcement_id])
    return AnnouncementSummary(row[0], row[1], counts[announcement_id])


def announcement_recipients(
    *, session: Session, announcement_id: int, limit: int = 100, offset: int = 0
) -> list[RecipientRow]:
    """Return a page of an announcement's recipients, by organisation, with delivery status."""
    rows = session.execute(
        select(Registration.reference, Registration.organisation_name, OutboxMail.to_address,
               OutboxMail.language, OutboxMail.status, OutboxMail.sent_at, OutboxMail.last_error)
        .outerjoin(Registration, Registration.id == OutboxMail.registration_id)
        .where(OutboxMail.announcement_id == announcement_id)
        .order_by(Registration.organisation_key, OutboxMail.id)
        .limit(limit).offset(offset))
    return [RecipientRow(reference, organisation_name or "", to_address, language,
                         DELIVERY_OF_MAIL_STATUS[status], sent_at, last_error)
            for reference, organisation_name, to_address, language, status, sent_at, last_error
            in rows]
