"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 09:09:44.788466+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_as", sa.String(length=40), nullable=False),
        sa.Column("set_by", sa.String(length=320), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_deadline")),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_record")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_record_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "portal_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_portal_setting")),
    )
    op.create_table(
        "registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=8), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("organisation_key", sa.String(length=600), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("category_other", sa.String(length=200), nullable=False),
        sa.Column("registration_number", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("postcode", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_designation", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("contact_email_key", sa.String(length=960), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("interest_statement", sa.Text(), nullable=False),
        sa.Column("workshop_attendees", sa.Integer(), nullable=False),
        sa.Column("preferred_language", sa.String(length=2), nullable=False),
        sa.Column("consent_pdpa", sa.Boolean(), nullable=False),
        sa.Column("consent_share_partners", sa.Boolean(), nullable=False),
        sa.Column("manage_token_hash", sa.String(length=64), nullable=True),
        sa.Column("invitation_status", sa.String(length=16), nullable=False),
        sa.Column("staff_notes", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "(category = 'other') = (category_other <> '')",
            name=op.f("ck_registration_category_other_iff_other"),
        ),
        sa.CheckConstraint(
            "category IN ('public_organisation', 'private_organisation', 'workers_union', 'employers_union', 'cso', 'academic', 'other')",
            name=op.f("ck_registration_category_known"),
        ),
        sa.CheckConstraint(
            "invitation_status IN ('not_invited', 'invited', 'confirmed', 'declined')",
            name=op.f("ck_registration_invitation_status_known"),
        ),
        sa.CheckConstraint(
            "preferred_language IN ('ms', 'en')", name=op.f("ck_registration_language_known")
        ),
        sa.CheckConstraint(
            "state IN ('johor', 'kedah', 'kelantan', 'melaka', 'negeri_sembilan', 'pahang', 'perak', 'perlis', 'pulau_pinang', 'sabah', 'sarawak', 'selangor', 'terengganu', 'wp_kuala_lumpur', 'wp_labuan', 'wp_putrajaya', 'outside_malaysia')",
            name=op.f("ck_registration_state_known"),
        ),
        sa.CheckConstraint("consent_pdpa", name=op.f("ck_registration_consent_pdpa_given")),
        sa.CheckConstraint(
            "workshop_attendees BETWEEN 0 AND 3", name=op.f("ck_registration_attendees_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
        sa.UniqueConstraint("manage_token_hash", name=op.f("uq_registration_manage_token_hash")),
        sa.UniqueConstraint("reference", name=op.f("uq_registration_reference")),
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_registration_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registration_submitted_at"), ["submitted_at"], unique=False
        )
        batch_op.create_index(
            "uq_registration_organisation_contact",
            ["organisation_key", "contact_email_key"],
            unique=True,
        )

    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=960), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'viewer')", name=op.f("ck_staff_user_role_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("email_key", name=op.f("uq_staff_user_email_key")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_api_token_staff_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_token_staff_user_id"), ["staff_user_id"], unique=False
        )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_audit_log_staff_user_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "outbox_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'inflight', 'retry', 'failed', 'sent')",
            name=op.f("ck_outbox_mail_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_outbox_mail_registration_id_registration"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_mail")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_mail_message_id")),
    )
    with op.batch_alter_table("outbox_mail", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_mail_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_mail_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "registration_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_registration_event_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_event")),
    )
    with op.batch_alter_table("registration_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_event_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "registration_focus_area",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("focus_area", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "focus_area IN ('awareness', 'legal_compliance_enforcement', 'labour_migration', 'remedy_protection_services', 'child_labour', 'supply_chains')",
            name=op.f("ck_registration_focus_area_focus_area_known"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_registration_focus_area_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "registration_id", "focus_area", name=op.f("pk_registration_focus_area")
        ),
    )
    with op.batch_alter_table("registration_focus_area", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_focus_area_focus_area"), ["focus_area"], unique=False
        )

    op.create_table(
        "registration_pillar",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("pillar", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "pillar IN ('prevention', 'protection', 'prosecution_enforcement', 'partnership')",
            name=op.f("ck_registration_pillar_pillar_known"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_registration_pillar_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("registration_id", "pillar", name=op.f("pk_registration_pillar")),
    )
    with op.batch_alter_table("registration_pillar", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_pillar_pillar"), ["pillar"], unique=False)

    op.create_table(
        "staff_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_session_staff_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_staff_session")),
    )
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_session_staff_user_id"), ["staff_user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_session_staff_user_id"))

    op.drop_table("staff_session")
    with op.batch_alter_table("registration_pillar", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_pillar_pillar"))

    op.drop_table("registration_pillar")
    with op.batch_alter_table("registration_focus_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_focus_area_focus_area"))

    op.drop_table("registration_focus_area")
    with op.batch_alter_table("registration_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_event_registration_id"))

    op.drop_table("registration_event")
    with op.batch_alter_table("outbox_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_mail_registration_id"))
        batch_op.drop_index("ix_outbox_mail_due")

    op.drop_table("outbox_mail")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_staff_user_id"))

    op.drop_table("api_token")
    op.drop_table("staff_user")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index("uq_registration_organisation_contact")
        batch_op.drop_index(batch_op.f("ix_registration_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_registration_state"))
        batch_op.drop_index(batch_op.f("ix_registration_category"))

    op.drop_table("registration")
    op.drop_table("portal_setting")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_created_at"))

    op.drop_table("idempotency_record")
    op.drop_table("call_deadline")
