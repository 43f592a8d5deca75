"""Likely duplicate organisations: pairs found by name, acronym, registration number, domain.

Comparing every pair of 5,000 registrations is 12.5 million comparisons; instead, each
registration is put in a few blocks by cheap keys (its first distinctive word, its
initials, its registration number, its email domain), and only registrations sharing a
block are compared. Names are compared after folding case and accents and weighing down
the words every organisation's name has ("Persatuan", "Malaysia", "Sdn Bhd"...), with
rapidfuzz's token-set ratio.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

# Reasons, as the API names them.
SIMILAR_NAMES = "similar_names"
ACRONYM = "acronym"
SAME_REGISTRATION_NUMBER = "same_registration_number"
SAME_EMAIL_DOMAIN = "same_email_domain"
REASONS = (SIMILAR_NAMES, ACRONYM, SAME_REGISTRATION_NUMBER, SAME_EMAIL_DOMAIN)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that say what kind of body an organisation is, or where, rather than which one.
STOP_WORDS = _word_set("""
    persatuan pertubuhan kesatuan yayasan majlis dewan pusat jabatan kementerian
    kebangsaan nasional malaysia malaysian semenanjung negeri sdn bhd berhad plt enterprise
    association associations society foundation federation union council national centre
    center organisation organization institute the of and dan bagi untuk di in for
""")
# Words left out of initials ("Malaysian Trades Union Congress" is MTUC, not MTUOC).
_NOT_IN_INITIALS = _word_set("of and dan bagi untuk di the for in & sdn bhd berhad")
FREE_MAIL_DOMAINS = _word_set("""
    gmail.com googlemail.com yahoo.com yahoo.com.my ymail.com rocketmail.com hotmail.com
    hotmail.my outlook.com outlook.my live.com live.com.my msn.com icloud.com me.com mac.com
    aol.com proton.me protonmail.com mail.com gmx.com zoho.com yandex.com qq.com 163.com
    126.com streamyx.com tm.net.my
""")
SIMILAR_NAME_SCORE = 90
SAME_DOMAIN_NAME_SCORE = 60
_PLACEHOLDER_NUMBERS = frozenset({"TIADA", "NONE", "NIL", "NA", "TIDAKBERKENAAN"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the finder needs of one registration."""

    id: int
    reference: str
    organisation_name: str
    registration_number: str
    contact_email: str


@dataclass(frozen=True, slots=True)
class Pair:
    """Two registrations that may be one organisation, the earlier first, and why."""

    first: Candidate
    second: Candidate
    reasons: tuple[str, ...]


def _words(name: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.findall(r"\w+", plain)


@dataclass(frozen=True, slots=True)
class _Prepared:
    candidate: Candidate
    distinctive: str  # the name without its stop words (or all of it, if nothing is left)
    distinctive_words: int
    initials: str
    single_word: str  # the name, if it is one word (which may be an acronym)
    number: str
    domain: str


def _prepare(candidate: Candidate) -> _Prepared:
    words = _words(candidate.organisation_name)
    kept = [word for word in words if word not in STOP_WORDS] or words
    initials = "".join(word[0] for word in words if word not in _NOT_IN_INITIALS)
    number = re.sub(r"[^0-9A-Z]", "", candidate.registration_number.upper())
    if len(number) < 4 or number in _PLACEHOLDER_NUMBERS or not number.strip("0"):
        number = ""
    domain = candidate.contact_email.rpartition("@")[2].casefold()
    return _Prepared(
        candidate, " ".join(kept), len(kept), initials if len(initials) >= 2 else "",
        words[0] if len(words) == 1 and len(words[0]) >= 2 else "", number,
        "" if domain in FREE_MAIL_DOMAINS else domain,
    )


def _keys(item: _Prepared, rarity: dict[str, int]) -> Iterable[str]:
    # The name's two rarest distinctive words: alike names share at least one of them, and
    # a rare word's block is small, whatever word most names in the set begin with.
    for word in sorted(set(item.distinctive.split()), key=lambda w: (rarity[w], w))[:2]:
        yield "w:" + word
    if item.initials:
        yield "a:" + item.initials
    if item.single_word:
        yield "a:" + item.single_word
    if item.number:
        yield "n:" + item.number
    if item.domain:
        yield "d:" + item.domain


def name_score(a: str, b: str, a_words: int, b_words: int) -> float:
    """Return how alike two distinctive names are, 0 to 100."""
    if min(a_words, b_words) == 1 and a_words != b_words:
        # One word inside a longer name ("Bank" in "Bank Negara") is not a match.
        return float(fuzz.token_sort_ratio(a, b))
    return float(fuzz.token_set_ratio(a, b))


def _reasons(a: _Prepared, b: _Prepared) -> tuple[str, ...]:
    score = name_score(a.distinctive, b.distinctive, a.distinctive_words, b.distinctive_words)
    found = []
    if score >= SIMILAR_NAME_SCORE:
        found.append(SIMILAR_NAMES)
    if (a.single_word and a.single_word == b.initials) or (
            b.single_word and b.single_word == a.initials):
        found.append(ACRONYM)
    if a.number and a.number == b.number:
        found.append(SAME_REGISTRATION_NUMBER)
    if a.domain and a.domain == b.domain and score >= SAME_DOMAIN_NAME_SCORE:
        found.append(SAME_EMAIL_DOMAIN)
    return tuple(found)


def find_pairs(candidates: Iterable[Candidate],
               dismissed: frozenset[tuple[int, int]] = frozenset()) -> list[Pair]:
    """Return the likely duplicate pairs among `candidates` (in order of id), less `dismissed`
    (pairs of ids, the lower first)."""
    prepared = [_prepare(candidate) for candidate in candidates]
    rarity: dict[str, int] = defaultdict(int)
    for item in prepared:
        for word in set(item.distinctive.split()):
            rarity[word] += 1
    blocks: dict[str, list[_Prepared]] = defaultdict(list)
    for item in prepared:
        for key in set(_keys(item, rarity)):
            blocks[key].append(item)
    seen: set[tuple[int, int]] = set(dismissed)
    pairs = []

    def consider(a: _Prepared, b: _Prepared) -> None:
        if a.candidate.id > b.candidate.id:
            a, b = b, a
        ids = (a.candidate.id, b.candidate.id)
        if ids not in seen:
            seen.add(ids)
            reasons = _reasons(a, b)
            if reasons:
                pairs.append(Pair(a.candidate, b.candidate, reasons))

    for key, members in blocks.items():
        if key.startswith("w:"):
            # Sharing a word, only a similar name makes a pair: rapidfuzz scores the block
            # in C, and only the names scoring high enough are looked at further.
            names = [member.distinctive for member in members]
            for index, member in enumerate(members[:-1]):
                for _name, _score, other in process.extract(
                        member.distinctive, names[index + 1:], scorer=fuzz.token_set_ratio,
                        score_cutoff=SIMILAR_NAME_SCORE, limit=None):
                    consider(member, members[index + 1 + other])
        else:
            for a, b in itertools.combinations(members, 2):
                consider(a, b)
    pairs.sort(key=lambda pair: (pair.first.id, pair.second.id))
    return pairs
