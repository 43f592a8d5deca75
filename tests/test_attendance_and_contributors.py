"""After the workshop: the attendance summary and the roadmap contributors list."""

from __future__ import annotations

import csv
import io

from app.services.attendance import Count, ExpectedRepresentative, summarise_attendance
from app.services.roadmap_contributors import (
    AttendedRepresentative,
    contributor_headers,
    contributor_rows,
    contributors_csv,
)


def expected(
    id: int, group: str | None, checked_in: bool, **other: object
) -> ExpectedRepresentative:
    values: dict[str, object] = {
        "category": "cso", "state": "selangor", "pillars": ("prevention",), "removed": False,
    }
    values.update(other)
    return ExpectedRepresentative(id, group, checked_in=checked_in, **values)  # type: ignore[arg-type]


def test_attendance_counts_present_against_expected_overall_and_by_group() -> None:
    summary = summarise_attendance([
        expected(1, "Pencegahan", True),
        expected(2, "Pencegahan", False),
        expected(3, "Perlindungan", True, category="academic", state="johor",
                 pillars=("prevention", "protection")),
        expected(4, None, False),
        expected(5, "Perlindungan", True, removed=True),  # removed: not expected at all
    ])
    assert summary.overall == Count(present=2, expected=4)
    assert summary.by_group == {
        "Pencegahan": Count(1, 2), "Perlindungan": Count(1, 1), None: Count(0, 1)}
    assert list(summary.by_group) == ["Pencegahan", "Perlindungan", None]
    assert summary.by_category == {"academic": Count(1, 1), "cso": Count(1, 3)}
    assert summary.by_state == {"johor": Count(1, 1), "selangor": Count(1, 3)}
    assert summary.by_pillar == {"prevention": Count(2, 4), "protection": Count(1, 1)}
    assert summary.no_shows == (2, 4)


def test_nobody_expected_is_zero_of_zero() -> None:
    summary = summarise_attendance([])
    assert summary.overall == Count(0, 0)
    assert summary.no_shows == ()


def attended(reference: str, organisation: str, name: str, group: str | None,
             checked_in: bool = True) -> AttendedRepresentative:
    return AttendedRepresentative(
        reference, organisation, "workers_union", ("partnership", "prevention"),
        name, group, checked_in)


PEOPLE = [
    attended("K7M2P9QX", "Kesatuan Pekerja-Pekerja Sabah", "Siti", "Perkongsian"),
    attended("K7M2P9QX", "Kesatuan Pekerja-Pekerja Sabah", "ahmad", "Pencegahan"),
    attended("K7M2P9QX", "Kesatuan Pekerja-Pekerja Sabah", "Lim", "Pencegahan", False),
    attended("AB3DEF7H", "=HYPERLINK(\"http://x\")", "Raju", None),
    attended("ZZ2YYY3X", "Absent Sdn Bhd", "Nobody", "Pencegahan", checked_in=False),
]


def test_contributors_are_the_organisations_that_came_with_who_came() -> None:
    rows = contributor_rows(PEOPLE, "ms")
    assert [row[0] for row in rows] == ["AB3DEF7H", "K7M2P9QX"]  # sorted by organisation
    sabah = rows[1]
    assert sabah == [
        "K7M2P9QX", "Kesatuan Pekerja-Pekerja Sabah", "Kesatuan pekerja", "ahmad; Siti",
        "Pencegahan; Perkongsian", "Pencegahan; Perkongsian dan Kerjasama Strategik",
    ]
    assert rows[0][4] == ""  # attended, in no group yet
    assert contributor_rows(PEOPLE, "en")[1][5] == (
        "Prevention; Partnership and Strategic Collaboration")


def test_contributors_csv_has_headings_in_the_language_and_no_formulas() -> None:
    rows = contributor_rows(PEOPLE, "en")
    data = contributors_csv(rows, contributor_headers("ms"))
    assert data.startswith("\ufeff".encode())
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert read[0][:4] == ["Rujukan", "Organisasi", "Kategori", "Wakil yang hadir"]
    assert read[1][1] == "'=HYPERLINK(\"http://x\")"
    assert read[2][3] == "ahmad; Siti"
