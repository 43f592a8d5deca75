"""Bahasa Melayu and English: gettext catalogs, the page language, and dates in Malaysian time."""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from app.core.config import MALAYSIA
from app.vocab import LANGUAGES, Language

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "translations"
DEFAULT_LANGUAGE: Language = "ms"
# Source strings are English; Malay comes from translations/ms/LC_MESSAGES/messages.po.


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark `message` for the catalogs without translating it here."""
    return message


@lru_cache
def translations(language: str) -> NullTranslations:
    """Return the catalog for `language`, compiled from its .po file when first asked."""
    if language == "en":
        return NullTranslations()
    po_path = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def gettext(language: str, message: str) -> str:
    """Translate one message into `language`."""
    return translations(language).gettext(message)


def choose_language(query: str | None, cookie: str | None, accept_language: str | None) -> Language:
    """Pick the page language: an explicit ?lang=, then the remembered cookie, then the browser."""
    for candidate in (query, cookie):
        for language in LANGUAGES:
            if candidate == language:
                return language
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        primary = tag.split("-")[0]
        if primary in ("ms", "id"):
            return "ms"
        if primary == "en":
            return "en"
    return DEFAULT_LANGUAGE


_PERIODS_MS = ((12, "pagi"), (14, "tengah hari"), (19, "petang"), (24, "malam"))


def _clock(local: dt.datetime, language: str) -> str:
    hour12 = local.hour % 12 or 12
    if language == "en":
        period = "am" if local.hour < 12 else "pm"
    else:
        period = next(name for until, name in _PERIODS_MS if local.hour < until)
    return f"{hour12}:{local.minute:02d} {period}"


def format_malaysian_time(moment: dt.datetime, language: str) -> str:
    """Format an instant as people in Malaysia say it, e.g. "20 Oktober 2022, 11:59 malam"."""
    local = moment.astimezone(MALAYSIA)
    day = format_date(local.date(), "d MMMM y", locale=language)
    zone = "Malaysia time (UTC+8)" if language == "en" else "waktu Malaysia (UTC+8)"
    return f"{day}, {_clock(local, language)} {zone}"


def format_myt(moment: dt.datetime, language: str) -> str:
    """Format an instant with its weekday, as workshop pages and mails say it: "… MYT (UTC+8)"."""
    local = moment.astimezone(MALAYSIA)
    day = format_date(local.date(), "EEEE, d MMMM y", locale=language)
    return f"{day}, {_clock(local, language)} MYT (UTC+8)"
