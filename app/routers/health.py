"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from app.services.health import degraded_dependencies, migrations_at_head

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Say that the process is alive."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Database unreachable or behind."}})
def readyz() -> JSONResponse:
    """Say whether the database is reachable and its migrations are at head.

    A dependency the portal carries on without (the rate-limit store) is named under
    "degraded" but keeps the answer 200, so a load balancer does not take every instance
    out at once.
    """
    ready, reason = migrations_at_head()
    if ready:
        degraded = degraded_dependencies()
        return JSONResponse({"status": "ready", **({"degraded": degraded} if degraded else {})})
    return JSONResponse({"status": "not ready", "reason": reason},
                        status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
