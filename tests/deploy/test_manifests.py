"""deploy/ renders with the real kubectl, every object has its kind's shape, and the RBAC is what the docs say."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from gpusim.testing import StartCluster, kubectl, kubectl_binary
from kubernetes.client import ApiClient

from gpu_conformance.cli import build_parser
from gpu_conformance.kube.errors import ROLE_NAME
from gpu_conformance.settings import BY_NAME, resolve

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCS = ROOT / "docs" / "in-cluster.md"
NAMESPACE = "gpu-conformance"
Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def objects() -> dict[str, Manifest]:
    """``kubectl kustomize deploy/``, by kind (each kind appears once)."""
    done = subprocess.run([kubectl_binary(), "kustomize", str(DEPLOY)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    rendered = [doc for doc in yaml.safe_load_all(done.stdout) if doc]
    by_kind = {doc["kind"]: doc for doc in rendered}
    assert len(by_kind) == len(rendered), [doc["kind"] for doc in rendered]
    return by_kind


def manual_job() -> Manifest:
    job: Manifest = yaml.safe_load((DEPLOY / "job.yaml").read_text())
    return job


def test_apply_installs_everything_and_starts_no_run(objects: dict[str, Manifest]) -> None:
    assert set(objects) == {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
                            "ConfigMap", "PersistentVolumeClaim", "CronJob"}
    namespaced = [o for o in objects.values() if o["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding")]
    assert {o["metadata"]["namespace"] for o in namespaced} == {NAMESPACE}
    assert objects["Namespace"]["metadata"]["name"] == NAMESPACE


def _round_trip(manifest: Manifest) -> Any:
    """The manifest through the official client's typed model of its kind: unknown fields and wrong types drop out."""
    api, text = ApiClient(), json.dumps(manifest)
    model_name = f"{manifest['apiVersion'].split('/')[-1].capitalize()}{manifest['kind']}"  # e.g. V1CronJob
    if "content_type" in inspect.signature(api.deserialize).parameters:  # kubernetes >= 35: the response's text
        model = api.deserialize(text, model_name, "application/json")
    else:  # older clients take the response object

        class Response:
            data = text

        model = api.deserialize(Response(), model_name)
    return api.sanitize_for_serialization(model)


def test_every_object_has_the_shape_of_its_kind(objects: dict[str, Manifest]) -> None:
    for manifest in [*objects.values(), manual_job()]:
        assert _round_trip(manifest) == manifest, manifest["kind"]


def test_the_shape_check_catches_a_misspelt_field(objects: dict[str, Manifest]) -> None:
    cronjob = json.loads(json.dumps(objects["CronJob"]))
    cronjob["spec"]["concurencyPolicy"] = cronjob["spec"].pop("concurrencyPolicy")
    assert _round_trip(cronjob) != cronjob


@pytest.mark.kubectl
def test_a_kubernetes_api_accepts_every_object(start_cluster: StartCluster) -> None:
    cluster = start_cluster("seed")
    applied = kubectl(cluster, "apply", "-k", str(DEPLOY)).stdout  # a server dry run would lack the namespace
    assert "cronjob.batch/gpu-conformance created" in applied
    manual = kubectl(cluster, "-n", NAMESPACE, "create", "job", "--from=cronjob/gpu-conformance", "manual-1",
                     "--dry-run=server", "-o", "name")
    assert manual.stdout.strip() == "job.batch/manual-1"
    job = kubectl(cluster, "create", "-f", str(DEPLOY / "job.yaml"), "--dry-run=server", "-o", "name")
    assert job.stdout.startswith("job.batch/gpu-conformance-manual-")


def _job_spec(objects: dict[str, Manifest]) -> Manifest:
    spec: Manifest = objects["CronJob"]["spec"]["jobTemplate"]["spec"]
    return spec


def test_cronjob_runs_never_overlap_and_end(objects: dict[str, Manifest], tmp_path: Path) -> None:
    spec = objects["CronJob"]["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert 0 < spec["startingDeadlineSeconds"] <= 3600
    assert spec["successfulJobsHistoryLimit"] >= 1 and spec["failedJobsHistoryLimit"] >= 1
    job = _job_spec(objects)
    assert job["backoffLimit"] == 0
    profile = resolve({}, {}, _profile_file(objects, tmp_path))
    # a run's pods wait --pod-timeout twice (probes, then vectoradd), then cleanup needs its grace period
    assert job["activeDeadlineSeconds"] > 2 * profile.timeout + 60
    assert job["template"]["spec"]["terminationGracePeriodSeconds"] >= 30


def _profile_file(objects: dict[str, Manifest], where: Path, uncomment: bool = False) -> Path:
    text = str(objects["ConfigMap"]["data"]["profile.yaml"])
    if uncomment:
        text = re.sub(r"^# ([a-z-]+: )", r"\1", text, flags=re.MULTILINE)
    path = where / "profile.yaml"
    path.write_text(text)
    return path


def test_the_run_is_gpu_conformance_run_with_its_results_on_the_volume(objects: dict[str, Manifest]) -> None:
    pod = _job_spec(objects)["template"]["spec"]
    (container,) = pod["containers"]
    split = container["args"].index("--")
    args, passthrough = build_parser().parse_args(container["args"][:split]), container["args"][split + 1:]
    assert args.command == "run" and args.report and str(args.results_dir) == "/reports"
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    reports = next(name for name, m in mounts.items() if m["mountPath"] == "/reports")
    claim = objects["PersistentVolumeClaim"]["metadata"]["name"]
    assert volumes[reports]["persistentVolumeClaim"]["claimName"] == claim
    profile_at = passthrough[passthrough.index("--conformance-profile") + 1]
    profile_mount = next(name for name, m in mounts.items() if profile_at.startswith(m["mountPath"] + "/"))
    config = volumes[profile_mount]["configMap"]
    assert config["name"] == objects["ConfigMap"]["metadata"]["name"]
    assert [item["path"] for item in config["items"]] == [Path(profile_at).name]
    assert any(m["mountPath"] == "/tmp" for m in mounts.values())  # the root filesystem is read-only


def test_the_run_knows_its_namespace_and_may_push_metrics(objects: dict[str, Manifest]) -> None:
    (container,) = _job_spec(objects)["template"]["spec"]["containers"]
    env = {e["name"]: e.get("valueFrom") for e in container["env"]}
    assert env[BY_NAME["suite-namespace"].env] == {"fieldRef": {"fieldPath": "metadata.namespace"}}
    pushgateway = env[BY_NAME["pushgateway"].env]["configMapKeyRef"]
    assert pushgateway == {"name": objects["ConfigMap"]["metadata"]["name"], "key": "pushgateway", "optional": True}


def test_the_run_is_unprivileged(objects: dict[str, Manifest]) -> None:
    pod = _job_spec(objects)["template"]["spec"]
    assert pod["serviceAccountName"] == objects["ServiceAccount"]["metadata"]["name"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = pod["containers"]
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                            "capabilities": {"drop": ["ALL"]}}
    assert set(container["resources"]["requests"]) == {"cpu", "memory"}
    assert "memory" in container["resources"]["limits"]


def test_the_runner_opts_out_of_the_images_gpus(objects: dict[str, Manifest]) -> None:
    """The image says NVIDIA_VISIBLE_DEVICES=all, as CUDA images do (the SEC checks run it to find that leak): the
    runner asks for no GPU and says void, so no node hands it one, however the node is wired."""
    for pod in (_job_spec(objects)["template"]["spec"], manual_job()["spec"]["template"]["spec"]):
        for container in pod["containers"]:
            env = {e["name"]: e.get("value") for e in container["env"]}
            assert env["NVIDIA_VISIBLE_DEVICES"] == "void", container["name"]
            assert not any("nvidia.com" in r for r in container["resources"].get("limits", {}))


def test_the_manual_job_is_the_cronjobs_job(objects: dict[str, Manifest]) -> None:
    job = manual_job()
    assert job["spec"] == _job_spec(objects)
    assert job["metadata"]["namespace"] == NAMESPACE and "generateName" in job["metadata"]


def test_the_profile_and_its_commented_examples_are_valid(objects: dict[str, Manifest], tmp_path: Path) -> None:
    settings = resolve({}, {}, _profile_file(objects, tmp_path))
    assert settings.sources["pod-timeout"].startswith("profile") and not settings.notices
    examples = resolve({}, {}, _profile_file(objects, tmp_path, uncomment=True))
    assert examples.runtime_policy == "default" and examples.probe_image != settings.probe_image


def test_pod_security_allows_privileged_pods_in_the_suites_namespace_only(objects: dict[str, Manifest]) -> None:
    labels = objects["Namespace"]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "privileged"
    assert labels["pod-security.kubernetes.io/warn"] == labels["pod-security.kubernetes.io/audit"] == "baseline"


def _rules(role: Manifest) -> set[tuple[str, str, str]]:
    """(verb, resource in kubectl's form, e.g. daemonsets.apps) for every rule of a ClusterRole or Role."""
    found = set()
    for rule in role["rules"]:
        assert set(rule) == {"apiGroups", "resources", "verbs"}, rule  # no resourceNames, no nonResourceURLs
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                base, _, sub = resource.partition("/")
                name = f"{base}.{group}" if group else base
                found |= {(verb, f"{name}/{sub}" if sub else name, role["kind"]) for verb in rule["verbs"]}
    return found


def test_no_wildcards_no_secrets_no_escalation(objects: dict[str, Manifest]) -> None:
    for verb, resource, _ in _rules(objects["ClusterRole"]) | _rules(objects["Role"]):
        assert "*" not in verb and "*" not in resource
        assert verb not in ("escalate", "bind", "impersonate", "patch")
        # The one update: each run renews its own heartbeat Lease; nothing else the suite did not create.
        assert verb != "update" or resource == "leases.coordination.k8s.io", resource
        assert resource.split("/")[0].split(".")[0] not in ("secrets", "serviceaccounts", "roles", "clusterroles")


def _documented_rules() -> set[tuple[str, str, str]]:
    """The "Permissions" table of docs/in-cluster.md as (verb, resource, ClusterRole|Role)."""
    section = DOCS.read_text().split("## Permissions", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| ")]
    header, body = rows[0], rows[1:]
    assert [cell.strip() for cell in header] == ["verb", "resource", "scope", "why"]
    found = set()
    for verb, resource, scope, why in ([c.strip() for c in row] for row in body):
        assert why, f"{verb} {resource}: say why"
        found.add((verb, resource, "ClusterRole" if "(ClusterRole)" in scope else "Role"))
    assert len(found) == len(body), "a permission is documented twice"
    return found


def test_the_docs_list_exactly_the_roles_rules(objects: dict[str, Manifest]) -> None:
    assert _documented_rules() == _rules(objects["ClusterRole"]) | _rules(objects["Role"])


def test_the_roles_are_bound_to_the_service_account_under_the_name_errors_give(objects: dict[str, Manifest]) -> None:
    account = {"kind": "ServiceAccount", "name": objects["ServiceAccount"]["metadata"]["name"], "namespace": NAMESPACE}
    assert objects["ClusterRole"]["metadata"]["name"] == objects["Role"]["metadata"]["name"] == ROLE_NAME
    for binding, kind in (("ClusterRoleBinding", "ClusterRole"), ("RoleBinding", "Role")):
        assert objects[binding]["subjects"] == [account]
        assert objects[binding]["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": kind,
                                               "name": ROLE_NAME}
