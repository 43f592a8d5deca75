"""workshops: workshops as rows, invitations with a private link, representatives

The hand-typed `registration.invitation_status` is replaced by the invitations' real
state. If any registration had a status other than `not_invited`, one workshop is made
for them ("Strategic planning workshop", 15 November 2022, 9 am–5 pm Malaysian time, venue
"To be confirmed", capacity from the old capacity setting or the seats confirmed, whichever
is larger) and each becomes an invitation: invited → invited, confirmed → accepted,
declined → declined. They have no private link yet (staff re-send the invitation to issue
one) and confirmed organisations have no named representatives. Staff edit the workshop's
details afterwards.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-28 09:30:00+00:00
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'invited', 'accepted', 'declined', 'waiting', 'offered', 'expired', 'cancelled'"
CHANNELS = "'', 'link', 'phone', 'letter', 'email'"
OLD_TO_NEW = {"invited": "invited", "confirmed": "accepted", "declined": "declined"}
MYT = dt.timezone(dt.timedelta(hours=8))


# Tables whose rows point at a registration. On SQLite, changing `registration`'s columns
# rebuilds the table, and dropping the old copy runs its foreign keys' ON DELETE actions
# (pillars, focus areas and events would be deleted, mail would lose its registration), so
# their rows are kept aside and put back.
CHILD_TABLES = ("registration_pillar", "registration_focus_area", "registration_event",
                "outbox_mail")


@contextmanager
def _children_kept_on_sqlite() -> Iterator[None]:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for table in CHILD_TABLES:
            op.execute(f"CREATE TEMP TABLE keep_{table} AS SELECT * FROM {table}")  # noqa: S608
    yield
    if sqlite:
        for table in CHILD_TABLES:
            op.execute(f"DELETE FROM {table}")  # noqa: S608 - names are literals above
            op.execute(f"INSERT INTO {table} SELECT * FROM keep_{table}")  # noqa: S608
            op.execute(f"DROP TABLE keep_{table}")


def upgrade() -> None:
    old_statuses = op.get_bind().execute(sa.text(
        "SELECT id, invitation_status, workshop_attendees FROM registration "
        "WHERE invitation_status <> 'not_invited' ORDER BY id")).all()
    with _children_kept_on_sqlite(), op.batch_alter_table("registration") as batch:
        batch.drop_constraint(op.f("ck_registration_invitation_status_known"), type_="check")
        batch.drop_column("invitation_status")
    op.create_table(
        "workshop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_ms", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("venue", sa.String(length=500), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        sa.Column("replies_close_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("max_representatives", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_workshop_ends_after_start")),
        sa.CheckConstraint("replies_close_at <= starts_at",
                           name=op.f("ck_workshop_replies_close_before_start")),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_workshop_capacity_not_negative")),
        sa.CheckConstraint("max_representatives BETWEEN 1 AND 20",
                           name=op.f("ck_workshop_max_representatives_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop")),
    )
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_channel", sa.String(length=16), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_invitation_status_known")),
        sa.CheckConstraint(f"reply_channel IN ({CHANNELS})",
                           name=op.f("ck_invitation_reply_channel_known")),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"], ondelete="CASCADE",
                                name=op.f("fk_invitation_registration_id_registration")),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE",
                                name=op.f("fk_invitation_workshop_id_workshop")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("workshop_id", "registration_id",
                            name="uq_invitation_workshop_registration"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    op.create_index("ix_invitation_workshop_status", "invitation", ["workshop_id", "status"])
    op.create_index(op.f("ix_invitation_registration_id"), "invitation", ["registration_id"])
    op.create_table(
        "representative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("designation", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("needs", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["invitation_id"], ["invitation.id"], ondelete="CASCADE",
                                name=op.f("fk_representative_invitation_id_invitation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_representative")),
    )
    op.create_index(op.f("ix_representative_invitation_id"), "representative",
                    ["invitation_id"])
    with op.batch_alter_table("outbox_mail") as batch:
        batch.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_outbox_mail_invitation_id_invitation"), "invitation",
                                 ["invitation_id"], ["id"], ondelete="SET NULL")
    _carry_over_hand_typed_statuses(old_statuses)


def _carry_over_hand_typed_statuses(rows: Sequence[sa.Row[Any]]) -> None:
    connection = op.get_bind()
    if not rows:
        return
    setting = connection.scalar(sa.text(
        "SELECT value FROM portal_setting WHERE key = 'workshop_capacity'"))
    confirmed = sum(attendees for _, status, attendees in rows if status == "confirmed")
    capacity = max(int(setting) if setting and setting.isdigit() else 0, confirmed)
    sqlite = connection.dialect.name == "sqlite"

    def stored(moment: dt.datetime) -> dt.datetime:
        # As the app stores times: UTC, and without an offset on SQLite (UTCDateTime).
        moment = moment.astimezone(dt.UTC)
        return moment.replace(tzinfo=None) if sqlite else moment

    now = stored(dt.datetime.now(dt.UTC))
    starts = dt.datetime(2022, 11, 15, 9, 0, tzinfo=MYT)
    workshop = sa.table("workshop", *(sa.column(name) for name in (
        "id", "title_ms", "title_en", "starts_at", "ends_at", "venue", "online_url",
        "replies_close_at", "capacity", "max_representatives", "created_at", "updated_at")))
    workshop_id = connection.execute(sa.insert(workshop).values(
        title_ms="Bengkel perancangan strategik", title_en="Strategic planning workshop",
        starts_at=stored(starts), ends_at=stored(starts + dt.timedelta(hours=8)),
        venue="To be confirmed", online_url="",
        replies_close_at=stored(starts - dt.timedelta(days=7)), capacity=capacity,
        max_representatives=3, created_at=now, updated_at=now,
    ).returning(workshop.c.id)).scalar_one()
    invitation = sa.table("invitation", *(sa.column(name) for name in (
        "workshop_id", "registration_id", "status", "invited_at", "replied_at",
        "reply_channel", "decline_reason")))
    connection.execute(sa.insert(invitation), [
        {"workshop_id": workshop_id, "registration_id": registration_id,
         "status": OLD_TO_NEW[status], "invited_at": now,
         "replied_at": None if status == "invited" else now,
         "reply_channel": "" if status == "invited" else "email", "decline_reason": ""}
        for registration_id, status, _ in rows
    ])


def downgrade() -> None:
    # The first workshop's answers go back to the hand-typed field.
    first_workshop = op.get_bind().execute(sa.text(
        "SELECT registration_id, status FROM invitation "
        "WHERE workshop_id = (SELECT min(id) FROM workshop)")).all()
    with op.batch_alter_table("outbox_mail") as batch:
        batch.drop_constraint(op.f("fk_outbox_mail_invitation_id_invitation"), type_="foreignkey")
        batch.drop_column("invitation_id")
    with _children_kept_on_sqlite(), op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("invitation_status", sa.String(length=16), nullable=False,
                                   server_default="not_invited"))
        batch.create_check_constraint(
            "invitation_status_known",
            "invitation_status IN ('not_invited', 'invited', 'confirmed', 'declined')")
    old = {"accepted": "confirmed", "declined": "declined", "cancelled": "not_invited"}
    if first_workshop:
        op.get_bind().execute(
            sa.text("UPDATE registration SET invitation_status = :status WHERE id = :id"),
            [{"id": registration_id, "status": old.get(status, "invited")}
             for registration_id, status in first_workshop])
    op.drop_index(op.f("ix_representative_invitation_id"), table_name="representative")
    op.drop_table("representative")
    op.drop_index(op.f("ix_invitation_registration_id"), table_name="invitation")
    op.drop_index("ix_invitation_workshop_status", table_name="invitation")
    op.drop_table("invitation")
    op.drop_table("workshop")
