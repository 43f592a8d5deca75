"""All tables, imported together so that Alembic and the app see one metadata."""

from app.models.announcement import Announcement
from app.models.base import Base
from app.models.call import CallDeadline, PortalSetting
from app.models.duplicate import DuplicateDismissal
from app.models.idempotency import IdempotencyRecord
from app.models.outbox import OutboxMail
from app.models.registration import (
    Registration,
    RegistrationEvent,
    RegistrationFocusArea,
    RegistrationPillar,
)
from app.models.reply_digest import ReplyDigest, ReplyNotice
from app.models.roadmap import RoadmapCommitment, RoadmapOutcome, RoadmapPartner
from app.models.roadmap_reports import RoadmapEvidence, RoadmapPeriod, RoadmapReport
from app.models.staff import ApiToken, AuditLog, RecoveryCode, StaffSession, StaffUser
from app.models.workshop import Invitation, Representative, WorkingGroup, Workshop

__all__ = [
    "Announcement",
    "ApiToken",
    "AuditLog",
    "Base",
    "CallDeadline",
    "DuplicateDismissal",
    "IdempotencyRecord",
    "Invitation",
    "OutboxMail",
    "PortalSetting",
    "RecoveryCode",
    "Registration",
    "RegistrationEvent",
    "RegistrationFocusArea",
    "RegistrationPillar",
    "ReplyDigest",
    "ReplyNotice",
    "Representative",
    "RoadmapCommitment",
    "RoadmapEvidence",
    "RoadmapOutcome",
    "RoadmapPartner",
    "RoadmapPeriod",
    "RoadmapReport",
    "StaffSession",
    "StaffUser",
    "WorkingGroup",
    "Workshop",
]
