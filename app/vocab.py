"""The one vocabulary: categories, states, pillars and focus areas, with labels in both languages.

Forms, the API, exports and emails all read their codes and labels from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Language = Literal["ms", "en"]
LANGUAGES: tuple[Language, ...] = ("ms", "en")


@dataclass(frozen=True, slots=True)
class Term:
    code: str
    ms: str
    en: str
    hint_ms: str = ""
    hint_en: str = ""

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.ms

    def hint(self, language: str) -> str:
        return self.hint_en if language == "en" else self.hint_ms


CATEGORIES: tuple[Term, ...] = (
    Term("public_organisation", "Organisasi awam", "Public organisation",
         "Kementerian, agensi, badan berkanun", "Ministries, agencies, statutory bodies"),
    Term("private_organisation", "Organisasi swasta", "Private organisation",
         "Syarikat, majikan", "Companies, employers"),
    Term("workers_union", "Kesatuan pekerja", "Workers' union"),
    Term("employers_union", "Kesatuan majikan", "Employers' union",
         "Termasuk pertubuhan majikan", "Including employers' organisations"),
    Term("cso", "Pertubuhan masyarakat madani (CSO)", "Civil society organisation (CSO)",
         "Termasuk badan bukan kerajaan (NGO)", "Including non-governmental organisations (NGOs)"),
    Term("academic", "Institusi akademik", "Academic institution",
         "Universiti, badan penyelidikan", "Universities, research bodies"),
    Term("other", "Lain-lain pemegang taruh", "Other stakeholder"),
)

STATES: tuple[Term, ...] = (
    Term("johor", "Johor", "Johor"),
    Term("kedah", "Kedah", "Kedah"),
    Term("kelantan", "Kelantan", "Kelantan"),
    Term("melaka", "Melaka", "Malacca"),
    Term("negeri_sembilan", "Negeri Sembilan", "Negeri Sembilan"),
    Term("pahang", "Pahang", "Pahang"),
    Term("perak", "Perak", "Perak"),
    Term("perlis", "Perlis", "Perlis"),
    Term("pulau_pinang", "Pulau Pinang", "Penang"),
    Term("sabah", "Sabah", "Sabah"),
    Term("sarawak", "Sarawak", "Sarawak"),
    Term("selangor", "Selangor", "Selangor"),
    Term("terengganu", "Terengganu", "Terengganu"),
    Term("wp_kuala_lumpur", "W.P. Kuala Lumpur", "Federal Territory of Kuala Lumpur"),
    Term("wp_labuan", "W.P. Labuan", "Federal Territory of Labuan"),
    Term("wp_putrajaya", "W.P. Putrajaya", "Federal Territory of Putrajaya"),
    Term("outside_malaysia", "Luar Malaysia", "Outside Malaysia"),
)
OUTSIDE_MALAYSIA = "outside_malaysia"

PILLARS: tuple[Term, ...] = (
    Term("prevention", "Pencegahan", "Prevention"),
    Term("protection", "Perlindungan", "Protection"),
    Term("prosecution_enforcement", "Pendakwaan dan Penguatkuasaan",
         "Prosecution and Enforcement"),
    Term("partnership", "Perkongsian dan Kerjasama Strategik",
         "Partnership and Strategic Collaboration"),
)

FOCUS_AREAS: tuple[Term, ...] = (
    Term("awareness", "Kesedaran", "Awareness"),
    Term("legal_compliance_enforcement", "Pematuhan Undang-undang dan Penguatkuasaan",
         "Legal Compliance and Enforcement"),
    Term("labour_migration", "Migrasi Buruh", "Labour Migration"),
    Term("remedy_protection_services", "Remedi dan Akses kepada Perkhidmatan Perlindungan",
         "Remedies and Access to Protection Services"),
    Term("child_labour", "Buruh Kanak-kanak", "Child Labour"),
    Term("supply_chains", "Rantaian Bekalan", "Supply Chains"),
)

LANGUAGE_NAMES: tuple[Term, ...] = (
    Term("ms", "Bahasa Melayu", "Malay"),
    Term("en", "Bahasa Inggeris", "English"),
)

CATEGORY_CODES = tuple(term.code for term in CATEGORIES)
STATE_CODES = tuple(term.code for term in STATES)
PILLAR_CODES = tuple(term.code for term in PILLARS)
FOCUS_AREA_CODES = tuple(term.code for term in FOCUS_AREAS)

# The codes again as types, for the schemas' enums. A type checker needs them written out;
# the check below fails at import if they drift from the terms above.
Category = Literal[
    "public_organisation", "private_organisation", "workers_union", "employers_union", "cso",
    "academic", "other",
]
State = Literal[
    "johor", "kedah", "kelantan", "melaka", "negeri_sembilan", "pahang", "perak", "perlis",
    "pulau_pinang", "sabah", "sarawak", "selangor", "terengganu", "wp_kuala_lumpur",
    "wp_labuan", "wp_putrajaya", "outside_malaysia",
]
Pillar = Literal["prevention", "protection", "prosecution_enforcement", "partnership"]
FocusArea = Literal[
    "awareness", "legal_compliance_enforcement", "labour_migration",
    "remedy_protection_services", "child_labour", "supply_chains",
]

for _type, _terms in (
    (Category, CATEGORIES), (State, STATES), (Pillar, PILLARS), (FocusArea, FOCUS_AREAS),
    (Language, LANGUAGE_NAMES),
):
    if get_args(_type) != tuple(term.code for term in _terms):
        raise RuntimeError(f"{_type} does not list the codes of its terms, in their order")

_BY_CODE = {
    vocabulary: {term.code: term for term in terms}
    for vocabulary, terms in (
        ("category", CATEGORIES),
        ("state", STATES),
        ("pillar", PILLARS),
        ("focus_area", FOCUS_AREAS),
        ("language", LANGUAGE_NAMES),
    )
}


def label(vocabulary: str, code: str, language: str) -> str:
    """Return the label of `code` in `language`, or the code itself if it is unknown."""
    term = _BY_CODE[vocabulary].get(code)
    return term.label(language) if term else code

WORKSHOP_ATTENDANCE: tuple[Term, ...] = (
    Term("0", "0 – tidak hadir", "0 – not attending"),
    Term("1", "1 orang wakil", "1 representative"),
    Term("2", "2 orang wakil", "2 representatives"),
    Term("3", "3 orang wakil", "3 representatives"),
)

# The back-office's vocabularies: staff roles and the outbox's delivery states.
ROLES: tuple[Term, ...] = (
    Term("admin", "pentadbir", "administrator"),
    Term("viewer", "pemerhati", "viewer"),
)
MAIL_STATUSES: tuple[Term, ...] = (
    Term("queued", "Dalam baris gilir", "Queued"),
    Term("inflight", "Sedang dihantar", "Sending"),
    Term("retry", "Menunggu untuk dicuba semula", "Waiting to retry"),
    Term("failed", "Gagal", "Failed"),
    Term("sent", "Dihantar", "Sent"),
)
ROLE_CODES = tuple(term.code for term in ROLES)
MAIL_STATUS_CODES = tuple(term.code for term in MAIL_STATUSES)
# A mail in these states may be made due again by staff; one being sent, or sent, may not.
RETRYABLE_MAIL_STATUSES = ("queued", "retry", "failed")
_BY_CODE["role"] = {term.code: term for term in ROLES}
_BY_CODE["mail_status"] = {term.code: term for term in MAIL_STATUSES}


def one_of(column: str, codes: tuple[str, ...]) -> str:
    """Return a check constraint's SQL that `column` holds one of `codes`."""
    quoted = ", ".join(f"'{code}'" for code in codes)
    return f"{column} IN ({quoted})"


# An announcement's mail to one registration, as staff see it: the outbox's five states
# folded into three (queued, sending and waiting to retry are all "waiting").
ANNOUNCEMENT_DELIVERY: tuple[Term, ...] = (
    Term("delivered", "Dihantar", "Delivered"),
    Term("waiting", "Menunggu", "Waiting"),
    Term("failed", "Gagal", "Failed"),
)
DELIVERY_OF_MAIL_STATUS = {
    "sent": "delivered", "queued": "waiting", "inflight": "waiting", "retry": "waiting",
    "failed": "failed",
}

# What an announcement's subject and body may fill in for each registrant.
ANNOUNCEMENT_PLACEHOLDERS: tuple[Term, ...] = (
    Term("organisation_name", "Nama organisasi", "Organisation name"),
    Term("contact_name", "Nama pegawai perhubungan", "Contact person's name"),
    Term("reference", "Nombor rujukan", "Reference number"),
)
PLACEHOLDER_CODES = tuple(term.code for term in ANNOUNCEMENT_PLACEHOLDERS)

# The registrant list's filter on contact emails that a mail server refused for good.
CONTACT_EMAIL_STATES: tuple[Term, ...] = (
    Term("undeliverable", "Tidak dapat dihantar", "Undeliverable"),
    Term("deliverable", "Boleh dihantar", "Deliverable"),
)
CONTACT_EMAIL_STATE_CODES = tuple(term.code for term in CONTACT_EMAIL_STATES)
# An invitation to a workshop, from the mail to the answer (docs/staff.md has the diagram).
INVITATION_STATUSES: tuple[Term, ...] = (
    Term("invited", "Dijemput", "Invited"),
    Term("accepted", "Menerima", "Accepted"),
    Term("declined", "Menolak", "Declined"),
    Term("waiting", "Dalam senarai menunggu", "On the waiting list"),
    Term("offered", "Ditawarkan tempat", "Offered seats"),
    Term("expired", "Tawaran tamat", "Offer expired"),
    Term("cancelled", "Dibatalkan", "Cancelled"),
)
INVITATION_STATUS_CODES = tuple(term.code for term in INVITATION_STATUSES)
# A registration's invitation status, as the registrant list shows and filters it: its
# invitation to the latest workshop, or none yet.
REGISTRANT_INVITATION_STATUSES: tuple[Term, ...] = (
    Term("not_invited", "Belum dijemput", "Not invited"), *INVITATION_STATUSES,
)
REGISTRANT_INVITATION_STATUS_CODES = tuple(term.code for term in REGISTRANT_INVITATION_STATUSES)
InvitationStatus = Literal[
    "invited", "accepted", "declined", "waiting", "offered", "expired", "cancelled",
]
RegistrantInvitationStatus = Literal[
    "not_invited", "invited", "accepted", "declined", "waiting", "offered", "expired",
    "cancelled",
]
for _type, _terms in (
    (InvitationStatus, INVITATION_STATUSES),
    (RegistrantInvitationStatus, REGISTRANT_INVITATION_STATUSES),
):
    if get_args(_type) != tuple(term.code for term in _terms):
        raise RuntimeError(f"{_type} does not list the codes of its terms, in their order")
# Still waiting for an answer from the organisation.
OPEN_INVITATION_STATUSES = ("invited", "offered")

# How a reply reached the secretariat.
REPLY_CHANNELS: tuple[Term, ...] = (
    Term("link", "Pautan peribadi", "Private link"),
    Term("phone", "Telefon", "Phone"),
    Term("letter", "Surat", "Letter"),
    Term("email", "E-mel", "Email"),
)
REPLY_CHANNEL_CODES = tuple(term.code for term in REPLY_CHANNELS)
_BY_CODE["invitation_status"] = {term.code: term for term in REGISTRANT_INVITATION_STATUSES}
_BY_CODE["reply_channel"] = {term.code: term for term in REPLY_CHANNELS}
# What a reply did, as the secretariat's digest of replies tells it.
REPLY_OUTCOMES: tuple[Term, ...] = (
    Term("accepted", "Menerima", "Accepted"),
    Term("offer_taken", "Mengambil tempat yang ditawarkan", "Took the seats offered"),
    Term("waiting", "Masuk senarai menunggu", "Moved to the waiting list"),
    Term("declined", "Menolak", "Declined"),
    Term("offer_expired", "Tawaran tamat tanpa jawapan", "Offer expired unanswered"),
)
REPLY_OUTCOME_CODES = tuple(term.code for term in REPLY_OUTCOMES)
_BY_CODE["reply_outcome"] = {term.code: term for term in REPLY_OUTCOMES}

# A roadmap commitment's status: "not yet reported" until a report is approved, then the
# completion scale of the Open Government Partnership's independent reporting (SPEC 8.2).
COMMITMENT_STATUSES: tuple[Term, ...] = (
    Term("not_reported", "Belum dilaporkan", "Not yet reported"),
    Term("not_started", "Belum dimulakan", "Not started"),
    Term("limited", "Terhad", "Limited"),
    Term("substantial", "Ketara", "Substantial"),
    Term("completed", "Selesai", "Completed"),
)
COMMITMENT_STATUS_CODES = tuple(term.code for term in COMMITMENT_STATUSES)
_BY_CODE["commitment_status"] = {term.code: term for term in COMMITMENT_STATUSES}
