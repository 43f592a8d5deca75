"""The public roadmap (SPEC 8.3): the page, and its open data as JSON and CSV."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from app.core.templating import language_context, page_templates
from app.deps import LanguageDep, NowDep, RowId, SessionDep
from app.models import RoadmapEvidence, RoadmapReport
from app.roadmap.publication import iati, public, public_cache
from app.roadmap.publication.document_schema import ROADMAP_SCHEMA
from app.routers.pages import remember_language

router = APIRouter(tags=["roadmap"])
# Five minutes: an edit shows within that time, and the ETag makes a revalidation cheap.
CACHE_CONTROL = "public, max-age=300"
_SCHEMA_BYTES = public.document_bytes(ROADMAP_SCHEMA)


def _matches(request: Request, tag: str) -> bool:
    sent = request.headers.get("if-none-match", "")
    tags = {part.strip().removeprefix("W/") for part in sent.split(",")}
    return tag in tags or "*" in tags


def cached(request: Request, content: bytes, media_type: str,
           headers: dict[str, str] | None = None) -> Response:
    """Answer `content` with its ETag, or 304 when the client already holds it."""
    tag = public.entity_tag(content)
    common = {"ETag": tag, "Cache-Control": CACHE_CONTROL, **(headers or {})}
    if _matches(request, tag):
        return Response(status_code=304, headers=common)
    return Response(content, media_type=media_type, headers=common)


_JSON_DOC: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": {"$ref": "/roadmap.schema.json"}}},
          "description": "The roadmap, described by /roadmap.schema.json."},
    304: {"description": "Not modified: the If-None-Match ETag is current."},
}


@router.get("/api/v1/roadmap", response_class=Response, responses=_JSON_DOC)
def roadmap_api(request: Request, session: SessionDep) -> Response:
    """Return the public roadmap: pillars, outcomes and commitments with their progress."""
    content = public_cache.derived(session).get("json", public.document_bytes)
    return cached(request, content, "application/json")


@router.get("/roadmap.json", response_class=Response, responses=_JSON_DOC)
def roadmap_json(request: Request, session: SessionDep) -> Response:
    """Return the public roadmap, the same document as `GET /api/v1/roadmap`."""
    return roadmap_api(request, session)


@router.get("/roadmap.schema.json", response_class=Response)
def roadmap_schema(request: Request) -> Response:
    """Return the JSON Schema that describes `/roadmap.json`."""
    return cached(request, _SCHEMA_BYTES, "application/schema+json")


@router.get("/roadmap.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def roadmap_csv(request: Request, session: SessionDep) -> Response:
    """Return the public roadmap as CSV: one row per commitment."""
    content = public_cache.derived(session).get("csv", public.roadmap_csv)
    return cached(request, content, "text/csv; charset=utf-8",
                  {"Content-Disposition": 'attachment; filename="roadmap.csv"'})


@router.get("/roadmap", response_class=Response, include_in_schema=False)
def roadmap_page(request: Request, session: SessionDep, language: LanguageDep) -> Response:
    """Show the roadmap in Bahasa Melayu, or in English with ?lang=en."""
    def page(document: dict[str, Any]) -> bytes:
        return page_templates().env.get_template("roadmap.html").render(
            request=request, **language_context(language), roadmap=document,
            sections=public.page_sections(document), long_date=public.long_date).encode()

    response = HTMLResponse(public_cache.derived(session).get(f"page-{language}", page))
    remember_language(request, response, language)
    return response


@router.get("/roadmap/evidence/{evidence_id}", response_class=Response, responses={
    200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}},
          "description": "The file, as an attachment."},
    404: {"description": "No approved report has this file."}})
def evidence_file(evidence_id: RowId, session: SessionDep) -> Response:
    """Download an approved report's evidence file; anything else is not found."""
    found = session.execute(
        select(RoadmapEvidence.filename, RoadmapEvidence.content_type, RoadmapEvidence.content)
        .join(RoadmapReport, RoadmapReport.id == RoadmapEvidence.report_id)
        .where(RoadmapEvidence.id == evidence_id, RoadmapReport.state == "approved")).first()
    if found is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(found.content, media_type=found.content_type, headers={
        "Content-Disposition": f'attachment; filename="{found.filename}"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"})


@router.get("/roadmap.iati.xml", response_class=Response,
            responses={200: {"content": {"application/xml": {}}}})
def roadmap_iati(request: Request, session: SessionDep, now: NowDep) -> Response:
    """Return the roadmap as an IATI 2.03 activity file: one activity per commitment."""
    # Generated "today" (midnight UTC): the same roadmap on the same day has the same ETag.
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    content = public_cache.derived(session).get(
        f"iati-{today.date()}", lambda document: iati.iati_activities(document, today))
    return cached(request, content, "application/xml")
