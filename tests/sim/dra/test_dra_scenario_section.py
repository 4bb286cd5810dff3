"""The ``draDriver`` section and each node's ``dra`` key: defaults, the bundled DRA scenarios, one-line errors."""

from __future__ import annotations

import pytest
from gpusim.model import DraDriverSetup, DraNodeSetup
from gpusim.scenario import ScenarioError, load, loads

NODES = """nodes:
  - name: n1
    gpus: {count: 2, model: NVIDIA GeForce RTX 4090}
"""


def test_without_dra_driver_there_is_none() -> None:
    assert load("seed").dra_driver is None
    assert all(node.dra == DraNodeSetup() for node in load("seed").nodes)


def test_an_empty_section_is_the_charts_default_install() -> None:
    setup = loads("name: t\ndraDriver: {}\n" + NODES).dra_driver
    assert setup == DraDriverSetup()
    assert setup.version == "v25.12.0" and setup.namespace == "nvidia-dra-driver-gpu" and setup.driver_root == "/"
    assert setup.device_classes == ("gpu.nvidia.com", "mig.nvidia.com", "vfio.gpu.nvidia.com")


def test_the_operator_style_installs_into_its_namespace_with_its_driver_root() -> None:
    setup = loads("name: t\ndraDriver: {style: gpu-operator}\n" + NODES).dra_driver
    assert setup is not None and setup.namespace == "gpu-operator" and setup.driver_root == "/run/nvidia/driver"


@pytest.mark.parametrize(("name", "node", "dra"), [
    ("dra-slice-missing-gpu", "k8s-node05", DraNodeSetup(omit_gpus=(1,))),
    ("dra-driver-version-stale", "k8s-node06", DraNodeSetup(driver_version="535.54.03")),
    ("dra-plugin-crashloop", "k8s-node06", DraNodeSetup(plugin="crashloop")),
])
def test_each_node_fault_is_one_node_of_the_dra_cluster(name: str, node: str, dra: DraNodeSetup) -> None:
    healthy, fault = load("dra"), load(name)
    changed = [m for n, m in zip(healthy.nodes, fault.nodes, strict=True) if n != m]
    assert [(m.name, m.dra) for m in changed] == [(node, dra)]
    assert fault.dra_driver == healthy.dra_driver


def test_the_cluster_wide_faults_change_only_the_driver_setup() -> None:
    healthy = load("dra")
    missing = load("dra-deviceclass-missing")
    assert missing.nodes == healthy.nodes
    assert missing.dra_driver is not None and "gpu.nvidia.com" not in missing.dra_driver.device_classes
    unhealthy = load("dra-device-unhealthy")
    assert unhealthy.dra_driver is not None and unhealthy.dra_driver.gate("NVMLDeviceHealthCheck")
    assert [n.unhealthy_gpus for n in unhealthy.nodes] == [(), (1,), ()]


def test_the_dra_scenarios_have_no_device_plugin_and_cdi_on() -> None:
    scenario = load("dra")
    assert scenario.device_plugin.style == "none" and scenario.version.git_version.startswith("v1.34.")
    assert all(n.host is not None and n.host.runtime.enable_cdi for n in scenario.gpu_nodes)
    assert [len(n.gpus) for n in scenario.gpu_nodes] == [2, 1]
    assert load("dra-v1beta1").runtime_config == (("resource.k8s.io/v1beta1", True),)


@pytest.mark.parametrize(("text", "message"), [
    ("draDriver: {style: helmet}\n" + NODES,
     'bad.yaml:2: draDriver.style: expected one of helm, gpu-operator; got "helmet" (did you mean "helm"?)'),
    ("draDriver: {deviceClasses: [gpu.nvidia.com, gpu.nvidia.com]}\n" + NODES,
     "bad.yaml:2: draDriver.deviceClasses: a DeviceClass is listed twice"),
    ("draDriver: {version: 25.12}\n" + NODES,
     'bad.yaml:2: draDriver.version: expected a release like "v25.12.0", got 25.12'),
    ("draDriver: {}\n" + NODES + "    dra: {omitGpus: [2]}\n",
     "bad.yaml:6: nodes[0].dra.omitGpus[0]: expected an integer from 0 to 1, got 2"),
    ("draDriver: {}\n" + NODES + "    dra: {plugin: broken}\n",
     'bad.yaml:6: nodes[0].dra.plugin: expected one of auto, crashloop; got "broken"'),
    (NODES + "    dra: {plugin: crashloop}\n",
     "bad.yaml:3: nodes: node n1: dra needs a draDriver section (no DRA driver is installed)"),
])
def test_mistakes_give_one_exact_line(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        loads("name: t\n" + text, "bad.yaml")
    assert str(err.value) == message
