"""Generated requests against every HTTP operation: no server errors, answers as documented.

Schemathesis reads the app's OpenAPI document and generates requests for each operation,
ones that fit the schema and ones that do not, and sends them to the app in-process as a
signed-in learner with a personal API token. Every response must not be a server error
and must match what the document says of the operation (status, content type, body).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.integration.conftest import PASSWORD
from tutor.api.app import create_app
from tutor.config import Settings

pytestmark = pytest.mark.integration

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    # Replays of stored failures would make a run depend on earlier ones; none are kept.
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _signed_in(schema: OpenApiSchema) -> dict[str, str]:
    """The Authorization header of a new learner's personal API token."""
    signup = schema["/api/v1/auth/signup"]["POST"].Case(
        body={"name": "schemathesis", "password": PASSWORD}, media_type="application/json"
    )
    answer = signup.call()
    assert answer.status_code == 201, answer.text
    cookie = answer.headers["set-cookie"][0].split(";", 1)[0]
    create = schema["/api/v1/auth/tokens"]["POST"].Case(
        body={"name": "schemathesis"}, media_type="application/json"
    )
    token = create.call(headers={"Cookie": cookie})
    assert token.status_code == 201, token.text
    return {"Authorization": f"Bearer {token.json()['token']}"}


def _wait_until_ready(schema: OpenApiSchema) -> None:
    # The embedding model loads in the background; /readyz answers 503 until it has.
    probe = schema["/readyz"]["GET"].Case()
    for _ in range(300):
        answer = probe.call()
        if answer.status_code == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"not ready after 60 s: {answer.text}")


def _failures(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> list[str]:
    """What went wrong with generated requests to one operation, one line each."""
    found: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @EXAMPLES
    def run(case: Any) -> None:
        try:
            # Every check but one: valid-looking requests may still break rules the schema
            # cannot say (a free name, an expiry in the future, text without NUL); a 4xx
            # for them is right.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
        except (Exception, BaseExceptionGroup) as error:
            found.append(f"{operation.label} ({mode.value}): {error}\n  {case.as_curl_command()}")
            raise

    try:
        run()
    except Unsatisfiable:
        # An operation without parameters or body has no invalid request to make.
        assert mode is GenerationMode.NEGATIVE, operation.label
    except (Exception, BaseExceptionGroup) as error:
        if not found:
            found.append(f"{operation.label} ({mode.value}): {type(error).__name__}: {error}")
    return found[-1:]


def test_no_request_breaks_the_api(settings: Settings) -> None:
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(settings))
    headers = _signed_in(schema)
    _wait_until_ready(schema)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, [o.label for o in operations]
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for failure in _failures(operation, mode, headers)
    ]
    assert not failures, "\n\n".join(failures)
