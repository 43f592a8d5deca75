"""Fuzz the API with schemathesis from its own OpenAPI document: no 5xx, answers match the schema.

One check is left out: `positive_data_acceptance` expects every schema-valid body to be
accepted, but a registration has rules a JSON schema cannot say (a Malaysian postcode is
5 digits unless the state is abroad, a telephone number must exist), so such bodies get a
correct 422 with a message at the field. Everything else schemathesis checks by default
runs. tests/test_schemathesis_live.py runs every check against the server under uvicorn.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from sqlalchemy import Engine

from app.main import app

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api_answers_every_generated_request_without_server_errors(
    case: schemathesis.Case, committed_db: Engine
) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
