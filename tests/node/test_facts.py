"""NodeProbe JSON: a faithful round trip, and garbage refused with the field that is wrong."""

from __future__ import annotations

import json

import pytest

from gpu_conformance.facts.node import (
    CdiSpec,
    DevCharLink,
    FabricHost,
    GpuFabric,
    GpuInfo,
    NodeProbe,
    Observed,
    RuntimeConfig,
    RuntimeEntry,
    XidEvent,
)


def _probe() -> NodeProbe:
    missing: Observed[str] = Observed.missing("/host/proc/driver/nvidia/version", "no such file")
    runtime = RuntimeConfig("containerd", "nvidia", "/host/etc/containerd/conf.d/99-nvidia.toml",
                            (RuntimeEntry("runc", None, "io.containerd.runc.v2"),
                             RuntimeEntry("nvidia", "/usr/bin/nvidia-container-runtime",
                                          "io.containerd.runc.v2", True)),
                            ("runc", "nvidia"), True,
                            ("/host/etc/containerd/config.toml",
                             "/host/etc/containerd/conf.d/99-nvidia.toml"), 3)
    return NodeProbe(
        host_root="/host", node="k8s-node05",
        runtime_kind=Observed("containerd", "--runtime containerd://2.0.5"),
        driver_nvml=Observed("570.133.20", "NVML nvmlSystemGetDriverVersion (/host/usr/lib64/x.so.1)"),
        driver_proc=missing,
        driver_sys=Observed("570.133.20", "/host/sys/module/nvidia/version", None, "570.133.20"),
        driver_smi=missing, cuda_driver_version=Observed(12080, "NVML nvmlSystemGetCudaDriverVersion (x)"),
        gpus=Observed((GpuInfo(0, "NVIDIA H100 80GB HBM3", "GPU-0", 85520809984),), "NVML ..."),
        toolkit=Observed("1.18.0", "/host/usr/bin/nvidia-ctk --version"),
        toolkit_reads=(Observed("1.18.0", "/host/usr/bin/nvidia-ctk --version"), missing),
        nvidia_docker2=Observed.missing("/host/var/lib/dpkg/status", "nvidia-docker2 not installed"),
        runtime=Observed(runtime, "/host/etc/containerd/config.toml", None, "# ...\nversion = 3"),
        cdi_specs=Observed((CdiSpec("/host/var/run/cdi/nvidia.yaml", "nvidia.com/gpu", ("0", "GPU-0", "all")),
                            CdiSpec("/host/etc/cdi/broken.yaml", "", (), "not YAML or JSON: ...")),
                           "/host/etc/cdi, /host/var/run/cdi"),
        xid_events=Observed((XidEvent("0000:3b:00", 79, "Dec  4 03:10:11"),), "/host/var/log/kern.log"),
        fabric_gpus=Observed((GpuFabric("GPU-0", "Completed", "Success"),), "NVML nvmlDeviceGetGpuFabricInfoV (x)"),
        fabric_host=Observed(FabricHost(("/host/dev/nvidia-nvswitch0",), (2143,), "/host/usr/bin/nv-fabricmanager"),
                             "/host/dev/nvidia-nvswitch* and /host/proc/*/cmdline"),
        dev_char=Observed((DevCharLink("nvidia0", "195:0", "../nvidia0"), DevCharLink("nvidiactl", "195:255", None)),
                          "/host/proc/devices and /host/dev/char"),
    )


def test_round_trip_is_exact() -> None:
    probe = _probe()
    assert NodeProbe.from_json(probe.to_json()) == probe
    assert json.loads(probe.to_json())["schema"] == 5


def test_an_older_probe_is_read_with_the_facts_it_predates_missing() -> None:
    data = json.loads(_probe().to_json())
    for key in ("fabric_gpus", "fabric_host", "dev_char"):
        del data[key]
    for entry in data["runtime"]["value"]["runtimes"]:
        del entry["systemd_cgroup"]
    data["schema"] = 3
    old = NodeProbe.from_json(json.dumps(data))
    assert old.gpus == _probe().gpus
    assert not old.fabric_host.ok and not old.dev_char.ok
    assert old.fabric_host.error == ("the probe's output is of schema 3, older than this fact (schema 4): run the "
                                     "suite's own probe image")
    assert old.runtime.value is not None and old.runtime.value.runtimes[1].systemd_cgroup is None


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d.pop("gpus"), "probe.gpus: missing"),
    (lambda d: d.update(schema=1), "probe.schema: expected 3 to 5, got 1"),
    (lambda d: d.update(schema=6), "probe.schema: expected 3 to 5, got 6"),
    (lambda d: d["fabric_host"]["value"].update(manager_pids=["2143"]),
     'probe.fabric_host.value.manager_pids[0]: expected int, got "2143"'),
    (lambda d: d["cdi_specs"]["value"][0].update(devices="0"), "probe.cdi_specs.value[0].devices: expected a list"),
    (lambda d: d["gpus"]["value"][0].update(index="0"), 'probe.gpus.value[0].index: expected int, got "0"'),
    (lambda d: d["cuda_driver_version"].update(value=True), "probe.cuda_driver_version.value: expected int"),
    (lambda d: d["runtime"]["value"].update(handlers="nvidia"),
     "probe.runtime.value.handlers: expected a list"),
    (lambda d: d["toolkit_reads"].append(7), "probe.toolkit_reads[2]: expected an object, got int"),
    (lambda d: d["driver_nvml"].pop("source"), "probe.driver_nvml.source: missing"),
])
def test_garbage_names_what_is_wrong(mutate: object, message: str) -> None:
    data = json.loads(_probe().to_json())
    mutate(data)  # type: ignore[operator]
    with pytest.raises(ValueError) as caught:
        NodeProbe.from_json(json.dumps(data))
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(("text", "message"), [
    ("", "probe output is not JSON"), ("<html>", "probe output is not JSON"),
    ("[]", "probe: expected an object"),
])
def test_not_a_probe_at_all(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NodeProbe.from_json(text)
