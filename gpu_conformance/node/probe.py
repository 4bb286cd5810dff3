"""One node's facts, gathered from its host root: the body of ``gpu-conformance probe``.

Missing facts are data (Observed errors), never exceptions. The collectors that run host binaries
(nvidia-smi, the toolkit's tools) run beside the NVML and file reads, so a healthy host answers in
a fraction of a second.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gpu_conformance.facts.node import GpuInfo, NodeProbe, Observed
from gpu_conformance.node import cdi, dev_char, driver, fabric, kernel_log, nvml, runtime_config, toolkit
from gpu_conformance.node.hostfs import HostRoot
from gpu_conformance.node.versions import container_runtime


def _runtime_kind(host: HostRoot, runtime: str | None) -> tuple[Observed[str], str | None]:
    """(the runtime kind and where it came from, the runtime's version when given)."""
    if runtime is None:
        return runtime_config.detect(host), None
    kind, version = container_runtime(runtime)
    return Observed(kind, f"--runtime {runtime}"), version


def probe(root: Path, runtime: str | None = None, node: str | None = None) -> NodeProbe:
    """Gather the facts; ``runtime`` is a kind or a containerRuntimeVersion (ValueError if neither)."""
    host = HostRoot(root)
    kind, runtime_version = _runtime_kind(host, runtime)
    with ThreadPoolExecutor(max_workers=2) as pool:
        smi_job = pool.submit(driver.nvidia_smi, host)
        toolkit_job = pool.submit(toolkit.collect, host)
        from_nvml = nvml.collect(host)
        runtime_read = (runtime_config.read(host, kind.value, runtime_version) if kind.value is not None
                        else Observed.missing(kind.source, kind.error or "unknown runtime"))
        smi, tools = smi_job.result(), toolkit_job.result()
    return NodeProbe(
        host_root=str(root),
        node=node,
        runtime_kind=kind,
        driver_nvml=from_nvml.driver,
        driver_proc=driver.proc_driver(host),
        driver_sys=driver.sys_driver(host),
        driver_smi=smi.driver,
        cuda_driver_version=from_nvml.cuda_driver_version,
        gpus=from_nvml.gpus if from_nvml.gpus.ok else _fallback(from_nvml.gpus, smi.gpus),
        toolkit=tools.toolkit,
        toolkit_reads=tools.reads,
        nvidia_docker2=tools.nvidia_docker2,
        runtime=runtime_read,
        cdi_specs=cdi.collect(host),
        xid_events=kernel_log.collect(host),
        fabric_gpus=from_nvml.fabric,
        fabric_host=fabric.collect(host),
        dev_char=dev_char.collect(host),
    )


def _fallback(nvml_gpus: Observed[tuple[GpuInfo, ...]],
              smi_gpus: Observed[tuple[GpuInfo, ...]]) -> Observed[tuple[GpuInfo, ...]]:
    """nvidia-smi's GPU list when NVML had none; both failures kept in the error when neither did."""
    if smi_gpus.ok:
        return smi_gpus
    return Observed.missing(nvml_gpus.source, f"{nvml_gpus.error}; nvidia-smi: {smi_gpus.error}",
                            smi_gpus.excerpt)
