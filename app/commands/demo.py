"""`alliance87 seed-demo --count N`: plausible, varied demo registrations."""

from __future__ import annotations

import argparse
import random
import sys
from itertools import islice
from typing import Any

from sqlalchemy import func, insert, select
from tqdm import tqdm

from app.core.clock import utcnow
from app.core.db import begin_write, new_session
from app.models import Registration, RegistrationFocusArea, RegistrationPillar
from app.services.demo import DEMO_EMAIL_DOMAIN, demo_registrations

BATCH_SIZE = 1000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "seed-demo", help="add N plausible demo registrations (no mail is queued for them)"
    )
    parser.add_argument("--count", type=int, required=True, help="how many to add")
    parser.add_argument("--seed", type=int, default=None, help="random seed, for repeatable data")
    parser.add_argument(
        "--force", action="store_true", help="run even if the database holds real registrations"
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    if arguments.count < 1:
        print("alliance87: --count must be at least 1", file=sys.stderr)
        return 2
    rng = random.Random(arguments.seed)  # noqa: S311 - demo data, not secrets
    with new_session() as session:
        real = session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(~Registration.contact_email_key.endswith("@" + DEMO_EMAIL_DOMAIN))
        )
        if real and not arguments.force:
            print(
                f"alliance87: this database holds {real} real registrations; demo data would "
                "mix with them. Use another DATABASE_URL, or --force.",
                file=sys.stderr,
            )
            return 1
        taken = set(session.scalars(select(Registration.reference)))
        earlier = session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.contact_email_key.endswith("@" + DEMO_EMAIL_DOMAIN))
        ) or 0
        session.commit()
        rows = demo_registrations(arguments.count, rng=rng, now=utcnow(), taken=taken,
                                  first=earlier)
        with tqdm(total=arguments.count, unit="reg", desc="seed-demo", file=sys.stderr) as bar:
            while batch := list(islice(rows, BATCH_SIZE)):
                begin_write(session)
                registrations = [row for row, _, _ in batch]
                ids = session.scalars(
                    insert(Registration).returning(Registration.id, sort_by_parameter_order=True),
                    registrations,
                ).all()
                pillars = [
                    {"registration_id": i, "pillar": code}
                    for i, (_, codes, _) in zip(ids, batch, strict=True)
                    for code in codes
                ]
                focus = [
                    {"registration_id": i, "focus_area": code}
                    for i, (_, _, codes) in zip(ids, batch, strict=True)
                    for code in codes
                ]
                session.execute(insert(RegistrationPillar), pillars)
                if focus:
                    session.execute(insert(RegistrationFocusArea), focus)
                session.commit()
                bar.update(len(batch))
    print(f"Added {arguments.count} demo registrations.")
    return 0
