"""`alliance87 seed-roadmap --commitments N`: a demo roadmap for development and benchmarks."""

from __future__ import annotations

import argparse
import getpass
import random
import sys
from typing import Any

from app.core.clock import utcnow
from app.core.db import begin_write, new_session
from app.roadmap.plan.seed import RoadmapNotEmpty, seed_roadmap
from app.services import audit


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "seed-roadmap", help="add demo outcomes and N commitments led by existing registrations")
    parser.add_argument("--commitments", type=int, required=True, help="how many to add")
    parser.add_argument("--seed", type=int, default=None, help="random seed, for repeatable data")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    if arguments.commitments < 1:
        print("alliance87: --commitments must be at least 1", file=sys.stderr)
        return 2
    rng = random.Random(arguments.seed)  # noqa: S311 - demo data, not secrets
    with new_session() as session:
        begin_write(session)
        try:
            outcomes, commitments = seed_roadmap(
                session=session, commitments=arguments.commitments, rng=rng, now=utcnow(),
                actor=audit.Actor(None, getpass.getuser()))
        except RoadmapNotEmpty:
            print("alliance87: the roadmap already has commitments; demo data would mix with "
                  "them. Use another DATABASE_URL.", file=sys.stderr)
            return 1
        session.commit()
    print(f"added {outcomes} outcomes and {commitments} commitments")
    return 0
