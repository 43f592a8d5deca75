"""Finding likely duplicate organisations: how the time grows with the registrations.

    .venv/bin/python bench/bench_duplicates.py [--sizes 1000 5000 20000] [--repeats 3]

The names are made up as Malaysian organisations' are: a kind ("Persatuan", "Kesatuan",
"Foundation"...), two or three words from some 230 Malay, English, romanised Chinese and
Tamil ones, and often a place or "Sdn Bhd"; so, as in life, some names come out alike.
Each organisation has its own email domain, except one in ten on a free-mail one. Reported: the
median time of `find_pairs` (the blocking and the comparisons, in process, without the
database read) and how many pairs it found; and, up to 5,000 registrations, the baseline
measured in the same run, alternating with it: every name scored against every other with
rapidfuzz's own `cdist` (C, all cores, the same `token_set_ratio`), the brute force that
blocking avoids, as a ratio (find_pairs / baseline; under 1 is faster).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from rapidfuzz import fuzz, process

from app.services.duplicate_pairs import Candidate, find_pairs

_KINDS = ("Persatuan", "Pertubuhan", "Kesatuan", "Yayasan", "Majlis", "Dewan", "Pusat",
          "Syarikat", "Koperasi", "Universiti", "Institut", "Association", "Foundation")
_SUFFIXES = ("", "", "Malaysia", "Sdn Bhd", "Berhad", "Selangor", "Johor", "Sabah",
             "Sarawak", "Pulau Pinang", "Kuala Lumpur")
# Malay, English, romanised Chinese and Tamil words, as in Malaysian organisations' names.
_WORD_TEXT = """
pekerja ladang nelayan petani belia wanita kebajikan pendidikan kesihatan hak asasi
manusia migran pelarian kanak buruh perusahaan makanan getah sawit pembinaan
pengangkutan pelabuhan perkilangan elektronik tekstil perhotelan pelancongan perbankan
insurans guru jururawat doktor peguam akauntan jurutera usahawan peniaga kecil sederhana
koperasi komuniti orang asli pribumi desa bandar pantai timur barat utara selatan tengah
hokkien hakka kantonis teochew hainan foochow kwangsi tamil telugu malayalee punjabi
sikh hindu buddha kristian islam muslim dharma seva sangam manram kalai ilakkiya thondu
makkal nalam kalvi munnetra tengku sultan rahman ismail idris hamid zainal lim tan wong
lee chan ng goh ong teh yap chong muthu raju krishnan subramaniam pillai nair menon
green earth future hope light bridge harmony unity justice freedom care action voice
rights labour trade fair ethical sustainable responsible supply chain integrity
transparency watch network alliance council forum coalition centre research policy
studies law legal aid
"""
_WORDS = tuple(_WORD_TEXT.split())


def _name(rng: random.Random) -> str:
    words = " ".join(w.capitalize() for w in rng.sample(_WORDS, rng.choice((2, 2, 3))))
    return " ".join(part for part in (rng.choice(_KINDS), words, rng.choice(_SUFFIXES)) if part)


def candidates(count: int) -> list[Candidate]:
    rng = random.Random(87)
    found = []
    for n in range(count):
        domain = "gmail.com" if n % 10 == 0 else f"org{n}.example.my"
        number = ("" if rng.random() < 0.4
                  else f"PPM-{rng.randrange(100, 999)}-10-{rng.randrange(10**8)}")
        found.append(Candidate(n + 1, f"R{n}", _name(rng), number, f"contact@{domain}"))
    return found


# All pairs of 20,000 names is 400 million scores: not worth waiting for.
BRUTE_FORCE_UP_TO = 5000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for size in args.sizes:
        items = candidates(size)
        names = [item.organisation_name.lower() for item in items]
        times: list[float] = []
        brute: list[float] = []
        pairs = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            pairs = find_pairs(items)
            times.append(time.perf_counter() - started)
            if size <= BRUTE_FORCE_UP_TO:
                started = time.perf_counter()
                process.cdist(names, names, scorer=fuzz.token_set_ratio, score_cutoff=90,
                              workers=-1)
                brute.append(time.perf_counter() - started)
        line = (f"{size:>6} registrations: {statistics.median(times):6.2f} s, "
                f"{len(pairs)} pairs")
        if brute:
            line += (f"; baseline (all pairs) {statistics.median(brute):6.2f} s, ratio "
                     f"{statistics.median(times) / statistics.median(brute):.2f}")
        print(line)


if __name__ == "__main__":
    main()
