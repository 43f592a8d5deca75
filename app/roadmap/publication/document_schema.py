"""The JSON Schema of the public roadmap document (`/roadmap.json`, `GET /api/v1/roadmap`)."""

from __future__ import annotations

from typing import Any

from app.vocab import COMMITMENT_STATUS_CODES, PILLAR_CODES

_TEXT = {"type": "string"}
_PROGRESS = {"type": ["number", "null"], "minimum": 0, "maximum": 100,
             "description": "Weighted mean progress in percent; null until a report is approved."}
_COUNTS = {
    "commitments": {"type": "integer", "minimum": 0},
    "reported": {"type": "integer", "minimum": 0,
                 "description": "How many of the commitments have an approved report."},
}
_DOTTED = {"type": "string", "pattern": r"^[0-9]{1,3}(\.[0-9]{1,3}){0,4}$"}
_YEAR = {"type": ["integer", "null"], "minimum": 2000, "maximum": 2100}
_ORGANISATION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "registered", "withdrawn"],
    "properties": {
        "name": {"type": ["string", "null"],
                 "description": "The organisation's name; null once its data was erased."},
        "registered": {"type": "boolean",
                       "description": "Whether it registered through the portal."},
        "withdrawn": {"type": "boolean",
                      "description": "Whether it has since withdrawn its registration."},
    },
}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": list(properties),
            "properties": properties}


_DATE = {"type": "string", "format": "date"}
_REPORT = _object({
    "period": _TEXT, "period_starts_on": _DATE, "period_ends_on": _DATE,
    "status": {"enum": ["not_started", "limited", "substantial", "completed"]},
    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
    "value": {"type": ["string", "null"], "description": "The indicator's value reported."},
    "narrative_ms": _TEXT, "narrative_en": _TEXT,
    "late": {"type": "boolean", "description": "Sent after the period's due date."},
    "evidence": _object({
        "links": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "files": {"type": "array", "items": _object({
            "url": {"type": "string", "format": "uri"}, "filename": _TEXT,
            "content_type": {"enum": ["application/pdf", "image/png", "image/jpeg"]},
            "size": {"type": "integer", "minimum": 1}})},
    }),
})


ROADMAP_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "/roadmap.schema.json",
    "title": "Alliance 8.7 Malaysia Roadmap",
    "description": "The roadmap's pillars, outcomes and commitments, with their progress from "
                   "approved reports only. Organisations are named; people never are.",
    **_object({
        "pillars": {"type": "array", "items": _object({
            "code": {"enum": list(PILLAR_CODES)}, "title_ms": _TEXT, "title_en": _TEXT,
            "progress": _PROGRESS, **_COUNTS})},
        "outcomes": {"type": "array", "items": _object({
            "number": _DOTTED, "pillar": {"enum": list(PILLAR_CODES)},
            "title_ms": _TEXT, "title_en": _TEXT, "indicator_ms": _TEXT, "indicator_en": _TEXT,
            "baseline": {"type": ["string", "null"]}, "baseline_year": _YEAR,
            "target": {"type": ["string", "null"]}, "target_year": _YEAR,
            "latest_value": {"type": ["string", "null"],
                             "description": "The indicator's value in the latest approved "
                                            "report that gives one."},
            "latest_value_period": {"type": ["string", "null"]},
            "progress": _PROGRESS, **_COUNTS})},
        "commitments": {"type": "array", "items": _object({
            "code": _DOTTED, "outcome": _DOTTED, "pillar": {"enum": list(PILLAR_CODES)},
            "title_ms": _TEXT, "title_en": _TEXT, "description_ms": _TEXT,
            "description_en": _TEXT, "lead": _ORGANISATION,
            "partners": {"type": "array", "items": _ORGANISATION},
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": {"type": "string", "format": "date"},
            "weight": {"type": "integer", "minimum": 1, "maximum": 100},
            "status": {"enum": list(COMMITMENT_STATUS_CODES)},
            "progress": _PROGRESS,
            "reports": {"type": "array", "description": "Approved progress reports, oldest "
                        "first (SPEC 8.2); empty until reporting begins.",
                        "items": _REPORT},
        })},
    }),
}
