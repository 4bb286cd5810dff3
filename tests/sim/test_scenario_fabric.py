"""``host.fabric`` in a scenario file: an NVSwitch system, its manager and the fabric state that follows."""

from __future__ import annotations

import pytest
from gpusim.model import FabricSetup
from gpusim.scenario import load, loads
from gpusim.scenario_yaml import ScenarioError

pytestmark = pytest.mark.unit

HGX = """\
name: t
nodes:
  - name: a
    gpus:
      count: 8
      model: H100 80GB HBM3
    host:
      fabric: {fabric}
"""


def test_the_state_follows_the_manager() -> None:
    assert load("nvswitch").node("k8s-node06").host.fabric == FabricSetup(4, "running", "completed")  # type: ignore[union-attr]
    missing = load("nvswitch-no-fabricmanager").node("k8s-node06").host.fabric  # type: ignore[union-attr]
    assert missing == FabricSetup(4, "missing", "not-started") and not missing.cuda_ready
    assert load("seed").node("k8s-node06").host.fabric is None  # type: ignore[union-attr]


def test_a_running_manager_may_still_be_training() -> None:
    spec = loads(HGX.format(fabric="{nvswitches: 6, state: in-progress}"), "t.yaml").node("a")
    assert spec.host.fabric == FabricSetup(6, "running", "in-progress")  # type: ignore[union-attr]


@pytest.mark.parametrize(("fabric", "message"), [
    ("{manager: stopped, state: completed}",
     "t.yaml:8: nodes[0].host.fabric.state: a fabric is trained only by a running fabric manager; manager is "
     "stopped, so its state is not-started"),
    ("{nvswitches: 0}", "t.yaml:8: nodes[0].host.fabric.nvswitches: expected an integer from 1 to 18, got 0"),
    ("{manager: gone}", "t.yaml:8: nodes[0].host.fabric.manager: expected one of running, stopped, missing"),
])
def test_mistakes_are_named(fabric: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        loads(HGX.format(fabric=fabric), "t.yaml")
    assert str(caught.value).startswith(message)
