"""Every kind of mail and every page shows a registrant's or an author's markup as text.

One hostile world: a registration whose every free-text answer carries a script, a link, a
tracking image, an unclosed hidden `<div>`, a Jinja expression and a placeholder; a workshop
titled and sited the same way; representatives, a decline reason, a working group, staff
notes and an announcement likewise. The kinds of mail come from the mail worker's registry
(`mail_batch.RENDERERS`) and the pages from the app's routes, so a new kind of mail or a new
page is checked without touching this file.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from email import message_from_bytes, policy

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.config import get_settings
from app.main import app
from app.models import (
    Announcement,
    Invitation,
    OutboxMail,
    Registration,
    RoadmapReport,
    WorkingGroup,
)
from app.roadmap.progress import periods
from app.roadmap.progress.reports import report_token
from app.schemas.staff import RegistrationFilters
from app.services import announcements, manage, private_links, reply_digest, working_groups
from app.services.announcement_texts import clean_texts
from app.services.check_in_codes import check_in_code
from app.services.mail_batch import RENDERERS, render_one
from app.services.mail_content import RenderedMail, build_message
from app.services.private_links import form_guard
from app.vocab import LANGUAGES
from tests.conftest import ROOT
from tests.factories import IN_TIME, form_fields
from tests.report_helpers import guard_of, open_period, pdf_bytes, report_form
from tests.roadmap_helpers import create_commitment, create_outcome
from tests.staff_helpers import registration, sign_in, staff_user
from tests.workshop_helpers import accept_form, api_token, create_workshop, invite, latest_link

pytestmark = pytest.mark.usefixtures("staff_ready")

# The attack of issue 29, as an organisation's name.
ATTACK = ('ACME Berhad <a href="https://evil.example/mohr-login" style="font-size:22px">'
          'Confirm your seat here</a><img src="http://127.0.0.1:8999/track">'
          '<div style="display:none">')
MARKUP = ('<script>alert(1)</script><a href="https://evil.example/x">x</a>'
          '<img src="http://127.0.0.1:8999/t"><div style="display:none">')
TEMPLATE_LIKE = "{{ 7*7 }} {reference}"
# What must never reach HTML as it is written. (An announcement makes a web address a
# link that shows the address itself; a link that hides where it goes is the attack.)
RAW = ("<script>alert", '<a href="https://evil.example/x">x</a>', '<img src="http://127.0.0.1',
       '<div style="display:none">', 'style="font-size:22px"')


def hostile(label: str) -> str:
    """Return a one-line answer carrying every kind of hostile text."""
    return f"{label} {MARKUP}{TEMPLATE_LIKE}"


def assert_no_markup(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{where}: {raw!r} came through as markup"


def assert_plain(text: str, where: str) -> None:
    """A plain-text part or a subject carries the text as typed, not escaped for HTML."""
    for escaped in ("&lt;", "&gt;", "&#34;", "&#39;", "&quot;", "&amp;"):
        assert escaped not in text, f"{where}: {escaped!r}: text escaped as if it were HTML"


@dataclass
class World:
    registration: Registration
    other: Registration
    workshop_id: int
    invitation: Invitation
    invitation_path: str
    manage_token: str
    ticket: str
    group: WorkingGroup
    announcement: Announcement
    values: tuple[str, ...]  # every hostile value stored, as typed
    outcome_id: int = 0
    commitment_id: int = 0
    report_token: str = ""
    evidence_id: int = 0
    period_id: int = 0
    report_id: int = 0


@pytest.fixture
def world(client: TestClient, session: Session) -> World:
    sent = client.post("/", data=form_fields(
        organisation_name=ATTACK, contact_name=hostile("Ali"),
        contact_designation=hostile("Pengarah"), category="other",
        category_other=hostile("Lain"), registration_number="<img src=x>{{ 7*7 }}",
        address=f"Jalan 1\n{MARKUP}\n{TEMPLATE_LIKE}",
        interest_statement=f"Kami\n{MARKUP}\n{TEMPLATE_LIKE}"), follow_redirects=False)
    assert sent.status_code == 303, sent.text
    ticket = sent.headers["location"].split("/confirmation/")[1].split("?")[0]
    registered = session.scalars(select(Registration)).one()
    registered.staff_notes = f"Nota\n{MARKUP}"
    confirmation = session.scalars(select(OutboxMail).where(
        OutboxMail.kind == "confirmation")).one()
    manage_token = private_links.manage_token(registered)
    assert manage_token is not None and confirmation.registration_id == registered.id
    session.commit()

    headers = api_token(session)
    workshop_id = create_workshop(client, headers, title_ms=hostile("Bengkel"),
                                  title_en=hostile("Workshop"), venue=hostile("Dewan"))
    invite(client, headers, workshop_id, registered.reference)
    # The roadmap names organisations: the hostile one leads, the other is a partner.
    outcome_id = create_outcome(client, headers, title_ms=hostile("Hasil"),
                                title_en=hostile("Outcome"), indicator_ms=hostile("Penunjuk"),
                                indicator_en=hostile("Indicator"))
    commitment_id = create_commitment(
        client, headers, title_ms=hostile("Komitmen"), title_en=hostile("Commitment"),
        description_ms=f"Huraian\n{MARKUP}\n{TEMPLATE_LIKE}",
        description_en=f"Description\n{MARKUP}", lead={"reference": registered.reference})
    path, token = latest_link(session, registered)
    page = client.get(path)
    guard = re.search(r'name="guard" value="([^"]+)"', page.text)
    assert guard is not None
    person = (hostile("Siti"), hostile("Pegawai"), "siti@example.org.my")
    accepted = client.post(path, data=accept_form(
        guard.group(1), person, **{"representatives-0-needs": f"Halal\n{MARKUP}"}))
    assert accepted.status_code == 200, accepted.text

    other = registration(session, organisation_name=hostile("Org B"),
                         contact_name=hostile("Bala"), contact_email="bala@example.org.my")
    invite(client, headers, workshop_id, other.reference)
    other_path, other_token = latest_link(session, other)
    declined = client.post(other_path, data={
        "guard": form_guard(other_token), "answer": "decline",
        "decline_reason": f"Maaf\n{MARKUP}\n{TEMPLATE_LIKE}"})
    assert declined.status_code == 200, declined.text

    withdrawn = registration(session, organisation_name=hostile("Org C"),
                             contact_name=hostile("Chong"), contact_email="chong@example.org.my",
                             preferred_language="en")
    manage.withdraw_registration(session=session, registration=withdrawn, now=IN_TIME)
    group = working_groups.add_group(
        session=session, workshop_id=workshop_id, name_ms=hostile("Kumpulan"),
        name_en=hostile("Group"), seat_limit=None, staff_user_id=None, now=utcnow())
    author = staff_user(session)
    # Placeholders are filled once: a value holding "{reference}" keeps it as text.
    texts = clean_texts(subject_ms=f"Makluman {{organisation_name}} {MARKUP}",
                        body_ms=f"Tuan/Puan {{contact_name}},\n\n{MARKUP}\n{{reference}}",
                        subject_en=f"Notice {{contact_name}} {MARKUP}",
                        body_en=f"Dear {{contact_name}},\n\n{MARKUP} https://x.example/\"><b>")
    announcement = announcements.send_announcement(
        session=session, texts=texts, filters=RegistrationFilters(), staff_user_id=author.id,
        now=utcnow()).announcement
    announcements.queue_test(session=session, texts=texts, filters=RegistrationFilters(),
                             to_address=author.email, staff_user_id=author.id, now=utcnow())
    # A reporting period: the hostile lead reports with hostile words, is returned with a
    # hostile comment, sends again and is approved (so every report mail kind is queued).
    open_period(client, headers, label="Tempoh <script>alert(1)</script>{{ 7*7 }} {reference}")
    assert periods.remind_due(session, dt.datetime(2023, 7, 10, 9, tzinfo=dt.UTC)) == 1
    report = session.scalars(select(RoadmapReport)).one()
    report_path = f"/roadmap/report/{report_token(report)}"
    hostile_report = report_form("", value="<script>alert(1)</script>{{ 7*7 }}",
                                 narrative_ms=f"Naratif\n{MARKUP}\n{TEMPLATE_LIKE}",
                                 narrative_en=hostile("Narrative"))
    files = [("evidence_file", (f"{MARKUP}.pdf", pdf_bytes(), "application/pdf"))]
    sent = client.post(report_path, data={**hostile_report,
                                          "guard": guard_of(client.get(report_path).text)},
                       files=files, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    for decision in ("return", "approve"):
        reviewed = client.post(f"/api/v1/roadmap/reports/{report.id}/review", headers=headers,
                               json={"decision": decision, "comment": f"Ulasan\n{MARKUP}"})
        assert reviewed.status_code == 200, reviewed.text
        if decision == "return":
            again = client.post(report_path, data={
                **hostile_report, "guard": guard_of(client.get(report_path).text)},
                follow_redirects=False)
            assert again.status_code == 303, again.text
    session.expire_all()
    report = session.scalars(select(RoadmapReport)).one()
    evidence_id = report.files[0].id
    # The secretariat's digest tells the replies above (the decline with its reason).
    assert reply_digest.queue_digest(session=session, now=utcnow()) > 0
    session.commit()
    session.expire_all()
    invitation = session.scalars(select(Invitation).where(
        Invitation.registration_id == registered.id)).one()
    values = (ATTACK, hostile("Ali"), hostile("Pengarah"), hostile("Bengkel"),
              hostile("Workshop"), hostile("Dewan"), hostile("Siti"), hostile("Pegawai"))
    return World(registered, other, workshop_id, invitation, path, manage_token, ticket,
                 group, announcement, values, outcome_id, commitment_id,
                 report_token(report), evidence_id, report.period_id, report.id)


def _mail(session: Session, world: World, kind: str, language: str) -> OutboxMail:
    """The queued mail of this kind and language if the world made one; else one like it."""
    rows = sorted(session.scalars(select(OutboxMail).where(OutboxMail.kind == kind)),
                  key=lambda row: (row.language != language,
                                   row.registration_id not in (world.registration.id, None)))
    if rows and rows[0].language == language:
        return rows[0]
    like = rows[0] if rows else None
    # Not added to the session: a mail as the worker reads it, naming what one of its kind
    # names (else everything the world has).
    return OutboxMail(
        # The same id: a digest is rendered from the replies its row claimed.
        id=like.id if like else None, kind=kind, language=language,
        registration_id=like.registration_id if like else world.registration.id,
        invitation_id=like.invitation_id if like else world.invitation.id,
        announcement_id=like.announcement_id if like else world.announcement.id,
        roadmap_period_id=like.roadmap_period_id if like else None,
        roadmap_report_id=like.roadmap_report_id if like else None,
        subject=like.subject if like else None, body_text=like.body_text if like else "",
        body_html=like.body_html if like else "",
        to_address=world.registration.contact_email,
        message_id=f"<{secrets.token_hex(8)}@example.test>", attempts=0, status="inflight")


def test_every_kind_of_mail_has_a_template_pair_or_a_renderer_of_its_own() -> None:
    paired = {path.name.removesuffix(".subject.txt")
              for path in (ROOT / "templates" / "email").glob("*.subject.txt")}

    assert paired <= set(RENDERERS)
    assert {"workshop_invitation", "workshop_accepted", "announcement"} <= set(RENDERERS)


def test_every_kind_of_mail_shows_hostile_values_as_text(
    session: Session, world: World
) -> None:
    # An offer names the time it runs out; the world's invitation holds every field any
    # workshop mail shows.
    world.invitation.offer_expires_at = utcnow() + dt.timedelta(days=2)
    settings = get_settings()

    for kind in RENDERERS:
        for language in LANGUAGES:
            where = f"{kind} ({language})"
            rendered = render_one(session, _mail(session, world, kind, language))

            assert isinstance(rendered, RenderedMail), f"{where}: {rendered}"
            assert_no_markup(rendered.body_html, f"{where}, HTML part")
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.body_html, where
            assert_plain(rendered.body_text, f"{where}, text part")
            assert "<script>alert(1)</script>" in rendered.body_text, where
            assert TEMPLATE_LIKE in rendered.body_text, f"{where}: a value was read as a template"
            assert_plain(rendered.subject, f"{where}, subject")
            message = message_from_bytes(build_message(
                _mail(session, world, kind, language), rendered, settings=settings,
                now=utcnow()), policy=policy.default)
            assert message["Bcc"] is None and len(message.get_all("Reply-To") or []) == 1


def test_the_workshop_mails_carry_the_registrants_values_literally_in_text_only(
    session: Session, world: World
) -> None:
    for kind in ("workshop_invitation", "workshop_accepted"):
        rendered = render_one(session, _mail(session, world, kind, "ms"))
        assert isinstance(rendered, RenderedMail)

        assert ATTACK in rendered.body_text and hostile("Ali") in rendered.body_text
        assert str(escape(ATTACK)) in rendered.body_html
        assert hostile("Bengkel") in rendered.subject
    accepted = render_one(session, _mail(session, world, "workshop_accepted", "en"))
    assert isinstance(accepted, RenderedMail)
    assert hostile("Siti") in accepted.body_text
    assert str(escape(hostile("Siti"))) in accepted.body_html
    # The placeholder in a registrant's name is not filled again.
    announcement = render_one(session, _mail(session, world, "announcement", "ms"))
    assert isinstance(announcement, RenderedMail)
    assert f"Tuan/Puan {hostile('Ali')}," in announcement.body_text


def _pages() -> list[str]:
    """Every page a person can open: the app's GET routes, but the API and the probes."""
    pages = set()
    for route in iter_route_contexts(app.routes):
        path = str(route.path)
        if (isinstance(route.original_route, APIRoute) and "GET" in (route.methods or ())
                and not path.startswith(("/api/", "/healthz", "/readyz"))):
            pages.add(path)
    return sorted(pages)


def _url(path: str, world: World) -> str:
    token = world.manage_token if path.startswith("/manage/") else world.invitation_path.rsplit(
        "/", 1)[1]
    if path.startswith("/roadmap/report/"):
        token = world.report_token
    person = world.invitation.representatives[0]
    values = {
        "{reference}": world.registration.reference, "{ticket}": world.ticket,
        "{token}": token, "{workshop_id}": str(world.workshop_id),
        "{invitation_id}": str(world.invitation.id), "{file_format}": "csv",
        "{announcement_id}": str(world.announcement.id), "{group_id}": str(world.group.id),
        "{code}": check_in_code(workshop_id=world.workshop_id, representative_id=person.id),
        "{outcome_id}": str(world.outcome_id), "{commitment_id}": str(world.commitment_id),
        "{evidence_id}": str(world.evidence_id), "{period_id}": str(world.period_id),
        "{report_id}": str(world.report_id),
    }
    if path.startswith("/staff/duplicates/merge/"):  # the later one merges into the earlier
        values |= {"{reference}": world.other.reference, "{into}": world.registration.reference}
    for placeholder, value in values.items():
        path = path.replace(placeholder, value)
    assert "{" not in path, f"the hostile world has no value for a part of {path}"
    return path


def test_every_page_shows_hostile_values_as_text(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, staff_user(session))
    shown: dict[str, str] = {}

    for path in _pages():
        url = _url(path, world)
        response = client.get(url)

        assert response.status_code == 200, (url, response.status_code)
        if response.headers["content-type"].startswith("text/html"):
            assert_no_markup(response.text, url)
            shown[path] = response.text
    escaped_script = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for path in ("/manage/{token}", "/invitation/{token}", "/staff/outbox",
                 "/staff/registrations/{reference}", "/staff/workshops/{workshop_id}",
                 "/staff/workshops/{workshop_id}/check-in", "/staff/workshops/{workshop_id}/groups",
                 "/staff/announcements/{announcement_id}", "/roadmap/report/{token}", "/roadmap",
                 "/staff/roadmap/periods/{period_id}", "/staff/roadmap/reports/{report_id}"):
        assert escaped_script in shown[path], f"{path} does not show the hostile values"


def test_forms_given_back_with_errors_keep_hostile_values_as_text(
    client: TestClient, session: Session, world: World
) -> None:
    csrf = sign_in(client, staff_user(session))
    compose = client.get("/staff/announcements/new")
    form_token = re.search(r'name="form_token" value="([^"]+)"', compose.text)
    assert form_token is not None
    guard = re.search(r'name="guard" value="([^"]+)"', client.get(world.invitation_path).text)
    assert guard is not None
    answers = {
        "registration form": client.post("/", data=form_fields(
            organisation_name=ATTACK, contact_name=hostile("Ali"), contact_email="x")),
        "private link's correction": client.post(
            f"/manage/{world.manage_token}/edit",
            data={**form_fields(organisation_name=ATTACK, contact_name=hostile("Ali"),
                                contact_email="x"),
                  "guard": form_guard(world.manage_token)}),
        "reply form": client.post(world.invitation_path, data={
            "guard": guard.group(1), "answer": "accept",
            "representatives-0-full_name": hostile("Siti"),
            "representatives-0-designation": hostile("Pegawai")}),
        "workshop form": client.post("/staff/workshops/new", data={
            "csrf_token": csrf, "title_ms": hostile("Bengkel"), "title_en": hostile("W"),
            "venue": hostile("Dewan"), "starts_at": "not a time"}),
        "announcement preview": client.post("/staff/announcements/new", data={
            "csrf_token": csrf, "form_token": form_token.group(1), "action": "preview",
            "subject_ms": f"S {MARKUP}", "body_ms": f"{{contact_name}} {MARKUP}",
            "subject_en": f"S {MARKUP}", "body_en": f"{{organisation_name}} {MARKUP}"}),
    }

    for where, response in answers.items():
        assert response.status_code in (200, 422), (where, response.status_code)
        assert_no_markup(response.text, where)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text, where
