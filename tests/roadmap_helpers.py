"""Outcomes and commitments for the roadmap's tests, made through the staff API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def outcome_payload(**overrides: Any) -> dict[str, Any]:
    """Return a valid outcome body."""
    body: dict[str, Any] = {
        "number": "1.1", "pillar": "prevention",
        "title_ms": "Kesedaran awam tentang buruh paksa meningkat",
        "title_en": "Public awareness of forced labour rises",
        "indicator_ms": "Peratus majikan yang mengetahui indikator ILO",
        "indicator_en": "Share of employers who know the ILO indicators",
        "baseline": "12%", "baseline_year": 2021, "target": "50%", "target_year": 2025,
    }
    body.update(overrides)
    return body


def commitment_payload(**overrides: Any) -> dict[str, Any]:
    """Return a valid commitment body led by a named body (no registration needed)."""
    body: dict[str, Any] = {
        "code": "1.1.1", "outcome": "1.1",
        "title_ms": "Kempen kesedaran di negeri-negeri",
        "title_en": "Awareness campaigns in the states",
        "description_ms": "Bengkel untuk majikan.\nDua kali setahun.",
        "description_en": "Workshops for employers.\nTwice a year.",
        "lead": {"name": "Jabatan Tenaga Kerja Semenanjung Malaysia"}, "partners": [],
        "starts_on": "2023-01-01", "ends_on": "2025-12-31", "weight": 2,
    }
    body.update(overrides)
    return body


def create_outcome(client: TestClient, headers: dict[str, str], **overrides: Any) -> int:
    response = client.post("/api/v1/roadmap/outcomes", json=outcome_payload(**overrides),
                           headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def create_commitment(client: TestClient, headers: dict[str, str], **overrides: Any) -> int:
    response = client.post("/api/v1/roadmap/commitments",
                           json=commitment_payload(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])
