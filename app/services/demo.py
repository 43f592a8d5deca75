"""Plausible demo registrations across every category, state and pillar."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from app.schemas.registration import organisation_key
from app.services.references import new_reference
from app.vocab import CATEGORY_CODES, FOCUS_AREA_CODES, PILLAR_CODES, STATE_CODES

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
_PLACES = [
    "Johor Bahru",
    "Alor Setar",
    "Kota Bharu",
    "Melaka",
    "Seremban",
    "Kuantan",
    "Ipoh",
    "Kangar",
    "George Town",
    "Kota Kinabalu",
    "Kuching",
    "Shah Alam",
    "Kuala Terengganu",
    "Kuala Lumpur",
    "Labuan",
    "Putrajaya",
    "Klang",
    "Sandakan",
    "Miri",
    "Batu Pahat",
]
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


def demo_registrations(
    count: int, *, rng: random.Random, now: dt.datetime, taken: set[str]
) -> Iterator[tuple[dict[str, Any], list[str], list[str]]]:
    """Yield (registration row, pillar codes, focus area codes) for `count` demo registrations."""
    for number in range(count):
        category = CATEGORY_CODES[number % len(CATEGORY_CODES)]
        state = STATE_CODES[rng.randrange(len(STATE_CODES))]
        place = rng.choice(_PLACES)
        name = rng.choice(_ORGANISATIONS[category]).format(place=place) + f" ({number + 1})"
        reference = new_reference()
        while reference in taken:
            reference = new_reference()
        taken.add(reference)
        email = f"contact{number + 1}@{DEMO_EMAIL_DOMAIN}"
        submitted_at = now - dt.timedelta(minutes=rng.randrange(60 * 24 * 30))
        postcode = f"{rng.randrange(10000, 99999)}" if state != "outside_malaysia" else "SW1A 2AA"
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
            "address": f"No. {rng.randint(1, 200)}, Jalan {rng.choice(_STREETS)}\n{place}",
            "postcode": postcode,
            "state": state,
            "website": "" if rng.random() < 0.3 else f"https://www.org{number + 1}.example.my",
            "contact_name": rng.choice(_PEOPLE),
            "contact_designation": rng.choice(_DESIGNATIONS),
            "contact_email": email,
            "contact_email_key": email,
            "contact_phone": f"+601{rng.randrange(0, 9)}{rng.randrange(1000000, 9999999)}",
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
