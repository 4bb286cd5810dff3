"""Pytest wiring of the conformance suite: options, markers and the fact-gathering fixtures (fixtures/)."""

pytest_plugins = [
    "fixtures.options",
    "fixtures.session",
    "fixtures.cluster",
    "fixtures.nodes",
    "fixtures.workload",
    "fixtures.exporters",
    "fixtures.prometheus",
    "fixtures.redaction",
    "fixtures.reporting",
    "fixtures.allure_results",
    "fixtures.metrics",
]
