"""Schemathesis against the served bid API: every operation of its OpenAPI document, with the
coverage phase (each field's boundaries and each kind of invalid value, deterministically) and
the fuzzing phase (hypothesis-generated positive and negative requests, a bounded number per
operation), over HTTP to the real app on the real clearinghouse, the stack every e2e test uses.

Each answer is checked for: no server error; a status the document declares for the operation
(``status_code_conformance``); a body of the declared schema where the response is typed, which
includes the one error shape ``{"error": "..."}`` (``response_schema_conformance``); the declared
content type; and a 4xx for every request that breaks the schema (``negative_data_rejection``).
Schemathesis exempts its request-shape probes (a wrong Content-Type, a method the path does not
have) from the conformance checks; two checks of ours hold them too: a probe's status is declared
(405 for a method probe), and every 4xx/5xx answer is exactly ``{"error": "<one line>"}``.
``positive_data_acceptance`` is left out on purpose: a schema-valid bid is still unsigned, and
the API rightly refuses it (422 bad signature).
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.checks import not_a_server_error
from schemathesis.generation.meta import CoverageScenario, coverage_scenario

#: Fuzzing examples per operation and mode; the coverage phase adds its own fixed set.
FUZZ_EXAMPLES = 30


@schemathesis.check
def probes_answer_a_declared_status(ctx, response, case) -> bool | None:
    """What ``status_code_conformance`` skips: a request-shape probe's status is declared too."""
    scenario = coverage_scenario(case)
    if scenario == CoverageScenario.UNSPECIFIED_HTTP_METHOD:
        assert response.status_code == 405, f"{case.method} {case.path}: {response.status_code}, not 405"
    elif scenario in (CoverageScenario.MALFORMED_CONTENT_TYPE, CoverageScenario.UNSUPPORTED_CONTENT_TYPE):
        declared = case.operation.responses.status_codes
        assert str(response.status_code) in declared, f"{response.status_code} not in {declared} ({scenario})"
    return None


@schemathesis.check
def errors_have_one_shape(ctx, response, case) -> bool | None:
    """Every 4xx and 5xx body is ``{"error": "<one line>"}``, probes and wrong methods included."""
    if response.status_code >= 400:
        assert response.headers.get("content-type") == ["application/json"], response.headers
        body = response.json()
        assert isinstance(body, dict) and list(body) == ["error"], body
        assert isinstance(body["error"], str) and body["error"] and "\n" not in body["error"], body
    return None


CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance,
          negative_data_rejection, probes_answer_a_declared_status, errors_have_one_shape]


@pytest.fixture(scope="module")
def served_api(stack):
    config = SchemathesisConfig.from_dict({
        "seed": 20250101,
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "generation": {"mode": "all", "max-examples": FUZZ_EXAMPLES, "database": "none"},
    })
    return schemathesis.openapi.from_url(f"{stack.server.url}/openapi.json", config=config)


#: What the run sent and got: (operation, status) -> count, and the operations' labels.
SENT: Counter = Counter()

schema = schemathesis.pytest.from_fixture("served_api")


@schema.parametrize()
def test_the_api_conforms_to_its_openapi_document(case):
    response = case.call_and_validate(checks=CHECKS, timeout=30)
    SENT[(case.operation.label, response.status_code)] += 1


def test_the_run_reached_every_operation_and_every_kind_of_answer(served_api):
    if not SENT:
        pytest.skip("runs after test_the_api_conforms_to_its_openapi_document, in the same session")
    operations = {operation.label for operation in (result.ok() for result in served_api.get_all_operations())}
    reached = {operation for operation, _ in SENT}
    assert reached == operations
    statuses = Counter()
    for (_, status), count in SENT.items():
        statuses[status] += count
    total = sum(statuses.values())
    figures = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    print(f"\nschemathesis: {total} requests over {len(operations)} operations ({figures})")
    for operation in sorted(operations):
        answers = {status: count for (label, status), count in SENT.items() if label == operation}
        print(f"  {operation}: {sum(answers.values())} requests, {dict(sorted(answers.items()))}")
    assert total >= 10 * len(operations)
    # positive and negative requests both got through: accepted reads, and refusals of every kind
    assert {200, 404, 422} <= set(statuses)
    assert not any(status >= 500 for status in statuses)
