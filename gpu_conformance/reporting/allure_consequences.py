"""Allure results of consequences say so: "consequence of PRE-RUNTIME-DEFAULT: ..." and their own category.

A result file is written as its test ends, before the run knows which failures follow from others (results
arrive in any order; root_causes.py decides once all are in). So the writer notes which file holds which
(check, node), and at the end only the consequences' files are rewritten, each atomically.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from .results import Result

PREFIX = "consequence of "
CONSEQUENCES_CATEGORY = {"name": "Consequence of another failure", "matchedStatuses": ["failed", "broken"],
                         "messageRegex": r"(?s)^consequence of .*"}


def mark_consequences(files: Mapping[tuple[str, str], Path], results: Iterable[Result]) -> int:
    """Prefix the status message of each consequence's result file with the checks it follows from; how many."""
    marked = 0
    for result in results:
        path = files.get((result.check, result.node))
        if not result.caused_by or path is None or not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        details = data.setdefault("statusDetails", {})
        details["message"] = f"{PREFIX}{', '.join(result.caused_by)}: {details.get('message', '')}"
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
        marked += 1
    return marked
