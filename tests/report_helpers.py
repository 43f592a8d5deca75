"""Progress reports for the tests: a period opened through the API, links out of the mail."""

from __future__ import annotations

import io
import re
from typing import Any

from fastapi.testclient import TestClient

PERIOD = {"label": "2023 H1", "starts_on": "2023-01-01", "ends_on": "2023-06-30",
          "due_on": "2023-07-15"}
REPORT_LINK = re.compile(r"https?://[^\s]+/roadmap/report/[0-9]+\.[A-Za-z0-9_-]{43}")


def open_period(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/roadmap/periods", json={**PERIOD, **overrides},
                           headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def links_in(text: str) -> list[str]:
    """Return the report links in a mail's text, as paths the test client opens."""
    return [re.sub(r"^https?://[^/]+", "", link) for link in REPORT_LINK.findall(text)]


def guard_of(page: str) -> str:
    found = re.search(r'name="guard" value="([^"]+)"', page)
    assert found is not None, "the page has no form"
    return found.group(1)


def report_form(guard: str, **overrides: str) -> dict[str, str]:
    form = {"guard": guard, "status": "substantial", "progress": "60", "value": "35%",
            "narrative_ms": "Tiga bengkel diadakan.", "narrative_en": "Three workshops held.",
            "evidence_url-0": "https://example.org/report"}
    form.update(overrides)
    return form


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def photo_with_gps() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to show it upright
    exif[0x8825] = {1: "N", 2: (3.0, 8.0, 0.0), 3: "E", 4: (101.0, 41.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
