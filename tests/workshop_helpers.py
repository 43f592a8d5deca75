"""Workshops, invitations and reply links for the workshop tests."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from app.models import Invitation, OutboxMail, Registration
from app.schemas.workshop import WorkshopCreate
from app.services import staff_auth, workshops
from app.services.workshop_mail import render as render_mail
from tests.staff_helpers import SETUP, registration, staff_user

STARTS = dt.datetime(2022, 11, 15, 9, 0, tzinfo=MALAYSIA)
# After the registration deadline, before the workshop.
NOW = dt.datetime(2022, 10, 21, 10, 0, tzinfo=MALAYSIA)
LINK = re.compile(r"http://127\.0\.0\.1:8000(/invitation/([A-Za-z0-9_.-]+))")
# Representatives as a reply form names them: full name, designation, email.
AISYAH = ("Aisyah binti Ahmad", "Pengarah", "aisyah@example.org.my")
RAVI = ("Ravi a/l Kumar", "Pegawai Program", "ravi@example.org.my")


def workshop_payload(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title_ms": "Bengkel perancangan strategik", "title_en": "Strategic planning workshop",
        "starts_at": STARTS.isoformat(), "ends_at": (STARTS + dt.timedelta(hours=8)).isoformat(),
        "venue": "Dewan Besar, Putrajaya", "online_url": "https://meet.example.my/bengkel",
        "replies_close_at": (STARTS - dt.timedelta(days=7)).isoformat(),
        "capacity": 10, "max_representatives": 3,
    }
    values.update(overrides)
    return values


def api_token(session: Session, role: str = "admin") -> dict[str, str]:
    """Return the Authorization header of a new staff member's API token."""
    user = staff_user(session, role=role)
    token, _ = staff_auth.create_token(session=session, user=user, now=dt.datetime.now(dt.UTC),
                                       actor=SETUP)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def create_workshop(client: TestClient, headers: dict[str, str], **overrides: Any) -> int:
    response = client.post("/api/v1/workshops", json=workshop_payload(**overrides),
                           headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def invite(client: TestClient, headers: dict[str, str], workshop_id: int,
           *references: str) -> dict[str, Any]:
    response = client.post(f"/api/v1/workshops/{workshop_id}/invitations",
                           json={"references": list(references)}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def latest_link(session: Session, registration: Registration) -> tuple[str, str]:
    """Return the path and token of the newest workshop mail's link, as it would be sent."""
    session.expire_all()
    mails = session.scalars(
        select(OutboxMail).where(OutboxMail.registration_id == registration.id,
                                 OutboxMail.kind.like("workshop_%"))
        .order_by(OutboxMail.id.desc())).all()
    found = LINK.search(render_mail(session=session, mail=mails[0]).body_text)
    assert found is not None
    return found.group(1), found.group(2)


@dataclass(frozen=True)
class Invited:
    """An admin's API headers, a workshop, one registration invited to it, and its link."""

    headers: dict[str, str]
    registration: Registration
    workshop_id: int
    path: str
    token: str


def invited(client: TestClient, session: Session, *, workshop: dict[str, Any] | None = None,
            **registration_overrides: Any) -> Invited:
    """Create a workshop through the API, invite one new registration, return its link."""
    headers = api_token(session)
    workshop_id = create_workshop(client, headers, **(workshop or {}))
    registered = registration(session, **registration_overrides)
    invite(client, headers, workshop_id, registered.reference)
    path, token = latest_link(session, registered)
    return Invited(headers, registered, workshop_id, path, token)


def accept_form(guard: str, *people: tuple[str, str, str], **extra: str) -> dict[str, str]:
    form = {"guard": guard, "answer": "accept", **extra}
    for number, (name, designation, email) in enumerate(people):
        form |= {f"representatives-{number}-full_name": name,
                 f"representatives-{number}-designation": designation,
                 f"representatives-{number}-email": email}
    return form


def invitation_of(session: Session, registration: Registration, workshop_id: int) -> Invitation:
    session.expire_all()
    return session.scalars(select(Invitation).where(
        Invitation.registration_id == registration.id,
        Invitation.workshop_id == workshop_id)).one()


def mail_kinds(session: Session, registration: Registration) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(OutboxMail.kind).where(
        OutboxMail.registration_id == registration.id, OutboxMail.kind.like("workshop_%"))
        .order_by(OutboxMail.id)))


def stored_workshop(session: Session, *, capacity: int,
                    starts_at: dt.datetime | None = None, **overrides: object) -> int:
    """Store a workshop (replies close a week before it starts) and commit it."""
    starts = starts_at or dt.datetime(2022, 11, 15, 9, 0, tzinfo=MALAYSIA)
    details = WorkshopCreate.model_validate({
        "title_ms": "Bengkel", "title_en": "Workshop", "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=8), "venue": "Putrajaya",
        "replies_close_at": starts - dt.timedelta(days=7), "capacity": capacity, **overrides})
    workshop = workshops.create_workshop(session=session, details=details, staff_user_id=None,
                                         now=NOW)
    session.commit()
    return workshop.id
