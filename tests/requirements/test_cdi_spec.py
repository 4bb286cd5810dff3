"""CDI-SPEC on probe facts: the spec must define exactly the GPUs NVML sees, by the name the plugin asks for."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpu_conformance.facts.cluster import PluginFacts
from gpu_conformance.facts.node import CdiSpec, Observed
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.cdi_spec import cdi_spec_lists_gpus
from gpu_conformance.verdict import Verdict

from .builders import RTX_4090, STATIC_DS, outcome, plugin, plugin_pod, probe

SPECS = "/host/etc/cdi, /host/var/run/cdi"
PLUGIN_SPEC = "/host/var/run/cdi/k8s.device-plugin.nvidia.com-gpu.json"
KIND = "k8s.device-plugin.nvidia.com/gpu"
UUIDS = tuple(g.uuid for g in RTX_4090)


def _cdi_plugin(strategy: tuple[str, ...] = ("cdi-annotations", "cdi-cri"), id_strategy: str | None = None
                ) -> PluginFacts:
    return plugin(plugin_pod(), daemonsets=(replace(STATIC_DS, device_list_strategy=strategy,
                                                    device_id_strategy=id_strategy),))


def _verdict(*specs: CdiSpec, found_plugin: PluginFacts | FactsUnavailable | None = None) -> Verdict:
    facts = probe(cdi_specs=Observed(specs, SPECS))
    return cdi_spec_lists_gpus(outcome(facts), found_plugin or _cdi_plugin())


def _spec(*names: str, path: str = PLUGIN_SPEC, kind: str = KIND) -> CdiSpec:
    return CdiSpec(path, kind, names)


def test_a_spec_defining_every_gpu_passes() -> None:
    verdict = _verdict(_spec("0", UUIDS[0], "1", UUIDS[1], "all"))
    assert (verdict.ok, verdict.skip) == (True, False)
    assert verdict.message == f"found {PLUGIN_SPEC} defining {UUIDS[0]}, {UUIDS[1]} at {SPECS}"


def test_no_spec_fails_naming_the_gpus_and_what_was_there() -> None:
    verdict = _verdict(CdiSpec("/host/etc/cdi/x.yaml", "", (), "not YAML or JSON: bad"),
                       _spec("all", path="/host/var/run/cdi/management.nvidia.com-gpu.yaml",
                             kind="management.nvidia.com/gpu"))
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[CDI-SPEC] found no CDI spec of kind {KIND} (unreadable: /host/etc/cdi/x.yaml (not YAML or JSON: "
        "bad); other kinds: /host/var/run/cdi/management.nvidia.com-gpu.yaml (kind management.nvidia.com/gpu)) at "
        f"{SPECS}, expected a spec of kind {KIND} defining each GPU NVML sees by UUID: {UUIDS[0]}, {UUIDS[1]}; "
        "fix: `kubectl -n kube-system delete pod nvidia-device-plugin-daemonset-")
    assert "restart the device plugin pod on the node: it writes its spec at start" in verdict.message


def test_a_stale_spec_names_the_missing_and_the_foreign_gpus() -> None:
    verdict = _verdict(_spec("0", UUIDS[0], "1", "GPU-00000000-dead-beef-0000-000000000000", "all"))
    assert not verdict.ok
    assert (f"found {PLUGIN_SPEC} defining {UUIDS[0]}, GPU-00000000-dead-beef-0000-000000000000: missing "
            f"{UUIDS[1]}, which NVML sees; GPU-00000000-dead-beef-0000-000000000000 not on this node (a stale "
            "spec)") in verdict.message


def test_index_names_under_the_index_id_strategy() -> None:
    by_index = _cdi_plugin(("cdi-cri",), "index")
    assert _verdict(_spec("0", "1", "all"), found_plugin=by_index).ok
    missing = _verdict(_spec("0", "all"), found_plugin=by_index)
    assert "missing 1, which NVML sees" in missing.message and "by index (DEVICE_ID_STRATEGY index)" in missing.message
    assert not _verdict(_spec("0", "1", "all")).ok  # the default uuid strategy asks for UUIDs


def test_not_applicable_without_cdi_strategies() -> None:
    verdict = _verdict(found_plugin=_cdi_plugin(()))
    assert verdict.skip
    assert verdict.message == ("[CDI-SPEC] the device plugin passes GPUs by DEVICE_LIST_STRATEGY envvar, not as CDI "
                               "devices: no CDI spec is used")


def test_unknown_plugin_is_unavailable() -> None:
    with pytest.raises(FactsUnavailable, match=r"^\[CDI-SPEC\] whether the device plugin uses CDI is unknown: x"):
        _verdict(found_plugin=FactsUnavailable("x"))
