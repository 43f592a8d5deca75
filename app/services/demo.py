"""Plausible demo registrations across every category, state and pillar."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import phonenumbers

from app.schemas.registration import organisation_key
from app.services.references import new_reference
from app.vocab import CATEGORY_CODES, FOCUS_AREA_CODES, PILLAR_CODES

# Demo contacts use a reserved domain, so demo data can always be told from real data.
DEMO_EMAIL_DOMAIN = "demo.alliance87.example"

_ORGANISATIONS = {
    "public_organisation": [
        "Jabatan Tenaga Kerja {place}",
        "Pejabat Kesihatan Daerah {place}",
        "Majlis Perbandaran {place}",
    ],
    "private_organisation": [
        "{place} Palm Oil Berhad",
        "Syarikat Perkilangan {place} Sdn Bhd",
        "{place} Glove Industries Sdn Bhd",
        "华联电子 {place} Sdn Bhd",
    ],
    "workers_union": [
        "Kesatuan Pekerja-Pekerja Ladang {place}",
        "Kesatuan Sekerja Industri Elektronik {place}",
    ],
    "employers_union": ["Persatuan Majikan {place}", "{place} Manufacturers' Association"],
    "cso": [
        "Persatuan Sahabat Wanita {place}",
        "Tenaganita {place}",
        "Pertubuhan Kebajikan Migran {place}",
        "மலேசிய தமிழர் நலச் சங்கம் {place}",
    ],
    "academic": ["Universiti {place}", "Institut Penyelidikan Buruh {place}"],
    "other": ["Koperasi Nelayan {place}", "Yayasan Komuniti {place}"],
}
# Real towns with a postcode of theirs and their telephone area code (+60 without the 0).
_PLACES = [
    ("Johor Bahru", "johor", "80000", "7"),
    ("Batu Pahat", "johor", "83000", "7"),
    ("Alor Setar", "kedah", "05000", "4"),
    ("Kota Bharu", "kelantan", "15000", "9"),
    ("Melaka", "melaka", "75000", "6"),
    ("Seremban", "negeri_sembilan", "70000", "6"),
    ("Kuantan", "pahang", "25000", "9"),
    ("Ipoh", "perak", "30000", "5"),
    ("Kangar", "perlis", "01000", "4"),
    ("George Town", "pulau_pinang", "10200", "4"),
    ("Kota Kinabalu", "sabah", "88000", "88"),
    ("Sandakan", "sabah", "90000", "89"),
    ("Kuching", "sarawak", "93000", "82"),
    ("Miri", "sarawak", "98000", "85"),
    ("Shah Alam", "selangor", "40000", "3"),
    ("Klang", "selangor", "41000", "3"),
    ("Kuala Terengganu", "terengganu", "20000", "9"),
    ("Kuala Lumpur", "wp_kuala_lumpur", "50450", "3"),
    ("Labuan", "wp_labuan", "87000", "87"),
    ("Putrajaya", "wp_putrajaya", "62000", "3"),
]
_ABROAD = ("London", "SW1A 2AA", "+442079460958")  # a UK number set aside for drama
# Mobile prefixes and how many digits follow them (011 numbers have one more).
_MOBILES = {"12": 7, "13": 7, "16": 7, "17": 7, "19": 7, "11": 8}
_STREETS = ["Merdeka", "Tun Razak", "Ampang", "Sultan Ismail", "Tun Abdul Razak"]
_PEOPLE = [
    "Nur Aisyah binti Ahmad",
    "Muhammad Hafiz bin Rahman",
    "Tan Mei Ling",
    "陈伟明",
    "Rajeswari a/p Subramaniam",
    "இராஜேஸ்வரி சுப்ரமணியம்",
    "Siti Hajar binti Osman",
    "Lim Chee Keong",
    "Arumugam a/l Muthu",
    "Jennifer Anak Jalong",
    "Mohd Firdaus bin Ali",
    "Wong Siew Ling",
    "Priya Nair",
    "Sarah Thompson",
    "Kavitha a/p Ramasamy",
    "Ahmad Zulkifli bin Yusof",
    "Chong Wei Jie",
    "David Raj",
    "Emily Goh",
    "Nurul Izzah binti Hassan",
    "Gurmit Singh a/l Harbans Singh",
]
_DESIGNATIONS = [
    "Pengarah",
    "Setiausaha Agung",
    "Pengurus Program",
    "Pegawai Penyelidik",
    "Presiden",
    "Head of Sustainability",
    "Compliance Manager",
    "Pensyarah Kanan",
]
_STATEMENTS = [
    "Kami menjalankan program kesedaran mengenai buruh paksa untuk pekerja ladang.",
    "We audit our supply chain for forced labour indicators and remediate findings.",
    "Kesatuan kami membantu pekerja migran mendapatkan remedi dan perlindungan.",
    "Our researchers study recruitment fees and debt bondage in manufacturing.",
]


def _phone(rng: random.Random, area: str) -> str:
    """Return a valid number in E.164: half mobiles, half lines in the town's area code."""
    if rng.random() < 0.5:
        prefix = rng.choice(list(_MOBILES))
        digits = _MOBILES[prefix]
    else:
        # Klang Valley lines have 8 digits after 03; Sabah and Sarawak 6 after 08x; others 7.
        prefix, digits = area, 8 if area == "3" else 6 if len(area) == 2 else 7
    for _ in range(1000):  # not every exchange exists: draw until one does
        number = f"+60{prefix}{rng.randrange(2 * 10 ** (digits - 1), 10**digits)}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number
    raise ValueError(f"no valid Malaysian number starts with +60{prefix}")


def demo_registrations(
    count: int, *, rng: random.Random, now: dt.datetime, taken: set[str], first: int = 0
) -> Iterator[tuple[dict[str, Any], list[str], list[str]]]:
    """Yield (registration row, pillar codes, focus area codes) for `count` demo registrations.

    They are numbered from `first` (the demo registrations already stored), so a second run
    never gives an organisation a contact email an earlier run gave it.
    """
    for number in range(first, first + count):
        category = CATEGORY_CODES[number % len(CATEGORY_CODES)]
        if number % 25 == 24:
            place, postcode, phone = _ABROAD
            state = "outside_malaysia"
        else:
            place, state, postcode, area = _PLACES[rng.randrange(len(_PLACES))]
            phone = _phone(rng, area)
        name = rng.choice(_ORGANISATIONS[category]).format(place=place)
        reference = new_reference()
        while reference in taken:
            reference = new_reference()
        taken.add(reference)
        email = f"contact{number + 1}@{DEMO_EMAIL_DOMAIN}"
        submitted_at = now - dt.timedelta(minutes=rng.randrange(60 * 24 * 30))
        pillars = rng.sample(PILLAR_CODES, rng.randint(1, len(PILLAR_CODES)))
        focus = rng.sample(FOCUS_AREA_CODES, rng.randint(0, 3))
        row = {
            "reference": reference,
            "submitted_at": submitted_at,
            "updated_at": submitted_at,
            "organisation_name": name,
            "organisation_key": organisation_key(name),
            "category": category,
            "category_other": "Koperasi komuniti" if category == "other" else "",
            "registration_number": f"PPM-{rng.randrange(100, 999)}-10-{rng.randrange(10**7)}",
            "address": f"No. {rng.randint(1, 200)}, Jalan {rng.choice(_STREETS)}\n"
            f"{postcode} {place}",
            "postcode": postcode,
            "state": state,
            "website": "" if rng.random() < 0.3 else f"https://www.org{number + 1}.example.my",
            "contact_name": rng.choice(_PEOPLE),
            "contact_designation": rng.choice(_DESIGNATIONS),
            "contact_email": email,
            "contact_email_key": email,
            "contact_phone": phone,
            "interest_statement": rng.choice(_STATEMENTS),
            "workshop_attendees": rng.randint(0, 3),
            "preferred_language": rng.choice(("ms", "en")),
            "consent_pdpa": True,
            "consent_share_partners": rng.random() < 0.6,
            "staff_notes": "",
            "withdrawn_at": None,
            "manage_token_hash": None,
        }
        yield row, pillars, focus
