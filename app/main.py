"""The ASGI application: `app.main:app`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from app.core.config import get_settings
from app.core.middleware import BodySizeLimit, SecurityHeaders
from app.routers import api, health, public
from app.schemas.registration import field_errors

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    messages = field_errors(error.errors())
    detail = [
        {"loc": ["body", field] if field != "__root__" else ["body"], "msg": message,
         "type": "invalid"}
        for field, message in messages.items()
    ] or [{"loc": ["request"], "msg": "Check the request and try again", "type": "invalid"}]
    return JSONResponse({"detail": detail}, status_code=422)


def create_app() -> FastAPI:
    """Build the portal's application; settings are checked here, at start-up."""
    get_settings()
    application = FastAPI(
        title="Alliance 8.7 Malaysia registration portal",
        version="1.0.0",
        description="Organisations express their interest in joining Alliance 8.7 in Malaysia. "
        "Enquiries: alliance8.7@mohr.gov.my",
    )
    application.add_exception_handler(RequestValidationError, _validation_error)
    application.include_router(public.router)
    application.include_router(api.router)
    application.include_router(health.router)
    application.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    application.add_middleware(BodySizeLimit)
    application.add_middleware(SecurityHeaders)
    return application


app = create_app()
