"""The real kubectl against a 1.34 API server: resource.k8s.io resources with the apiserver's printed columns.

Each kubectl build the machine has (the venv's, the one in PATH, the Google Cloud SDK's per-release builds)
must find the resources through discovery and print the server's Tables.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from gpusim.model import ClusterVersion
from gpusim.resources import DEVICECLASS, RESOURCECLAIM, RESOURCECLAIMTEMPLATE, RESOURCESLICE
from gpusim.scenario import loads
from gpusim.testing import StartCluster
from gpusim.testing import kubectl as cluster_kubectl
from gpusim.tls import make_tls

from tests.sim.api.api_harness import KUBECTL, SimApi, start_sim

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
V134 = ClusterVersion(major="1", minor="34", git_version="v1.34.1")
GCLOUD_KUBECTLS = sorted(Path("/usr/lib/google-cloud-sdk/bin").glob("kubectl*"))  # its dispatcher and builds


def _kubectls() -> list[Path]:
    found = [KUBECTL, *(Path(p) for p in [shutil.which("kubectl")] if p), *GCLOUD_KUBECTLS]
    return list(dict.fromkeys(p.resolve() for p in found if p.exists()))


def _name(binary: Path) -> str:
    return f"{binary.parent.parent.name}-{binary.name}"


def _slice(node: str) -> dict[str, object]:
    return {"metadata": {"name": f"{node}-gpu.nvidia.com-x7k2p"},
            "spec": {"driver": "gpu.nvidia.com", "nodeName": node,
                     "pool": {"name": node, "generation": 1, "resourceSliceCount": 1},
                     "devices": [{"name": "gpu-0", "attributes": {"type": {"string": "gpu"}}}]}}


def _claim(name: str, status: dict[str, object]) -> dict[str, object]:
    return {"metadata": {"name": name, "namespace": "default"},
            "spec": {"devices": {"requests": [{"name": "gpu", "exactly": {
                "deviceClassName": "gpu.nvidia.com", "allocationMode": "ExactCount", "count": 1}}]}},
            "status": status}


@pytest.fixture(scope="module")
def dra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimApi]:
    api = start_sim(tmp_path_factory.mktemp("dra"), make_tls(), nodes=3, version=V134)
    for node in ("node-1", "node-2"):
        api.store.create(RESOURCESLICE, _slice(node))
    for name in ("gpu.nvidia.com", "mig.nvidia.com"):
        api.store.create(DEVICECLASS, {"metadata": {"name": name}, "spec": {"selectors": [
            {"cel": {"expression": f"device.driver == '{name}'"}}]}})
    allocation = {"devices": {"results": [
        {"request": "gpu", "driver": "gpu.nvidia.com", "pool": "node-1", "device": "gpu-0"}]}}
    api.store.create(RESOURCECLAIM, _claim("waiting", {}))
    api.store.create(RESOURCECLAIM, _claim("running", {
        "allocation": allocation, "reservedFor": [{"resource": "pods", "name": "vectoradd", "uid": "u-1"}]}))
    api.store.create(RESOURCECLAIMTEMPLATE, {"metadata": {"name": "one-gpu", "namespace": "default"},
                                             "spec": {"spec": _claim("", {})["spec"]}})
    yield api
    api.server.stop()


def kubectl(api: SimApi, binary: Path, *args: str) -> str:
    env = {**os.environ, "KUBECONFIG": str(api.kubeconfig), "HOME": str(api.kubeconfig.parent)}
    done = subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=30, env=env, check=False)
    assert done.returncode == 0, f"{binary.name} {' '.join(args)}: {done.stderr}"
    return done.stdout


def tables(text: str) -> list[list[list[str]]]:
    """kubectl's output for several kinds: one table per kind, separated by a blank line."""
    return [[line.split() for line in block.splitlines()] for block in text.strip().split("\n\n")]


@pytest.mark.parametrize("binary", _kubectls(), ids=_name)
def test_get_resourceslices_and_deviceclasses_print_the_real_columns(dra: SimApi, binary: Path) -> None:
    slices, classes = tables(kubectl(dra, binary, "get", "resourceslices,deviceclasses"))
    assert slices[0] == ["NAME", "NODE", "DRIVER", "POOL", "AGE"]
    assert [row[:4] for row in slices[1:]] == [
        [f"resourceslice.resource.k8s.io/{n}-gpu.nvidia.com-x7k2p", n, "gpu.nvidia.com", n]
        for n in ("node-1", "node-2")]
    assert classes[0] == ["NAME", "AGE"]
    assert [row[0] for row in classes[1:]] == ["deviceclass.resource.k8s.io/gpu.nvidia.com",
                                               "deviceclass.resource.k8s.io/mig.nvidia.com"]


@pytest.mark.parametrize("binary", _kubectls(), ids=_name)
def test_get_resourceclaims_shows_their_state(dra: SimApi, binary: Path) -> None:
    header, *rows = (line.split() for line in kubectl(dra, binary, "get", "resourceclaims").splitlines())
    assert header == ["NAME", "STATE", "AGE"]
    assert {row[0]: row[1] for row in rows} == {"running": "allocated,reserved", "waiting": "pending"}
    header, *rows = (line.split() for line in kubectl(dra, binary, "get", "resourceclaimtemplates").splitlines())
    assert header == ["NAME", "AGE"] and [row[0] for row in rows] == ["one-gpu"]


def test_api_resources_lists_the_group_at_v1(dra: SimApi) -> None:
    out = kubectl(dra, KUBECTL, "api-resources", "--api-group=resource.k8s.io")
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert set(rows) == {"deviceclasses", "resourceclaims", "resourceclaimtemplates", "resourceslices"}
    assert all(row[1] == "resource.k8s.io/v1" for row in rows.values())
    assert kubectl(dra, KUBECTL, "get", "resourceslice", "node-1-gpu.nvidia.com-x7k2p", "-o",
                   "jsonpath={.spec.devices[0].attributes.type.string}") == "gpu"


V1BETA1_SLICE = """apiVersion: resource.k8s.io/v1beta1
kind: ResourceSlice
metadata: {name: node-1-gpu.nvidia.com-beta}
spec:
  driver: gpu.nvidia.com
  nodeName: node-1
  pool: {name: node-1, generation: 0, resourceSliceCount: 1}
  devices:
  - name: gpu-0
    basic:
      attributes:
        productName: {string: NVIDIA A100-SXM4-80GB}
"""


def test_a_132_cluster_takes_v1beta1_from_kubectl_apply(tmp_path: Path) -> None:
    api = start_sim(tmp_path, make_tls(), nodes=2, version=ClusterVersion(major="1", minor="32", git_version="v1.32.4"),
                    runtime_config={"resource.k8s.io/v1beta1": True})
    try:
        manifest = tmp_path / "slice.yaml"
        manifest.write_text(V1BETA1_SLICE)
        assert "created" in kubectl(api, KUBECTL, "apply", "-f", str(manifest))
        stored = api.store.get(RESOURCESLICE, "", "node-1-gpu.nvidia.com-beta")
        assert stored["spec"]["devices"][0]["attributes"]["productName"] == {"string": "NVIDIA A100-SXM4-80GB"}
        header, row = (line.split() for line in kubectl(api, KUBECTL, "get", "resourceslices").splitlines())
        assert header == ["NAME", "NODE", "DRIVER", "POOL", "AGE"] and row[:4] == [
            "node-1-gpu.nvidia.com-beta", "node-1", "gpu.nvidia.com", "node-1"]
        path = "{.items[0].apiVersion} {.items[0].spec.devices[0].basic.attributes.productName.string}"
        shown = kubectl(api, KUBECTL, "get", "resourceslices", "-o", f"jsonpath={path}")
        assert shown == "resource.k8s.io/v1beta1 NVIDIA A100-SXM4-80GB"
    finally:
        api.server.stop()


def test_a_scenarios_runtime_config_reaches_the_clusters_api_server(start_cluster: StartCluster) -> None:
    cluster = start_cluster(loads("name: seed-132-dra\nbase: seed\nkubernetes: {version: v1.32.4}\n"
                                  "apiServer: {runtimeConfig: {resource.k8s.io/v1beta1: true}}\n"))
    out = cluster_kubectl(cluster, "api-resources", "--api-group=resource.k8s.io", "-o", "name").stdout
    assert out.split() == ["deviceclasses.resource.k8s.io", "resourceclaims.resource.k8s.io",
                           "resourceclaimtemplates.resource.k8s.io", "resourceslices.resource.k8s.io"]
    assert cluster_kubectl(cluster, "api-versions").stdout.count("resource.k8s.io/") == 1


def test_the_seed_cluster_at_128_serves_no_resource_api(start_cluster: StartCluster) -> None:
    seed = start_cluster("seed")
    assert "resource.k8s.io" not in cluster_kubectl(seed, "api-versions").stdout
    missing = cluster_kubectl(seed, "get", "resourceslices", check=False)
    assert missing.returncode != 0 and 'the server doesn\'t have a resource type "resourceslices"' in missing.stderr


def test_kubectl_refuses_a_v1beta1_device_sent_as_v1(dra: SimApi, tmp_path: Path) -> None:
    manifest = tmp_path / "slice.yaml"
    manifest.write_text(V1BETA1_SLICE.replace("resource.k8s.io/v1beta1", "resource.k8s.io/v1"))
    env = {**os.environ, "KUBECONFIG": str(dra.kubeconfig), "HOME": str(dra.kubeconfig.parent)}
    done = subprocess.run([str(KUBECTL), "create", "-f", str(manifest)], capture_output=True, text=True,
                          timeout=30, env=env, check=False)
    assert done.returncode == 1
    assert ('ResourceSlice in version "v1" cannot be handled as a ResourceSlice: strict decoding error: '
            'unknown field "spec.devices[0].basic"') in done.stderr
