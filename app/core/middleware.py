"""ASGI middleware: refuse oversized bodies before reading them."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024
# The roadmap's spreadsheet import takes a file (the import itself refuses one over 1 MB);
# the rest of the multipart body is a few hundred bytes.
LARGER_BODIES = {"/api/v1/roadmap/import": 1024 * 1024 + 16 * 1024,
                 "/staff/roadmap/import": 1024 * 1024 + 16 * 1024}
# A progress report's page takes up to three evidence files of 5 MB each; the limit leaves
# room for files a little over, so that the page can say which one at its field.
REPORT_PATH = "/roadmap/report/"
REPORT_BODY_BYTES = 20 * 1024 * 1024


def _limit(path: str, default: int) -> int:
    if path.startswith(REPORT_PATH):
        return REPORT_BODY_BYTES
    return LARGER_BODIES.get(path, default)


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException so body parsers pass it through."""

    def __init__(self) -> None:
        super().__init__(413, "The request body is larger than 64 KiB.")


def _too_large_response(scope: Scope) -> tuple[bytes, bytes]:
    limit = "1 MiB" if scope["path"] in LARGER_BODIES else "64 KiB"
    if scope["path"].startswith(REPORT_PATH):
        limit = "20 MiB"
    if scope["path"].startswith("/api/"):
        body = json.dumps({"detail": f"The request body is larger than {limit}."}).encode()
        return body, b"application/json"
    return (
        f"Permohonan terlalu besar (lebih {limit}). / The request is too large (over {limit})."
        .encode(),
        b"text/plain; charset=utf-8",
    )


class BodySizeLimit:
    """Answer 413 when a request body is over the limit, by its header or as it streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        max_bytes = _limit(scope["path"], self.max_bytes)
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            await self._refuse(scope, send)
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await self._refuse(scope, send)

    @staticmethod
    async def _refuse(scope: Scope, send: Send) -> None:
        body, content_type = _too_large_response(scope)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
# The interactive API docs load Swagger UI's script and styles from a CDN.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Pages and answers that carry personal data or private links are never cached.
PRIVATE_PREFIXES = ("/staff", "/manage", "/invitation", "/confirmation", "/api/v1/exports")


def _is_private(path: str, method: str) -> bool:
    if path.startswith(PRIVATE_PREFIXES):
        return True
    return path.startswith("/api/v1/registrations") and method == "GET"


class SecurityHeaders:
    """Add the security headers every response carries."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        policy = (
            DOCS_CONTENT_SECURITY_POLICY if path in ("/docs", "/redoc") else CONTENT_SECURITY_POLICY
        )
        extra = [
            (b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            # Private links carry tokens in their path: other sites never see our URLs.
            # ("no-referrer" would make browsers send `Origin: null` on our own forms.)
            (b"referrer-policy", b"same-origin"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        private = _is_private(path, scope["method"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if not (private and name.lower() == b"cache-control")
                ]
                headers.extend(extra)
                if private:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RefuseNulBytes:
    """Answer 400 to a path or query string carrying a NUL byte, which no page needs.

    PostgreSQL cannot store or compare text holding NUL, so such a request would otherwise
    reach the database and fail there.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope["path"]
            or b"%00" in scope.get("query_string", b"")
            or b"\x00" in scope.get("query_string", b"")
        ):
            body = json.dumps({"detail": "The address holds a NUL byte."}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
