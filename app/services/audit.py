"""The audit log: who exported personal data, and who changed accounts, tokens and settings."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditLog, StaffUser


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: a member of staff, or someone at the command line."""

    staff_user_id: int | None
    command_line_user: str | None = None


def record_change(
    *, session: Session, actor: Actor, action: str, now: dt.datetime,
    detail: dict[str, Any] | None = None, row_count: int | None = None,
) -> AuditLog:
    """Add one entry to the audit log for a change `actor` made."""
    detail = dict(detail or {})
    if actor.command_line_user is not None:
        detail["actor"] = f"cli:{actor.command_line_user}"
    return record(session=session, action=action, staff_user_id=actor.staff_user_id, now=now,
                  detail=detail, row_count=row_count)


def record(
    *, session: Session, action: str, staff_user_id: int | None, now: dt.datetime,
    detail: dict[str, Any] | None = None, row_count: int | None = None,
) -> AuditLog:
    """Add one entry to the audit log; `detail` is kept as JSON."""
    entry = AuditLog(at=now, staff_user_id=staff_user_id, action=action,
                     detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
                     row_count=row_count)
    session.add(entry)
    session.flush()
    return entry


def record_export(
    *, session: Session, staff_user_id: int | None, file_format: str, via: str,
    filters: dict[str, str], language: str, row_count: int, now: dt.datetime,
    actor: str | None = None,
) -> AuditLog:
    """Log one export: who, when, in which format, with which filters, and how many rows."""
    detail: dict[str, Any] = {"format": file_format, "via": via, "filters": filters,
                              "language": language}
    if actor:
        detail["actor"] = actor
    return record(session=session, action="export", staff_user_id=staff_user_id, now=now,
                  detail=detail, row_count=row_count)


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    staff_email: str | None
    action: str
    detail: dict[str, Any]
    row_count: int | None


def list_audit(*, session: Session, page: int, per_page: int) -> tuple[list[AuditEntry], int]:
    """Return one page of the audit log, newest first, and the number of entries."""
    total = int(session.scalar(select(func.count()).select_from(AuditLog)) or 0)
    rows = session.execute(
        select(AuditLog, StaffUser.email).outerjoin(StaffUser)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    )
    entries = []
    for entry, email in rows:
        try:
            detail = json.loads(entry.detail or "{}")
        except ValueError:
            detail = {"text": entry.detail}
        entries.append(AuditEntry(entry.at, email, entry.action,
                                  detail if isinstance(detail, dict) else {"text": detail},
                                  entry.row_count))
    return entries, total
