"""Erase personal data that is no longer needed, keeping the anonymous counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from app.models import (
    IdempotencyRecord,
    Invitation,
    OutboxMail,
    PortalSetting,
    Registration,
    RegistrationEvent,
    ReplyNotice,
    Representative,
)

ERASED = "[erased]"
ERASED_KEY_PREFIX = "erased:"
RETENTION_SETTING = "retention_days"
# A retry comes within minutes; after a day a remembered answer only keeps personal data.
IDEMPOTENCY_KEEP = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    registrations: int
    idempotency_records: int


def is_erased(registration: Registration) -> bool:
    """Say whether a registration's personal data has been erased."""
    return registration.contact_email_key.startswith(ERASED_KEY_PREFIX)


def retention_days(*, session: Session) -> int | None:
    """Return the retention period the secretariat set, in days, if any."""
    value = session.get(PortalSetting, RETENTION_SETTING)
    return int(value.value) if value else None


def set_retention_days(*, session: Session, days: int, set_by: str, now: dt.datetime) -> None:
    """Record the retention period for personal data."""
    setting = session.get(PortalSetting, RETENTION_SETTING)
    if setting is None:
        setting = PortalSetting(key=RETENTION_SETTING, value="", updated_by="", updated_at=now)
        session.add(setting)
    setting.value, setting.updated_by, setting.updated_at = str(days), set_by, now
    session.flush()


def due_for_erasure(*, now: dt.datetime, keep_for: dt.timedelta | None) -> list[object]:
    """Return the conditions for registrations whose personal data is no longer needed."""
    conditions: list[object] = [Registration.withdrawn_at.is_not(None)]
    if keep_for is not None:
        conditions.append(Registration.submitted_at < now - keep_for)
    return conditions


def purge(*, session: Session, now: dt.datetime, keep_for: dt.timedelta | None) -> PurgeResult:
    """Erase the personal data of withdrawn registrations and of those older than `keep_for`."""
    # A registration whose mail is still on its way (a withdrawal's confirmation, say)
    # waits for the next purge, so that mail is not blanked before it is sent.
    mail_pending = (
        select(OutboxMail.id)
        .where(
            OutboxMail.registration_id == Registration.id,
            OutboxMail.status.in_(("queued", "inflight", "retry")),
        )
        .exists()
    )
    ids = list(
        session.scalars(
            select(Registration.id).where(
                or_(*due_for_erasure(now=now, keep_for=keep_for)),  # type: ignore[arg-type]
                ~Registration.contact_email_key.startswith(ERASED_KEY_PREFIX),
                ~mail_pending,
            )
        )
    )
    for registration_id in ids:
        _erase(session=session, registration_id=registration_id, now=now)
    removed = cast(
        CursorResult[Any],
        session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - IDEMPOTENCY_KEEP)
        ),
    )
    session.flush()
    return PurgeResult(registrations=len(ids), idempotency_records=removed.rowcount or 0)


def _erase(*, session: Session, registration_id: int, now: dt.datetime) -> None:
    key = f"{ERASED_KEY_PREFIX}{registration_id}"
    session.execute(
        update(Registration)
        .where(Registration.id == registration_id)
        .values(
            organisation_name=ERASED,
            organisation_key=key,
            category_other=_erased_if_other(),
            registration_number="",
            address=ERASED,
            postcode="",
            website="",
            contact_name=ERASED,
            contact_designation=ERASED,
            contact_email=ERASED,
            contact_email_key=key,
            contact_phone="",
            interest_statement=ERASED,
            staff_notes="",
            manage_token_hash=None,
            link_nonce=None,  # every private link mailed to it stops working
            updated_at=now,
        )
    )
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.registration_id == registration_id)
        .values(to_address=ERASED, subject=ERASED, body_text="", body_html="")
    )
    session.execute(
        update(RegistrationEvent)
        .where(RegistrationEvent.registration_id == registration_id)
        .values(detail="")
    )
    # The organisation's workshop representatives are people too: names, contacts and
    # accessibility or dietary needs (which can be health data) go with the registration.
    invitations = select(Invitation.id).where(Invitation.registration_id == registration_id)
    session.execute(
        update(Representative)
        .where(Representative.invitation_id.in_(invitations))
        .values(full_name=ERASED, designation=ERASED, email=ERASED, phone="", needs="")
    )
    session.execute(
        update(Invitation)
        .where(Invitation.registration_id == registration_id)
        .values(decline_reason="")
    )
    session.execute(
        update(ReplyNotice).where(ReplyNotice.invitation_id.in_(invitations)).values(reason="")
    )
    session.add(
        RegistrationEvent(
            registration_id=registration_id, at=now, actor="system", action="erased", detail=""
        )
    )


def _erased_if_other() -> object:
    from sqlalchemy import case

    # The check constraint wants a description exactly when the category is "other".
    return case((Registration.category == "other", ERASED), else_="")
