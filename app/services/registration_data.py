"""A registration's data as JSON, for its private link: all the portal holds about it (PDPA).

The document has one section per table that holds rows about the registration, named as
the table, and every column of each; only the columns in WITHHELD are left out, each for
the reason given. A test checks this against the schema, so a column added later is in
the document unless someone decides here that it must not be.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.models import (
    AuditLog,
    Invitation,
    OutboxMail,
    Registration,
    RegistrationEvent,
    RegistrationFocusArea,
    RegistrationPillar,
    ReplyNotice,
    Representative,
    RoadmapCommitment,
    RoadmapEvidence,
    RoadmapPartner,
    RoadmapReport,
    Workshop,
)
from app.models.base import table_of

PRIVATE_LINK_KEY = "the secret behind a private link, which the link itself already is"
MATCHING_COPY = "a copy of another column, folded for matching"
WITHHELD: dict[str, dict[str, str]] = {
    "registration": {
        "link_nonce": PRIVATE_LINK_KEY, "manage_token_hash": PRIVATE_LINK_KEY,
        "organisation_key": MATCHING_COPY, "contact_email_key": MATCHING_COPY,
    },
    "invitation": {"link_nonce": PRIVATE_LINK_KEY, "token_hash": PRIVATE_LINK_KEY},
    "outbox_mail": {
        "body_text": "the mail's body, which was sent to the contact person",
        "body_html": "the mail's body, which was sent to the contact person",
    },
    "representative": {"checked_in_by": "the internal number of a staff account"},
    "audit_log": {"staff_user_id": "the internal number of a staff account"},
    "roadmap_report": {"link_nonce": PRIVATE_LINK_KEY},
    "roadmap_evidence": {"content": "the file itself, which the report's page downloads"},
}

# Tables that refer to a registration but hold nothing about it alone, so not in the document.
NOT_ABOUT_IT: dict[str, str] = {
    "duplicate_dismissal": "staff's note that two registrations are different organisations; "
                           "it names the other one",
    "reply_digest": "the secretariat's digest of many organisations' replies; this "
                    "registration's replies it told are in reply_notice",
}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _rows(session: Session, table: Table, condition: Any) -> list[dict[str, Any]]:
    withheld = WITHHELD.get(table.name, {})
    columns = [column for column in table.columns if column.name not in withheld]
    ordering = [column for column in table.primary_key.columns]
    return [{key: _plain(value) for key, value in row.items()}
            for row in session.execute(
                select(*columns).where(condition).order_by(*ordering)).mappings()]


def _audit_entries(session: Session, reference: str) -> list[dict[str, Any]]:
    # The audit log names a registration by its reference, in each entry's JSON detail.
    entries = _rows(session, table_of(AuditLog), AuditLog.detail.contains(reference))
    for entry in entries:
        entry["detail"] = json.loads(entry["detail"] or "{}")
    return [entry for entry in entries if _names(entry["detail"], reference)]


def _names(detail: Any, reference: str) -> bool:
    if isinstance(detail, dict):
        return any(_names(value, reference) for value in detail.values())
    if isinstance(detail, list):
        return any(_names(value, reference) for value in detail)
    return bool(detail == reference)


def registration_document(*, session: Session, registration: Registration,
                          now: dt.datetime) -> dict[str, Any]:
    """Return everything the portal holds about one registration, as plain JSON values."""
    invitation_ids = list(session.scalars(
        select(Invitation.id).where(Invitation.registration_id == registration.id)))
    invitations = _rows(session, table_of(Invitation),
                        Invitation.registration_id == registration.id)
    titles = {row.id: row for row in session.execute(
        select(Workshop.id, Workshop.title_ms, Workshop.title_en, Workshop.starts_at)
        .where(Workshop.id.in_([row["workshop_id"] for row in invitations])))}
    for row in invitations:
        workshop = titles[row["workshop_id"]]
        row["workshop"] = {"title_ms": workshop.title_ms, "title_en": workshop.title_en,
                           "starts_at": _plain(workshop.starts_at)}
    [about] = _rows(session, table_of(Registration), Registration.id == registration.id)
    led = select(RoadmapCommitment.id).where(
        RoadmapCommitment.lead_registration_id == registration.id)
    return {
        "reference": registration.reference,
        "produced_at": now.isoformat(),
        "withheld": WITHHELD,
        "registration": about,
        "registration_pillar": _rows(session, table_of(RegistrationPillar),
                                     RegistrationPillar.registration_id == registration.id),
        "registration_focus_area": _rows(
            session, table_of(RegistrationFocusArea),
            RegistrationFocusArea.registration_id == registration.id),
        "invitation": invitations,
        "representative": _rows(session, table_of(Representative),
                                Representative.invitation_id.in_(invitation_ids)),
        "registration_event": _rows(session, table_of(RegistrationEvent),
                                    RegistrationEvent.registration_id == registration.id),
        "outbox_mail": _rows(session, table_of(OutboxMail),
                             (OutboxMail.registration_id == registration.id)
                             | OutboxMail.invitation_id.in_(invitation_ids)),
        "reply_notice": _rows(session, table_of(ReplyNotice),
                              ReplyNotice.invitation_id.in_(invitation_ids)),
        # The roadmap's commitments it leads, and those it is a partner in.
        "roadmap_commitment": _rows(
            session, table_of(RoadmapCommitment),
            RoadmapCommitment.lead_registration_id == registration.id),
        "roadmap_partner": _rows(session, table_of(RoadmapPartner),
                                 RoadmapPartner.registration_id == registration.id),
        # Its progress reports on the commitments it leads, and their evidence files.
        "roadmap_report": _rows(session, table_of(RoadmapReport),
                                RoadmapReport.commitment_id.in_(led)),
        "roadmap_evidence": _rows(session, table_of(RoadmapEvidence),
                                  RoadmapEvidence.report_id.in_(select(RoadmapReport.id).where(
                                      RoadmapReport.commitment_id.in_(led)))),
        "audit_log": _audit_entries(session, registration.reference),
    }
