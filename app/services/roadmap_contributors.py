"""The roadmap contributors: each organisation that attended, its people, groups and pillars.

The Ministry keeps this list for the roadmap's implementation. The rows are built from plain
values, so the CSV here and an XLSX writer share them; only people who were checked in count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.i18n import N_, gettext
from app.services.text_sheets import text_csv, text_xlsx
from app.vocab import PILLAR_CODES, label

HEADERS: tuple[str, ...] = (
    N_("Reference"),
    N_("Organisation"),
    N_("Category"),
    N_("Representatives who attended"),
    N_("Working groups"),
    N_("Pillars"),
)


@dataclass(frozen=True, slots=True)
class AttendedRepresentative:
    """One accepted representative of a registered organisation, and whether they came."""

    reference: str
    organisation: str
    category: str
    pillars: tuple[str, ...]
    full_name: str
    group: str | None
    checked_in: bool


def contributor_headers(language: str) -> list[str]:
    """Return the contributors list's column headings in `language`."""
    return [gettext(language, header) for header in HEADERS]


def contributor_rows(
    representatives: Iterable[AttendedRepresentative], language: str
) -> list[list[str]]:
    """Return one row per organisation with someone checked in, sorted by organisation."""
    by_reference: dict[str, list[AttendedRepresentative]] = {}
    for representative in representatives:
        if representative.checked_in:
            by_reference.setdefault(representative.reference, []).append(representative)
    rows = []
    for reference, people in by_reference.items():
        first = people[0]
        pillars = sorted(set(first.pillars), key=PILLAR_CODES.index)
        rows.append([
            reference,
            first.organisation,
            label("category", first.category, language),
            "; ".join(sorted({person.full_name for person in people}, key=str.casefold)),
            "; ".join(sorted({person.group for person in people if person.group})),
            "; ".join(label("pillar", code, language) for code in pillars),
        ])
    return sorted(rows, key=lambda row: (row[1].casefold(), row[0]))


def contributors_csv(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> bytes:
    """Return the rows as CSV in UTF-8 with a byte order mark, no cell read as a formula."""
    return text_csv(rows, headers)


WIDTHS: tuple[int, ...] = (11, 40, 26, 48, 32, 40)


def contributors_xlsx(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> bytes:
    """Return the rows as an Excel workbook in which every cell is a string, never a formula."""
    return text_xlsx(rows, headers, widths=WIDTHS, sheet_name="Contributors")
