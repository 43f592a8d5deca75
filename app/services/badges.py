"""The registration desk's PDF: a sign-in sheet, then one name badge per representative.

WeasyPrint lays the HTML of templates/print/desk.html out with Pango and HarfBuzz, so Tamil
is shaped (its vowel signs join their consonants) and Chinese is drawn from Noto Sans CJK;
both fonts come from Debian (fonts-noto-core, fonts-noto-cjk) and are found through
fontconfig, so the PDF embeds exactly the glyphs it uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.templating import environment, language_context

TEMPLATE = "print/desk.html"


@dataclass(frozen=True, slots=True)
class DeskAttendee:
    """One accepted representative, as the registration desk prints them."""

    full_name: str
    organisation: str
    designation: str = ""
    group: str = ""


def desk_html(
    *, workshop_title: str, attendees: Sequence[DeskAttendee], language: str
) -> str:
    """Return the sign-in sheet and badges as HTML, names escaped, in `language`."""
    ordered = sorted(attendees, key=lambda a: (a.full_name.casefold(), a.organisation.casefold()))
    context = {
        "workshop_title": workshop_title,
        "attendees": ordered,
        **language_context(language),
    }
    return environment().get_template(TEMPLATE).render(context)


def desk_pdf(
    *, workshop_title: str, attendees: Sequence[DeskAttendee], language: str
) -> bytes:
    """Return the sign-in sheet and name badges as one PDF, in `language`."""
    # Imported here: WeasyPrint loads Pango through cffi, which only this document needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = desk_html(workshop_title=workshop_title, attendees=attendees, language=language)
    # The document needs nothing from outside; should markup ever slip past escaping, it
    # still cannot read a file or make a request (no protocol is allowed).
    fetcher = URLFetcher(allowed_protocols=())
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return bytes(pdf)
