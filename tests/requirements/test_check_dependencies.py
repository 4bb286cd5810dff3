"""The catalogue's depends_on graph: known ids only, no cycles, and the tutorial's chain as it is."""

from __future__ import annotations

from dataclasses import replace

from gpu_conformance.check_dependencies import dependency_problems
from gpu_conformance.checks import CAPACITY_ADVERTISED, CHECKS, PLUGIN_POD_READY, PRE_DRIVER, WORKLOAD_VECTORADD, by_id


def test_the_catalogue_graph_is_sound() -> None:
    assert dependency_problems(CHECKS) == []


def test_an_unknown_dependency_is_named() -> None:
    broken = replace(PRE_DRIVER, depends_on=("PRE-GPU",))
    assert dependency_problems([broken]) == ["PRE-DRIVER depends on unknown check 'PRE-GPU'"]


def test_a_cycle_is_named_with_its_path() -> None:
    catalogue = [replace(PRE_DRIVER, depends_on=("CAPACITY-ADVERTISED",)),
                 replace(CAPACITY_ADVERTISED, depends_on=("PLUGIN-POD-READY",)),
                 replace(PLUGIN_POD_READY, depends_on=("PRE-DRIVER",))]
    assert "PRE-DRIVER depends on itself: PRE-DRIVER -> CAPACITY-ADVERTISED -> PLUGIN-POD-READY -> PRE-DRIVER" \
        in dependency_problems(catalogue)


def test_vectoradd_depends_on_the_chain_before_it() -> None:
    assert set(WORKLOAD_VECTORADD.depends_on) == {"NODE-READY", "PRE-DRIVER", "PRE-RUNTIME-DEFAULT", "CDI-SPEC",
                                                  "PLUGIN-POD-READY", "CAPACITY-ADVERTISED", "HEALTH-FABRIC"}
    assert "PRE-RUNTIME-DEFAULT" in by_id("PLUGIN-POD-READY").depends_on
