"""An organisation's answer to a workshop invitation, read from the reply form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from email_validator import EmailNotValidError, validate_email
from pydantic_core import PydanticCustomError

from app.core.i18n import N_
from app.schemas.one_line import ONE_LINE_ERROR
from app.schemas.registration_checks import clean_text

REPRESENTATIVE_FIELDS = ("full_name", "designation", "email", "phone", "needs")
LIMITS = {"full_name": 200, "designation": 200, "email": 320, "phone": 40, "needs": 500}
REASON_LIMIT = 1000
# The form never shows more rows than this, whatever the workshop allows.
MOST_ROWS = 20

MESSAGES = {
    "answer": N_("Choose whether your organisation will attend"),
    "full_name": N_("Enter the representative's full name (up to 200 characters)"),
    "designation": N_("Enter the representative's designation (up to 200 characters)"),
    "email": N_("Enter an email address in the correct format, like name@example.org.my"),
    "phone": N_("Enter a telephone number of up to 40 characters, or leave it empty"),
    "needs": N_("Keep accessibility or dietary needs under 500 characters"),
    "decline_reason": N_("Keep the reason under 1,000 characters"),
    "none": N_("Name at least one representative"),
    "too_many": N_("Your organisation may bring at most %(count)s representatives"),
    "duplicate": N_("This person is already named above"),
}
# An error about one representative's field says which: "Representative 2: Enter …".
ABOUT_REPRESENTATIVE = N_("Representative %(number)s: %(message)s")


@dataclass(frozen=True, slots=True)
class RepresentativeAnswer:
    full_name: str
    designation: str
    email: str
    phone: str = ""
    needs: str = ""


@dataclass(slots=True)
class ReplyAnswer:
    """What the form said, checked; `errors` maps a form field's name to its message."""

    answer: Literal["accept", "decline", ""]
    decline_reason: str = ""
    representatives: list[RepresentativeAnswer] = field(default_factory=list)
    # What was typed, to show again beside the errors.
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # Placeholders for messages with numbers in them, by field.
    error_counts: dict[str, int] = field(default_factory=dict)


def _text(value: str, name: str, *, required: bool, limit: int) -> str | PydanticCustomError:
    try:
        return clean_text(value, name, required=required, max_length=limit,
                          multiline=name in ("needs", "decline_reason"))
    except PydanticCustomError as error:
        return error


def _message(name: str, error: PydanticCustomError) -> str:
    # A line break or a control character is told as such; other mistakes by the field.
    if error.type in (ONE_LINE_ERROR, "control_character"):
        return error.message_template
    return MESSAGES[name]


def _email(value: str) -> str | None:
    text = value.strip()
    if not text or len(text) > LIMITS["email"] or not text.isascii():
        return None
    try:
        validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return text


def parse_reply(form: Mapping[str, object], *, max_representatives: int) -> ReplyAnswer:
    """Read and check an accept or decline; rows left entirely empty are ignored."""
    typed = {key: value for key, value in form.items() if isinstance(value, str)}
    answer = typed.get("answer", "")
    reply = ReplyAnswer(answer="", typed=typed)
    if answer not in ("accept", "decline"):
        reply.errors["answer"] = MESSAGES["answer"]
        return reply
    reply.answer = answer  # type: ignore[assignment]
    if answer == "decline":
        reason = _text(typed.get("decline_reason", ""), "decline_reason", required=False,
                       limit=REASON_LIMIT)
        if isinstance(reason, PydanticCustomError):
            reply.errors["decline_reason"] = _message("decline_reason", reason)
        else:
            reply.decline_reason = reason
        return reply
    seen: set[str] = set()
    for row in range(MOST_ROWS + 1):
        names = {name: f"representatives-{row}-{name}" for name in REPRESENTATIVE_FIELDS}
        values = {name: typed.get(key, "") for name, key in names.items()}
        if not any(value.strip() for value in values.values()):
            continue
        checked: dict[str, str] = {}
        for name, value in values.items():
            result = (_email(value) if name == "email" else
                      _text(value, name, required=name in ("full_name", "designation"),
                            limit=LIMITS[name]))
            if isinstance(result, str):
                checked[name] = result
            else:
                reply.errors[names[name]] = (MESSAGES[name] if result is None
                                             else _message(name, result))
        if len(checked) != len(REPRESENTATIVE_FIELDS):
            continue
        person = checked["email"].casefold()
        if person in seen:
            reply.errors[names["email"]] = MESSAGES["duplicate"]
            continue
        seen.add(person)
        reply.representatives.append(RepresentativeAnswer(**checked))
    if not reply.representatives and not reply.errors:
        reply.errors["representatives-0-full_name"] = MESSAGES["none"]
    if len(reply.representatives) > max_representatives:
        reply.errors["representatives"] = MESSAGES["too_many"]
        reply.error_counts["representatives"] = max_representatives
    return reply


def error_texts(errors: Mapping[str, str], counts: Mapping[str, int],
                translate: Callable[[str], str]) -> dict[str, str]:
    """Translate a reply's errors, by field; one about a representative names them (1, 2, 3…)."""
    texts: dict[str, str] = {}
    for name, message in errors.items():
        text = translate(message) % {"count": counts.get(name, "")}
        prefix, _, rest = name.partition("-")
        row, _, field_name = rest.partition("-")
        if prefix == "representatives" and row.isdecimal() and field_name:
            text = translate(ABOUT_REPRESENTATIVE) % {"number": int(row) + 1, "message": text}
        texts[name] = text
    return texts
