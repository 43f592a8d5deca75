"""`/roadmap.iati.xml`: an IATI 2.03 activity file, valid against the official schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services.mailer import deliver_due
from tests.report_helpers import guard_of, links_in, open_period, report_form
from tests.roadmap_helpers import create_commitment, create_outcome
from tests.smtp import SmtpServer
from tests.staff_helpers import registration
from tests.workshop_helpers import api_token

pytestmark = pytest.mark.usefixtures("staff_ready")
SCHEMA = Path(__file__).parent / "data" / "iati-2.03" / "iati-activities-schema.xsd"


def test_the_iati_file_is_valid_and_carries_each_commitment_and_approved_value(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    from lxml import etree

    headers = api_token(session)
    lead = registration(session, organisation_name="Pertubuhan IATI & <Rakan>",
                        contact_email="iati@example.org.my")
    create_outcome(client, headers)
    create_commitment(client, headers, code="1.1.1", lead={"reference": lead.reference})
    create_commitment(client, headers, code="1.1.2", description_ms="", description_en="")
    period = open_period(client, headers)
    deliver_due(session=session, settings=smtp_server.settings())
    [mail] = smtp_server.handler.to(lead.contact_email)
    [link] = links_in(mail.text)
    client.post(link, data=report_form(guard_of(client.get(link).text), value="41%"))
    [item] = [i for i in client.get(f"/api/v1/roadmap/periods/{period['id']}/reports",
                                    headers=headers).json() if i["state"] == "submitted"]
    client.post(f"/api/v1/roadmap/reports/{item['id']}/review", json={"decision": "approve"},
                headers=headers)

    response = client.get("/roadmap.iati.xml")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert response.headers["etag"]
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.fromstring(response.content)
    assert schema.validate(document), schema.error_log
    activities = document.findall("iati-activity")
    assert [a.findtext("iati-identifier") for a in activities] == [
        "MY-GOV-MOHR-1.1.1", "MY-GOV-MOHR-1.1.2"]
    first = activities[0]
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert {n.get(lang) for n in first.findall("title/narrative")} == {"ms", "en"}
    assert first.find("reporting-org").get("ref") == "MY-GOV-MOHR"
    assert first.findtext("participating-org/narrative") == "Pertubuhan IATI & <Rakan>"
    assert first.find("tag").attrib == {"vocabulary": "3", "code": "8.7"}
    indicator = first.find("result/indicator")
    assert indicator.find("baseline").attrib == {"year": "2021", "value": "12%"}
    assert [(p.find("period-start").get("iso-date"), p.find("actual").get("value"))
            for p in indicator.findall("period")] == [("2023-01-01", "41%")]
    # The second commitment has no approved report: no period, no actual value.
    assert activities[1].findall("result/indicator/period") == []
