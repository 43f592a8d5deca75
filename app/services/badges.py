"""The registration desk's PDF: a sign-in sheet, then one name badge per representative.

WeasyPrint lays the HTML of templates/print/desk.html out with Pango and HarfBuzz, so Tamil
is shaped (its vowel signs join their consonants) and Chinese is drawn from Noto Sans CJK;
both fonts come from Debian (fonts-noto-core, fonts-noto-cjk) and are found through
fontconfig, so the PDF embeds exactly the glyphs it uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.i18n import format_myt
from app.core.templating import environment, language_context
from app.vocab import LANGUAGES

TEMPLATE = "print/desk.html"
# Empty numbered rows after the names, for people who arrive without being on the list.
WALK_IN_ROWS = 10


@dataclass(frozen=True, slots=True)
class DeskAttendee:
    """One accepted representative, as the registration desk prints them."""

    full_name: str
    organisation: str
    designation: str = ""
    group: str = ""
    # The badge speaks the representative's language (their organisation's preferred one),
    # whatever language the desk prints the sheet in; empty: the sheet's.
    badge_language: str = ""
    badge_title: str = ""
    badge_group: str = ""


def desk_html(
    *, workshop_title: str, attendees: Sequence[DeskAttendee], language: str,
    starts_at: dt.datetime | None = None, venue: str = "",
) -> str:
    """Return the sign-in sheet and badges as HTML, names escaped, in `language`."""
    ordered = sorted(attendees, key=lambda a: (a.full_name.casefold(), a.organisation.casefold()))
    context = {
        "workshop_title": workshop_title,
        "workshop_when": format_myt(starts_at, language) if starts_at else "",
        "venue": venue,
        "attendees": ordered,
        "walk_in_rows": range(len(ordered) + 1, len(ordered) + 1 + WALK_IN_ROWS),
        "badge_words": {code: language_context(code)["_"] for code in LANGUAGES},
        **language_context(language),
    }
    return environment().get_template(TEMPLATE).render(context)


def desk_pdf(
    *, workshop_title: str, attendees: Sequence[DeskAttendee], language: str,
    starts_at: dt.datetime | None = None, venue: str = "",
) -> bytes:
    """Return the sign-in sheet and name badges as one PDF, in `language`.

    The sheet is headed with the workshop's date and time (MYT) and venue, and ends with
    WALK_IN_ROWS empty rows for walk-ins.
    """
    # Imported here: WeasyPrint loads Pango through cffi, which only this document needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = desk_html(workshop_title=workshop_title, attendees=attendees, language=language,
                     starts_at=starts_at, venue=venue)
    # The document needs nothing from outside; should markup ever slip past escaping, it
    # still cannot read a file or make a request (no protocol is allowed).
    fetcher = URLFetcher(allowed_protocols=())
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return bytes(pdf)
