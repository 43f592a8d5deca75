"""Migration 0006 carries the hand-typed invitation statuses over to invitations, and back;
migration 0008 drops the old planning page's capacity setting, and puts it back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url

from tests.conftest import _TMP, IS_POSTGRES, TEST_DATABASE_URL, alembic_config

ROW = {
    "submitted_at": "2022-10-10 01:00:00", "updated_at": "2022-10-10 01:00:00",
    "organisation_name": "Org", "category": "cso", "category_other": "",
    "registration_number": "", "address": "Jalan 1", "postcode": "50000", "state": "selangor",
    "website": "", "contact_name": "Aisyah", "contact_designation": "Pengarah",
    "contact_email": "a@example.org", "contact_email_key": "a@example.org",
    "contact_phone": "+60123456789", "interest_statement": "x", "workshop_attendees": 2,
    "preferred_language": "ms", "consent_pdpa": True, "consent_share_partners": False,
    "staff_notes": "",
}


@pytest.fixture
def database_url() -> Iterator[str]:
    if not IS_POSTGRES:
        path = _TMP / "workshop-migration.sqlite3"
        path.unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_workshop_migration"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def test_old_statuses_become_invitations_and_come_back_on_downgrade(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0004")
    engine = sa.create_engine(database_url)
    statuses = {"AAAAAAA2": "confirmed", "AAAAAAA3": "declined", "AAAAAAA4": "not_invited",
                "AAAAAAA5": "invited"}
    with engine.begin() as connection:
        for reference, status in statuses.items():
            row = {**ROW, "reference": reference, "organisation_key": reference,
                   "invitation_status": status}
            connection.execute(sa.text(
                f"INSERT INTO registration ({', '.join(row)}) "  # noqa: S608 - literal names
                f"VALUES ({', '.join(':' + key for key in row)})"), row)
            connection.execute(sa.text(
                "INSERT INTO registration_pillar SELECT id, 'prevention' FROM registration "
                "WHERE reference = :reference"), {"reference": reference})

    command.upgrade(config, "0006")
    with engine.connect() as connection:
        carried = dict(connection.execute(sa.text(
            "SELECT registration.reference, invitation.status FROM invitation "
            "JOIN registration ON registration.id = invitation.registration_id")).all())
        capacity = connection.scalar(sa.text("SELECT capacity FROM workshop"))
        pillars = connection.scalar(sa.text("SELECT count(*) FROM registration_pillar"))
    assert carried == {"AAAAAAA2": "accepted", "AAAAAAA3": "declined", "AAAAAAA5": "invited"}
    assert capacity == 2  # the seats confirmed, with no capacity set
    assert pillars == 4  # rebuilding the registration table on SQLite lost nothing

    command.downgrade(config, "0004")
    with engine.connect() as connection:
        back = dict(connection.execute(sa.text(
            "SELECT reference, invitation_status FROM registration")).all())
        pillars = connection.scalar(sa.text("SELECT count(*) FROM registration_pillar"))
    assert back == statuses and pillars == 4
    engine.dispose()


def test_the_planning_capacity_setting_is_dropped_and_comes_back_from_the_first_workshop(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0009_reply_digest")
    engine = sa.create_engine(database_url)
    setting = ("INSERT INTO portal_setting (key, value, updated_by, updated_at) "
               "VALUES (:key, :value, 'staff:1', '2022-10-10 01:00:00')")
    with engine.begin() as connection:
        connection.execute(sa.text(setting), [{"key": "workshop_capacity", "value": "40"},
                                              {"key": "retention_days", "value": "365"}])
        for title, capacity in (("Pertama", 25), ("Kedua", 60)):
            connection.execute(sa.text(
                "INSERT INTO workshop (title_ms, title_en, starts_at, ends_at, venue, "
                "online_url, replies_close_at, capacity, max_representatives, created_at, "
                "updated_at) VALUES (:title, :title, '2022-11-15 01:00:00', "
                "'2022-11-15 09:00:00', 'Putrajaya', '', '2022-11-08 01:00:00', :capacity, 3, "
                "'2022-10-10 01:00:00', '2022-10-10 01:00:00')"),
                {"title": title, "capacity": capacity})

    def settings() -> dict[str, str]:
        with engine.connect() as connection:
            return {str(key): str(value) for key, value in connection.execute(
                sa.text("SELECT key, value FROM portal_setting"))}

    command.upgrade(config, "0010_planning_capacity")
    assert settings() == {"retention_days": "365"}

    command.downgrade(config, "0009_reply_digest")
    assert settings() == {"retention_days": "365", "workshop_capacity": "25"}
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM workshop"))
        connection.execute(sa.text("DELETE FROM portal_setting WHERE key = 'workshop_capacity'"))
    command.upgrade(config, "0010_planning_capacity")
    command.downgrade(config, "0009_reply_digest")
    assert settings() == {"retention_days": "365"}  # no workshop: nothing to put back
    engine.dispose()
