"""The roadmap as an IATI 2.03 activity file (`/roadmap.iati.xml`), from approved data only.

One `iati-activity` per commitment: its identifier (the Ministry's IATI organisation
identifier, IATI_ORGANISATION_ID, and the commitment's code), the Ministry as reporting
organisation, the title and description in both languages, the lead and partners as
implementing organisations, the planned dates, the SDG target 8.7 tag, and a result for
its outcome: the indicator with its baseline and, per approved report giving a value, a
period with the outcome's target and the actual value. Built from the public document,
so it says nothing the page does not.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from app.core.config import get_settings

_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MINISTRY = {"ms": "Kementerian Sumber Manusia Malaysia",
            "en": "Ministry of Human Resources Malaysia"}
GOVERNMENT = "10"  # IATI OrganisationType
IMPLEMENTING = "4"  # IATI OrganisationRole
SDG_TARGET = "3"  # IATI TagVocabulary: UN Sustainable Development Goals targets


def _narratives(parent: ET.Element, texts: Mapping[str, str | None]) -> ET.Element:
    for language, text in texts.items():
        if text:
            ET.SubElement(parent, "narrative", {_LANG: language}).text = text
    return parent


def _both(item: dict[str, Any], field: str) -> dict[str, str | None]:
    return {"ms": item[f"{field}_ms"], "en": item[f"{field}_en"]}


def _status(commitment: dict[str, Any], today: dt.date) -> str:
    # IATI ActivityStatus: 1 pipeline, 2 implementation, 3 finalisation, 4 closed.
    if commitment["status"] == "completed":
        return "3"
    if dt.date.fromisoformat(commitment["starts_on"]) > today:
        return "1"
    return "4" if dt.date.fromisoformat(commitment["ends_on"]) < today else "2"


def _result(activity: ET.Element, outcome: dict[str, Any], reports: list[dict[str, Any]]) -> None:
    result = ET.SubElement(activity, "result", {"type": "2", "aggregation-status": "0"})
    _narratives(ET.SubElement(result, "title"), _both(outcome, "title"))
    indicator = ET.SubElement(result, "indicator", {"measure": "1"})
    _narratives(ET.SubElement(indicator, "title"), _both(outcome, "indicator"))
    if outcome["baseline_year"]:
        baseline = {"year": str(outcome["baseline_year"])}
        if outcome["baseline"]:
            baseline["value"] = outcome["baseline"]
        ET.SubElement(indicator, "baseline", baseline)
    for report in reports:
        if not report["value"]:
            continue
        period = ET.SubElement(indicator, "period")
        ET.SubElement(period, "period-start", {"iso-date": report["period_starts_on"]})
        ET.SubElement(period, "period-end", {"iso-date": report["period_ends_on"]})
        if outcome["target"]:
            ET.SubElement(period, "target", {"value": outcome["target"]})
        ET.SubElement(period, "actual", {"value": report["value"]})


def _participant(activity: ET.Element, organisation: dict[str, Any]) -> None:
    org = ET.SubElement(activity, "participating-org", {"role": IMPLEMENTING})
    name = organisation["name"] or "-"
    ET.SubElement(org, "narrative").text = name


def iati_activities(document: dict[str, Any], now: dt.datetime) -> bytes:
    """Return the IATI 2.03 activity file of the public roadmap document."""
    organisation_id = get_settings().iati_organisation_id
    root = ET.Element("iati-activities", {
        "version": "2.03", "generated-datetime": now.replace(microsecond=0).isoformat()})
    outcomes = {outcome["number"]: outcome for outcome in document["outcomes"]}
    today = now.date()
    for commitment in document["commitments"]:
        activity = ET.SubElement(root, "iati-activity", {"default-currency": "MYR"})
        ET.SubElement(activity, "iati-identifier").text = (
            f"{organisation_id}-{commitment['code']}")
        _narratives(ET.SubElement(activity, "reporting-org",
                                  {"ref": organisation_id, "type": GOVERNMENT}), MINISTRY)
        _narratives(ET.SubElement(activity, "title"), _both(commitment, "title"))
        # A description is required: without one, the title stands for it.
        described = commitment["description_ms"] or commitment["description_en"]
        _narratives(ET.SubElement(activity, "description", {"type": "1"}),
                    _both(commitment, "description" if described else "title"))
        for organisation in [commitment["lead"], *commitment["partners"]]:
            _participant(activity, organisation)
        ET.SubElement(activity, "activity-status", {"code": _status(commitment, today)})
        ET.SubElement(activity, "activity-date", {"type": "1",
                                                  "iso-date": commitment["starts_on"]})
        ET.SubElement(activity, "activity-date", {"type": "3",
                                                  "iso-date": commitment["ends_on"]})
        _narratives(ET.SubElement(activity, "tag", {"vocabulary": SDG_TARGET, "code": "8.7"}),
                    {"en": "Target 8.7: end forced labour, modern slavery, human trafficking "
                           "and child labour"})
        _result(activity, outcomes[commitment["outcome"]], commitment["reports"])
    ET.indent(root)
    content: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return content
