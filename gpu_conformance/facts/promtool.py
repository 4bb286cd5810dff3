"""One promtool command and what it said (run by gpu_conformance.monitoring.promtool)."""

from __future__ import annotations

from dataclasses import dataclass

_NOT_PROBLEMS = ("Checking ", "Unit Testing:", "SUCCESS")  # promtool's progress lines


@dataclass(frozen=True)
class PromtoolRun:
    """One promtool command and what it said."""

    args: tuple[str, ...]  # after the binary: ("check", "rules", "gpu-alerts.yml")
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def command(self) -> str:
        return "promtool " + " ".join(self.args)

    def problems(self) -> list[str]:
        """promtool's own lines saying what is wrong (FAILED, line N: ..., error lines), stripped."""
        lines = [line.strip() for line in (self.stderr + "\n" + self.stdout).splitlines()]
        return [line for line in lines if line and not line.startswith(_NOT_PROBLEMS)]

    def summary(self, limit: int = 600) -> str:
        """promtool's problem lines joined with " / ", cut after ``limit`` characters: one line."""
        text = " / ".join(self.problems())
        return text if len(text) <= limit else text[:limit] + " ..."
