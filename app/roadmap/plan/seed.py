"""Plausible demo roadmap data, for trying the pages and for measuring them."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Registration, RoadmapCommitment, RoadmapOutcome, RoadmapPartner
from app.services import audit
from app.vocab import PILLARS

OUTCOMES_PER_PILLAR = 5
NAMED_BODIES = ("Jabatan Tenaga Kerja Semenanjung Malaysia", "Kementerian Sumber Manusia",
                "Majlis Anti Pemerdagangan Orang dan Anti Penyeludupan Migran (MAPO)",
                "Polis Diraja Malaysia", "Jabatan Imigresen Malaysia",
                "Jabatan Kebajikan Masyarakat")
ACTIONS = (("Kempen kesedaran", "Awareness campaign"), ("Latihan pegawai", "Officer training"),
           ("Garis panduan", "Guidelines"), ("Kajian", "Study"),
           ("Talian bantuan", "Helpline"), ("Audit rantaian bekalan", "Supply chain audit"))


class RoadmapNotEmpty(Exception):
    """The roadmap already has commitments; demo data would mix with them."""


def seed_roadmap(*, session: Session, commitments: int, rng: random.Random, now: dt.datetime,
                 actor: audit.Actor) -> tuple[int, int]:
    """Add outcomes under every pillar and `commitments` commitments spread over them."""
    if session.scalar(select(func.count()).select_from(RoadmapCommitment)):
        raise RoadmapNotEmpty
    taken = set(session.scalars(select(RoadmapOutcome.number)))
    outcomes = []
    for pillar_number, pillar in enumerate(PILLARS, 1):
        for index in range(1, OUTCOMES_PER_PILLAR + 1):
            number = f"{pillar_number}.{index}"
            if number in taken:
                continue
            outcomes.append(RoadmapOutcome(
                number=number, pillar=pillar.code,
                title_ms=f"{pillar.ms}: hasil {number}", title_en=f"{pillar.en}: outcome {number}",
                indicator_ms=f"Penunjuk bagi hasil {number}",
                indicator_en=f"Indicator for outcome {number}", baseline=str(rng.randint(0, 40)),
                baseline_year=2021, target=str(rng.randint(50, 100)), target_year=2025,
                created_at=now, updated_at=now))
    session.add_all(outcomes)
    session.flush()
    all_outcomes = list(session.scalars(select(RoadmapOutcome)))
    registration_ids = list(session.scalars(select(Registration.id)))
    counters: dict[str, int] = {}
    for _ in range(commitments):
        outcome = rng.choice(all_outcomes)
        counters[outcome.number] = counters.get(outcome.number, 0) + 1
        action_ms, action_en = rng.choice(ACTIONS)
        starts = dt.date(2023, rng.randint(1, 12), 1)
        lead_id = rng.choice(registration_ids) if registration_ids and rng.random() < 0.7 else None
        others = [i for i in registration_ids if i != lead_id]
        partners = rng.sample(others, min(len(others), rng.randint(0, 3)))
        session.add(RoadmapCommitment(
            code=f"{outcome.number}.{counters[outcome.number]}", outcome_id=outcome.id,
            title_ms=f"{action_ms} {outcome.number}", title_en=f"{action_en} {outcome.number}",
            description_ms="Aktiviti contoh untuk pembangunan.",
            description_en="A sample activity for development.",
            lead_registration_id=lead_id, lead_name="" if lead_id else rng.choice(NAMED_BODIES),
            starts_on=starts, ends_on=starts + dt.timedelta(days=rng.randint(90, 1000)),
            weight=rng.randint(1, 5), created_at=now, updated_at=now,
            partner_rows=[RoadmapPartner(registration_id=registration_id, position=position)
                          for position, registration_id in enumerate(partners)]))
    session.flush()
    audit.record_change(session=session, actor=actor, action="roadmap_seeded", now=now,
                        detail={"outcomes": len(outcomes)}, row_count=commitments)
    return len(outcomes), commitments
