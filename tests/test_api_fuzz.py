"""Schemathesis against our OpenAPI document: every operation (the resources, the canned
queries, the SPARQL endpoint) gets generated inputs, valid and not; none may answer 5xx, every
answer must conform to the documented status codes, content types and schemas, and the graph
is unchanged afterwards (driven by hypothesis directly; schemathesis's pytest plugin does not
load under pytest 9)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

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


@pytest.mark.parametrize("label", _labels())
def test_no_server_errors_and_responses_conform(operations, store, label):
    operation = operations[label]
    before = len(store.ox)

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(operation.as_strategy())
    def check(case):
        response = case.call()
        assert response.status_code < 500, (case.method, case.formatted_path, case.query, response.text[:300])
        case.validate_response(response, checks=CHECKS)

    check()
    assert len(store.ox) == before  # read-only: nothing a request sends changes the graph
