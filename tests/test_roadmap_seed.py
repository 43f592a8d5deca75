"""`alliance87 seed-roadmap`: a demo roadmap whose public document follows its schema."""

from __future__ import annotations

import jsonschema_rs
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.cli import main
from app.models import RoadmapCommitment, RoadmapPartner
from app.roadmap.publication.document_schema import ROADMAP_SCHEMA
from app.roadmap.publication.public import roadmap_document


def test_seed_roadmap_adds_commitments_led_by_registrations_and_named_bodies(
    committed_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed-demo", "--count", "30", "--seed", "7"]) == 0

    assert main(["seed-roadmap", "--commitments", "60", "--seed", "7"]) == 0

    with Session(committed_db) as session:
        leads = session.scalars(select(RoadmapCommitment.lead_registration_id)).all()
        assert len(leads) == 60
        assert any(lead is None for lead in leads) and any(lead for lead in leads)
        assert session.scalar(select(func.count()).select_from(RoadmapPartner))
        document = roadmap_document(session=session)
    jsonschema_rs.validator_for(ROADMAP_SCHEMA).validate(document)
    assert sum(pillar["commitments"] for pillar in document["pillars"]) == 60
    assert main(["seed-roadmap", "--commitments", "5"]) == 1
    assert "already has commitments" in capsys.readouterr().err
