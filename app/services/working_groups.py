"""A workshop's working groups: the defaults, renaming, adding and removing, placing people.

Every change is audit-logged. The suggestion (group_suggestion) is a pure function; here it
is fed the workshop's accepted representatives and groups, previewed, then applied.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Invitation, Representative, WorkingGroup
from app.schemas.one_line import ONE_LINE_ERROR, is_one_line
from app.services import audit, invitations
from app.services.group_suggestion import Group, Person, Suggestion, default_groups, suggest_groups


class GroupNotFound(LookupError):
    """No working group with this id at this workshop."""


class GroupNotEmpty(ValueError):
    """A group with people in it cannot be removed."""


class GroupInvalid(ValueError):
    """A group's names or seat limit are not acceptable."""


def list_groups(*, session: Session, workshop_id: int) -> list[WorkingGroup]:
    """Return the workshop's groups in their order."""
    return list(session.scalars(select(WorkingGroup).where(
        WorkingGroup.workshop_id == workshop_id).order_by(WorkingGroup.position,
                                                          WorkingGroup.id)))


def group_sizes(*, session: Session, workshop_id: int) -> dict[int, int]:
    """Return how many accepted representatives each group holds."""
    rows = session.execute(
        select(Representative.group_id, func.count())
        .join(Invitation, Invitation.id == Representative.invitation_id)
        .where(Invitation.workshop_id == workshop_id, Invitation.status == "accepted",
               Representative.group_id.is_not(None))
        .group_by(Representative.group_id))
    return {int(group_id or 0): int(count) for group_id, count in rows}


def group_names(*, session: Session, workshop_id: int, language: str) -> dict[int, str]:
    """Return each group's name in `language`, by id."""
    return {group.id: group.name(language)
            for group in list_groups(session=session, workshop_id=workshop_id)}


def get_group(*, session: Session, workshop_id: int, group_id: int) -> WorkingGroup:
    """Return one of the workshop's groups."""
    group = session.get(WorkingGroup, group_id)
    if group is None or group.workshop_id != workshop_id:
        raise GroupNotFound(group_id)
    return group


def _check(name_ms: str, name_en: str, seat_limit: int | None) -> None:
    if not (0 < len(name_ms.strip()) <= 200 and 0 < len(name_en.strip()) <= 200):
        raise GroupInvalid("names")
    if not (is_one_line(name_ms.strip()) and is_one_line(name_en.strip())):
        raise GroupInvalid(ONE_LINE_ERROR)
    if seat_limit is not None and not 1 <= seat_limit <= 10_000:
        raise GroupInvalid("seat_limit")


def create_default_groups(
    *, session: Session, workshop_id: int, staff_user_id: int | None, now: dt.datetime
) -> int:
    """Add one group per pillar that has none yet; return how many were added."""
    existing = {group.pillar for group in list_groups(session=session, workshop_id=workshop_id)}
    added = 0
    for position, default in enumerate(default_groups()):
        if default.pillar in existing:
            continue
        session.add(WorkingGroup(workshop_id=workshop_id, name_ms=default.name_ms,
                                 name_en=default.name_en, pillar=default.pillar,
                                 position=position))
        added += 1
    session.flush()
    audit.record(session=session, action="groups_defaults_created", staff_user_id=staff_user_id,
                 now=now, detail={"workshop": workshop_id}, row_count=added)
    return added


def add_group(
    *, session: Session, workshop_id: int, name_ms: str, name_en: str, seat_limit: int | None,
    staff_user_id: int | None, now: dt.datetime,
) -> WorkingGroup:
    """Add a general group (no pillar) at the end."""
    _check(name_ms, name_en, seat_limit)
    last = max((g.position for g in list_groups(session=session, workshop_id=workshop_id)),
               default=-1)
    group = WorkingGroup(workshop_id=workshop_id, name_ms=name_ms.strip(),
                         name_en=name_en.strip(), seat_limit=seat_limit, position=last + 1)
    session.add(group)
    session.flush()
    audit.record(session=session, action="group_added", staff_user_id=staff_user_id, now=now,
                 detail={"workshop": workshop_id, "group": group.id})
    return group


def change_group(
    *, session: Session, workshop_id: int, group_id: int, name_ms: str, name_en: str,
    seat_limit: int | None, staff_user_id: int | None, now: dt.datetime,
) -> WorkingGroup:
    """Rename a group or change its seat limit."""
    group = get_group(session=session, workshop_id=workshop_id, group_id=group_id)
    _check(name_ms, name_en, seat_limit)
    group.name_ms, group.name_en, group.seat_limit = name_ms.strip(), name_en.strip(), seat_limit
    session.flush()
    audit.record(session=session, action="group_changed", staff_user_id=staff_user_id, now=now,
                 detail={"workshop": workshop_id, "group": group.id})
    return group


def remove_group(
    *, session: Session, workshop_id: int, group_id: int, staff_user_id: int | None,
    now: dt.datetime,
) -> None:
    """Remove an empty group."""
    group = get_group(session=session, workshop_id=workshop_id, group_id=group_id)
    if session.scalar(select(func.count()).select_from(Representative).where(
            Representative.group_id == group.id)):
        raise GroupNotEmpty(group_id)
    session.delete(group)
    session.flush()
    audit.record(session=session, action="group_removed", staff_user_id=staff_user_id, now=now,
                 detail={"workshop": workshop_id, "group": group_id})


def move_people(
    *, session: Session, workshop_id: int, representative_ids: list[int], group_id: int | None,
    staff_user_id: int | None, now: dt.datetime,
) -> int:
    """Place accepted representatives in a group (None: in no group); return how many moved."""
    if group_id is not None:
        get_group(session=session, workshop_id=workshop_id, group_id=group_id)
    wanted = set(representative_ids)
    moved = 0
    for person, _registration in invitations.attendees(session=session, workshop_id=workshop_id):
        if person.id in wanted and person.group_id != group_id:
            person.group_id = group_id
            moved += 1
    session.flush()
    audit.record(session=session, action="group_members_moved", staff_user_id=staff_user_id,
                 now=now, detail={"workshop": workshop_id, "group": group_id,
                                  "representatives": sorted(wanted)}, row_count=moved)
    return moved


def suggestion(*, session: Session, workshop_id: int) -> Suggestion:
    """Suggest a group for each accepted representative not yet in one."""
    sizes = group_sizes(session=session, workshop_id=workshop_id)
    groups = [Group(g.id, g.pillar, g.seat_limit, sizes.get(g.id, 0))
              for g in list_groups(session=session, workshop_id=workshop_id)]
    people = [Person(person.id, registration.id, tuple(registration.pillars))
              for person, registration in invitations.attendees(session=session,
                                                                workshop_id=workshop_id)
              if person.group_id is None]
    return suggest_groups(people, groups)


def apply_suggestion(
    *, session: Session, workshop_id: int, staff_user_id: int | None, now: dt.datetime
) -> int:
    """Place everyone not yet in a group as the suggestion says; return how many were placed."""
    placements = suggestion(session=session, workshop_id=workshop_id).placements
    for person, _registration in invitations.attendees(session=session, workshop_id=workshop_id):
        if person.group_id is None and person.id in placements:
            person.group_id = placements[person.id]
    session.flush()
    audit.record(session=session, action="groups_suggestion_applied",
                 staff_user_id=staff_user_id, now=now, detail={"workshop": workshop_id},
                 row_count=len(placements))
    return len(placements)

