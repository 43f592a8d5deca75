"""`alliance87 purge`: personal data goes, the anonymous counts stay."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from app.cli import main
from app.core.clock import utcnow
from app.models import IdempotencyRecord, OutboxMail, Registration
from app.services.mailer import deliver_due
from tests.factories import registration_payload
from tests.smtp import SmtpServer

URL = "/api/v1/registrations"


def _register(client: TestClient, **fields: object) -> str:
    response = client.post(URL, json=registration_payload(**fields),
                           headers={"Idempotency-Key": f"key-{fields}"})
    assert response.status_code == 201
    return str(response.json()["reference"])


def _set(engine: Engine, reference: str, **values: object) -> None:
    with Session(engine) as session, session.begin():
        session.execute(update(Registration).where(Registration.reference == reference)
                        .values(**values))


def test_purge_erases_withdrawn_and_expired_registrations_and_keeps_counts(
    committed_client: TestClient, committed_db: Engine, capsys: pytest.CaptureFixture[str],
    smtp_server: SmtpServer,
) -> None:
    kept = _register(committed_client, contact_name="Kept Person", category="academic")
    withdrawn = _register(committed_client, contact_name="Withdrawn Person", category="cso")
    old = _register(committed_client, contact_name="Old Person", category="other",
                    category_other="Koperasi")
    now = utcnow()  # the requests ran on the test clock, in 2022; purge runs on the real one
    _set(committed_db, kept, submitted_at=now - dt.timedelta(days=30))
    _set(committed_db, withdrawn, submitted_at=now, withdrawn_at=now)
    _set(committed_db, old, submitted_at=now - dt.timedelta(days=400))
    with Session(committed_db) as session:
        session.execute(update(IdempotencyRecord).values(created_at=now - dt.timedelta(days=2)))
        session.commit()
        assert deliver_due(session=session, settings=smtp_server.settings()).sent == 6

    assert main(["purge", "--set-retention-days", "365"]) == 0

    assert "Erased the personal data of 2 registrations" in capsys.readouterr().out
    with Session(committed_db) as session:
        rows = {r.reference: r for r in session.scalars(select(Registration))}
        mails = session.scalars(select(OutboxMail)).all()
        remembered = session.scalar(select(func.count()).select_from(IdempotencyRecord))
    assert rows[kept].contact_name == "Kept Person"
    for reference in (withdrawn, old):
        erased = rows[reference]
        assert erased.contact_name == erased.contact_email == "[erased]"
        assert erased.contact_phone == "" and erased.interest_statement == "[erased]"
        assert erased.pillars == ["prevention", "partnership"]
    assert {r.category for r in rows.values()} == {"academic", "cso", "other"}
    mail_text = " ".join(m.to_address + m.body_text + m.subject for m in mails)
    assert "Withdrawn Person" not in mail_text and "Old Person" not in mail_text
    assert "Kept Person" in mail_text
    assert remembered == 0


def test_purging_twice_erases_nothing_more(
    committed_client: TestClient, committed_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    withdrawn = _register(committed_client)
    _set(committed_db, withdrawn, withdrawn_at=utcnow())
    with Session(committed_db) as session, session.begin():
        session.execute(update(OutboxMail).values(status="sent"))
    main(["purge"])

    main(["purge"])

    assert "Erased the personal data of 0 registrations" in capsys.readouterr().out.splitlines()[-1]


def test_a_registration_with_mail_still_to_send_waits_for_the_next_purge(
    committed_client: TestClient, committed_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    withdrawn = _register(committed_client, contact_name="Leaving Person")
    _set(committed_db, withdrawn, withdrawn_at=utcnow())

    main(["purge"])

    assert "Erased the personal data of 0 registrations" in capsys.readouterr().out
    with Session(committed_db) as session:
        assert session.scalars(select(Registration.contact_name)).one() == "Leaving Person"
        assert all(m.status == "queued" and m.to_address != "[erased]"
                   for m in session.scalars(select(OutboxMail)))
