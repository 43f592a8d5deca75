"""The one endpoint that reads its own request: `POST /api/v1/registrations`.

Every other endpoint takes its body, headers and dependencies as FastAPI intends. This one,
the deadline rush's hot path, does that work itself, because FastAPI's dependency solving,
body parameter and header parameter cost it about a sixth more CPU per registration
(`bench/bench_body.py`, both forms side by side in one run; docs/performance.md, "Hand-read
or FastAPI's body"). What is here keeps what FastAPI would do: the same 422s and 400,
dependency overrides honoured, and the body and header documented in OpenAPI as declared
parameters would be. Do not use it for another endpoint without a measurement that calls
for it.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect

from app.schemas.registration import RegistrationCreate

ModelT = TypeVar("ModelT", bound=BaseModel)
T = TypeVar("T")

IDEMPOTENCY_KEY_MAX_LENGTH = 255

# What the endpoint reads, documented as FastAPI would have (its `openapi_extra`).
REGISTRATION_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH},
            "description": "Any unique string (a UUID is best). A retried POST with the same "
            "key and body returns the first answer instead of registering twice.",
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/RegistrationCreate"}}
        },
    },
}


def document_registration_body(application: FastAPI) -> None:
    """Make the app's OpenAPI document hold the schema that REGISTRATION_OPENAPI refers to."""
    generate = application.openapi

    def openapi() -> dict[str, Any]:
        first = application.openapi_schema is None
        document = generate()
        if first:
            document.setdefault("components", {}).setdefault("schemas", {})[
                "RegistrationCreate"
            ] = RegistrationCreate.model_json_schema(ref_template="#/components/schemas/{model}")
        return document

    application.openapi = openapi  # type: ignore[method-assign]


async def resolve(request: Request, dependency: Callable[[], Awaitable[T]]) -> T:
    """Call a dependency that takes no arguments, or its override, as `Depends` would."""
    provider = request.app.dependency_overrides.get(dependency, dependency)
    result = provider()
    return await result if inspect.isawaitable(result) else result  # type: ignore[no-any-return]


def idempotency_key(request: Request) -> str | None:
    """Return the `Idempotency-Key` header, refusing one too long as FastAPI would (422)."""
    key = request.headers.get("idempotency-key")
    if key is not None and len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise RequestValidationError(
            [{"type": "string_too_long", "loc": ("header", "idempotency-key"), "msg": "Too long"}]
        )
    return key


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


async def read_json_body(request: Request, model: type[ModelT]) -> ModelT:
    """Parse and validate a JSON body in one pass, refusing it as FastAPI would (422).

    As with a declared body parameter, the body must be sent as JSON; errors are located
    under "body".
    """
    try:
        body = await request.body()
    except ClientDisconnect:
        # The client went away mid-body; nobody reads this answer, but it is not our error.
        raise HTTPException(400, "There was an error parsing the body") from None
    if not _is_json(request.headers.get("content-type", "")):
        kind = "missing" if not body else "model_attributes_type"
        raise RequestValidationError([{"type": kind, "loc": ("body",), "msg": "Send JSON"}])
    try:
        # pydantic reads UTF-8 only; a byte order mark or UTF-16/32 is read as json.loads would.
        encoding = json.detect_encoding(body)
        if encoding != "utf-8":
            body = body.decode(encoding).encode()
        return model.model_validate_json(body)
    except UnicodeDecodeError:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body",), "msg": "Not valid text"}]
        ) from None
    except ValidationError as error:
        raise RequestValidationError(
            [
                {**detail, "loc": ("body", *detail["loc"])}
                for detail in error.errors(include_url=False, include_input=False)
            ]
        ) from None
