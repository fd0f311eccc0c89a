"""Schemathesis against our OpenAPI document: every operation (the resources, the canned
queries, the SPARQL endpoint) gets generated inputs, valid ones (positive mode) and ones that
break the schema (negative mode); none may answer 5xx, every answer must conform to the
documented status codes, content types and schemas (negative inputs: a 4xx), and the graph is
unchanged afterwards. Driven by hypothesis directly (schemathesis's pytest plugin does not load
under pytest 9), derandomised so a run is repeatable."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance, schemathesis.checks.response_schema_conformance]


@pytest.fixture(scope="module")
def operations(store):
    from policykg.api.app import create_app

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(store))
    return {op.label: op for op in (r.ok() for r in schema.get_all_operations())}


def _labels() -> list[str]:
    from policykg.api.app import create_app
    from policykg.graph.store import Store

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Store(None)))
    return sorted(r.ok().label for r in schema.get_all_operations())


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("label", _labels())
def test_no_server_errors_and_responses_conform(operations, store, label, mode):
    operation = operations[label]
    before = len(store.ox)

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    @given(operation.as_strategy(generation_mode=mode))
    def check(case):
        response = case.call()
        assert response.status_code < 500, (case.method, case.formatted_path, case.query, response.text[:300])
        case.validate_response(response, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:  # nothing in the operation's schema can be broken (no typed parameters)
        pytest.skip(f"{label}: its schema admits no invalid input")
    assert len(store.ox) == before  # read-only: nothing a request sends changes the graph
