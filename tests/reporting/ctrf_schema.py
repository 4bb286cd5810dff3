"""The CTRF JSON schema, bundled: data/ctrf.schema.json is ctrf-io/ctrf schema/ctrf.schema.json at commit
84ddec55811b6a9bf9db3bf9638c9568cde88bb5 (2026-07-26, "Add identity model (#57)"), specVersion 1.0.0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

SCHEMA = json.loads((Path(__file__).parent / "data" / "ctrf.schema.json").read_text())


def ctrf_problems(document: Any) -> list[str]:
    """Every way ``document`` breaks the CTRF schema (formats such as date-time and uuid checked too)."""
    validator = Draft7Validator(SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(document)]


def ctrf_failing(directory: Path) -> set[tuple[str, str]]:
    """(check, node) of the failed and could-not-inspect tests of the CTRF report a run wrote to ``directory``, once
    the report is shown to be valid CTRF."""
    document = json.loads((directory / "ctrf-report.json").read_text())
    assert ctrf_problems(document) == []
    return {(t["labels"]["check"], t["labels"]["node"]) for t in document["results"]["tests"]
            if t["status"] in ("failed", "other")}
