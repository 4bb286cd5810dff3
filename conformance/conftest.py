"""Loads the suite's plugin and fixtures, for runs of the suite only.

pytest honours ``pytest_plugins`` here because this conftest is an initial one whenever the suite is run
(``pytest conformance ...``, ``pytest conformance/test_x.py``); the project's own tests (``pytest tests``)
never load it.
"""

pytest_plugins = [
    "conformance.plugin.options",
    "conformance.plugin.markers",
    "conformance.plugin.levels",
    "conformance.plugin.gpu_requests",
    "conformance.plugin.opt_in",
    "conformance.plugin.read_options",
    "conformance.plugin.bindings",
    "conformance.plugin.session",
    "conformance.plugin.stray_errors",
    "conformance.plugin.redaction",
    "conformance.plugin.reporting",
    "conformance.plugin.failure_summary",
    "conformance.plugin.allure_results",
    "conformance.plugin.metrics",
    "conformance.plugin.heap",
    "fixtures.settings",
    "fixtures.session",
    "fixtures.cluster",
    "fixtures.nodes",
    "fixtures.dra",
    "fixtures.dra_workload",
    "fixtures.dra_isolation",
    "fixtures.runtime_wiring",
    "fixtures.workload",
    "fixtures.diagnostics",
    "fixtures.isolation",
    "fixtures.exporters",
    "fixtures.prometheus",
]
