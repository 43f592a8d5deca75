"""The attendee list of a workshop as CSV or XLSX, formula-safe like the registrant exports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from app.core.i18n import N_, gettext
from app.services import invitations, working_groups
from app.services.phone_display import display_typed_phone
from app.services.text_sheets import Cell, text_csv, text_xlsx
from app.vocab import label

COLUMNS = (
    (N_("Reference"), 11), (N_("Organisation"), 40), (N_("Category"), 26), (N_("State"), 18),
    (N_("Full name"), 30), (N_("Designation"), 24), (N_("Email"), 32), (N_("Telephone"), 16),
    (N_("Accessibility or dietary needs"), 40), (N_("Working group"), 28),
    (N_("Checked in (Malaysia time)"), 18),
    # The staff API's attendee id, which check-in takes (SPEC 7.4): the files carry it too.
    (N_("Attendee id"), 12),
)
PHONE_COLUMN = 7


def _wall_clock(moment: dt.datetime | None) -> dt.datetime | None:
    # Spreadsheets have no time zones: the cell holds the wall-clock time in Malaysia.
    if moment is None:
        return None
    return moment.astimezone(MALAYSIA).replace(tzinfo=None, microsecond=0)


def attendee_rows(*, session: Session, workshop_id: int, language: str) -> list[list[Cell]]:
    """Return one row per accepted representative, labels in `language`.

    Telephones as dialled from Malaysia (as the registrant export writes them), check-in
    times as Malaysian wall-clock date-times, the attendee id as a number.
    """
    names = working_groups.group_names(session=session, workshop_id=workshop_id,
                                       language=language)
    return [
        [registration.reference, registration.organisation_name,
         label("category", registration.category, language),
         label("state", registration.state, language), person.full_name, person.designation,
         person.email, display_typed_phone(person.phone), person.needs,
         names.get(person.group_id, "") if person.group_id else "",
         _wall_clock(person.checked_in_at), person.id]
        for person, registration in invitations.attendees(session=session,
                                                           workshop_id=workshop_id)
    ]


def headers(language: str) -> list[str]:
    return [gettext(language, heading) for heading, _width in COLUMNS]


def as_csv(rows: list[list[Cell]], language: str) -> bytes:
    """Return the rows as UTF-8 CSV with a byte order mark; no cell can start a formula."""
    return text_csv(rows, headers(language), digits_as_text={PHONE_COLUMN})


def as_xlsx(rows: list[list[Cell]], language: str) -> bytes:
    """Return the rows as an Excel workbook: text never a formula, times and ids sortable."""
    return text_xlsx(rows, headers(language), widths=[width for _heading, width in COLUMNS],
                     sheet_name="Attendees")
