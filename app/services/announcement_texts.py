"""An announcement's texts: checked before anything is stored, and filled in for one registrant."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.i18n import N_
from app.models.announcement import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH
from app.schemas.one_line import NOT_ON_ONE_LINE, is_one_line
from app.vocab import LANGUAGES, PLACEHOLDER_CODES

TEXT_FIELDS = ("subject_ms", "body_ms", "subject_en", "body_en")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

MISSING_SUBJECT = N_("Write a subject.")
MISSING_BODY = N_("Write the message.")
SUBJECT_ON_ONE_LINE = N_("Write the subject on one line.")
SUBJECT_TOO_LONG = N_("Keep the subject to %(limit)s characters or fewer.")
BODY_TOO_LONG = N_("Keep the message to %(limit)s characters or fewer.")
UNKNOWN_PLACEHOLDER = N_(
    "%(placeholder)s is not a placeholder. Use {organisation_name}, {contact_name} or "
    "{reference}."
)
UNBALANCED_BRACE = N_(
    "A brace is not closed or not opened, near “%(near)s”. Write placeholders like "
    "{organisation_name}."
)


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one field, as a message (English source) and its values."""

    message: str
    values: dict[str, str] = field(default_factory=dict)

    def text(self, translate: Callable[[str], str] = str) -> str:
        """Return the message in the language of `translate`, with its values filled in."""
        translated = translate(self.message)
        return translated % self.values if self.values else translated


class AnnouncementInvalid(Exception):
    """The announcement cannot be sent as it is; `problems` says why, field by field."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class AnnouncementTexts:
    """The subject and body in Bahasa Melayu and in English, as the author wrote them."""

    subject_ms: str
    body_ms: str
    subject_en: str
    body_en: str

    def subject(self, language: str) -> str:
        return self.subject_en if language == "en" else self.subject_ms

    def body(self, language: str) -> str:
        return self.body_en if language == "en" else self.body_ms


@dataclass(frozen=True, slots=True)
class PlaceholderValues:
    """What the placeholders stand for, for one registrant."""

    organisation_name: str
    contact_name: str
    reference: str


def _placeholder_problem(text: str) -> Problem | None:
    matched: list[tuple[int, int]] = []
    for found in _PLACEHOLDER.finditer(text):
        if found.group(1) not in PLACEHOLDER_CODES:
            return Problem(UNKNOWN_PLACEHOLDER, {"placeholder": found.group(0)[:60]})
        matched.append(found.span())
    for position, character in enumerate(text):
        if character in "{}" and not any(start <= position < end for start, end in matched):
            near = text[max(0, position - 15):position + 15].replace("\n", " ")
            return Problem(UNBALANCED_BRACE, {"near": near})
    return None


def _subject_problem(subject: str) -> Problem | None:
    if not subject.strip():
        return Problem(MISSING_SUBJECT)
    if not is_one_line(subject):
        return Problem(SUBJECT_ON_ONE_LINE)
    if len(subject) > SUBJECT_MAX_LENGTH:
        return Problem(SUBJECT_TOO_LONG, {"limit": f"{SUBJECT_MAX_LENGTH:,}"})
    return _placeholder_problem(subject)


def _body_problem(body: str) -> Problem | None:
    if not body.strip():
        return Problem(MISSING_BODY)
    if len(body) > BODY_MAX_LENGTH:
        return Problem(BODY_TOO_LONG, {"limit": f"{BODY_MAX_LENGTH:,}"})
    return _placeholder_problem(body)


def clean_texts(
    *, subject_ms: str, body_ms: str, subject_en: str, body_en: str
) -> AnnouncementTexts:
    """Check both languages' subject and body; return them tidied, or raise AnnouncementInvalid.

    Both languages are required: a registrant never gets an empty mail, and there is no
    fallback from one language to the other. A subject that is not one line is refused,
    not mended (a header injection is not something to fix up quietly).
    """
    texts = AnnouncementTexts(
        subject_ms=subject_ms.strip(), body_ms=body_ms.replace("\r\n", "\n").strip(),
        subject_en=subject_en.strip(), body_en=body_en.replace("\r\n", "\n").strip(),
    )
    problems: dict[str, Problem] = {}
    for language in LANGUAGES:
        subject_problem = _subject_problem(texts.subject(language))
        body_problem = _body_problem(texts.body(language))
        if subject_problem:
            problems[f"subject_{language}"] = subject_problem
        if body_problem:
            problems[f"body_{language}"] = body_problem
    if problems:
        raise AnnouncementInvalid(problems)
    return texts


def fill(text: str, values: PlaceholderValues) -> str:
    """Replace each placeholder with its value, in one pass (a value is never filled again)."""
    known = {"organisation_name": values.organisation_name,
             "contact_name": values.contact_name, "reference": values.reference}
    return _PLACEHOLDER.sub(lambda found: known.get(found.group(1), found.group(0)), text)


def fill_subject(text: str, values: PlaceholderValues) -> str:
    """Fill a subject's placeholders and keep it on one line, whatever the values hold."""
    return " ".join(NOT_ON_ONE_LINE.sub(" ", fill(text, values)).split())
