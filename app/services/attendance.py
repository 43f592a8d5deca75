"""Attendance at a workshop: present against expected, overall and by group, and no-shows.

Built from plain values so the check-in page's live count and the workshop page's summary
after the day read the same numbers. Removed representatives are not expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

_Key = TypeVar("_Key", bound=str | None)


@dataclass(frozen=True, slots=True)
class ExpectedRepresentative:
    """An accepted representative, what they are counted under, and whether they came."""

    id: int
    group: str | None
    category: str
    state: str
    pillars: tuple[str, ...]
    checked_in: bool
    removed: bool = False


@dataclass(frozen=True, slots=True)
class Count:
    """How many came of how many were expected."""

    present: int = 0
    expected: int = 0

    def add(self, present: bool) -> Count:
        return Count(self.present + int(present), self.expected + 1)


@dataclass(frozen=True, slots=True)
class AttendanceSummary:
    """Present against expected overall, by group, category, pillar and state; who did not come."""

    overall: Count
    by_group: Mapping[str | None, Count]
    by_category: Mapping[str, Count]
    by_pillar: Mapping[str, Count]
    by_state: Mapping[str, Count]
    no_shows: tuple[int, ...]


def summarise_attendance(representatives: Iterable[ExpectedRepresentative]) -> AttendanceSummary:
    """Count who came against who was expected, and list the no-shows by id."""
    overall = Count()
    by_group: dict[str | None, Count] = {}
    by_category: dict[str, Count] = {}
    by_pillar: dict[str, Count] = {}
    by_state: dict[str, Count] = {}
    no_shows = []
    for person in representatives:
        if person.removed:
            continue
        came = person.checked_in
        overall = overall.add(came)
        by_group[person.group] = by_group.get(person.group, Count()).add(came)
        by_category[person.category] = by_category.get(person.category, Count()).add(came)
        by_state[person.state] = by_state.get(person.state, Count()).add(came)
        # A person counts once under each pillar their organisation chose.
        for pillar in set(person.pillars):
            by_pillar[pillar] = by_pillar.get(pillar, Count()).add(came)
        if not came:
            no_shows.append(person.id)
    return AttendanceSummary(
        overall=overall,
        by_group=_sorted(by_group),
        by_category=_sorted(by_category),
        by_pillar=_sorted(by_pillar),
        by_state=_sorted(by_state),
        no_shows=tuple(sorted(no_shows)),
    )


def _sorted(counts: dict[_Key, Count]) -> dict[_Key, Count]:
    """Return the counts in a stable order, the group-less (None) last."""
    return dict(sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or "")))
