"""The ASGI application: `app.main:app`."""

from __future__ import annotations

import gc

# Importing the frameworks and building the app makes a few hundred thousand objects that
# live as long as the process. The cyclic garbage collector would walk them over and over
# while they are being made (about a sixth of the start-up time), so it is paused until
# the app is built, and they are then frozen out of its way for good (see the end).
gc.disable()

import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from app.core.config import describe_settings_error, get_settings
from app.core.logging import RequestId, configure_logging, log_style
from app.core.middleware import BodySizeLimit, RefuseNulBytes, SecurityHeaders
from app.roadmap.plan import api as roadmap_api
from app.roadmap.plan import staff_pages as roadmap_staff
from app.roadmap.progress import report_api as roadmap_report_api
from app.roadmap.progress import report_pages as roadmap_report_pages
from app.roadmap.progress import report_staff_pages as roadmap_report_staff
from app.roadmap.publication import public_pages as roadmap_public
from app.routers import (
    api,
    hand_read,
    health,
    invitation,
    link,
    manage,
    public,
    staff,
    staff_api,
    staff_api_announcements,
    staff_api_duplicates,
    workshops_api,
)
from app.routers.faults import answer_database_faults
from app.schemas.registration import field_errors
from app.services.health import migrations_at_head

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


# Errors whose messages the portal wrote (PydanticCustomError), shown as they are.
_WORDED_FOR_PEOPLE = frozenset({"several_values", "control_character"})


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    messages = field_errors(error.errors())
    detail = [
        {
            "loc": ["body", field] if field != "__root__" else ["body"],
            "msg": message,
            "type": "invalid",
        }
        for field, message in messages.items()
    ] or [
        # Not a registration's field: name where the problem is, in pydantic's terms, and
        # give the message when it was written for people (ours), else a general one.
        {"loc": [str(part) for part in problem["loc"]] or ["request"],
         "msg": problem["msg"] if problem["type"] in _WORDED_FOR_PEOPLE
         else "Check the request and try again",
         "type": "invalid"}
        for problem in error.errors()
    ] or [{"loc": ["request"], "msg": "Check the request and try again", "type": "invalid"}]
    return JSONResponse({"detail": detail}, status_code=422)


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@lru_cache
def _path_pattern(template: str) -> re.Pattern[str]:
    return compile_path(template)[0]


def _documented_methods(application: FastAPI, path: str) -> list[str]:
    """Return the methods the OpenAPI document gives `path` (with HEAD beside GET)."""
    for template, operations in application.openapi()["paths"].items():
        if _path_pattern(template).match(path):
            methods = {method.upper() for method in operations if method in _HTTP_METHODS}
            return sorted(methods | ({"HEAD"} if "GET" in methods else set()))
    return []


async def _method_not_allowed(request: Request, error: Exception) -> JSONResponse:
    # Starlette's 405 names only the methods of the first route whose path matched; where
    # the public and the staff API share a path (POST and GET /api/v1/registrations),
    # Allow must name both, as the OpenAPI document does.
    assert isinstance(error, StarletteHTTPException)
    headers = dict(error.headers or {})
    if methods := _documented_methods(request.app, request.scope["path"]):
        headers["Allow"] = ", ".join(methods)
    return JSONResponse({"detail": error.detail}, status_code=405, headers=headers)


def _report_readiness() -> None:
    ready, reason = migrations_at_head()
    if not ready:
        # One clear line; the process stays up so /readyz can report it and recover.
        logging.getLogger("app").error("not ready at start-up: %s", reason)


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Sync endpoints run in AnyIO's thread pool; one database connection per thread means
    # no request ever waits on the pool while holding a thread.
    settings = get_settings()
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = settings.db_pool_size + settings.db_max_overflow
    # Checked beside start-up, not before it: /healthz answers at once, and /readyz tells
    # the load balancer when the database is there and migrated.
    threading.Thread(target=_report_readiness, name="readiness-check", daemon=True).start()
    yield


def create_app() -> FastAPI:
    """Build the portal's application; settings are checked here, at start-up."""
    try:
        settings = get_settings()
    except ValidationError as error:
        raise SystemExit(f"alliance87: invalid setting: {describe_settings_error(error)}") from None
    configure_logging(
        settings.log_level,
        log_style(settings.log_format, environment=settings.environment),
    )
    application = FastAPI(
        lifespan=_lifespan,
        title="Alliance 8.7 Malaysia registration portal",
        version="1.0.0",
        description="Organisations express their interest in joining Alliance 8.7 in Malaysia. "
        "Enquiries: alliance8.7@mohr.gov.my",
    )
    application.add_exception_handler(RequestValidationError, _validation_error)
    application.add_exception_handler(405, _method_not_allowed)
    # The database away, or SQLite's write lock not granted within its 30 s timeout: a
    # clear 503 with Retry-After (nothing was stored), not a server error.
    answer_database_faults(application)
    application.include_router(api.router)
    application.include_router(public.router)
    application.include_router(link.router)
    application.include_router(manage.router)
    application.include_router(invitation.router)
    application.include_router(health.router)
    application.include_router(staff.router)
    application.include_router(staff_api_duplicates.router)
    application.include_router(staff_api.router)
    application.include_router(staff_api_announcements.router)
    application.include_router(workshops_api.router)
    application.include_router(roadmap_api.router)
    application.include_router(roadmap_public.router)
    application.include_router(roadmap_report_api.router)
    application.include_router(roadmap_report_pages.router)
    application.include_router(roadmap_report_staff.router)
    application.include_router(roadmap_staff.router)
    hand_read.document_registration_body(application)
    application.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    application.add_middleware(BodySizeLimit)
    application.add_middleware(RefuseNulBytes)
    application.add_middleware(SecurityHeaders)
    application.add_middleware(RequestId)
    return application


app = create_app()
gc.freeze()
gc.enable()
