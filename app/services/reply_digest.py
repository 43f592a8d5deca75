"""The secretariat's digest of workshop replies: who accepted, declined or waits, at most hourly.

Each reply is noted (`note`) in the transaction that records it. The mail worker makes a
digest of the notes not yet told (`queue_digest`, run by `workshop_due.run_due` on every
pass of `send-emails`): at once after a quiet spell, then at most one an hour while
replies keep coming. A digest claims its notes with one UPDATE in the transaction that
queues its mail, and each digest names the one before it under a unique constraint, so
however many workers run, each reply is told once and no two digests cross.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Row, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.i18n import N_, format_myt
from app.core.templating import environment, language_context, text_environment
from app.models import Invitation, OutboxMail, Registration, ReplyDigest, ReplyNotice, Workshop
from app.services import mail_queue
from app.services.mail_content import MailCannotBeRendered, RenderedMail
from app.services.workshop_seats import held_seats

KIND = "reply_digest"
# While replies keep coming, a digest goes at most this often.
DIGEST_EVERY = dt.timedelta(hours=1)
SUBJECT = N_("Workshop replies: %(count)s new")


def note(*, session: Session, invitation: Invitation, outcome: str, now: dt.datetime) -> None:
    """Note a reply (or an offer that ran out) for the next digest, as the invitation is now."""
    seats = sum(not person.walk_in for person in invitation.representatives)
    session.add(ReplyNotice(
        invitation_id=invitation.id, outcome=outcome, at=now,
        seats=seats if outcome in ("accepted", "offer_taken", "waiting") else 0,
        reason=invitation.decline_reason if outcome == "declined" else "",
        channel=invitation.reply_channel if outcome != "offer_expired" else ""))


def _last_digest(session: Session) -> Row[int, dt.datetime] | None:
    return session.execute(select(ReplyDigest.id, ReplyDigest.made_at)
                           .order_by(ReplyDigest.id.desc()).limit(1)).first()


def digest_due(*, session: Session, now: dt.datetime) -> bool:
    """Say whether a digest is due: replies wait, and none went in the last DIGEST_EVERY."""
    if session.scalar(select(ReplyNotice.id).where(ReplyNotice.digest_id.is_(None))
                      .limit(1)) is None:
        return False
    last = _last_digest(session)
    return last is None or now >= last.made_at + DIGEST_EVERY


def queue_digest(*, session: Session, now: dt.datetime) -> int:
    """Queue a digest of the replies not yet told, if one is due; return how many it tells.

    None is due within DIGEST_EVERY of the last. The caller owns the (writing) transaction.
    """
    last = _last_digest(session)
    if last is not None and now < last.made_at + DIGEST_EVERY:
        return 0
    digest = ReplyDigest(follows_id=last.id if last is not None else 0, made_at=now)
    try:
        with session.begin_nested():
            # The claim: another worker storing a digest after the same one fails here.
            session.add(digest)
            session.flush()
    except IntegrityError:
        return 0
    told = cast(CursorResult[Any], session.execute(
        update(ReplyNotice).where(ReplyNotice.digest_id.is_(None))
        .values(digest_id=digest.id).execution_options(synchronize_session=False))).rowcount
    if not told:
        session.delete(digest)
        session.flush()
        return 0
    mail = OutboxMail(**mail_queue.to_secretariat(KIND, registration_id=None, now=now))
    session.add(mail)
    session.flush()
    digest.mail_id = mail.id
    session.flush()
    return int(told)


@dataclass
class WorkshopReplies:
    """One workshop's part of a digest: its replies, oldest first, and its seats now."""

    workshop: Workshop
    staff_url: str
    seats_taken: int
    replies: list[tuple[ReplyNotice, Registration]] = field(default_factory=list)


def _replies(session: Session, mail: OutboxMail) -> list[WorkshopReplies]:
    rows = session.execute(
        select(ReplyNotice, Registration, Workshop)
        .join(ReplyDigest, ReplyDigest.id == ReplyNotice.digest_id)
        .join(Invitation, Invitation.id == ReplyNotice.invitation_id)
        .join(Registration, Registration.id == Invitation.registration_id)
        .join(Workshop, Workshop.id == Invitation.workshop_id)
        .where(ReplyDigest.mail_id == mail.id)
        .order_by(Workshop.starts_at, Workshop.id, ReplyNotice.at, ReplyNotice.id)).all()
    if not rows:
        raise MailCannotBeRendered(f"mail {mail.id} has no replies to tell")
    base = get_settings().public_base_url.rstrip("/")
    groups: dict[int, WorkshopReplies] = {}
    for notice, registration, workshop in rows:
        group = groups.get(workshop.id)
        if group is None:
            group = groups[workshop.id] = WorkshopReplies(
                workshop, f"{base}/staff/workshops/{workshop.id}",
                held_seats(session=session, workshop_id=workshop.id))
        group.replies.append((notice, registration))
    return list(groups.values())


def _count(session: Session, mail: OutboxMail) -> int:
    return int(session.scalar(
        select(func.count(ReplyNotice.id)).join(ReplyDigest)
        .where(ReplyDigest.mail_id == mail.id)) or 0)


def subject(*, session: Session, mail: OutboxMail) -> str:
    """Return the digest's subject, with how many replies it tells."""
    translate = language_context(mail.language)["_"]
    return str(translate(SUBJECT) % {"count": _count(session, mail)})


def render(*, session: Session, mail: OutboxMail) -> RenderedMail:
    """Render a digest now, from the replies it claimed, as they were noted."""
    workshops = _replies(session, mail)
    context = {**language_context(mail.language), "workshops": workshops, "when": format_myt,
               "count": sum(len(group.replies) for group in workshops)}
    return RenderedMail(
        subject(session=session, mail=mail),
        text_environment().get_template("email/reply_digest.txt").render(context),
        environment().get_template("email/reply_digest.html").render(context),
    )
