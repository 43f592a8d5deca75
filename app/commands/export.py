"""`alliance87 export --format csv|xlsx --output FILE`: the registrant list, as staff export it."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tqdm import tqdm

from app.core.clock import utcnow
from app.core.db import begin_write, new_session
from app.schemas.staff import RegistrationFilters
from app.services import audit, exports
from app.services.staff_registrations import count_registrations


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export", help="write the registrations to a CSV or XLSX file (logged in the audit log)")
    parser.add_argument("--format", required=True, choices=("csv", "xlsx"), dest="file_format")
    parser.add_argument("--output", required=True, help="the file to write")
    parser.add_argument("--lang", default="ms", choices=("ms", "en"),
                        help="language of the headings and labels (default: ms)")
    for name in ("category", "state", "pillar", "focus-area", "invitation-status"):
        parser.add_argument(f"--{name}", default=None, help="only registrations with this code")
    parser.add_argument("--search", default="", help="text in names, emails or the reference")
    parser.add_argument("--withdrawn", default="exclude", choices=("exclude", "include", "only"))
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    try:
        filters = RegistrationFilters(
            q=arguments.search, category=arguments.category, state=arguments.state,
            pillar=arguments.pillar, focus_area=arguments.focus_area,
            invitation_status=arguments.invitation_status, withdrawn=arguments.withdrawn)
    except ValidationError as error:
        wrong = ", ".join(str(e["loc"][0]) for e in error.errors())
        print(f"alliance87: unknown code for {wrong}; see GET /api/v1/call", file=sys.stderr)
        return 2
    output = Path(arguments.output)
    header = exports.headers(arguments.lang)
    written = 0

    def advance(rows: int) -> None:
        nonlocal written
        written += rows
        bar.update(rows)

    # Written beside the target and renamed at the end: a failed export leaves no half file.
    handle, partial = tempfile.mkstemp(prefix=".export-", dir=output.parent or ".")
    os.close(handle)
    try:
        with new_session() as session:
            total = count_registrations(session=session, filters=filters)
            with tqdm(total=total, unit="row", desc=f"export {arguments.file_format}",
                      file=sys.stderr) as bar:
                rows = exports.counted(
                    exports.export_rows(session=session, filters=filters, language=arguments.lang),
                    advance)
                if arguments.file_format == "csv":
                    with open(partial, "wb") as target:
                        for chunk in exports.csv_chunks(rows, header):
                            target.write(chunk)
                else:
                    exports.write_xlsx(partial, rows, header)
            session.rollback()  # end the read before taking the write lock for the log
            begin_write(session)
            audit.record_export(session=session, staff_user_id=None,
                                file_format=arguments.file_format, via="cli",
                                filters=filters.active(), language=arguments.lang,
                                row_count=written, now=utcnow(),
                                actor=f"cli:{getpass.getuser()}")
            session.commit()
        os.replace(partial, output)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    print(f"Wrote {written} registrations to {output}.", file=sys.stderr)
    return 0
