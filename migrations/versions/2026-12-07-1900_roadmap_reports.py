"""roadmap reports: reporting periods, a report per commitment and period, evidence files

SPEC 8.2: a period's request mail, and its one reminder, go once per lead (a unique index on
the outbox, as announcements have); a report's private link is signed from its id and nonce; evidence
files are kept in the database, so that every instance of the portal reads them.

Revision ID: 0014_roadmap_reports
Revises: 0013_second_factor
Create Date: 2026-12-07 19:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_roadmap_reports"
down_revision: str | None = "0013_second_factor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = "'requested', 'submitted', 'approved', 'returned'"
SCALE = "'not_started', 'limited', 'substantial', 'completed'"


def upgrade() -> None:
    op.create_table(
        "roadmap_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("label <> ''", name=op.f("ck_roadmap_period_label_given")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_roadmap_period_ends_after_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_period")),
    )
    op.create_table(
        "roadmap_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("link_nonce", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=True),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("narrative_ms", sa.Text(), nullable=False),
        sa.Column("narrative_en", sa.Text(), nullable=False),
        sa.Column("evidence_urls", sa.Text(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"state IN ({STATES})", name=op.f("ck_roadmap_report_state_known")),
        sa.CheckConstraint(f"status IS NULL OR status IN ({SCALE})",
                           name=op.f("ck_roadmap_report_status_known")),
        sa.CheckConstraint("progress IS NULL OR progress BETWEEN 0 AND 100",
                           name=op.f("ck_roadmap_report_progress_range")),
        sa.ForeignKeyConstraint(["period_id"], ["roadmap_period.id"], ondelete="CASCADE",
                                name=op.f("fk_roadmap_report_period_id_roadmap_period")),
        sa.ForeignKeyConstraint(["commitment_id"], ["roadmap_commitment.id"], ondelete="CASCADE",
                                name=op.f("fk_roadmap_report_commitment_id_roadmap_commitment")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_report")),
        sa.UniqueConstraint("period_id", "commitment_id",
                            name=op.f("uq_roadmap_report_period_id")),
    )
    op.create_index(op.f("ix_roadmap_report_period_id"), "roadmap_report", ["period_id"])
    op.create_index(op.f("ix_roadmap_report_commitment_id"), "roadmap_report", ["commitment_id"])
    op.create_table(
        "roadmap_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("content_type IN ('application/pdf', 'image/png', 'image/jpeg')",
                           name=op.f("ck_roadmap_evidence_type_known")),
        sa.ForeignKeyConstraint(["report_id"], ["roadmap_report.id"], ondelete="CASCADE",
                                name=op.f("fk_roadmap_evidence_report_id_roadmap_report")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_evidence")),
    )
    op.create_index(op.f("ix_roadmap_evidence_report_id"), "roadmap_evidence", ["report_id"])
    with op.batch_alter_table("outbox_mail") as batch:
        batch.add_column(sa.Column("roadmap_period_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("roadmap_report_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_outbox_mail_roadmap_period_id_roadmap_period"),
                                 "roadmap_period", ["roadmap_period_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_foreign_key(op.f("fk_outbox_mail_roadmap_report_id_roadmap_report"),
                                 "roadmap_report", ["roadmap_report_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index("uq_outbox_mail_roadmap_period_registration",
                           ["roadmap_period_id", "registration_id", "kind"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("outbox_mail") as batch:
        batch.drop_index("uq_outbox_mail_roadmap_period_registration")
        batch.drop_constraint(op.f("fk_outbox_mail_roadmap_report_id_roadmap_report"),
                              type_="foreignkey")
        batch.drop_constraint(op.f("fk_outbox_mail_roadmap_period_id_roadmap_period"),
                              type_="foreignkey")
        batch.drop_column("roadmap_report_id")
        batch.drop_column("roadmap_period_id")
    op.drop_index(op.f("ix_roadmap_evidence_report_id"), table_name="roadmap_evidence")
    op.drop_table("roadmap_evidence")
    op.drop_index(op.f("ix_roadmap_report_commitment_id"), table_name="roadmap_report")
    op.drop_index(op.f("ix_roadmap_report_period_id"), table_name="roadmap_report")
    op.drop_table("roadmap_report")
    op.drop_table("roadmap_period")
