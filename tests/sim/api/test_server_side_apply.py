"""Server-side apply and field ownership: merging by list type, managedFields, conflicts, force, removal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gpusim.api.managed_fields import from_fields_v1, printed, to_fields_v1
from gpusim.api.server_side_apply import apply, record_update
from gpusim.errors import ApiError
from gpusim.resources import CONFIGMAP, DAEMONSET

from tests.sim.api.api_harness import SimApi


def _daemonset(image: str, *containers: str) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "ds"}, "spec": {
        "template": {"spec": {"containers": [{"name": c, "image": image} for c in containers]}}}}


def _owners(obj: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {(e["manager"], e["operation"]): e["fieldsV1"] for e in obj["metadata"]["managedFields"]}


def test_apply_records_what_it_set_in_fields_v1_with_list_elements_by_key() -> None:
    obj = apply(DAEMONSET, None, _daemonset("a:1", "main"), "ci", force=False, api_version="apps/v1")
    assert _owners(obj) == {("ci", "Apply"): {"f:spec": {"f:template": {"f:spec": {"f:containers": {
        'k:{"name":"main"}': {".": {}, "f:image": {}, "f:name": {}}}}}}}}
    assert obj["metadata"]["managedFields"][0]["apiVersion"] == "apps/v1"


def test_apply_merges_map_lists_by_key_and_keeps_what_others_own() -> None:
    live = apply(DAEMONSET, None, _daemonset("a:1", "main"), "ci", force=False, api_version="apps/v1")
    live = apply(DAEMONSET, live, _daemonset("b:1", "side"), "other", force=False, api_version="apps/v1")
    containers = live["spec"]["template"]["spec"]["containers"]
    assert containers == [{"name": "main", "image": "a:1"}, {"name": "side", "image": "b:1"}]


def test_apply_removes_what_the_manager_applied_before_and_no_longer_applies() -> None:
    live = apply(DAEMONSET, None, _daemonset("a:1", "main", "side"), "ci", force=False, api_version="apps/v1")
    live = apply(DAEMONSET, live, _daemonset("a:1", "main"), "ci", force=False, api_version="apps/v1")
    assert [c["name"] for c in live["spec"]["template"]["spec"]["containers"]] == ["main"]


def _config_map(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": data}


def test_a_field_another_manager_set_differently_conflicts_in_the_apiservers_words() -> None:
    live = _config_map(replicas="1", mode="a")
    record_update(CONFIGMAP, None, live, "kubectl-client-side-apply", "v1")
    with pytest.raises(ApiError) as one:
        apply(CONFIGMAP, live, _config_map(replicas="2"), "kubectl", force=False, api_version="v1")
    assert (one.value.code, one.value.reason) == (409, "Conflict")
    assert one.value.message == ('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" '
                                 "using v1: .data.replicas")
    assert one.value.details == {"causes": [{"type": "FieldManagerConflict", "field": ".data.replicas",
                                             "message": 'conflict with "kubectl-client-side-apply" using v1'}]}
    with pytest.raises(ApiError) as two:
        apply(CONFIGMAP, live, _config_map(replicas="2", mode="b"), "kubectl", force=False, api_version="v1")
    assert two.value.message == ('Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" '
                                 "using v1:\n- .data.mode\n- .data.replicas")


def test_the_same_value_is_shared_and_force_takes_a_field_over() -> None:
    live = _config_map(replicas="1", mode="a")
    record_update(CONFIGMAP, None, live, "kubectl-client-side-apply", "v1")
    shared = apply(CONFIGMAP, live, _config_map(mode="a"), "kubectl", force=False, api_version="v1")
    assert from_fields_v1(_owners(shared)[("kubectl", "Apply")]) == {("f:data", "f:mode")}
    forced = apply(CONFIGMAP, live, _config_map(replicas="2"), "kubectl", force=True, api_version="v1")
    assert forced["data"] == {"replicas": "2", "mode": "a"}
    owners = {k: from_fields_v1(v) for k, v in _owners(forced).items()}
    assert owners == {("kubectl-client-side-apply", "Update"): {("f:data", "f:mode")},
                      ("kubectl", "Apply"): {("f:data", "f:replicas")}}


def test_an_update_owns_what_it_changed_and_takes_it_from_others() -> None:
    old = _config_map(a="1", b="1")
    record_update(CONFIGMAP, None, old, "creator", "v1")
    new = _config_map(a="2", b="1")
    new["metadata"]["managedFields"] = old["metadata"]["managedFields"]
    record_update(CONFIGMAP, old, new, "editor", "v1")
    owners = {k: from_fields_v1(v) for k, v in _owners(new).items()}
    assert owners == {("creator", "Update"): {("f:data", "f:b")}, ("editor", "Update"): {("f:data", "f:a")}}


def test_fields_v1_round_trips_and_paths_print_as_the_apiserver_prints_them() -> None:
    paths = {("f:spec", 'k:{"name":"c"}'), ("f:spec", 'k:{"name":"c"}', "f:image"), ("f:metadata", "f:finalizers",
                                                                                   'v:"x"')}
    assert from_fields_v1(to_fields_v1(paths)) == paths
    assert printed(("f:spec", 'k:{"name":"c"}', "f:image")) == '.spec[name="c"].image'
    assert printed(("f:metadata", "f:finalizers", 'v:"x"')) == '.metadata.finalizers[="x"]'


@pytest.mark.e2e
@pytest.mark.kubectl
def test_kubectl_server_side_apply_conflicts_with_client_side_apply_until_forced(sim: SimApi, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned}\ndata: {replicas: '1'}\n")
    sim.kubectl("apply", "-f", str(manifest))
    manifest.write_text(manifest.read_text().replace("'1'", "'2'"))
    refused = sim.kubectl("apply", "--server-side", "-f", str(manifest), check=False)
    assert ('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.replicas'
            in refused.stderr)
    assert sim.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(manifest)).stdout.strip() == \
        "configmap/owned serverside-applied"
    assert sim.kubectl("get", "cm", "owned", "-o", "jsonpath={.data.replicas}").stdout == "2"


def test_a_quantity_sent_as_a_number_is_the_same_value_as_its_stored_string() -> None:
    live = _daemonset("a:1", "main")
    live["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"nvidia.com/gpu": "1"}}
    record_update(DAEMONSET, None, live, "creator", "apps/v1")
    applied = _daemonset("a:1", "main")
    applied["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"nvidia.com/gpu": 1}}
    shared = apply(DAEMONSET, live, applied, "ci", force=False, api_version="apps/v1")  # no conflict
    assert ("ci", "Apply") in _owners(shared)
