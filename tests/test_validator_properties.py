"""Property tests: the validators hold their promises for any input, not just our examples."""

from __future__ import annotations

import re
import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.schemas.registration import RegistrationCreate, organisation_key
from tests.factories import registration_payload

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BASE = registration_payload()


def outcome(**changes: Any) -> RegistrationCreate | dict[str, str]:
    """Validate the base registration with `changes`: the model, or the fields in error."""
    try:
        return RegistrationCreate.model_validate(BASE | changes)
    except ValidationError as invalid:
        return {str(e["loc"][0]): e["msg"] for e in invalid.errors()}


@settings(max_examples=300)
@given(st.text(max_size=260))
def test_organisation_names_are_trimmed_or_refused_at_the_field(name: str) -> None:
    result = outcome(organisation_name=name)

    if isinstance(result, dict):
        assert set(result) == {"organisation_name"}
    else:
        stored = result.organisation_name
        assert stored == stored.strip() and 2 <= len(stored) <= 200
        assert not CONTROL.search(stored) and "  " not in stored


@given(st.text(alphabet=string.ascii_letters + " " + "éñ", min_size=2, max_size=60))
def test_duplicate_key_ignores_case_and_spacing(name: str) -> None:
    spaced = "  " + name.replace(" ", "   ").swapcase() + " "

    assert organisation_key(spaced) == organisation_key(name)
    assert organisation_key(organisation_key(name)) == organisation_key(name)


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_any_phone_text_is_e164_or_refused(phone: str) -> None:
    result = outcome(contact_phone=phone)

    if isinstance(result, dict):
        assert set(result) == {"contact_phone"}
    else:
        assert E164.match(result.contact_phone)


@given(
    # Prefixes whose whole seven-digit range is allocated in libphonenumber's metadata.
    st.sampled_from(["12", "13", "16", "17", "19"]),
    st.integers(min_value=2000000, max_value=9999999),
    st.sampled_from(
        ["0{p}-{a} {b}", "0{p}{a}{b}", "+60{p}{a}{b}", "+60 {p}-{a} {b}", "60{p}{a}{b}"]
    ),
)
def test_malaysian_mobiles_written_any_way_give_one_number(
    prefix: str, rest: int, shape: str
) -> None:
    digits = str(rest)
    written = shape.format(p=prefix, a=digits[:3], b=digits[3:])

    result = outcome(contact_phone=written)

    assert not isinstance(result, dict), written
    assert result.contact_phone == f"+60{prefix}{digits}"


@given(st.text(max_size=14))
def test_postcodes_in_malaysia_are_exactly_five_digits(postcode: str) -> None:
    result = outcome(postcode=postcode, state="selangor")

    if re.fullmatch(r"\d{5}", postcode.strip()) and postcode.strip().isascii():
        assert not isinstance(result, dict)
    else:
        assert isinstance(result, dict) and set(result) == {"postcode"}


@settings(max_examples=300)
@given(st.one_of(st.emails(), st.text(max_size=80)))
def test_emails_are_kept_as_given_or_refused_at_the_field(email: str) -> None:
    result = outcome(contact_email=email)

    if isinstance(result, dict):
        assert set(result) == {"contact_email"}
    else:
        assert result.contact_email == email.strip()
        assert result.contact_email.count("@") >= 1


@settings(max_examples=200)
@given(
    st.dictionaries(
        st.sampled_from(sorted(BASE)),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.text(max_size=30),
            st.lists(st.text(max_size=5), max_size=3),
        ),
    )
)
def test_wrong_types_anywhere_are_field_errors_never_crashes(changes: dict[str, Any]) -> None:
    result = outcome(**changes)

    if isinstance(result, dict):
        assert set(result) <= set(BASE)
