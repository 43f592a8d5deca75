"""The one vocabulary: categories, states, pillars and focus areas, with labels in both languages.

Forms, the API, exports and emails all read their codes and labels from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
_BY_CODE["invitation_status"] = {term.code: term for term in INVITATION_STATUSES}
_BY_CODE["reply_channel"] = {term.code: term for term in REPLY_CHANNELS}
