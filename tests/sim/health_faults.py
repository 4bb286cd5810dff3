"""The GPU health faults (issue 15), each seen from outside as on a real cluster: k8s-node05 has two GPUs, so one
turning unhealthy leaves the node able to run one-GPU pods."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.sim.fault_api import HEALTHY, Api, host_file, scrape


def xid_unhealthy(api: Api) -> None:
    """GPU 1 of k8s-node05 after Xid 79: still in capacity, not allocatable; the plugin's log says which and why."""
    status = api.core.read_node(HEALTHY).status
    assert (status.capacity["nvidia.com/gpu"], status.allocatable["nvidia.com/gpu"]) == ("2", "1")
    uuid = api.cluster.scenario.node(HEALTHY).gpus[1].uuid
    log = api.log(api.plugin_pod(HEALTHY))
    assert f"XidCriticalError: Xid=79 on Device={uuid}; marking device as unhealthy." in log
    assert f"'nvidia.com/gpu' device marked unhealthy: {uuid}" in log
    pod = api.run_vectoradd(HEALTHY)
    assert pod.status.phase == "Succeeded"
    # CentOS 7's rsyslog keeps the kernel's lines in /var/log/messages; GPU 1 sits at 00000000:02:00.0.
    messages = host_file(api.cluster, HEALTHY, "/var/log/messages").read_text()
    assert "NVRM: Xid (PCI:0000:02:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus." in messages


def xid_unhealthy_operator(api: Api) -> None:
    """The same Xid on the GPU Operator's stack: dcgm-exporter serves it as GPU 1's last Xid."""
    status = api.core.read_node(HEALTHY).status
    assert (status.capacity["nvidia.com/gpu"], status.allocatable["nvidia.com/gpu"]) == ("2", "1")
    families = text_string_to_metric_families(scrape(api.cluster, HEALTHY).text)
    last = {s.labels["UUID"]: s.value for f in families if f.name == "DCGM_FI_DEV_XID_ERRORS" for s in f.samples}
    gpus = api.cluster.scenario.node(HEALTHY).gpus
    assert last == {gpus[0].uuid: 0, gpus[1].uuid: 79}
