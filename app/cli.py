"""The `alliance87` command: one sub-command per module in app/commands/."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from app.core.config import describe_settings_error

# Each module has `register(subparsers)`, which adds its sub-commands with a `handler`.
COMMAND_MODULES = (
    "app.commands.deadline",
    "app.commands.demo",
    "app.commands.mail",
    "app.commands.staff",
    "app.commands.export",
    "app.commands.purge",
    "app.commands.development",
    "app.roadmap.plan.commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance87", description="Alliance 8.7 Malaysia registration portal"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command and return its exit status."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        status: int = arguments.handler(arguments)
    except ValidationError as error:
        # A bad setting: one clear line, not a traceback.
        print(f"alliance87: invalid setting: {describe_settings_error(error)}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
