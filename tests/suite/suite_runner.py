"""Run the conformance suite as a user does (`pytest conformance --kubeconfig ...`) and read its JUnit XML."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gpusim.cluster import SimCluster
from kubernetes import client, config

from gpu_conformance.kube.run import MANAGED_BY

ROOT = Path(__file__).resolve().parents[2]
_CHECK_ID = re.compile(r"\[([A-Z0-9-]+)\]")
_NODE = re.compile(r"\[([^\]]+)\]$")


@dataclass(frozen=True)
class SuiteRun:
    returncode: int
    stdout: str
    stderr: str
    outcomes: dict[str, tuple[str, str]]  # test id -> (passed|failed|error|skipped, message)

    def failing(self) -> set[tuple[str, str]]:
        """(check id, node or "cluster") of every failed or broken test."""
        found = set()
        for test, (outcome, message) in self.outcomes.items():
            if outcome in ("failed", "error"):
                check = _CHECK_ID.search(message)
                node = _NODE.search(test)
                found.add((check.group(1) if check else f"? {message[:80]}", node.group(1) if node else "cluster"))
        return found


def run_suite(cluster: SimCluster, tmp: Path, *args: str, timeout: float = 240,
              env: Mapping[str, str] | None = None) -> SuiteRun:
    junit = tmp / f"junit-{len(list(tmp.glob('junit-*.xml')))}.xml"
    command = [sys.executable, "-m", "pytest", "conformance", "--kubeconfig", str(cluster.kubeconfig),
               "-p", "no:cacheprovider", "-q", f"--junitxml={junit}", "--pod-timeout", "60", "--summary-dir", str(tmp),
               "--alluredir", str(tmp / "allure-results"), *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
                          env=None if env is None else {**os.environ, **env})
    outcomes: dict[str, tuple[str, str]] = {}
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            outcome, message = "passed", ""
            for kind, name in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
                element = case.find(kind)
                if element is not None:
                    outcome, message = name, element.get("message") or element.text or ""
            outcomes[str(case.get("name"))] = (outcome, message)
    return SuiteRun(done.returncode, done.stdout, done.stderr, outcomes)


def junit_properties(junit: Path) -> dict[str, str]:
    """The testsuite properties of a JUnit XML file (not its testcases')."""
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    return {str(p.get("name")): str(p.get("value")) for suite in suites for p in suite.findall("properties/property")}


def managed_objects(cluster: SimCluster) -> list[str]:
    """Every pod and Job the suite created (by its managed-by label), in all namespaces."""
    api = config.new_client_from_config(str(cluster.kubeconfig), persist_config=False)
    core, batch = client.CoreV1Api(api), client.BatchV1Api(api)
    pods = core.list_pod_for_all_namespaces(label_selector=MANAGED_BY).items
    jobs = batch.list_job_for_all_namespaces(label_selector=MANAGED_BY).items
    return [f"pod/{p.metadata.name}" for p in pods] + [f"job/{j.metadata.name}" for j in jobs]


def sigterm_once_jobs_exist(command: list[str], cluster: SimCluster, timeout: float = 60) -> tuple[int, str]:
    """Start a run, send it SIGTERM once its vectoradd Jobs exist (mid-run); its exit status and output."""
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    while not any(name.startswith("job/") for name in managed_objects(cluster)):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the run never created its Jobs: {proc.communicate()[0][-2000:]}")
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=timeout)
    return proc.returncode, output


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it does not end within 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
