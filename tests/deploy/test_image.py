"""The image for real: the Dockerfile built with buildah from a Debian-made base, then run, on the host's network.

Inside it, as the CronJob runs it (user 65532, /tmp and /reports the only writable places), `gpu-conformance run
--report` against a simulated cluster whose kubeconfig points at the loopback API server, and, as the probe pods
run it (root, the host's / read-only at /host), `gpu-conformance probe` against a simulated host root. The
simulated cluster's own probe pods run this checkout's CLI (tests/conftest.py), not the image.

The CronJob's readOnlyRootFilesystem is checked the honest way buildah allows (its `run` has no read-only root):
every file of the container's root filesystem, compared before and after the runs. The "before" is taken after a
first run with the same volumes, so that the mount points buildah itself makes are not counted.
Skipped where buildah cannot build (buildah.why_unavailable); ./dev test installs buildah and mmdebstrap as root.
"""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gpusim.cluster import SimCluster
from gpusim.hostroot import render_host_root
from gpusim.nvml import build_library
from gpusim.scenario import load
from gpusim.testing import TEST_ADDRESS_BLOCK

from gpu_conformance.facts.node import NodeProbe
from tests.deploy.buildah import BASE_IMAGE, Buildah, debian_base, why_unavailable
from tests.suite.suite_runner import ROOT

pytestmark = [pytest.mark.image, pytest.mark.e2e]

IMAGE = "localhost/gpu-conformance:test"
USER = 65532  # the Dockerfile's USER, the CronJob's runAsUser
# docs/in-cluster.md, "Building without Docker": 587 MB measured on the Debian-made base (2026-12), with room for
# a year of Debian and dependency updates; a jump past it means something big came in (a server, a cache).
SIZE_BUDGET_MB = 700
PROBED = ("seed", "k8s-node05")  # a healthy node: driver, two GPUs, toolkit, containerd with nvidia as default
# Mount points and what the kernel serves: not the image's files.
NOT_ROOT_FILES = {"tmp", "reports", "host", "kube", "proc", "sys", "dev"}
# Directories whose modification time every `buildah run` changes, even of `true`: it makes and removes entries
# of its own there. What they hold is compared all the same.
TOUCHED_BY_BUILDAH = {"run"}

FileState = tuple[int, int, int, str]  # mode, size, modification time (ns), symlink target


@dataclass
class Runs:
    """What the image did, for the tests to look at."""

    user: str
    suite: str  # the suite run's output
    suite_status: int
    reports: Path
    probe: NodeProbe | None
    probe_error: str
    written: list[str]  # what changed in the root filesystem


def tree(root: Path) -> dict[str, FileState]:
    """Every file, directory and link under ``root`` (but NOT_ROOT_FILES) with its state."""
    found: dict[str, FileState] = {}
    for folder, dirs, files in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if d not in NOT_ROOT_FILES]
        for name in dirs + files:
            path = Path(folder, name)
            state = path.lstat()
            target = os.readlink(path) if path.is_symlink() else ""
            relative = str(path.relative_to(root))
            mtime = 0 if relative in TOUCHED_BY_BUILDAH else state.st_mtime_ns
            found[relative] = (state.st_mode, state.st_size, mtime, target)
    return found


def changes(before: dict[str, FileState], after: dict[str, FileState]) -> list[str]:
    return sorted([f"added /{p}" for p in after.keys() - before.keys()]
                  + [f"removed /{p}" for p in before.keys() - after.keys()]
                  + [f"changed /{p}" for p in before.keys() & after.keys() if before[p] != after[p]])


def owned_dir(path: Path) -> Path:
    """A directory the image's user may write, as a volume's."""
    path.mkdir(parents=True)
    os.chown(path, USER, USER)
    return path


@pytest.fixture(scope="module")
def buildah(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Buildah]:
    reason = why_unavailable()
    if reason is not None:
        pytest.skip(reason)
    handle = Buildah(tmp_path_factory.mktemp("buildah"))
    broken = handle.why_broken()
    if broken is not None:
        pytest.skip(f"buildah cannot make a container here: {broken}")
    yield handle
    handle.remove_everything()


@pytest.fixture(scope="module")
def image(buildah: Buildah) -> str:
    """The Dockerfile built from a Debian base made with mmdebstrap (the tarball cached for the day)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    cache = (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "gpu-conformance-tests"
    buildah.import_rootfs(debian_base(cache), BASE_IMAGE)
    buildah.build(ROOT, IMAGE, BASE_IMAGE)
    return IMAGE


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    """A simulated cluster where every check passes; its kubeconfig names the loopback API server."""
    scenario = load("hardened")  # seed leaks GPUs to pods without a request: its SEC checks fail
    kubeconfig = tmp_path_factory.mktemp("cluster") / "config"
    started = SimCluster(scenario, kubeconfig, port=0, time_scale=0.2, tls=True, address_block=TEST_ADDRESS_BLOCK)
    yield started.start()
    started.stop()


@pytest.fixture(scope="module")
def runs(buildah: Buildah, image: str, cluster: SimCluster, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    here = tmp_path_factory.mktemp("volumes")
    reports, kube = owned_dir(here / "reports"), owned_dir(here / "kube")
    shutil.copy(cluster.kubeconfig, kube / "config")
    os.chown(kube / "config", USER, USER)
    scenario, node = PROBED
    host = here / "host"
    render_host_root(load(scenario).node(node), host)
    volumes = {owned_dir(here / "tmp"): "/tmp", reports: "/reports", kube: "/kube:ro", host: "/host:ro"}
    container = buildah.container(image)
    user = buildah.run(container, ["id", "-u"], volumes)
    assert user.returncode == 0, user.stderr
    root = buildah.root_filesystem(container)
    before = tree(root)
    suite = buildah.run(container, ["gpu-conformance", "run", "--report", "--results-dir", "/reports", "--",
                                    "--kubeconfig", "/kube/config", "--pod-timeout", "60", "-q"], volumes)
    # As a probe pod runs it: root, the host's / read-only at /host (the command's default --host-root).
    probe = buildah.run(container, ["gpu-conformance", "probe", "--node", node], volumes, user="0:0")
    return Runs(user=user.stdout.strip(), suite=suite.stdout + suite.stderr, suite_status=suite.returncode,
                reports=reports, probe=NodeProbe.from_json(probe.stdout) if probe.returncode == 0 else None,
                probe_error=probe.stderr, written=changes(before, tree(root)))


def test_the_image_runs_as_its_non_root_user(runs: Runs) -> None:
    assert runs.user == str(USER)


def test_the_suite_passes_against_a_cluster_on_the_host_network_and_writes_its_reports(runs: Runs) -> None:
    assert runs.suite_status == 0, runs.suite[-4000:]
    summary = json.loads((runs.reports / "summary.json").read_text())
    assert summary["totals"]["passed"] >= 20 and summary["totals"]["failed"] == 0, summary["totals"]
    assert summary["run"]["cluster"]["server"].startswith("https://127.0.0.1:")  # the host's loopback
    cases = ET.parse(runs.reports / "junit.xml").getroot().iter("testcase")
    assert {"test_rules_are_valid", "test_vectoradd_passes[k8s-node06]"} <= {c.get("name") for c in cases}
    assert "HTML report: /reports/html/index.html" in runs.suite.splitlines()
    assert (runs.reports / "html" / "index.html").stat().st_size > 10_000
    assert any((runs.reports / "allure-results").glob("*-result.json"))


def test_the_probe_reads_the_host_root_mounted_at_host(runs: Runs) -> None:
    assert runs.probe is not None, runs.probe_error[-3000:]
    spec = load(PROBED[0]).node(PROBED[1])
    assert spec.host is not None
    probe, driver = runs.probe, spec.host.driver_version
    assert (probe.node, probe.host_root) == (PROBED[1], "/host")
    assert (probe.driver_proc.value, probe.driver_proc.source) == (driver, "/host/proc/driver/nvidia/version")
    assert (probe.toolkit.value, probe.toolkit.source) == ("1.14.3", "/host/usr/bin/nvidia-ctk --version")
    assert probe.gpus.value is not None and [g.uuid for g in probe.gpus.value] == [g.uuid for g in spec.gpus]
    if build_library() is not None:  # the simulated NVML, built here, loaded in the image from the host root
        assert probe.driver_nvml.value == driver


def test_nothing_is_written_to_the_root_filesystem(runs: Runs) -> None:
    """The CronJob's readOnlyRootFilesystem holds: only /tmp (an emptyDir there) and /reports are written."""
    assert runs.written == []


def test_the_image_stays_within_its_size_budget(buildah: Buildah, image: str) -> None:
    size_mb = buildah.size(image) / 1e6
    assert size_mb < SIZE_BUDGET_MB, f"the image is {size_mb:.0f} MB, over its budget of {SIZE_BUDGET_MB} MB"
