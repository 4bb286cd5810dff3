"""Allure results of a real suite run: labels per check and node, evidence, environment, categories, no secrets."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from gpusim.testing import StartCluster

from gpu_conformance.reporting.secrets import MIN_FRAGMENT, Redactor, secrets_in_kubeconfig
from gpu_conformance.secret import REDACTED
from tests.suite.suite_runner import run_suite

pytestmark = pytest.mark.e2e

NODE_OPTIONS = ("--gpu-node-selector", "gpu-node=true")
PROMETHEUS_PASSWORD = "pr0m-Pa55word-planted"
GRAFANA_TOKEN = "glsa_Zq81xWv3Lp0Rt7Yh2Mn5"  # no words the options hold (grafana, token)
ENV_TOKEN = "env-t0ken-planted-9f8e7d"
CI = {"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "org/gpu",
      "GITHUB_RUN_ID": "4242", "GITHUB_RUN_NUMBER": "17", "GITHUB_WORKFLOW": "admit-node"}


def _results(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in directory.glob("*-result.json")]


def _labels(result: dict[str, Any]) -> dict[str, str]:
    return {label["name"]: label["value"] for label in result["labels"] if label["name"] != "tag"}


def _one(results: list[dict[str, Any]], check: str, node: str) -> dict[str, Any]:
    found = [r for r in results if _labels(r).get("feature", "").startswith(check + " ")
             and _labels(r).get("node") == node]
    assert len(found) == 1, f"{check} on {node}: {len(found)} results"
    return found[0]


def _attachments(result: dict[str, Any], directory: Path) -> dict[str, str]:
    return {a["name"]: (directory / a["source"]).read_text() for step in result.get("steps", [])
            for a in step.get("attachments", [])}


def test_results_per_check_and_node_with_evidence(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("runtime-not-default")
    run = run_suite(cluster, tmp_path, *NODE_OPTIONS, env=CI)
    directory = tmp_path / "allure-results"
    results = _results(directory)
    assert len(results) == len(run.outcomes)

    runtime = _one(results, "PRE-RUNTIME-DEFAULT", "k8s-node06")
    assert runtime["status"] == "failed"
    assert runtime["name"] == ("PRE-RUNTIME-DEFAULT nvidia-container-runtime is the default low-level runtime"
                               " — k8s-node06")
    labels = _labels(runtime)
    assert labels["epic"].startswith("1 Prerequisites") and labels["severity"] == "blocker"
    assert labels["story"] == labels["parentSuite"] == "k8s-node06"
    assert [p["value"] for p in runtime["parameters"]] == ["k8s-node06"]
    evidence = _attachments(runtime, directory)
    assert '"driver_nvml"' in evidence["probe facts (JSON)"]
    assert "default_runtime_name" in evidence["runtime config excerpt (/host/etc/containerd/config.toml)"]

    consequence = _one(results, "PLUGIN-POD-READY", "k8s-node06")["statusDetails"]["message"]
    assert consequence.startswith("consequence of PRE-RUNTIME-DEFAULT: ")  # its category: Consequence of ...
    assert not runtime["statusDetails"]["message"].startswith("consequence of")
    vectoradd = _attachments(_one(results, "WORKLOAD-VECTORADD", "k8s-node06"), directory)
    assert "vectoradd pod events" in vectoradd or "vectoradd pod log" in vectoradd
    plugin = _attachments(_one(results, "PLUGIN-POD-READY", "k8s-node06"), directory)
    assert any(name.startswith("plugin pod kube-system/") for name in plugin)
    exporter = _attachments(_one(results, "MON-EXPORTER-UP", "k8s-node05"), directory)
    assert "nvidia_smi_" in exporter["exporter scrape excerpt"]
    _a_nodes_evidence_is_written_once(results, directory)
    version = _one(results, "PRE-K8S-VERSION", "cluster")
    assert version["status"] == "passed" and version["name"] == "PRE-K8S-VERSION Kubernetes >= 1.10"

    environment = (directory / "environment.properties").read_text()
    assert "Kubernetes\\ version=v1." in environment and "GPU\\ nodes=2" in environment
    assert "NVIDIA\\ driver\\ versions=" in environment and "option\\ gpu-node-selector='gpu-node=true'" in environment
    executor = json.loads((directory / "executor.json").read_text())
    assert executor["buildUrl"] == "https://github.example/org/gpu/actions/runs/4242" and executor["buildOrder"] == 17
    categories = [c["name"] for c in json.loads((directory / "categories.json").read_text())]
    assert {"Not conformant", "Could not inspect", "Image could not be pulled", "Timed out"} <= set(categories)
    assert categories[0] == "Consequence of another failure"


def _a_nodes_evidence_is_written_once(results: list[dict[str, Any]], directory: Path) -> None:
    """Every check of a node attaches the node's probe facts: one file, named by each of those results."""
    steps = [step for r in results if _labels(r).get("node") == "k8s-node05" for step in r.get("steps", [])
             if any(a["name"] == "probe facts (JSON)" for a in step.get("attachments", []))]
    sources = {a["source"] for step in steps for a in step["attachments"] if a["name"] == "probe facts (JSON)"}
    assert len(sources) == 1 and (directory / sources.pop()).is_file()
    assert len(steps) > 1 and len({step["name"].split(": ", 1)[1] for step in steps}) == 1  # first and later ones
    assert all(step["status"] == "passed" and 0 < step["start"] <= step["stop"] for step in steps)
    attachments = sorted(directory.glob("*-attachment*"))
    assert len({(p.suffix, p.read_bytes()) for p in attachments}) == len(attachments)  # no body twice


def test_unreachable_probe_image_is_broken_not_failed(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("image-unreachable")  # nodes cannot pull nvcr.io/nvidia/k8s/cuda-sample:*
    run_suite(cluster, tmp_path, *NODE_OPTIONS, "--probe-image", "nvcr.io/nvidia/k8s/cuda-sample:probe",
              "-m", "not monitoring")
    driver = _one(_results(tmp_path / "allure-results"), "PRE-DRIVER", "k8s-node05")
    assert driver["status"] == "broken"
    assert "could not be pulled" in driver["statusDetails"]["message"]


def test_no_secret_reaches_any_report(start_cluster: StartCluster, tmp_path: Path) -> None:
    """Secrets planted in the kubeconfig, the environment and a URL, then leaked on purpose by a plugin: in a
    failure message, output, a log, an attachment and a setup error whose long locals --showlocals prints cut
    short. No fragment of MIN_FRAGMENT characters of any of them may reach any output."""
    cluster = start_cluster("seed")
    token = yaml.safe_load(cluster.kubeconfig.read_text())["users"][0]["user"]["token"]
    prometheus = f"http://admin:{PROMETHEUS_PASSWORD}@127.0.0.1:9/"
    planted = [token, PROMETHEUS_PASSWORD, ENV_TOKEN, GRAFANA_TOKEN]
    run = run_suite(cluster, tmp_path, *NODE_OPTIONS, "-p", "tests.reporting.plant_secrets", "-m", "not workload",
                    "--prometheus-url", prometheus, "-rA", "--log-level", "WARNING", "--showlocals", "-vv",
                    "--grafana-url", "http://127.0.0.1:9/", "--grafana-token-env", "GF_SA_KEY",  # not secret-named
                    env={"PLANTED_SECRETS": ",".join(planted), "DEPLOY_API_TOKEN": ENV_TOKEN,
                         "GF_SA_KEY": GRAFANA_TOKEN})
    assert "planted setup error" in run.stdout and "planted call error" in run.stdout, run.stdout[-2000:]
    assert "cut_in_head = " in run.stdout, run.stdout[-2000:]  # --showlocals printed the frames' locals
    outputs = {path: path.read_bytes().decode("utf-8", "replace") for path in tmp_path.rglob("*") if path.is_file()
               and not path.name.endswith(".kubeconfig")}
    outputs[tmp_path / "stdout"], outputs[tmp_path / "stderr"] = run.stdout, run.stderr
    fragments = {s[i:i + MIN_FRAGMENT] for s in planted for i in range(len(s) - MIN_FRAGMENT + 1)}
    for path, text in outputs.items():
        leaked = sorted(f for f in fragments if f in text)
        assert not leaked, f"{len(leaked)} fragments of planted secrets reached {path.relative_to(tmp_path)}"
    redacted = [path.name for path, text in outputs.items() if REDACTED in text]
    assert "summary.json" in redacted and "stdout" in redacted and any(n.endswith(".xml") for n in redacted)
    assert any(n.endswith("-result.json") for n in redacted) and "environment.properties" in redacted
    assert any(n.endswith("-attachment.txt") for n in redacted)  # the planted attachment and captured output


KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAplantedkeymaterial\n-----END RSA PRIVATE KEY-----\n"


@pytest.mark.parametrize("text, expected", [
    ("GET https://u:s3cret-pw@127.0.0.1:9091/x failed", f"GET https://u:{REDACTED}@127.0.0.1:9091/x failed"),
    ("Authorization: Bearer abc.def-ghi", f"Authorization: Bearer {REDACTED}"),
    (f"key {KEY}", f"key {REDACTED}\n"),
    ("token planted-token-1 in a message", f"token {REDACTED} in a message"),
    ("no secret here", "no secret here"),
])
def test_redactor(text: str, expected: str) -> None:
    assert Redactor(["planted-token-1", "ab"])(text) == expected


def test_kubeconfig_credentials_are_secrets(tmp_path: Path) -> None:
    key_file = tmp_path / "client.key"
    key_file.write_text(KEY)
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(yaml.safe_dump({"users": [
        {"name": "a", "user": {"token": "tok-1234", "client-key-data": base64.b64encode(KEY.encode()).decode()}},
        {"name": "b", "user": {"username": "admin", "password": "pw-5678", "client-key": str(key_file)}},
        {"name": "c", "user": {"auth-provider": {"name": "oidc", "config": {"id-token": "idt-9", "client-id": "x"}},
                               "exec": {"command": "aws", "env": [{"name": "AWS_PROFILE", "value": "prof-42"}]}}},
    ]}))
    found = secrets_in_kubeconfig([kubeconfig])
    assert {"tok-1234", "pw-5678", "idt-9", "prof-42", KEY.strip(), "MIIEowIBAAKCAQEAplantedkeymaterial"} <= set(found)
    assert "admin" not in found and "x" not in found
