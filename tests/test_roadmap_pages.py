"""The roadmap's back-office pages: viewers read, administrators write, uploads show errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import RoadmapCommitment, RoadmapOutcome
from tests.roadmap_helpers import create_commitment, create_outcome
from tests.staff_helpers import registration, sign_in, staff_user
from tests.workshop_helpers import api_token

pytestmark = pytest.mark.usefixtures("staff_ready")
OUTCOME_FORM = {"number": "1.1", "pillar": "prevention", "title_ms": "Kesedaran",
                "title_en": "Awareness", "indicator_ms": "Bilangan", "indicator_en": "Number",
                "baseline": "", "baseline_year": "", "target": "100", "target_year": "2025"}


def _commitment_form(**changes: str | list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
            "code": "1.1.1", "outcome": "1.1", "title_ms": "Kempen", "title_en": "Campaign",
            "description_ms": "", "description_en": "", "lead_reference": "",
            "lead_name": "Jabatan Tenaga Kerja", "partners": "", "starts_on": "2023-01-01",
            "ends_on": "2023-12-31", "weight": "1"}
    form.update(changes)
    return form


def test_an_administrator_adds_an_outcome_and_a_commitment_through_the_forms(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, staff_user(session))
    lead, partner, other = registration(session), registration(session), registration(session)
    assert client.get("/staff/roadmap/outcomes/new").status_code == 200

    added = client.post("/staff/roadmap/outcomes/new", data={**OUTCOME_FORM, "csrf_token": csrf},
                        follow_redirects=False)
    assert added.status_code == 303
    outcome = session.scalars(select(RoadmapOutcome)).one()
    assert (outcome.baseline_year, outcome.target_year) == (None, 2025)

    form = client.get("/staff/roadmap/commitments/new")
    assert f'<option value="{lead.reference}">{lead.organisation_name}</option>' in form.text
    saved = client.post("/staff/roadmap/commitments/new", data={**_commitment_form(
        lead_reference=lead.reference, lead_name="",
        partners=[partner.reference, "", other.reference]),
        "csrf_token": csrf}, follow_redirects=False)

    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert lead.organisation_name in page.text and partner.organisation_name in page.text
    assert f'href="/staff/registrations/{partner.reference}"' in page.text
    assert f'href="/staff/registrations/{other.reference}"' in page.text
    commitment_id = saved.headers["location"].split("/")[-1].split("?")[0]
    edit = client.get(f"/staff/roadmap/commitments/{commitment_id}/edit").text
    assert (f'id="partners-1" name="partners" type="text" list="organisations" '
            f'autocomplete="off" value="{other.reference}"') in edit
    overview = client.get("/staff/roadmap")
    assert "1.1.1" in overview.text and "Kesedaran" in overview.text


def test_form_errors_are_shown_at_the_field_in_the_staff_members_language(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, staff_user(session))
    client.post("/staff/roadmap/outcomes/new", data={**OUTCOME_FORM, "csrf_token": csrf})

    twice = client.post("/staff/roadmap/outcomes/new", data={**OUTCOME_FORM, "csrf_token": csrf})
    unknown = client.post("/staff/roadmap/commitments/new?lang=ms", data={
        **_commitment_form(lead_reference="ZZZZ9999", lead_name=""), "csrf_token": csrf})
    bad_date = client.post("/staff/roadmap/commitments/new?lang=en", data={
        **_commitment_form(ends_on="2022-01-01"), "csrf_token": csrf})

    assert twice.status_code == 422 and "Hasil lain sudah menggunakan nombor ini" in twice.text
    assert unknown.status_code == 422
    assert 'id="lead_reference-error"' in unknown.text
    assert "Tiada pendaftaran dengan nombor rujukan ZZZZ9999" in unknown.text
    assert 'value="Kempen"' in unknown.text  # what was typed is kept
    assert "The end date cannot be before the start date" in bad_date.text
    assert session.scalar(select(RoadmapCommitment.id)) is None


def test_an_outcome_and_a_commitment_are_changed_through_their_forms(
    client: TestClient, session: Session
) -> None:
    headers = api_token(session)
    outcome_id = create_outcome(client, headers)
    commitment_id = create_commitment(client, headers)
    csrf = sign_in(client, staff_user(session))

    outcome_form = client.get(f"/staff/roadmap/outcomes/{outcome_id}/edit")
    assert 'value="12%"' in outcome_form.text
    changed = client.post(f"/staff/roadmap/outcomes/{outcome_id}/edit", data={
        **OUTCOME_FORM, "target": "75%", "csrf_token": csrf}, follow_redirects=False)
    commitment_form = client.get(f"/staff/roadmap/commitments/{commitment_id}/edit")
    assert 'value="Jabatan Tenaga Kerja Semenanjung Malaysia"' in commitment_form.text
    moved = client.post(f"/staff/roadmap/commitments/{commitment_id}/edit", data={
        **_commitment_form(weight="7"), "csrf_token": csrf}, follow_redirects=False)

    assert (changed.status_code, moved.status_code) == (303, 303)
    session.expire_all()
    assert session.scalars(select(RoadmapOutcome.target)).one() == "75%"
    assert session.scalars(select(RoadmapCommitment.weight)).one() == 7


def test_viewers_read_and_cannot_write(client: TestClient, session: Session) -> None:
    headers = api_token(session)
    create_outcome(client, headers)
    commitment_id = create_commitment(client, headers)
    csrf = sign_in(client, staff_user(session, role="viewer"))

    assert client.get("/staff/roadmap").status_code == 200
    assert client.get(f"/staff/roadmap/commitments/{commitment_id}").status_code == 200
    assert client.get("/staff/roadmap/commitments.xlsx").status_code == 200
    for path in ("/staff/roadmap/outcomes/new", "/staff/roadmap/commitments/new",
                 "/staff/roadmap/import"):
        assert client.get(path).status_code == 403
        assert client.post(path, data={"csrf_token": csrf}).status_code == 403
    assert "New outcome" not in client.get("/staff/roadmap?lang=en").text


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    sign_in(client, staff_user(session))
    response = client.post("/staff/roadmap/outcomes/new", data=OUTCOME_FORM)
    assert response.status_code == 403
    assert session.scalar(select(RoadmapOutcome.id)) is None


def test_an_upload_shows_each_bad_row_or_what_it_did(client: TestClient,
                                                     session: Session) -> None:
    headers = api_token(session)
    create_outcome(client, headers)
    create_commitment(client, headers)
    csrf = sign_in(client, staff_user(session))
    exported = client.get("/staff/roadmap/commitments.csv").content
    bad = exported + (b"1.1.2,1.1,T,T,,,,Jabatan,,2023-01-01,bila-bila,1\r\n"
                      b"1.1.3,9.9,T,T,,,,Jabatan,,2023-01-01,2023-02-01,1\r\n")

    refused = client.post("/staff/roadmap/import?lang=ms", data={"csrf_token": csrf},
                          files={"file": ("roadmap.csv", bad, "text/csv")})
    done = client.post("/staff/roadmap/import?lang=en", data={"csrf_token": csrf},
                       files={"file": ("roadmap.csv", exported, "text/csv")})
    missing = client.post("/staff/roadmap/import", data={"csrf_token": csrf})

    assert refused.status_code == 422
    assert "Tiada apa-apa diimport" in refused.text
    assert '<th scope="row" rowspan="1">3</th><td rowspan="1">1.1.2</td><td>ends_on</td>' \
        in refused.text
    assert '<th scope="row" rowspan="1">4</th><td rowspan="1">1.1.3</td><td>outcome</td>' \
        in refused.text
    assert "Berikan tarikh seperti 2023-01-31" in refused.text
    assert "Tiada hasil bernombor 9.9" in refused.text
    assert done.status_code == 200 and "0 created, 0 updated, 1 unchanged" in done.text
    assert missing.status_code == 422
    assert session.scalars(select(RoadmapCommitment.code)).all() == ["1.1.1"]
