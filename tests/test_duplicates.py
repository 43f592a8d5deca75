"""Likely duplicate organisations: found on a realistic set, dismissed, merged (SPEC 9.2)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditLog, Invitation, Registration
from app.services.duplicate_pairs import Candidate, find_pairs
from tests.day_helpers import accepted
from tests.roadmap_helpers import create_commitment, create_outcome
from tests.staff_helpers import registration, sign_in, staff_user
from tests.workshop_helpers import api_token, create_workshop, invite

URL = "/api/v1/registrations/duplicates"
T0 = dt.datetime(2022, 9, 1, tzinfo=dt.UTC)

# (name, registration number, email): pairs meant to be found, and look-alikes that are not.
REALISTIC = [
    ("Malaysian Trades Union Congress", "PPM-001-14-01011949", "info@mtuc.org.my"),
    ("MTUC", "", "setiausaha@gmail.com"),
    ("Persatuan Pekerja Ladang Malaysia", "PPM-015-10-22021990", "ladang@ppl.org.my"),
    ("Pertubuhan Pekerja-Pekerja Ladang", "", "pejabat@yahoo.com"),
    ("Persatuan Pekerja Bank Malaysia", "PPM-016-10-01011970", "bank@ppbm.org.my"),
    ("雪兰莪福建会馆", "PPM-007-10-12345678", "hokkien@hokkien-selangor.org.my"),
    ("Persatuan Hokkien Selangor", "ppm 007 10 12345678", "admin@yahoo.com.my"),
    ("மலேசிய இந்திய காங்கிரஸ்", "", "info@mic.org.my"),
    ("மலேசிய இந்தியர் காங்கிரஸ்", "", "pejabat@gmail.com"),
    ("Universiti Malaya", "", "hal@um.edu.my"),
    ("Universiti Malaya Pusat Kajian Buruh", "", "buruh@um.edu.my"),
    ("Tenaganita Sdn Bhd", "", "info@tenaganita.net"),
    ("Tenaga Nasional Berhad", "", "csr@tnb.com.my"),
    ("Kesatuan Kebangsaan Pekerja-Pekerja Perusahaan Makanan", "", "k@gmail.com"),
    ("Suara Rakyat Malaysia", "", "suaram@suaram.net"),
    ("Pertubuhan Suara Rakyat Malaysia (SUARAM)", "TIADA", "admin@suaram.net"),
]


def _candidates() -> list[Candidate]:
    return [Candidate(n, f"R{n:02d}", name, number, email)
            for n, (name, number, email) in enumerate(REALISTIC)]


def test_pairs_are_found_in_malay_english_chinese_and_tamil_names() -> None:
    found = {(pair.first.reference, pair.second.reference): set(pair.reasons)
             for pair in find_pairs(_candidates())}

    assert found[("R00", "R01")] == {"acronym"}
    assert "similar_names" in found[("R02", "R03")]
    assert found[("R05", "R06")] == {"same_registration_number"}
    assert "similar_names" in found[("R07", "R08")]
    assert "same_email_domain" in found[("R09", "R10")]
    assert {"similar_names", "same_email_domain"} <= found[("R14", "R15")]
    # Not the same: another union of the same kind, a look-alike name, a placeholder number.
    for different in [("R02", "R04"), ("R03", "R04"), ("R11", "R12"), ("R04", "R13")]:
        assert different not in found, different
    assert len(found) == 6


def _stored(session: Session) -> dict[str, Registration]:
    rows = {}
    for n, (name, number, email) in enumerate(REALISTIC[:4]):
        rows[name] = registration(session, organisation_name=name, registration_number=number,
                                  contact_email=email, submitted_at=T0 + dt.timedelta(hours=n))
    return rows


def test_staff_list_pairs_and_an_admin_dismisses_one_for_good(
    client: TestClient, session: Session
) -> None:
    rows = _stored(session)
    viewer = api_token(session, role="viewer")
    admin = api_token(session)
    mtuc, acronym = rows[REALISTIC[0][0]].reference, rows[REALISTIC[1][0]].reference

    listed = client.get(URL, headers=viewer)
    refused = client.post(URL + "/dismiss", json={"references": [mtuc, acronym]},
                          headers=viewer)
    dismissed = client.post(URL + "/dismiss", json={"references": [acronym, mtuc.lower()]},
                            headers=admin)

    assert listed.status_code == 200
    assert {"references": [mtuc, acronym], "reasons": ["acronym"]} in listed.json()
    assert len(listed.json()) == 2
    assert client.get(URL).status_code == 401
    assert refused.status_code == 403
    assert dismissed.status_code == 200
    after = client.get(URL, headers=viewer).json()
    assert [pair["references"] for pair in after] == [
        [rows[REALISTIC[2][0]].reference, rows[REALISTIC[3][0]].reference]]
    assert client.post(URL + "/dismiss", json={"references": [mtuc, "NOSUCHREF"]},
                       headers=admin).status_code == 404
    assert client.post(URL + "/dismiss", json={"references": [mtuc]},
                       headers=admin).status_code == 422


def test_merging_withdraws_the_later_and_moves_its_invitations(
    client: TestClient, session: Session
) -> None:
    rows = _stored(session)
    admin = api_token(session)
    kept, later = rows[REALISTIC[2][0]], rows[REALISTIC[3][0]]
    both = create_workshop(client, admin, title_en="Both invited")
    invite(client, admin, both, kept.reference, later.reference)
    only_later = create_workshop(client, admin, title_en="Only the later one")
    [siti] = accepted(session, only_later, later, "Siti binti Osman")

    backwards = client.post(f"/api/v1/registrations/{kept.reference}/merge",
                            json={"into": later.reference}, headers=admin)
    merged = client.post(f"/api/v1/registrations/{later.reference}/merge",
                         json={"into": kept.reference}, headers=admin)

    assert backwards.status_code == 422 and "registered before" in backwards.text
    assert merged.status_code == 200, merged.text
    assert "stays" in merged.json()["rule"]
    session.expire_all()
    withdrawn = session.get(Registration, later.id)
    assert withdrawn is not None and withdrawn.withdrawn_at is not None
    moved = session.scalars(select(Invitation).where(Invitation.workshop_id == only_later)).one()
    assert moved.registration_id == kept.id and moved.status == "accepted"
    assert [person.full_name for person in moved.representatives] == [siti.full_name]
    clash = session.scalars(select(Invitation).where(Invitation.workshop_id == both)).all()
    assert {(row.registration_id, row.status) for row in clash} == {
        (kept.id, "invited"), (later.id, "cancelled")}
    [entry] = session.scalars(select(AuditLog).where(AuditLog.action == "registrations_merged"))
    detail = json.loads(entry.detail)
    assert detail["reference"] == later.reference and detail["into"] == kept.reference
    assert detail["moved_invitations"] == [moved.id]
    # A withdrawn registration is no longer listed, nor merged again.
    assert client.get(URL, headers=admin).json() == [
        {"references": [rows[REALISTIC[0][0]].reference, rows[REALISTIC[1][0]].reference],
         "reasons": ["acronym"]}]
    assert client.post(f"/api/v1/registrations/{later.reference}/merge",
                       json={"into": kept.reference}, headers=admin).status_code == 422


@pytest.mark.usefixtures("staff_ready")
def test_the_staff_page_lists_pairs_and_an_admin_merges_after_reading_the_rule(
    client: TestClient, session: Session
) -> None:
    rows = _stored(session)
    kept, later = rows[REALISTIC[2][0]], rows[REALISTIC[3][0]]
    csrf = sign_in(client, staff_user(session, role="admin"))

    page = client.get("/staff/duplicates?lang=en")
    question = client.get(f"/staff/duplicates/merge/{later.reference}/into/{kept.reference}"
                          "?lang=en")
    merged = client.post("/staff/duplicates/merge", data={
        "csrf_token": csrf, "reference": later.reference, "into": kept.reference})

    assert page.status_code == 200
    assert "One name is the other&#39;s initials" in page.text
    assert f"/staff/duplicates/merge/{later.reference}/into/{kept.reference}" in page.text
    assert "the kept registration&#39;s invitation stays" in question.text
    assert merged.status_code == 200 and "The registrations have been merged." in merged.text
    assert later.reference not in merged.text.split("<main")[1]
    dismissed = client.post("/staff/duplicates/dismiss", data={
        "csrf_token": csrf, "first": rows[REALISTIC[0][0]].reference,
        "second": rows[REALISTIC[1][0]].reference})
    assert "No likely duplicates." in dismissed.text


@pytest.mark.usefixtures("staff_ready")
def test_a_viewer_sees_the_pairs_but_cannot_merge(client: TestClient, session: Session) -> None:
    rows = _stored(session)
    csrf = sign_in(client, staff_user(session, role="viewer"))

    page = client.get("/staff/duplicates?lang=en")
    refused = client.post("/staff/duplicates/dismiss", data={
        "csrf_token": csrf, "first": rows[REALISTIC[0][0]].reference,
        "second": rows[REALISTIC[1][0]].reference})

    assert page.status_code == 200 and "Not the same" not in page.text
    assert refused.status_code == 403


def test_a_merge_moves_the_later_ones_commitments_to_the_one_kept(
    client: TestClient, session: Session
) -> None:
    kept = registration(session, organisation_name="Malaysian Trades Union Congress",
                        contact_email="info@mtuc.org.my", submitted_at=T0)
    later = registration(session, organisation_name="MTUC", contact_email="mtuc@gmail.com",
                         submitted_at=T0 + dt.timedelta(days=1))
    headers = api_token(session)
    create_outcome(client, headers)
    led = create_commitment(client, headers, code="1.1.1", lead={"reference": later.reference})
    both = create_commitment(client, headers, code="1.1.2",
                             partners=[later.reference, kept.reference])
    partnered = create_commitment(client, headers, code="1.1.3", partners=[later.reference])

    merged = client.post(f"/api/v1/registrations/{later.reference}/merge",
                         json={"into": kept.reference}, headers=headers)

    assert merged.status_code == 200, merged.text
    shown = {number: client.get(f"/api/v1/roadmap/commitments/{number}", headers=headers).json()
             for number in (led, both, partnered)}
    assert shown[led]["lead"]["reference"] == kept.reference
    assert shown[both]["partners"] == [kept.reference]  # once, not twice
    assert shown[partnered]["partners"] == [kept.reference]
    [entry] = session.scalars(select(AuditLog).where(AuditLog.action == "registrations_merged"))
    assert json.loads(entry.detail)["moved_commitments"] == sorted([led, both, partnered])
