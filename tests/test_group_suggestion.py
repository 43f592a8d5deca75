"""The working-group suggestion: pillars followed, organisations spread, limits kept, balance."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.group_suggestion import (
    Group,
    Person,
    Suggestion,
    Unplaced,
    default_groups,
    suggest_groups,
)
from app.vocab import PILLAR_CODES

PREVENTION, PROTECTION, PROSECUTION, PARTNERSHIP = PILLAR_CODES


def pillar_groups(limit: int | None = None) -> list[Group]:
    return [Group(id=10 + n, pillar=code, seat_limit=limit) for n, code in enumerate(PILLAR_CODES)]


def sizes(suggestion: Suggestion, groups: list[Group]) -> dict[int, int]:
    placed = Counter(suggestion.placements.values())
    return {group.id: group.already + placed[group.id] for group in groups}


def test_default_groups_are_one_per_pillar_named_in_both_languages() -> None:
    groups = default_groups()
    assert [group.pillar for group in groups] == list(PILLAR_CODES)
    prevention = groups[0]
    assert (prevention.name_ms, prevention.name_en) == ("Pencegahan", "Prevention")
    assert groups[3].name_en == "Partnership and Strategic Collaboration"


def test_a_representative_goes_to_a_group_of_their_organisations_pillar() -> None:
    people = [Person(1, organisation_id=7, pillars=(PROTECTION,))]
    suggestion = suggest_groups(people, pillar_groups())
    assert suggestion.placements == {1: 11}
    assert suggestion.outside_pillars == ()
    assert suggestion.unplaced == ()


def test_an_organisations_representatives_are_spread_over_its_pillars() -> None:
    people = [Person(n, organisation_id=7, pillars=(PREVENTION, PARTNERSHIP)) for n in (1, 2)]
    suggestion = suggest_groups(people, pillar_groups())
    assert sorted(suggestion.placements.values()) == [10, 13]


def test_spreading_comes_before_balance() -> None:
    # Partnership already has five people; the organisation's second person still goes there.
    groups = [Group(10, PREVENTION), Group(13, PARTNERSHIP, already=5)]
    people = [Person(n, organisation_id=7, pillars=(PREVENTION, PARTNERSHIP)) for n in (1, 2)]
    assert sorted(suggest_groups(people, groups).placements.values()) == [10, 13]


def test_the_emptier_group_is_chosen() -> None:
    groups = [Group(10, PREVENTION, already=3), Group(11, PROTECTION, already=1)]
    people = [Person(1, organisation_id=7, pillars=(PREVENTION, PROTECTION))]
    assert suggest_groups(people, groups).placements == {1: 11}


def test_a_full_pillar_sends_people_to_a_general_group_first_and_says_so() -> None:
    groups = [
        Group(10, PREVENTION, seat_limit=1),
        Group(11, PROTECTION),
        Group(20, None),  # a general group, e.g. one staff added for a focus area
    ]
    people = [Person(n, organisation_id=n, pillars=(PREVENTION,)) for n in (1, 2)]
    suggestion = suggest_groups(people, groups)
    assert suggestion.placements == {1: 10, 2: 20}
    assert suggestion.outside_pillars == (2,)


def test_people_beyond_every_seat_are_left_unplaced_with_a_reason() -> None:
    groups = [Group(10, PREVENTION, seat_limit=2, already=1)]
    people = [Person(n, organisation_id=n, pillars=(PREVENTION,)) for n in (1, 2, 3)]
    suggestion = suggest_groups(people, groups)
    assert suggestion.placements == {1: 10}
    assert suggestion.unplaced == (Unplaced(2, "groups_full"), Unplaced(3, "groups_full"))


def test_no_groups_at_all_is_its_own_reason() -> None:
    suggestion = suggest_groups([Person(1, 7, (PREVENTION,))], [])
    assert suggestion.unplaced == (Unplaced(1, "no_group"),)


def test_organisations_with_fewer_pillars_get_the_scarce_seats() -> None:
    # One prevention seat: it goes to the organisation that chose only prevention, even though
    # the other one has a lower id, and the other lands in protection.
    groups = [Group(10, PREVENTION, seat_limit=1), Group(11, PROTECTION)]
    people = [Person(1, organisation_id=1, pillars=(PREVENTION, PROTECTION)),
              Person(2, organisation_id=2, pillars=(PREVENTION,))]
    suggestion = suggest_groups(people, groups)
    assert suggestion.placements == {1: 11, 2: 10}
    assert suggestion.outside_pillars == ()


def test_unknown_pillars_and_clashing_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown pillars"):
        suggest_groups([Person(1, 7, ("gardening",))], pillar_groups())
    with pytest.raises(ValueError, match="id 1"):
        suggest_groups([Person(1, 7, (PREVENTION,)), Person(1, 8, (PREVENTION,))], [])


# Property tests. Organisations send at most three representatives (the registration form's
# choice), but the properties are checked with up to five to be safe.
pillar_sets = st.lists(st.sampled_from(PILLAR_CODES), min_size=0, max_size=4, unique=True)


@st.composite
def people_lists(draw: st.DrawFn, all_pillars: bool = False) -> list[Person]:
    people: list[Person] = []
    for organisation_id in range(draw(st.integers(0, 25))):
        pillars = PILLAR_CODES if all_pillars else tuple(draw(pillar_sets))
        for _ in range(draw(st.integers(1, 5))):
            people.append(Person(len(people) + 1, organisation_id, pillars))
    return people


@st.composite
def group_lists(draw: st.DrawFn) -> list[Group]:
    pillars = draw(st.lists(st.sampled_from([*PILLAR_CODES, None]), min_size=0, max_size=7))
    return [
        Group(
            id=100 + n,
            pillar=pillar,
            seat_limit=draw(st.none() | st.integers(0, 12)),
            already=draw(st.integers(0, 4)),
        )
        for n, pillar in enumerate(pillars)
    ]


@settings(max_examples=300)
@given(people=people_lists(), groups=group_lists())
def test_limits_are_never_exceeded_and_everyone_fits_when_seats_allow(
    people: list[Person], groups: list[Group]
) -> None:
    suggestion = suggest_groups(people, groups)
    after = sizes(suggestion, groups)
    for group in groups:
        if group.seat_limit is not None:
            assert after[group.id] <= max(group.seat_limit, group.already)
    placed_or_not = set(suggestion.placements) | {item.person_id for item in suggestion.unplaced}
    assert placed_or_not == {person.id for person in people}
    seats = [group.seats_left for group in groups]
    if groups and (None in seats or sum(s or 0 for s in seats) >= len(people)):
        assert suggestion.unplaced == ()


@settings(max_examples=300)
@given(people=people_lists(), groups=group_lists())
def test_nobody_is_outside_their_pillars_while_one_of_their_groups_has_a_seat(
    people: list[Person], groups: list[Group]
) -> None:
    suggestion = suggest_groups(people, groups)
    after = sizes(suggestion, groups)
    by_id = {person.id: person for person in people}
    for person_id in suggestion.outside_pillars:
        for group in groups:
            if group.pillar in by_id[person_id].pillars and group.seat_limit is not None:
                assert after[group.id] >= group.seat_limit
            assert not (group.pillar in by_id[person_id].pillars and group.seat_limit is None)


@settings(max_examples=300)
@given(people=people_lists(all_pillars=True), group_count=st.integers(1, 4))
def test_groups_open_to_everyone_stay_within_one_person_of_each_other(
    people: list[Person], group_count: int
) -> None:
    groups = [Group(n, PILLAR_CODES[n]) for n in range(group_count)]
    counts = sizes(suggest_groups(people, groups), groups).values()
    assert max(counts) - min(counts) <= 1


@settings(max_examples=300)
@given(people=people_lists(), groups=group_lists())
def test_an_organisation_with_enough_pillars_has_its_people_in_different_pillars(
    people: list[Person], groups: list[Group]
) -> None:
    # Limits aside, so that every chosen pillar has a seat.
    groups = [Group(group.id, group.pillar, None, group.already) for group in groups]
    suggestion = suggest_groups(people, groups)
    pillar_of = {group.id: group.pillar for group in groups}
    by_organisation: dict[int, list[Person]] = defaultdict(list)
    for person in people:
        by_organisation[person.organisation_id].append(person)
    for members in by_organisation.values():
        with_a_group = set(members[0].pillars) & set(pillar_of.values())
        if len(with_a_group) >= len(members):
            placed = [pillar_of[suggestion.placements[person.id]] for person in members]
            assert len(set(placed)) == len(members)
            assert set(placed) <= with_a_group


@settings(max_examples=200)
@given(people=people_lists(), groups=group_lists(), seed=st.integers())
def test_the_same_input_in_any_order_gives_the_same_suggestion(
    people: list[Person], groups: list[Group], seed: int
) -> None:
    shuffled_people, shuffled_groups = people[:], groups[:]
    random.Random(seed).shuffle(shuffled_people)
    random.Random(seed).shuffle(shuffled_groups)
    assert suggest_groups(shuffled_people, shuffled_groups) == suggest_groups(people, groups)
