"""PRE-DRIVER: the probe's readings in order of preference, no driver at all, GFD labels as the fallback."""

from __future__ import annotations

import pytest

from gpu_conformance.facts.node import Observed
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.node.versions import driver_from_proc
from gpu_conformance.requirements.prerequisites import driver_at_least
from gpu_conformance.settings import Settings

from .builders import (
    NVML_DRIVER,
    PROC,
    PULL_ERROR,
    SMI,
    SYS,
    failed_outcome,
    gpu_node,
    missing,
    outcome,
    probe,
)

NO_NVML = missing("NVML nvmlInit (libnvidia-ml.so.1)", "NVML Shared Library Not Found: no libnvidia-ml.so.1 "
                  "in /host/usr/lib/x86_64-linux-gnu, /host/usr/lib64, /host/usr/lib/aarch64-linux-gnu, ...")
NOT_LOADED = missing("NVML nvmlInit (/host/usr/lib64/libnvidia-ml.so.1)", "nvmlInit: Driver Not Loaded")
NO_PROC = missing(PROC, "no such file")
SETTINGS = Settings()
GFD = {"nvidia.com/cuda.driver-version.full": "535.104.05", "nvidia.com/gpu.present": "true"}


def test_nvml_first() -> None:
    verdict = driver_at_least(outcome(probe()), gpu_node(), Settings())
    assert (verdict.ok, verdict.message) == (True, f"found 535.104.05 at {NVML_DRIVER}")


OPEN_MODULE = ("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build  "
               "(dvs-builder@U16-I3-B03-4-3)  Thu Sep 11 22:32:48 UTC 2025")


@pytest.mark.parametrize(("changes", "version", "source"), [
    ({"driver_nvml": NO_NVML}, "535.104.05", PROC),
    ({"driver_nvml": NO_NVML, "driver_proc": missing(PROC, "Permission denied")}, "535.104.05", SYS),
    ({"driver_nvml": NO_NVML, "driver_proc": NO_PROC, "driver_sys": missing(SYS, "no such file")},
     "535.104.05", SMI),
])
def test_falls_back_in_order(changes: dict[str, object], version: str, source: str) -> None:
    verdict = driver_at_least(outcome(probe(**changes)), gpu_node(), Settings())
    assert verdict.message == f"found {version} at {source}"


def test_open_kernel_module_from_proc() -> None:
    reading = Observed(driver_from_proc(OPEN_MODULE), PROC, excerpt=OPEN_MODULE)
    verdict = driver_at_least(outcome(probe(driver_nvml=NO_NVML, driver_proc=reading)), gpu_node(), SETTINGS)
    assert verdict.message == f"found 580.95.05 at {PROC}"


@pytest.mark.parametrize(("version", "ok"), [("384.81", True), ("384.111", True), ("550.107.02", True),
                                             ("375.26", False), ("384.59", False)])
def test_compares_as_tuples_of_ints(version: str, ok: bool) -> None:
    reading = Observed(version, NVML_DRIVER)
    verdict = driver_at_least(outcome(probe(driver_nvml=reading)), gpu_node(), SETTINGS)
    assert verdict.ok is ok
    if not ok:
        assert verdict.message.startswith(f"[PRE-DRIVER] found {version} at {NVML_DRIVER}, expected "
                                          ">= 384.81; fix: install or upgrade the NVIDIA driver")


def test_no_driver_loaded_is_a_failure() -> None:
    verdict = driver_at_least(outcome(probe(driver_nvml=NOT_LOADED, driver_proc=NO_PROC,
                                            driver_sys=missing(SYS, "no such file"),
                                            driver_smi=missing(SMI, "exit status 9: NVIDIA-SMI has failed"))),
                              gpu_node(labels=GFD), Settings())
    assert not verdict.ok
    assert verdict.message.startswith(
        "[PRE-DRIVER] found no NVIDIA driver loaded: NVML said \"Driver Not Loaded\" at NVML nvmlInit "
        f"(/host/usr/lib64/libnvidia-ml.so.1), and {PROC} (no such file), expected a driver >= 384.81; fix: ")


def test_no_driver_installed_at_all_is_a_failure() -> None:
    verdict = driver_at_least(outcome(probe(driver_nvml=NO_NVML, driver_proc=NO_PROC,
                                            driver_sys=missing(SYS, "no such file"),
                                            driver_smi=missing(SMI, "no such file"))), gpu_node(), Settings())
    assert not verdict.ok and 'NVML said "NVML Shared Library Not Found"' in verdict.message


def test_gfd_label_when_the_probe_could_not_run() -> None:
    verdict = driver_at_least(failed_outcome(), gpu_node(labels=GFD), Settings())
    assert verdict.ok
    assert verdict.message == (
        "found 535.104.05 from GPU Feature Discovery label nvidia.com/cuda.driver-version.full=535.104.05 "
        f"(the probe failed: {PULL_ERROR}) at node k8s-node05 metadata.labels")


@pytest.mark.parametrize(("labels", "version"), [
    ({"nvidia.com/cuda.driver-version.major": "470", "nvidia.com/cuda.driver-version.minor": "57",
      "nvidia.com/cuda.driver-version.revision": "02"}, "470.57.02"),
    ({"nvidia.com/cuda.driver.major": "375", "nvidia.com/cuda.driver.minor": "26",
      "nvidia.com/cuda.driver.rev": ""}, "375.26"),
])
def test_gfd_parts_and_deprecated_labels(labels: dict[str, str], version: str) -> None:
    verdict = driver_at_least(failed_outcome(), gpu_node(labels=labels), Settings())
    assert verdict.ok is (version == "470.57.02")
    assert f"found {version} from GPU Feature Discovery label " in verdict.message
    assert "(the probe failed: probe image" in verdict.message


def test_probe_ran_but_read_nothing_falls_back_to_gfd_with_the_errors() -> None:
    broken = probe(driver_nvml=missing(NVML_DRIVER, "nvmlSystemGetDriverVersion: Unknown Error"),
                   driver_proc=missing(PROC, "Permission denied"),
                   driver_sys=missing(SYS, "Permission denied"),
                   driver_smi=missing(SMI, "timed out after 5 s"))
    verdict = driver_at_least(outcome(broken), gpu_node(labels=GFD), Settings())
    assert verdict.ok
    assert f"(the probe failed: the probe read no driver version ({NVML_DRIVER}: " in verdict.message
    assert f"{SMI}: timed out after 5 s))" in verdict.message


def test_nothing_at_all_is_unavailable_not_a_failure() -> None:
    with pytest.raises(FactsUnavailable) as raised:
        driver_at_least(failed_outcome(), gpu_node(), Settings())
    assert raised.value.message == (
        f"[PRE-DRIVER] could not inspect the driver version of node k8s-node05: {PULL_ERROR} at probe pod "
        "gpu-conformance/probe-k8s-node05-x7k2p; no GPU Feature Discovery driver label "
        "(nvidia.com/cuda.driver-version.full) on the node either; hint: the probe runs --probe-image on "
        "the node with the host mounted: mirror that image for air-gapped clusters, or run the suite with "
        "--local-probe on the node itself")


def test_probe_log_is_quoted_when_unavailable() -> None:
    log = "Traceback (most recent call last):\nPermissionError: [Errno 13] Permission denied: '/host/proc'\n"
    with pytest.raises(FactsUnavailable, match="probe log: \"PermissionError: \\[Errno 13\\]"):
        driver_at_least(outcome(None, "probe pod failed: Error (exit code 1)", log_tail=log), gpu_node(),
                        Settings())


def test_gfd_disagreeing_with_nvml_is_a_warning() -> None:
    stale = {"nvidia.com/cuda.driver-version.full": "525.85.12"}
    verdict = driver_at_least(outcome(probe()), gpu_node(labels=stale), Settings())
    assert verdict.ok
    assert verdict.message == (
        f"found 535.104.05 at {NVML_DRIVER}; warning: GPU Feature Discovery label "
        "nvidia.com/cuda.driver-version.full=525.85.12 on node k8s-node05 metadata.labels disagrees with "
        f"535.104.05 at {NVML_DRIVER}; GFD relabels only when its pod runs again (delete the GFD pod on the "
        "node)")
    assert driver_at_least(outcome(probe()), gpu_node(labels=GFD), Settings()).message.count("warning") == 0
