"""What an Allure report shows around the results: the environment, the CI executor and the categories.

Written as allure2-format files into the results directory (environment.properties, executor.json,
categories.json), which Allure 3 reads as well.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..checks import Area
from ..facts.cluster_identity import ClusterIdentity
from .allure_consequences import CONSEQUENCES_CATEGORY
from .secrets import Redactor

EPICS: dict[Area, str] = {  # the tutorial's steps, numbered so the report lists them in the tutorial's order
    "prerequisites": "1 Prerequisites: driver, toolkit, runtime, Kubernetes",
    "device-plugin": "2 NVIDIA device plugin",
    "capacity": "3 GPU capacity",
    "health": "3a GPU health",
    "dra": "3b Dynamic Resource Allocation: NVIDIA DRA driver",
    "workload": "4 CUDA vectoradd pod",
    "isolation": "4b Secure accelerator access (beyond the tutorial)",
    "diagnostics": "4c Deep diagnostics: DCGM, bandwidth (opt-in, beyond the tutorial)",
    "monitoring": "5 Monitoring: exporters and Prometheus",
    "alert-rules": "6 Alert rules",
}

# Failed means the cluster is not conformant; broken means the suite could not look (allure's own split).
CATEGORIES: tuple[dict[str, Any], ...] = (
    # First: a failure that follows from another is grouped with its kind, whatever its own words.
    CONSEQUENCES_CATEGORY,
    # First: an API server's 500 may say "etcdserver: request timed out", which is its trouble, not a timeout.
    {"name": "API trouble", "matchedStatuses": ["failed", "broken"],
     "messageRegex": r"(?s).*(the API server answered \d|the API server broke the connection|the API call \S+ \S+ "
                     r"failed).*"},
    {"name": "Image could not be pulled", "matchedStatuses": ["failed", "broken"],
     "messageRegex": r"(?s).*(ErrImagePull|ImagePullBackOff|InvalidImageName|could not be pulled).*"},
    {"name": "Timed out", "matchedStatuses": ["failed", "broken"],
     "messageRegex": r"(?s).*(timed out|timeout|[Nn]o answer within|DeadlineExceeded).*"},
    {"name": "Missing permission", "matchedStatuses": ["failed", "broken"],
     "messageRegex": r"(?s).*(missing permission|[Ff]orbidden).*"},
    {"name": "Not conformant", "matchedStatuses": ["failed"]},
    {"name": "Could not inspect", "matchedStatuses": ["broken"]},
)


@dataclass
class RunEnvironment:
    """The facts a reader needs to place a run: which cluster, what it runs, with which options."""

    cluster: ClusterIdentity | None = None  # None when no cluster was reached
    kubernetes_version: str = ""
    gpu_nodes: int = 0
    gpus_advertised: int = 0
    gpu_models: set[str] = field(default_factory=set)
    driver_versions: set[str] = field(default_factory=set)
    options: Mapping[str, str] = field(default_factory=dict)

    def properties(self) -> dict[str, str]:
        cluster = self.cluster or ClusterIdentity("", "")
        values = {
            "API server": cluster.server,
            "Kubeconfig context": cluster.name,
            "Kubernetes version": self.kubernetes_version,
            "GPU nodes": str(self.gpu_nodes),
            "GPUs advertised": str(self.gpus_advertised),
            "GPU models": ", ".join(sorted(self.gpu_models)) or "unknown",
            "NVIDIA driver versions": ", ".join(sorted(self.driver_versions)) or "unknown",
            "gpu-conformance version": __version__,
        }
        values.update({f"option {name}": value for name, value in self.options.items()})
        return values


def environment_properties(values: Mapping[str, str]) -> str:
    """Java properties text (keys escaped as the format requires)."""
    def escape(text: str, key: bool) -> str:
        text = text.replace("\\", "\\\\").replace("\n", "\\n")
        return text.replace(" ", "\\ ").replace("=", "\\=").replace(":", "\\:") if key else text

    return "".join(f"{escape(k, True)}={escape(v, False)}\n" for k, v in values.items())


def executor(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """Allure's executor.json from the common CI variables, or inside a Kubernetes Job/CronJob."""
    if environ.get("GITHUB_ACTIONS") == "true":
        server, repo, run = environ.get("GITHUB_SERVER_URL", ""), environ.get("GITHUB_REPOSITORY", ""), \
            environ.get("GITHUB_RUN_ID", "")
        return _executor("GitHub Actions", "github", f"{environ.get('GITHUB_WORKFLOW', '')} #"
                         f"{environ.get('GITHUB_RUN_NUMBER', '')}", f"{server}/{repo}/actions/runs/{run}",
                         environ.get("GITHUB_RUN_NUMBER"))
    if environ.get("GITLAB_CI") == "true":
        return _executor("GitLab CI", "gitlab", f"{environ.get('CI_PROJECT_PATH', '')} job "
                         f"{environ.get('CI_JOB_ID', '')}", environ.get("CI_JOB_URL", ""),
                         environ.get("CI_PIPELINE_IID"))
    if environ.get("JENKINS_URL"):
        return _executor("Jenkins", "jenkins", environ.get("BUILD_TAG", ""), environ.get("BUILD_URL", ""),
                         environ.get("BUILD_NUMBER"))
    if environ.get("BUILDKITE") == "true":
        return _executor("Buildkite", "buildkite", f"{environ.get('BUILDKITE_PIPELINE_SLUG', '')} #"
                         f"{environ.get('BUILDKITE_BUILD_NUMBER', '')}", environ.get("BUILDKITE_BUILD_URL", ""),
                         environ.get("BUILDKITE_BUILD_NUMBER"))
    if environ.get("KUBERNETES_SERVICE_HOST"):
        return _executor("Kubernetes", "kubernetes", environ.get("HOSTNAME", "pod"), "", None)
    return None


def _executor(name: str, kind: str, build: str, url: str, order: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "type": kind, "buildName": build.strip(" #")}
    if url:
        body["buildUrl"] = url
    if order and order.isdigit():
        body["buildOrder"] = int(order)
    return body


def write_metadata(directory: Path, environment: RunEnvironment, environ: Mapping[str, str],
                   redact: Redactor) -> list[Path]:
    """environment.properties, categories.json and (in CI) executor.json; every value passes ``redact``."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "environment.properties": environment_properties(
            {k: redact(v) for k, v in environment.properties().items()}),
        "categories.json": json.dumps(list(CATEGORIES), indent=2),
    }
    found = executor(environ)
    if found is not None:
        files["executor.json"] = json.dumps(redact.data(found), indent=2)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return [directory / name for name in files]
