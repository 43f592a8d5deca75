"""Logs with a request id on every line and no personal data: JSON, or short lines for people."""

from __future__ import annotations

import contextvars
import datetime as dt
import itertools
import json
import logging
import re
import sys
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("app.access")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# International numbers (+…) and Malaysian ones (0…); dates and times are left alone.
_PHONE = re.compile(r"(?<![\w/.:-])(?:\+\d[\d\s-]{6,}\d|0\d{1,2}[\s-]?\d{3,4}[\s-]?\d{4})(?![\w-])")
# Private links carry their secret in the path.
_PRIVATE_PATH = re.compile(r"(/(?:manage|confirmation|invitation)/)[^\s/?\"]+")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def mask_personal_data(text: str) -> str:
    """Hide email addresses, telephone numbers and private-link tokens in a log message."""
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[phone]", text)
    return _PRIVATE_PATH.sub(r"\1[token]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, masked message."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", request_id.get()),
            "message": mask_personal_data(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = mask_personal_data(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class ConsoleFormatter(logging.Formatter):
    """One short line for a person at a terminal: time, level, what happened."""

    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        line = f"{moment} {record.levelname:<7} {mask_personal_data(record.getMessage())}"
        if record.levelno >= logging.WARNING or not record.name.startswith(("app.", "uvicorn")):
            line += f"  ({record.name})"
        if record.exc_info:
            line += "\n" + mask_personal_data(self.formatException(record.exc_info))
        return line


def log_style(choice: str, *, environment: str, stream: object = None) -> str:
    """Decide between "json" and "text": as asked, else text for a terminal or development."""
    if choice in ("json", "text"):
        return choice
    isatty = getattr(stream if stream is not None else sys.stderr, "isatty", None)
    at_terminal = bool(isatty and isatty())
    return "text" if at_terminal or environment == "development" else "json"


_base_record_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: object, **kwargs: object) -> logging.LogRecord:
    # Stamped when the record is made, inside the request, wherever it is formatted later.
    record = _base_record_factory(*args, **kwargs)
    record.request_id = request_id.get()
    return record


def configure_logging(level: str = "INFO", style: str = "json") -> None:
    """Send the portal's and uvicorn's logs to stderr, as JSON lines or as short text lines."""
    logging.setLogRecordFactory(_record_with_request_id)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ConsoleFormatter() if style == "text" else JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    # uvicorn's access line is written outside the request's context, without its id;
    # RequestId writes its own access line instead.
    logging.getLogger("uvicorn.access").disabled = True
    # Alembic announces each of its plugins at INFO whenever it checks the schema.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


# Request ids must be unique, not secret: a random prefix per process and a counter.
_PROCESS_PREFIX = uuid.uuid4().hex[:12]
_request_numbers = itertools.count()


def _new_request_id() -> str:
    return f"{_PROCESS_PREFIX}-{next(_request_numbers):x}"


class RequestId:
    """Give each request an id (or keep a sane X-Request-ID) and echo it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        current = given if _SAFE_REQUEST_ID.match(given) else _new_request_id()
        token = request_id.set(current)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-request-id", current.encode())],
                }
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %s %.1fms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )
            request_id.reset(token)
