"""CNCF Kubernetes AI Conformance evidence: one markdown file per requirement the suite covers, as submissions to
cncf/k8s-ai-conformance point at (their PRODUCT.yaml lists, per requirement id, ``evidence`` URLs to such files;
NVIDIA's aicr writes them as docs/conformance/cncf/<version>/<platform>/evidence/<requirement>.md).

Each file quotes the requirement (its id, level and description as the conformance spec words it), gives the
run's verdict for it and the per-node outcome and message of every check that bears on it, and points at the
run's machine-readable reports. A requirement whose checks this run did not select (DRA on a device-plugin
cluster, the hardening checks under --level tutorial) is "not shown by this run", never passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from .ctrf import CTRF_FILE
from .results import NOT_PASSING, Result
from .summary import Summary


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str  # MUST or SHOULD
    description: str  # the spec's words (cncf/k8s-ai-conformance, v1.35 submissions' PRODUCT.yaml)
    checks: tuple[str, ...]  # the suite's checks whose results show it

    @property
    def file(self) -> str:
        return self.id.replace("_", "-") + ".md"


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("dra_support", "MUST", "Support Dynamic Resource Allocation (DRA) APIs to enable more flexible and "
                "fine-grained resource requests beyond simple counts.",
                ("DRA-API", "DRA-DEVICECLASS", "DRA-DRIVER-READY", "DRA-SLICES-MATCH-GPUS", "DRA-VECTORADD")),
    Requirement("driver_runtime_management", "SHOULD", "Provide a verifiable mechanism for ensuring that compatible "
                "accelerator drivers and corresponding container runtime configurations are correctly installed and "
                "maintained on nodes with accelerators.",
                ("PRE-DRIVER", "PRE-TOOLKIT", "PRE-RUNTIME-DEFAULT", "CDI-SPEC", "WORKLOAD-DRIVER-FITS-IMAGE")),
    Requirement("accelerator_metrics", "MUST", "For supported accelerator types, the platform must allow for the "
                "installation and successful operation of at least one accelerator metrics solution that exposes "
                "fine-grained performance metrics via a standardized, machine-readable metrics endpoint. This must "
                "include a core set of metrics for per-accelerator utilization and memory usage.",
                ("MON-EXPORTER-UP", "MON-EXPORTER-GPUS", "MON-EXPORTER-DRIVER", "MON-PROM-TARGETS",
                 "MON-PROM-LIVE-TARGETS-UP")),
    Requirement("secure_accelerator_access", "MUST", "Ensure that access to accelerators from within containers is "
                "properly isolated and mediated by the Kubernetes resource management framework (device plugin or "
                "DRA) and container runtime, preventing unauthorized access or interference between workloads.",
                ("SEC-NO-REQUEST-NO-GPU", "SEC-ENV-NO-GPU", "SEC-CONTAINER-ISOLATION", "SEC-POD-ISOLATION",
                 "DRA-SECURE-ACCESS")),
)


def verdict(results: Iterable[Result]) -> str:
    """FAIL when a check failed or could not inspect; PASS when one passed and none did not; else not shown."""
    outcomes = {r.outcome for r in results}
    if outcomes & set(NOT_PASSING):
        return "FAIL"
    return "PASS" if "passed" in outcomes else "NOT SHOWN by this run"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(requirement: Requirement, summary: Summary) -> str:
    """The requirement's evidence page for this run."""
    results = sorted((r for r in summary.results if r.check in requirement.checks),
                     key=lambda r: (requirement.checks.index(r.check), r.node))
    cluster = summary.run.cluster
    lines = [f"# {requirement.id} ({requirement.level})", "", f"> {requirement.description}", "",
             f"**Verdict: {verdict(results)}** for cluster `{cluster.name}` ({cluster.server}), shown by "
             f"gpu-conformance {__version__}.", ""]
    if summary.run.interrupted:
        lines += ["The run was interrupted: these results are partial.", ""]
    if results:
        lines += ["| check | node | outcome | what was found |", "|---|---|---|---|"]
        lines += [f"| {r.check} | {r.node} | {r.outcome} | {_cell(r.message)} |" for r in results]
    else:
        lines += [f"None of its checks ({', '.join(requirement.checks)}) ran: deselected by --gpu-request or "
                  "--level, or not collected."]
    lines += ["", f"Evidence: every result, with its facts, is in the run's summary.json and {CTRF_FILE}, and as "
                  "attachments in its Allure report."]
    return "\n".join(lines) + "\n"


def write_evidence(directory: Path, summary: Summary) -> None:
    """One file per requirement, and index.md listing them with their verdicts."""
    directory.mkdir(parents=True, exist_ok=True)
    index = ["# CNCF Kubernetes AI Conformance: evidence from gpu-conformance", "",
             "| requirement | level | verdict | evidence |", "|---|---|---|---|"]
    for requirement in REQUIREMENTS:
        (directory / requirement.file).write_text(render(requirement, summary))
        shown = verdict(r for r in summary.results if r.check in requirement.checks)
        index.append(f"| {requirement.id} | {requirement.level} | {shown} | [{requirement.file}]({requirement.file}) |")
    (directory / "index.md").write_text("\n".join(index) + "\n")
