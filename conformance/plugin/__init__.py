"""The suite's pytest plugin: options, markers, the session around the checks, and the reports.

Loaded by conformance/conftest.py, so only by runs of the suite (``pytest conformance ...``), never by the
project's own tests. The fixtures that gather facts live apart, in fixtures/; these modules hold hooks.
"""
