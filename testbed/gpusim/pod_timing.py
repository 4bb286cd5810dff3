"""How long images take to pull and containers to run, per image, so a scenario times the workload phase as a
cluster would (``podTiming:``, docs/scenarios.md).

An entry applies to images matching its fnmatch pattern (the first entry that matches); an image no entry names
pulls in the runtime's usual 0.7 s and runs as its simulated program says. ``runSeconds`` stretches or shrinks a
simulated program (its output and exit) to end that long after it started; a real program (a registered image)
runs as long as it runs. ``jitterSeconds`` adds up to that much to each pull and run, differently for each
container, the same on every run of the scenario.
"""

from __future__ import annotations

import fnmatch
import random
from dataclasses import replace

from .images.base import Script
from .model import PodTiming


def timing_for(timings: tuple[PodTiming, ...], image: str) -> PodTiming | None:
    return next((t for t in timings if fnmatch.fnmatchcase(image, t.image)), None)


def jitter(timing: PodTiming, key: str) -> float:
    """Up to ``jitter_seconds``, drawn from ``key`` (the container's pod uid and name, and what is timed)."""
    return random.Random(key).uniform(0.0, timing.jitter_seconds) if timing.jitter_seconds else 0.0


def pull_seconds(timing: PodTiming | None, default: float, key: str) -> float:
    if timing is None or timing.pull_seconds is None:
        return default
    return timing.pull_seconds + jitter(timing, key + "/pull")


def timed(script: Script, timing: PodTiming | None, key: str) -> Script:
    """``script`` ending ``run_seconds`` (plus jitter) after its start: its waits stretched or shrunk to fit."""
    if timing is None or timing.run_seconds is None or script.exit_code is None:
        return script
    target = timing.run_seconds + jitter(timing, key + "/run")
    total = sum(wait for wait, _ in script.steps)
    if total <= 0:
        return replace(script, steps=((target, ""), *script.steps))
    return replace(script, steps=tuple((wait * target / total, text) for wait, text in script.steps))
