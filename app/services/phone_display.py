"""A stored E.164 telephone number written as it is dialled from Malaysia, quickly."""

from __future__ import annotations

import phonenumbers

# Formatting a number with phonenumbers costs ~50 µs, too slow for 50,000 rows. A Malaysian
# number's layout depends only on its first few digits and its length, so the layout is
# worked out once per (prefix, length) and the digits are poured into it.
_PHONE_LAYOUTS: dict[tuple[str, int], str] = {}


def _phone_layout(e164: str) -> str:
    number = phonenumbers.parse(e164)
    formatted = phonenumbers.format_out_of_country_calling_number(number, "MY")
    remaining = len(phonenumbers.national_significant_number(number))
    layout = list(formatted)
    for index in range(len(layout) - 1, -1, -1):
        if remaining and layout[index].isdigit():
            layout[index] = "\0"
            remaining -= 1
    return "".join(layout)


def display_phone(e164: str) -> str:
    """Write a stored E.164 number as it is dialled from Malaysia: 012-345 6789, 00 44 20 …

    This form never starts with + (which a spreadsheet would read as a formula or a number)
    and keeps its leading 0, so it stays readable and dialable in Excel.
    """
    try:
        if not e164.startswith("+60"):
            return phonenumbers.format_out_of_country_calling_number(
                phonenumbers.parse(e164), "MY")
        # +60 and four digits: enough to choose among Malaysia's layouts (at most "185x").
        key = (e164[:7], len(e164))
        layout = _PHONE_LAYOUTS.get(key)
        if layout is None:
            layout = _PHONE_LAYOUTS[key] = _phone_layout(e164)
    except phonenumbers.NumberParseException:
        return e164
    digits = iter(e164[len(e164) - layout.count("\0"):])
    shown = "".join(next(digits) if char == "\0" else char for char in layout)
    # A number too short or too long to lay out comes back as bare digits, which say less
    # than what was stored (+601234 became 1234): show what was stored instead.
    return e164 if shown.isdigit() else shown


def display_typed_phone(typed: str) -> str:
    """Write a telephone number as a person typed it the way display_phone writes it.

    A representative's number is kept as typed (`0123456789`, `'+60 3-8886 5000`). A number
    that is valid in Malaysia, or with its country code, is shown as dialled from Malaysia,
    which a spreadsheet keeps as text; anything else is shown as typed, without the
    apostrophe a spreadsheet may have left in front of it.
    """
    text = typed.strip().lstrip("'\u2019").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "MY")
    except phonenumbers.NumberParseException:
        return text
    if number.extension or not phonenumbers.is_valid_number(number):
        return text  # E.164 has no extension: shown as typed, nothing is dropped
    return display_phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
