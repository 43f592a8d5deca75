"""Suggest working groups for a workshop's accepted representatives, and the default groups.

The suggestion is a pure function of plain values, so staff see it as a preview before
anything is stored, and the same people and groups always give the same suggestion.

Its rules, strongest first:
1. A group's seat limit is never exceeded.
2. A representative goes to a group of a pillar their organisation chose, when one has a seat;
   otherwise to any group with a seat (general groups first), and the preview says so.
3. An organisation's representatives are spread over its pillars before any pillar gets a
   second one of them (and over a pillar's groups, when it has several).
4. Among the groups left, the one with fewest people is chosen (then the lowest id).

Organisations are placed one after another, each representative taking the emptiest group
its organisation is not in yet: "fill the k emptiest groups". With no limits, one group per
pillar and every pillar chosen, this keeps the groups within one person of each other.
Organisations with the fewest pillars go first, so the flexible ones take the seats left.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from app.vocab import PILLAR_CODES, PILLARS


@dataclass(frozen=True, slots=True)
class Person:
    """An accepted representative, with the pillars their organisation chose."""

    id: int
    organisation_id: int
    pillars: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """A working group: its pillar (None for a general group), seat limit and current size."""

    id: int
    pillar: str | None
    seat_limit: int | None = None
    already: int = 0

    @property
    def seats_left(self) -> int | None:
        if self.seat_limit is None:
            return None
        return max(0, self.seat_limit - self.already)


_Item = TypeVar("_Item", Person, Group)
UnplacedReason = Literal["no_group", "groups_full"]


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A representative the suggestion could not place, and why."""

    person_id: int
    reason: UnplacedReason


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Where each representative would go, who lands outside their pillars, who is left."""

    placements: Mapping[int, int]
    outside_pillars: tuple[int, ...]
    unplaced: tuple[Unplaced, ...]


@dataclass(frozen=True, slots=True)
class DefaultGroup:
    """One of the groups a new workshop starts with: one per pillar, named in both languages."""

    pillar: str
    name_ms: str
    name_en: str


def default_groups() -> tuple[DefaultGroup, ...]:
    """Return the default working groups, one per pillar, in the vocabulary's order."""
    return tuple(DefaultGroup(term.code, term.ms, term.en) for term in PILLARS)


def suggest_groups(people: Iterable[Person], groups: Iterable[Group]) -> Suggestion:
    """Suggest a group for each representative, following their organisation's pillars."""
    people = _unique_by_id(people, "representative")
    groups = _unique_by_id(groups, "group")
    for person in people:
        unknown = set(person.pillars) - set(PILLAR_CODES)
        if unknown:
            raise ValueError(f"representative {person.id} has unknown pillars {sorted(unknown)}")

    size = {group.id: group.already for group in groups}
    seats = {group.id: group.seats_left for group in groups}
    pillar_groups = {group.pillar for group in groups if group.pillar is not None}
    # How many of an organisation's representatives are in each pillar, and in each group.
    in_pillar: Counter[tuple[int, str | None]] = Counter()
    in_group: Counter[tuple[int, int]] = Counter()
    placements: dict[int, int] = {}
    outside: list[int] = []
    unplaced: list[Unplaced] = []

    def open_pillars(person: Person) -> int:
        return len(set(person.pillars) & pillar_groups)

    ordered = sorted(people, key=lambda p: (open_pillars(p), p.organisation_id, p.id))
    for person in ordered:
        with_room = [group for group in groups if seats[group.id] != 0]
        if not with_room:
            unplaced.append(Unplaced(person.id, "no_group" if not groups else "groups_full"))
            continue
        chosen = set(person.pillars)
        own = [group for group in with_room if group.pillar in chosen]
        best = min(
            own or with_room,
            key=lambda group: (
                # When their pillars' groups are full: a general group before another pillar's.
                not own and group.pillar is not None,
                in_pillar[person.organisation_id, group.pillar],
                in_group[person.organisation_id, group.id],
                size[group.id],
                group.id,
            ),
        )
        placements[person.id] = best.id
        if not own:
            outside.append(person.id)
        size[best.id] += 1
        in_pillar[person.organisation_id, best.pillar] += 1
        in_group[person.organisation_id, best.id] += 1
        left = seats[best.id]
        if left is not None:
            seats[best.id] = left - 1

    return Suggestion(
        placements=dict(sorted(placements.items())),
        outside_pillars=tuple(sorted(outside)),
        unplaced=tuple(sorted(unplaced, key=lambda item: item.person_id)),
    )


def _unique_by_id(items: Iterable[_Item], what: str) -> list[_Item]:
    """Return the items sorted by id, refusing two with the same id."""
    by_id: dict[int, _Item] = {}
    for item in items:
        if item.id in by_id and by_id[item.id] != item:
            raise ValueError(f"two different {what}s have the id {item.id}")
        by_id[item.id] = item
    return [by_id[key] for key in sorted(by_id)]
