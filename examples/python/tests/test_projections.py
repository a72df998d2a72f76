"""The projections' spec files, run from pytest: no AWS, no local runtime, milliseconds a case.

ProjectionSpecs.verify runs a spec file (given events, the events under test, the expected record)
through the same apply code as the Lambda, and answers a result to assert on.
"""
from pathlib import Path

from cdk_event_sourced_api import ProjectionSpecs

PROJECTIONS = Path(__file__).resolve().parent.parent / "projections"


def test_summary_spec_passes() -> None:
    result = ProjectionSpecs.verify(str(PROJECTIONS / "summary.js"), str(PROJECTIONS / "summary.spec.yaml"))
    assert result.passed, result.summary
    assert len(result.cases) >= 5 and result.failures == []


def test_a_wrong_expectation_fails_with_a_diff(tmp_path: Path) -> None:
    spec = tmp_path / "summary.spec.yaml"
    spec.write_text(
        """
cases:
  - name: two orders, but one expected
    given: [{ type: CustomerRegistered, data: { name: Ada } }]
    when: [{ type: OrderPlaced, data: { amountCents: 100 } }, { type: OrderPlaced, data: { amountCents: 200 } }]
    then: { orders: 1, totalCents: 300, lastOrderAt: "2026-01-01T00:00:02.000Z" }
"""
    )
    result = ProjectionSpecs.verify(str(PROJECTIONS / "summary.js"), str(spec))
    assert not result.passed
    assert [failure.name for failure in result.failures] == ["two orders, but one expected"]
    message = result.failures[0].message or ""
    assert '-   "orders": 1,\n+   "orders": 2,' in message, message
    assert "FAIL" in result.summary and "0 passed, 1 failed" in result.summary
