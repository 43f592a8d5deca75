"""Links mailed before signed links keep working after the migration that brings them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from app.models import Invitation, OutboxMail, Registration
from app.services import invitation_links, private_links
from app.services.mail_content import render_mail
from tests.conftest import alembic_config, empty_database_url
from tests.test_workshop_migration import ROW

# Links as the portal mailed them before: 43 random characters, only the SHA-256 stored.
MANAGE_TOKEN = "pXx6r1o0dYk3Yb3p2cN8Vq9Qm4Tz7LwHs5Ua1Be2Cf0"
INVITATION_TOKEN = "Jq8Wm2Zr5Tn1Xb7Lc4Vd9Hf3Gk6Sp0Ay2Ue8Io5Rt1"
WORKSHOP = {
    "title_ms": "Bengkel", "title_en": "Workshop", "starts_at": "2022-11-15 01:00:00",
    "ends_at": "2022-11-15 09:00:00", "venue": "Putrajaya", "online_url": "",
    "replies_close_at": "2022-11-08 01:00:00", "capacity": 10, "max_representatives": 3,
    "created_at": "2022-10-10 01:00:00", "updated_at": "2022-10-10 01:00:00",
}


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@pytest.fixture
def database_url() -> Iterator[str]:
    with empty_database_url("private-link-migration") as url:
        yield url


def _insert(connection: sa.Connection, table: str, row: dict[str, object]) -> int:
    return int(connection.execute(sa.text(
        f"INSERT INTO {table} ({', '.join(row)}) "  # noqa: S608 - literal names
        f"VALUES ({', '.join(':' + key for key in row)}) RETURNING id"), row).scalar_one())


def test_links_already_mailed_keep_working_until_a_new_link_is_made(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0007")
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        registration_id = _insert(connection, "registration", {
            **ROW, "reference": "AAAAAAA2", "organisation_key": "org",
            "manage_token_hash": _sha256(MANAGE_TOKEN)})
        other_id = _insert(connection, "registration", {
            **ROW, "reference": "AAAAAAA3", "organisation_key": "other",
            "contact_email_key": "b@example.org"})
        workshop_id = _insert(connection, "workshop", WORKSHOP)
        invitation = {"workshop_id": workshop_id, "status": "invited",
                      "invited_at": "2022-10-11 01:00:00", "reply_channel": "",
                      "decline_reason": ""}
        invitation_id = _insert(connection, "invitation", {
            **invitation, "registration_id": registration_id,
            "token_hash": _sha256(INVITATION_TOKEN)})
        cancelled_id = _insert(connection, "invitation", {
            **invitation, "registration_id": other_id, "status": "cancelled"})
        # A confirmation still waiting to go, its token beside it as the outbox kept it.
        _insert(connection, "outbox_mail", {
            "registration_id": registration_id, "kind": "confirmation",
            "to_address": "a@example.org", "language": "ms", "body_text": "",
            "body_html": "", "manage_token": MANAGE_TOKEN, "message_id": "<m1@example>",
            "status": "queued", "attempts": 0, "next_attempt_at": "2022-10-10 01:00:00",
            "last_error": "", "created_at": "2022-10-10 01:00:00"})

    command.upgrade(config, "head")

    assert "manage_token" not in {c["name"] for c in sa.inspect(engine).get_columns("outbox_mail")}
    with Session(engine) as session:
        registration = private_links.find_by_token(session=session, token=MANAGE_TOKEN)
        assert registration is not None and registration.id == registration_id
        reply = invitation_links.find_by_token(session=session, token=INVITATION_TOKEN)
        assert reply is not None and reply.id == invitation_id
        cancelled = session.get(Invitation, cancelled_id)
        assert cancelled is not None and cancelled.link_nonce is None
        assert invitation_links.invitation_token(cancelled) is None
        # The signed links work beside the old ones, and the waiting mail carries one.
        signed = private_links.manage_token(registration)
        assert signed is not None
        assert private_links.find_by_token(session=session, token=signed) is registration
        assert invitation_links.find_by_token(
            session=session, token=str(invitation_links.invitation_token(reply))) is reply
        waiting = session.scalars(sa.select(OutboxMail)).one()
        assert f"/manage/{signed}" in render_mail(session=session, mail=waiting).body_text

        # Making a new link is what ends the old ones.
        private_links.make_new_manage_link(registration=registration)
        invitation_links.make_new_link(reply)
        session.commit()
        assert private_links.find_by_token(session=session, token=MANAGE_TOKEN) is None
        assert private_links.find_by_token(session=session, token=signed) is None
        assert invitation_links.find_by_token(session=session, token=INVITATION_TOKEN) is None
        other = session.get(Registration, other_id)
        assert other is not None and other.link_nonce is not None

    command.downgrade(config, "0007")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("outbox_mail")}
    assert "manage_token" in columns
    engine.dispose()
