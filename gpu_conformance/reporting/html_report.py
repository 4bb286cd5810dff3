"""The single-file HTML report: Allure 3's "awesome" report of one run, with the trend of earlier runs.

The Allure configuration is written per run into a temporary directory, so nothing but the report and
the history file is left behind. History is a JSON-lines file Allure appends one entry per report to;
keep it (on a volume, inside the CronJob) and the report shows trends and each check's past results.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..node.hostfs import first_line
from .allure_analytics import OPT_OUT_ENV, strip_analytics
from .allure_cli import find_allure
from .allure_meta import CATEGORIES, environment_properties

DEFAULT_RESULTS = Path("reports/allure-results")
DEFAULT_OUTPUT = Path("reports/html")
DEFAULT_HISTORY = Path("reports/history.jsonl")
HISTORY_LIMIT = 20  # runs kept for the trend charts and each check's history tab
GENERATE_TIMEOUT_S = 300
TITLE = "GPU conformance"
# The environment.properties key the suite records the cluster under (see allure_meta.RunEnvironment).
CONTEXT_KEY = "Kubeconfig context"
GROUP_BY = ["epic", "feature"]  # the tutorial's step, then the check: a check's nodes sit side by side
SORT_BY = "name,asc"  # the epics are numbered in the tutorial's order


def render_report(results: Path, output: Path, history: Path | None, name: str | None = None,
                  allure: str | None = None) -> Path:
    """Render ``results`` into ``output``/index.html (one self-contained file) and return its path.

    ``history`` (None: no trend) is read and appended to; ``name`` defaults to "GPU conformance: <context>"
    when the results record the kubeconfig context; ``allure`` names a ready Allure 3 binary.
    """
    if not results.is_dir():
        raise UsageError(f"results {results}: no such directory (run the suite with --alluredir {results})")
    if not any(results.glob("*-result.json")):
        raise UsageError(f"results {results}: no Allure results in it (run the suite with --alluredir {results})")
    binary = find_allure(allure)
    index = output / "index.html"
    try:
        index.unlink(missing_ok=True)  # never hand back the previous run's report as this one's
        if history is not None:
            history.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot write the report at {err.filename}: {err.strerror}") from err
    config = allure_config(output, history, name or default_name(results))
    with tempfile.TemporaryDirectory(prefix="gpu-conformance-allure-") as tmp:
        config_file = Path(tmp) / "allurerc.json"
        config_file.write_text(json.dumps(config, indent=2))
        command = [binary, "generate", str(results.resolve()), "--config", str(config_file)]
        try:
            done = subprocess.run(command, cwd=tmp, capture_output=True, text=True, timeout=GENERATE_TIMEOUT_S,
                                  env={**os.environ, "NO_COLOR": "1", **OPT_OUT_ENV}, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise UsageError(f"allure generate could not run: {err}") from err
    if done.returncode != 0 or not index.is_file():
        said = first_line(done.stderr) or first_line(done.stdout) or "no output"
        raise UsageError(f"allure generate exited {done.returncode} without writing {index}: {said}")
    try:
        strip_analytics(index)
    except OSError as err:
        raise UsageError(f"cannot write the report at {index}: {err.strerror}") from err
    return index


def allure_config(output: Path, history: Path | None, name: str) -> dict[str, Any]:
    """Allure 3's allurerc, as JSON: the awesome plugin in single-file mode, history and the categories."""
    config: dict[str, Any] = {
        "name": name,
        "output": str(output.resolve()),
        "plugins": {
            "awesome": {"options": {"singleFile": True, "reportName": name, "groupBy": GROUP_BY,
                                     "defaultSortBy": SORT_BY}},
            "agent": {"enabled": False},  # Allure adds its AI-agent plugin unless told; it has nothing to do here
        },
        "categories": [allure3_category(rule) for rule in CATEGORIES],
    }
    if history is not None:
        config.update(historyPath=str(history.resolve()), historyLimit=HISTORY_LIMIT)
    return config


def allure3_category(rule: dict[str, Any]) -> dict[str, Any]:
    """A categories.json rule (Allure 2) as Allure 3 reads it from allurerc.

    Allure 2 full-matches messages with Java regexes, hence the rules' leading ``(?s)``; Allure 3 searches
    them with a JavaScript RegExp, which rejects that inline flag ("Invalid group") and needs no anchoring.
    """
    matcher: dict[str, Any] = {"statuses": rule["matchedStatuses"]}
    if "messageRegex" in rule:
        matcher["message"] = str(rule["messageRegex"]).removeprefix("(?s)")
    return {"name": rule["name"], "matchers": matcher}


def default_name(results: Path) -> str:
    """The report's name: the title and the kubeconfig context the results' environment.properties records."""
    key = environment_properties({CONTEXT_KEY: ""}).strip()  # the key as the suite escapes it, with its "="
    try:
        lines = (results / "environment.properties").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    context = next((line.removeprefix(key).strip() for line in lines if line.startswith(key)), "")
    named = context and not context.startswith("(")  # "(current)": the run did not say which context it used
    return f"{TITLE}: {context}" if named else TITLE
