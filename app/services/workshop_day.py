"""What the workshop day's pages and files read: the desk list, attendance, contributors."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import Registration, Representative, Workshop
from app.services import invitations, working_groups
from app.services.attendance import AttendanceSummary, ExpectedRepresentative, summarise_attendance
from app.services.badges import DeskAttendee
from app.services.roadmap_contributors import AttendedRepresentative
from app.vocab import LANGUAGES


@dataclass(frozen=True, slots=True)
class DeskRow:
    """An accepted representative as the check-in desk shows them."""

    person: Representative
    registration: Registration
    group: str | None


def desk_rows(
    *, session: Session, workshop_id: int, language: str, query: str = ""
) -> list[DeskRow]:
    """Return the accepted representatives whose name, organisation or reference match."""
    names = working_groups.group_names(session=session, workshop_id=workshop_id,
                                       language=language)
    wanted = query.strip().casefold()
    rows = []
    for person, registration in invitations.attendees(session=session, workshop_id=workshop_id):
        haystack = " ".join((person.full_name, registration.organisation_name,
                             registration.reference)).casefold()
        if wanted and wanted not in haystack:
            continue
        rows.append(DeskRow(person, registration,
                            names.get(person.group_id) if person.group_id else None))
    return sorted(rows, key=lambda row: (row.person.full_name.casefold(), row.person.id))


def attendance(*, session: Session, workshop_id: int, language: str) -> AttendanceSummary:
    """Count present against expected, overall and by group, category, pillar and state."""
    return after_the_day(session=session, workshop_id=workshop_id, language=language)[0]


def contributors(
    *, session: Session, workshop_id: int, language: str
) -> list[AttendedRepresentative]:
    """Return every accepted representative as the roadmap contributors export reads them."""
    return [AttendedRepresentative(
                reference=row.registration.reference,
                organisation=row.registration.organisation_name,
                category=row.registration.category, pillars=tuple(row.registration.pillars),
                full_name=row.person.full_name, group=row.group,
                checked_in=row.person.checked_in_at is not None)
            for row in desk_rows(session=session, workshop_id=workshop_id, language=language)]


def desk_attendees(*, session: Session, workshop_id: int, language: str) -> list[DeskAttendee]:
    """Return the sign-in sheet's and badges' people, by name, each badge in its own language."""
    workshop = session.get(Workshop, workshop_id)
    groups: dict[str, dict[int, str]] = {
        code: working_groups.group_names(session=session, workshop_id=workshop_id, language=code)
        for code in LANGUAGES}
    people = []
    for row in desk_rows(session=session, workshop_id=workshop_id, language=language):
        own = row.registration.preferred_language
        people.append(DeskAttendee(
            full_name=row.person.full_name, organisation=row.registration.organisation_name,
            designation=row.person.designation, group=row.group or "", badge_language=own,
            badge_title=workshop.title(own) if workshop else "",
            badge_group=groups[own].get(row.person.group_id or 0, "")))
    return people


def after_the_day(
    *, session: Session, workshop_id: int, language: str
) -> tuple[AttendanceSummary, list[DeskRow]]:
    """Return the attendance summary and the no-shows, by name, for the workshop's page."""
    rows = desk_rows(session=session, workshop_id=workshop_id, language=language)
    summary = summarise_attendance(
        ExpectedRepresentative(id=row.person.id, group=row.group,
                               category=row.registration.category,
                               state=row.registration.state,
                               pillars=tuple(row.registration.pillars),
                               checked_in=row.person.checked_in_at is not None)
        for row in rows)
    missing = set(summary.no_shows)
    return summary, [row for row in rows if row.person.id in missing]
