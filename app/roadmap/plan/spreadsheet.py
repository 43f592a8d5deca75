"""The roadmap's spreadsheet: export commitments to CSV or XLSX, and import the same file back.

An import is all or nothing: every row is checked before any is saved, and one bad cell
anywhere refuses the whole file, naming each bad row and column. Saved rows go through
`commitments.save_commitment`, so a row equal to what is stored changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.core.i18n import N_, gettext
from app.models import RoadmapCommitment
from app.roadmap.plan import commitments
from app.roadmap.plan.schemas import CommitmentCreate, ImportCounts, error_message
from app.services import audit
from app.services.exports import FORMULA_STARTS
from app.services.text_sheets import text_csv, text_xlsx

COLUMNS = ("code", "outcome", "title_ms", "title_en", "description_ms", "description_en",
           "lead_reference", "lead_name", "partners", "starts_on", "ends_on", "weight")
WIDTHS = (9, 9, 40, 40, 60, 60, 14, 40, 30, 12, 12, 8)
MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 2000
_PARTNER_SEPARATORS = re.compile(r"[\s,;]+")
# Where a field's problem is shown: the column that holds it.
_COLUMN_OF_FIELD = {"lead": "lead_reference", "partners": "partners"}

FILE_TOO_LARGE = N_("The file is larger than 1 MB")
NOT_XLSX = N_("This file is not an Excel workbook (.xlsx), though its name says it is")
NOT_CSV = N_("This file is not a CSV file in UTF-8, though its name says it is")
UNKNOWN_KIND = N_("Upload the roadmap as an .xlsx or a .csv file")
MISSING_COLUMN = N_("The header row has no column named {value}")
UNKNOWN_COLUMN = N_("The column {value} is not one the roadmap knows")
TOO_MANY_ROWS = N_("The file has more than 2,000 rows")
CODE_TWICE = N_("The code {value} is on an earlier row too")
NO_ROWS = N_("The file has no commitments")
NO_FILE = N_("Choose the file to upload")
CODE_TAKEN = N_("Another commitment already has this code")
NUMBER_TAKEN = N_("Another outcome already has this number")


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One bad cell: its row (the header is row 1; 0 is the file itself), its column, and why."""

    row: int
    column: str
    message: str
    value: str = ""
    code: str = ""

    def worded(self, language: str) -> str:
        return gettext(language, self.message).format(value=self.value)


def problems_by_row(problems: list[ImportProblem], language: str
                    ) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """Return the problems as rows: number, commitment code, and (column, message) pairs."""
    rows: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for problem in problems:
        code, cells = rows.setdefault(problem.row, (problem.code, []))
        cells.append((problem.column, problem.worded(language)))
    return [(row, code, cells) for row, (code, cells) in sorted(rows.items())]


def split_references(text: str) -> list[str]:
    """Return the references in a cell, separated by commas, semicolons or spaces."""
    return [reference for reference in _PARTNER_SEPARATORS.split(text) if reference]


def column_of(field_name: str) -> str:
    """Return the column (and the back office's form field) that holds a commitment's field."""
    return _COLUMN_OF_FIELD.get(field_name, field_name)


class ImportRefused(Exception):
    """The file has bad rows; nothing was saved."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(problems)
        self.problems = problems


def export_rows(*, session: Session) -> list[list[str]]:
    """Return one row of text cells per commitment, in the import's columns."""
    return [export_cells(commitment)
            for commitment in commitments.list_commitments(session=session)]


def export_cells(commitment: RoadmapCommitment) -> list[str]:
    """Return a commitment's row: text cells in the import's columns."""
    values = commitments.commitment_values(commitment)
    lead = values.pop("lead")
    values.update(lead_reference=lead["reference"] or "", lead_name=lead["name"] or "",
                  partners=", ".join(values["partners"]), weight=str(values["weight"]))
    return [values[column] for column in COLUMNS]


def export_file(*, session: Session, file_format: str) -> tuple[bytes, int]:
    """Return the commitments as a CSV or XLSX file, and how many rows it holds."""
    rows = export_rows(session=session)
    if file_format == "csv":
        return text_csv(rows, COLUMNS), len(rows)
    return text_xlsx(rows, COLUMNS, widths=WIDTHS, sheet_name="commitments"), len(rows)


def _cell_text(value: Any) -> str:
    # Values only: a workbook opened with data_only gives a formula's cached result, never
    # the formula. A date or number retyped in Excel comes back as one; it is read as text.
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    # The CSV export marks text that would run as a formula with a leading quote.
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    import openpyxl  # imported here: only an import needs it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportRefused([ImportProblem(0, "file", NOT_XLSX)]) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([ImportProblem(0, "file", NOT_CSV)]) from None
    if "\x00" in text:
        raise ImportRefused([ImportProblem(0, "file", NOT_CSV)])
    for row in csv.reader(io.StringIO(text, newline="")):
        yield [_cell_text(cell) for cell in row]


def read_rows(*, filename: str, content: bytes) -> list[list[str]]:
    """Return the file's rows as text, refusing a file that is not what its name says."""
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRefused([ImportProblem(0, "file", FILE_TOO_LARGE)])
    name = filename.lower()
    is_zip = content.startswith(b"PK\x03\x04")
    if name.endswith(".xlsx"):
        if not is_zip:
            raise ImportRefused([ImportProblem(0, "file", NOT_XLSX)])
        rows = _xlsx_rows(content)
    elif name.endswith(".csv"):
        if is_zip:
            raise ImportRefused([ImportProblem(0, "file", NOT_CSV)])
        rows = _csv_rows(content)
    else:
        raise ImportRefused([ImportProblem(0, "file", UNKNOWN_KIND)])
    kept: list[list[str]] = []
    for row in rows:
        if len(kept) > MAX_IMPORT_ROWS:
            raise ImportRefused([ImportProblem(0, "file", TOO_MANY_ROWS)])
        kept.append(row)
    return kept


def _header(row: Sequence[str]) -> tuple[dict[str, int], list[ImportProblem]]:
    names = [cell.strip().lower() for cell in row]
    problems = [ImportProblem(1, name, UNKNOWN_COLUMN, name) for name in names
                if name and name not in COLUMNS]
    problems += [ImportProblem(1, column, MISSING_COLUMN, column) for column in COLUMNS
                 if column not in names]
    return {name: index for index, name in enumerate(names) if name in COLUMNS}, problems


def _row_values(cells: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {name: cells[name] for name in (
        "code", "outcome", "title_ms", "title_en", "description_ms", "description_en",
        "starts_on", "ends_on")}
    lead: dict[str, str] = {}
    if cells["lead_reference"]:
        lead["reference"] = cells["lead_reference"]
    if cells["lead_name"]:
        lead["name"] = cells["lead_name"]
    values["lead"] = lead
    values["partners"] = split_references(cells["partners"])
    values["weight"] = cells["weight"] or 1
    return values


def _column(location: Sequence[Any]) -> str:
    if not location:
        return "ends_on"  # the one check across fields: the end date after the start
    return _COLUMN_OF_FIELD.get(str(location[0]), str(location[0]))


def check_cells(cells: dict[str, str]) -> tuple[CommitmentCreate | None, list[tuple[str, str]]]:
    """Return the commitment a row (or the back office's form) describes, or its bad columns.

    The form's fields have the spreadsheet's column names, so both are read the same way.
    """
    try:
        return CommitmentCreate.model_validate(_row_values(cells)), []
    except ValidationError as invalid:
        return None, [(_column(error["loc"]), error_message(error)) for error in invalid.errors()]


def parse_rows(rows: list[list[str]]) -> tuple[list[tuple[int, CommitmentCreate]],
                                              list[ImportProblem]]:
    """Return each good data row as a checked commitment, and the bad rows' problems."""
    if not rows:
        raise ImportRefused([ImportProblem(0, "file", NO_ROWS)])
    columns, problems = _header(rows[0])
    if problems:
        raise ImportRefused(problems)
    parsed: list[tuple[int, CommitmentCreate]] = []
    first_row_of: dict[str, int] = {}
    for number, row in enumerate(rows[1:], 2):
        cells = {name: (row[index].strip() if index < len(row) else "")
                 for name, index in columns.items()}
        if not any(cells.values()):
            continue
        details, bad = check_cells(cells)
        if details is None:
            problems += [ImportProblem(number, column, message, code=cells["code"])
                         for column, message in bad]
            continue
        if details.code in first_row_of:
            problems.append(ImportProblem(number, "code", CODE_TWICE, details.code,
                                          code=details.code))
            continue
        first_row_of[details.code] = number
        parsed.append((number, details))
    if not parsed and not problems:
        raise ImportRefused([ImportProblem(0, "file", NO_ROWS)])
    return parsed, problems


def import_file(*, session: Session, filename: str, content: bytes, actor: audit.Actor,
                now: dt.datetime) -> ImportCounts:
    """Save every commitment in the file, or none: refuse it naming each bad row and column."""
    parsed, problems = parse_rows(read_rows(filename=filename, content=content))
    details = [row for _, row in parsed]
    found = commitments.find_lookups(session=session, details=details)
    problems += [ImportProblem(number, column_of(problem.field), problem.message, problem.value,
                               code=row.code)
                 for number, row in parsed for problem in commitments.problems_of(row, found)]
    if problems:
        raise ImportRefused(sorted(problems, key=lambda problem: problem.row))
    existing = commitments.commitments_by_code(session=session, codes=[d.code for d in details])
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in details:
        _, saved = commitments.save_commitment(session=session, details=row, found=found,
                                               existing=existing.get(row.code), actor=actor,
                                               now=now)
        counts[saved] += 1
    audit.record_change(session=session, actor=actor, action="roadmap_imported", now=now,
                        detail={"file": filename[:200], **counts}, row_count=len(details))
    return ImportCounts(**counts)
