"""ASGI middleware: refuse oversized bodies before reading them."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException so body parsers pass it through."""

    def __init__(self) -> None:
        super().__init__(413, "The request body is larger than 64 KiB.")


def _too_large_response(scope: Scope) -> tuple[bytes, bytes]:
    if scope["path"].startswith("/api/"):
        body = json.dumps({"detail": "The request body is larger than 64 KiB."}).encode()
        return body, b"application/json"
    return (
        "Permohonan terlalu besar (lebih 64 KiB). / The request is too large (over 64 KiB)."
        .encode(), b"text/plain; charset=utf-8")


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
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, send)
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
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
        await send({
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close")],
        })
        await send({"type": "http.response.body", "body": body})
