"""roadmap: outcomes, commitments and their partner organisations

The Alliance 8.7 Roadmap as rows (SPEC 8.1). An outcome has a unique number under one
pillar; a commitment has a unique code under one outcome, and one lead: a registration or
the name of a body that never registered. Registrations are never deleted, so the foreign
keys to them restrict.

Revision ID: 0011_roadmap
Revises: 0010_planning_capacity
Create Date: 2026-12-07 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_roadmap"
down_revision: str | None = "0010_planning_capacity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PILLARS = "'prevention', 'protection', 'prosecution_enforcement', 'partnership'"
YEARS = "BETWEEN 2000 AND 2100"


def upgrade() -> None:
    op.create_table(
        "roadmap_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("pillar", sa.String(length=32), nullable=False),
        sa.Column("title_ms", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("indicator_ms", sa.String(length=500), nullable=False),
        sa.Column("indicator_en", sa.String(length=500), nullable=False),
        sa.Column("baseline", sa.String(length=100), nullable=False),
        sa.Column("baseline_year", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("target_year", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"pillar IN ({PILLARS})", name=op.f("ck_roadmap_outcome_pillar_known")),
        sa.CheckConstraint("number <> ''", name=op.f("ck_roadmap_outcome_number_given")),
        sa.CheckConstraint(f"baseline_year IS NULL OR baseline_year {YEARS}",
                           name=op.f("ck_roadmap_outcome_baseline_year_range")),
        sa.CheckConstraint(f"target_year IS NULL OR target_year {YEARS}",
                           name=op.f("ck_roadmap_outcome_target_year_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_outcome")),
        sa.UniqueConstraint("number", name=op.f("uq_roadmap_outcome_number")),
    )
    op.create_table(
        "roadmap_commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("title_ms", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("description_ms", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("lead_registration_id", sa.Integer(), nullable=True),
        sa.Column("lead_name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("code <> ''", name=op.f("ck_roadmap_commitment_code_given")),
        sa.CheckConstraint("(lead_registration_id IS NULL) <> (lead_name = '')",
                           name=op.f("ck_roadmap_commitment_one_lead")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_roadmap_commitment_ends_after_start")),
        sa.CheckConstraint("weight BETWEEN 1 AND 100", name=op.f("ck_roadmap_commitment_weight_range")),
        sa.ForeignKeyConstraint(["outcome_id"], ["roadmap_outcome.id"], ondelete="RESTRICT",
                                name=op.f("fk_roadmap_commitment_outcome_id_roadmap_outcome")),
        sa.ForeignKeyConstraint(["lead_registration_id"], ["registration.id"], ondelete="RESTRICT",
                                name=op.f("fk_roadmap_commitment_lead_registration_id_registration")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_commitment")),
        sa.UniqueConstraint("code", name=op.f("uq_roadmap_commitment_code")),
    )
    op.create_index(op.f("ix_roadmap_commitment_outcome_id"), "roadmap_commitment",
                    ["outcome_id"])
    op.create_index(op.f("ix_roadmap_commitment_lead_registration_id"), "roadmap_commitment",
                    ["lead_registration_id"])
    op.create_table(
        "roadmap_partner",
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_roadmap_partner_position_not_negative")),
        sa.ForeignKeyConstraint(["commitment_id"], ["roadmap_commitment.id"], ondelete="CASCADE",
                                name=op.f("fk_roadmap_partner_commitment_id_roadmap_commitment")),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"], ondelete="RESTRICT",
                                name=op.f("fk_roadmap_partner_registration_id_registration")),
        sa.PrimaryKeyConstraint("commitment_id", "registration_id", name=op.f("pk_roadmap_partner")),
    )
    op.create_index(op.f("ix_roadmap_partner_registration_id"), "roadmap_partner",
                    ["registration_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_roadmap_partner_registration_id"), table_name="roadmap_partner")
    op.drop_table("roadmap_partner")
    op.drop_index(op.f("ix_roadmap_commitment_lead_registration_id"),
                  table_name="roadmap_commitment")
    op.drop_index(op.f("ix_roadmap_commitment_outcome_id"), table_name="roadmap_commitment")
    op.drop_table("roadmap_commitment")
    op.drop_table("roadmap_outcome")
