"""The registration's fields, each declared once, in the form's order.

The form, its error summary, the registrant's corrections, the staff read schema, the stored
row and the export all take their fields from `FIELDS`; `RegistrationCreate` takes its text
limits and messages from it. A new field is one entry here (see docs/CONVENTIONS.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Literal

from app.core.i18n import N_
from app.vocab import CATEGORIES, FOCUS_AREAS, LANGUAGE_NAMES, PILLARS, STATES, Term

# text: free text, trimmed and limited; phone: text stored in E.164, shown as dialled;
# code: one code of `terms`; codes: any of `terms`, kept in a table of their own;
# count: a small whole number; flag: yes or no.
FieldKind = Literal["text", "phone", "code", "codes", "count", "flag"]


@dataclasses.dataclass(frozen=True, slots=True)
class RegistrationField:
    """One answer of the registration form: how it is checked, told, stored and exported."""

    name: str
    kind: FieldKind
    # One message per kind of mistake ("required", "invalid", …): msgids for the catalogs.
    messages: Mapping[str, str]
    # The export's column heading (a msgid) and its width in an XLSX sheet.
    header: str = ""
    width: int = 0
    required: bool = False
    min_length: int = 1
    max_length: int = 0  # text and phone: the longest answer, after trimming
    multiline: bool = False
    terms: tuple[Term, ...] = ()  # code and codes: the vocabulary
    # Whether the registrant may change it through the private link.
    correctable: bool = True
    # Whether staff see it: in the read schema and the export.
    staff: bool = True
    # The codes this field accepts, in the vocabulary's order (from `terms`).
    codes: tuple[str, ...] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", tuple(term.code for term in self.terms))


FIELDS: tuple[RegistrationField, ...] = (
    RegistrationField(
        "organisation_name", "text", {
            "required": N_("Enter the name of your organisation"),
            "invalid": N_("The organisation's name must be 2 to 200 characters"),
        }, N_("Organisation"), 40, required=True, min_length=2, max_length=200),
    RegistrationField(
        "category", "code", {
            "required": N_("Choose the kind of organisation"),
            "invalid": N_("Choose one of the kinds of organisation listed"),
        }, N_("Category"), 26, required=True, terms=CATEGORIES),
    RegistrationField(
        "category_other", "text", {
            "required": N_("Describe your kind of organisation"),
            "invalid": N_("The description must be 200 characters or fewer"),
        }, N_("Other category"), 20, max_length=200),
    RegistrationField(
        "registration_number", "text", {
            "invalid": N_("The registration number must be 100 characters or fewer"),
        }, N_("Registration number"), 22, max_length=100),
    RegistrationField(
        "address", "text", {
            "required": N_("Enter your organisation's address"),
            "invalid": N_("The address must be 500 characters or fewer"),
        }, N_("Address"), 40, required=True, max_length=500, multiline=True),
    RegistrationField(
        "postcode", "text", {
            "required": N_("Enter the postcode"),
            "invalid": N_("Enter a postcode of 5 digits, like 62530"),
            "abroad": N_("Enter a postcode of up to 12 letters, digits, spaces or hyphens"),
        }, N_("Postcode"), 10, required=True, max_length=12),
    RegistrationField(
        "state", "code", {
            "required": N_("Choose the state, or Outside Malaysia"),
            "invalid": N_("Choose one of the states listed"),
        }, N_("State"), 18, required=True, terms=STATES),
    RegistrationField(
        "website", "text", {
            "invalid": N_("Enter the website address in full, like https://www.example.org.my"),
        }, N_("Website"), 30, max_length=500),
    RegistrationField(
        "contact_name", "text", {
            "required": N_("Enter the contact person's name"),
            "invalid": N_("The contact person's name must be 200 characters or fewer"),
        }, N_("Contact person"), 28, required=True, max_length=200),
    RegistrationField(
        "contact_designation", "text", {
            "required": N_("Enter the contact person's designation"),
            "invalid": N_("The designation must be 200 characters or fewer"),
        }, N_("Designation"), 22, required=True, max_length=200),
    RegistrationField(
        "contact_email", "text", {
            "required": N_("Enter the contact person's email address"),
            "invalid": N_(
                "Enter an email address in the correct format, like name@example.org.my"),
        }, N_("Email"), 32, required=True, max_length=320),
    RegistrationField(
        "contact_phone", "phone", {
            "required": N_("Enter the contact person's telephone number"),
            "invalid": N_(
                "Enter a telephone number, like 012-345 6789, 03-8886 5000 or +60 12 345 6789"
            ),
        }, N_("Telephone"), 16, required=True, max_length=30),
    RegistrationField(
        "pillars", "codes", {
            "required": N_("Choose at least one pillar your organisation wants to work on"),
            "invalid": N_("Choose pillars from the list"),
        }, N_("Pillars"), 45, required=True, terms=PILLARS),
    RegistrationField(
        "focus_areas", "codes", {
            "invalid": N_("Choose focus areas from the list"),
        }, N_("Focus areas"), 45, terms=FOCUS_AREAS),
    RegistrationField(
        "interest_statement", "text", {
            "required": N_("Tell us about your organisation's work and what it can contribute"),
            "invalid": N_("The statement must be 2,000 characters or fewer"),
        }, N_("Interest statement"), 60, required=True, max_length=2000, multiline=True),
    RegistrationField(
        "workshop_attendees", "count", {
            "required": N_("Choose how many representatives would attend the workshop"),
            "invalid": N_("Choose a number of representatives from 0 to 3"),
        }, N_("Workshop representatives"), 14, required=True),
    RegistrationField(
        "preferred_language", "code", {
            "invalid": N_("Choose Bahasa Melayu or English"),
        }, N_("Preferred language"), 16, terms=LANGUAGE_NAMES),
    # Consent to the personal data notice is given once, and always given: staff need not
    # see it and the registrant cannot take it back through the private link.
    RegistrationField(
        "consent_pdpa", "flag", {
            "required": N_("Confirm that you have read the personal data notice"),
            "invalid": N_("Confirm that you have read the personal data notice"),
        }, required=True, correctable=False, staff=False),
    RegistrationField(
        "consent_share_partners", "flag", {
            "invalid": N_("Answer yes or no to sharing with Alliance 8.7 partners"),
        }, N_("May share with partners"), 14),
)

FIELD_BY_NAME: dict[str, RegistrationField] = {field.name: field for field in FIELDS}
# The form's fields, in the order of the form and of its error summary.
FORM_FIELDS: tuple[str, ...] = tuple(FIELD_BY_NAME)
# The fields a registrant can correct through the private link, in the form's order.
CORRECTABLE_FIELDS: tuple[str, ...] = tuple(field.name for field in FIELDS if field.correctable)
# The fields staff see, in the order of the read schema and the export.
STAFF_FIELDS: tuple[RegistrationField, ...] = tuple(field for field in FIELDS if field.staff)
# Answers the form sends as a list (checkboxes); each is stored in a table of its own.
LIST_FIELDS: tuple[str, ...] = tuple(field.name for field in FIELDS if field.kind == "codes")
# Answers stored as columns of the registration itself.
COLUMN_FIELDS: tuple[str, ...] = tuple(field.name for field in FIELDS if field.kind != "codes")
CODE_FIELDS: tuple[str, ...] = tuple(field.name for field in FIELDS if field.kind == "code")
FIELD_MESSAGES: dict[str, Mapping[str, str]] = {field.name: field.messages for field in FIELDS}
