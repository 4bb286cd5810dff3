"""The simulated GPU exporters, scraped over real loopback HTTP and parsed as Prometheus would.

Every test starts a real ExporterPool on addresses in 127.77.0.0/16, scrapes it with ``requests``
and parses with ``prometheus_client``'s text parser.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from gpusim.exporters import ExporterPool
from gpusim.model import ExporterHealth, ExporterKind, ExporterSetup, Gpu, HostState, NodeSpec
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

TIMEOUT = 5.0
DRIVER = "535.104.05"
NODE_IPS: dict[ExporterHealth, str] = {
    "healthy": "127.77.0.1", "down": "127.77.0.2", "hanging": "127.77.0.3",
    "nvidia_smi_failing": "127.77.0.4", "malformed": "127.77.0.5", "wrong_gpu_count": "127.77.0.6",
}
DCGM_IPS: dict[ExporterHealth, str] = {
    "healthy": "127.77.1.1", "wrong_gpu_count": "127.77.1.2", "malformed": "127.77.1.3",
    "nvidia_smi_failing": "127.77.1.4",
}


def make_gpus(count: int, name: str = "NVIDIA GeForce RTX 4090", memory_mib: int = 24564) -> tuple[Gpu, ...]:
    return tuple(
        Gpu(index=i, uuid=f"GPU-{i:08x}-7314-46F8-abc4-b88b36dcf3a{i:x}", name=name, memory_mib=memory_mib,
            pci_bus_id=f"00000000:{i + 1:02X}:00.0")
        for i in range(count))


def make_node(name: str, ip: str, health: ExporterHealth = "healthy",
              kind: ExporterKind = "nvidia_gpu_exporter", gpus: tuple[Gpu, ...] | None = None,
              driver: str | None = DRIVER) -> NodeSpec:
    port = 9400 if kind == "dcgm-exporter" else 9835
    return NodeSpec(name=name, internal_ip=ip, gpus=make_gpus(4) if gpus is None else gpus,
                    host=HostState(driver_version=driver),
                    exporter=ExporterSetup(kind=kind, port=port, health=health))


@pytest.fixture(scope="module")
def pool() -> Iterator[ExporterPool]:
    nodes = [make_node(f"nv-{health}", ip, health) for health, ip in NODE_IPS.items()]
    nodes += [make_node(f"dcgm-{health}", ip, health, "dcgm-exporter")
              for health, ip in DCGM_IPS.items()]
    nodes.append(make_node("cpu-only", "127.77.2.1", gpus=()))
    nodes.append(make_node("no-exporter", "127.77.2.2", kind="none"))
    nodes.append(make_node("t4", "127.77.2.3", gpus=make_gpus(1, "Tesla T4", 15360)))
    nodes.append(make_node("no-driver", "127.77.2.4", driver=None))
    with ExporterPool(nodes) as started:
        yield started


def url(pool: ExporterPool, node: str, path: str = "/metrics") -> str:
    address = pool.address(node)
    assert address is not None
    return f"http://{address[0]}:{address[1]}{path}"


def scrape(pool: ExporterPool, node: str) -> dict[str, list[Sample]]:
    response = requests.get(url(pool, node), timeout=TIMEOUT)
    assert response.status_code == 200
    return {f.name: f.samples for f in text_string_to_metric_families(response.text)}


def per_gpu(families: dict[str, list[Sample]], name: str) -> dict[str, float]:
    return {s.labels["uuid"]: s.value for s in families.get(name, [])}


def test_healthy_exporter_serves_one_series_per_gpu_with_stripped_lowercase_uuid(pool: ExporterPool) -> None:
    families = scrape(pool, "nv-healthy")
    expected = {g.uuid.lower().removeprefix("gpu-") for g in make_gpus(4)}
    for name in ("nvidia_smi_index", "nvidia_smi_temperature_gpu", "nvidia_smi_utilization_gpu_ratio",
                 "nvidia_smi_utilization_memory_ratio", "nvidia_smi_memory_used_bytes",
                 "nvidia_smi_memory_free_bytes", "nvidia_smi_memory_total_bytes",
                 "nvidia_smi_power_draw_watts", "nvidia_smi_fan_speed_ratio",
                 "nvidia_smi_clocks_current_graphics_clock_hz",
                 "nvidia_smi_clocks_max_memory_clock_hz"):
        assert set(per_gpu(families, name)) == expected, name
    assert sorted(per_gpu(families, "nvidia_smi_index").values()) == [0, 1, 2, 3]


def test_live_values_stay_in_physical_range(pool: ExporterPool) -> None:
    families = scrape(pool, "nv-healthy")
    total = per_gpu(families, "nvidia_smi_memory_total_bytes")
    assert set(total.values()) == {24564 * 1048576}
    for uuid, used in per_gpu(families, "nvidia_smi_memory_used_bytes").items():
        free = per_gpu(families, "nvidia_smi_memory_free_bytes")[uuid]
        assert 0 < used <= total[uuid] and used + free == total[uuid]
    for name in ("nvidia_smi_utilization_gpu_ratio", "nvidia_smi_utilization_memory_ratio",
                 "nvidia_smi_fan_speed_ratio"):
        assert all(0 <= v <= 1 for v in per_gpu(families, name).values()), name
    assert all(30 <= v <= 85 for v in per_gpu(families, "nvidia_smi_temperature_gpu").values())
    limits = per_gpu(families, "nvidia_smi_power_limit_watts")
    for uuid, draw in per_gpu(families, "nvidia_smi_power_draw_watts").items():
        assert 0 < draw <= limits[uuid] == 450


def test_gpu_info_carries_driver_version_name_and_the_exporters_help(pool: ExporterPool) -> None:
    response = requests.get(url(pool, "nv-healthy"), timeout=TIMEOUT)
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert ("# HELP nvidia_smi_gpu_info A metric with a constant '1' value labeled by gpu uuid, name, "
            "driver_model_current, driver_model_pending, vbios_version, driver_version.\n") in response.text
    assert "# HELP nvidia_smi_utilization_gpu_ratio utilization.gpu [%]\n" in response.text
    info = {f.name: f for f in text_string_to_metric_families(response.text)}["nvidia_smi_gpu_info"]
    assert len(info.samples) == 4
    for sample in info.samples:
        assert sample.value == 1
        assert sample.labels["driver_version"] == DRIVER
        assert sample.labels["name"] == "NVIDIA GeForce RTX 4090"
        assert set(sample.labels) == {"uuid", "name", "driver_model_current", "driver_model_pending",
                                      "vbios_version", "driver_version"}


def test_exporter_and_go_metrics_as_a_go_exporter_serves_them(pool: ExporterPool) -> None:
    first = scrape(pool, "nv-healthy")
    assert first["nvidia_smi_command_exit_code"][0].value == 0
    assert "nvidia_smi_failed_scrapes_total" not in first  # v1.2.0 sends it only when nvidia-smi fails
    for name in ("go_goroutines", "go_info", "go_gc_duration_seconds", "process_start_time_seconds",
                 "process_cpu_seconds", "nvidia_gpu_exporter_build_info"):
        assert name in first, name
    codes = {s.labels["code"]: s.value for s in first["promhttp_metric_handler_requests"]}
    assert set(codes) >= {"200", "500", "503"}
    second = scrape(pool, "nv-healthy")
    again = {s.labels["code"]: s.value for s in second["promhttp_metric_handler_requests"]}
    assert again["200"] == codes["200"] + 1


def test_unparsable_cells_are_skipped_like_the_real_exporter(pool: ExporterPool) -> None:
    families = scrape(pool, "t4")
    # A passively cooled T4 prints fan.speed as [N/A]: the exporter skips it; a three-part driver version
    # has two numbers, so nvidia_smi_driver_version is skipped too; "Tesla T4" has one number: 4.
    assert "nvidia_smi_fan_speed_ratio" not in families
    assert "nvidia_smi_driver_version" not in families
    assert [s.value for s in families["nvidia_smi_name"]] == [4]
    assert [s.value for s in families["nvidia_smi_power_limit_watts"]] == [70]


def test_down_exporter_refuses_connections(pool: ExporterPool) -> None:
    assert pool.address("nv-down") == (NODE_IPS["down"], 9835)
    with pytest.raises(requests.ConnectionError):
        requests.get(url(pool, "nv-down"), timeout=TIMEOUT)


def test_hanging_exporter_times_out_without_blocking_others(pool: ExporterPool) -> None:
    with pytest.raises(requests.ReadTimeout):
        requests.get(url(pool, "nv-hanging"), timeout=(TIMEOUT, 0.5))
    assert scrape(pool, "nv-healthy")["nvidia_smi_command_exit_code"][0].value == 0


def test_failing_nvidia_smi_serves_no_gpu_series_and_counts_failures(pool: ExporterPool) -> None:
    first = scrape(pool, "nv-nvidia_smi_failing")
    second = scrape(pool, "nv-nvidia_smi_failing")
    for families in (first, second):
        assert not [name for name, samples in families.items() if any("uuid" in s.labels for s in samples)]
        assert "nvidia_smi_gpu_info" not in families
        assert families["nvidia_smi_command_exit_code"][0].value == 9
        assert "go_goroutines" in families
    assert second["nvidia_smi_failed_scrapes"][0].value == first["nvidia_smi_failed_scrapes"][0].value + 1


def test_node_without_a_driver_fails_like_nvidia_smi_does(pool: ExporterPool) -> None:
    families = scrape(pool, "no-driver")
    assert families["nvidia_smi_command_exit_code"][0].value == 9
    assert "nvidia_smi_temperature_gpu" not in families


def test_malformed_body_makes_the_parser_raise(pool: ExporterPool) -> None:
    for node in ("nv-malformed", "dcgm-malformed"):
        response = requests.get(url(pool, node), timeout=TIMEOUT)
        assert response.status_code == 200
        with pytest.raises(ValueError, match="could not convert string to float"):
            list(text_string_to_metric_families(response.text))


def test_wrong_gpu_count_loses_one_gpu(pool: ExporterPool) -> None:
    families = scrape(pool, "nv-wrong_gpu_count")
    assert len(per_gpu(families, "nvidia_smi_index")) == 3
    assert set(per_gpu(families, "nvidia_smi_count").values()) == {3}
    dcgm = scrape(pool, "dcgm-wrong_gpu_count")
    assert len(dcgm["DCGM_FI_DEV_GPU_UTIL"]) == 3


def test_dcgm_format_labels_and_units(pool: ExporterPool) -> None:
    response = requests.get(url(pool, "dcgm-healthy"), timeout=TIMEOUT)
    assert pool.address("dcgm-healthy") == (DCGM_IPS["healthy"], 9400)
    assert ("# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n"
            "# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n") in response.text
    families = {f.name: f.samples for f in text_string_to_metric_families(response.text)}
    gpus = {g.uuid: g for g in make_gpus(4)}
    for name in ("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_MEM_COPY_UTIL", "DCGM_FI_DEV_FB_USED",
                 "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE",
                 "DCGM_FI_DEV_XID_ERRORS"):
        samples = families[name]
        assert {s.labels["UUID"] for s in samples} == set(gpus), name
        for s in samples:
            gpu = gpus[s.labels["UUID"]]
            assert s.labels == {"gpu": str(gpu.index), "UUID": gpu.uuid, "pci_bus_id": gpu.pci_bus_id,
                                "device": f"nvidia{gpu.index}", "modelName": gpu.name,
                                "Hostname": "dcgm-healthy", "DCGM_FI_DRIVER_VERSION": DRIVER}
    assert all(0 <= s.value <= 100 for s in families["DCGM_FI_DEV_GPU_UTIL"])
    used = {s.labels["UUID"]: s.value for s in families["DCGM_FI_DEV_FB_USED"]}
    free = {s.labels["UUID"]: s.value for s in families["DCGM_FI_DEV_FB_FREE"]}
    assert all(used[u] + free[u] == 24564 for u in gpus)
    assert "DCGM_FI_DEV_MEMORY_TEMP" not in families  # GDDR6X: DCGM leaves the field blank


def test_dcgm_without_a_driver_is_reachable_but_empty(pool: ExporterPool) -> None:
    response = requests.get(url(pool, "dcgm-nvidia_smi_failing"), timeout=TIMEOUT)
    assert response.status_code == 200 and response.text == ""
    health = requests.get(url(pool, "dcgm-nvidia_smi_failing", "/health"), timeout=TIMEOUT)
    assert (health.status_code, health.text) == (503, "KO")
    assert requests.get(url(pool, "dcgm-healthy", "/health"), timeout=TIMEOUT).text == "OK"


def test_landing_pages_and_unknown_paths(pool: ExporterPool) -> None:
    page = requests.get(url(pool, "nv-healthy", "/"), timeout=TIMEOUT)
    assert page.status_code == 200 and "<h1>Nvidia GPU Exporter</h1>" in page.text
    # The exporter registers its landing page on "/", which Go's ServeMux matches for every path.
    assert requests.get(url(pool, "nv-healthy", "/nope"), timeout=TIMEOUT).text == page.text
    assert requests.get(url(pool, "dcgm-healthy", "/"), timeout=TIMEOUT).status_code == 200
    missing = requests.get(url(pool, "dcgm-healthy", "/nope"), timeout=TIMEOUT)
    assert (missing.status_code, missing.text) == (404, "404 page not found\n")


def test_only_gpu_nodes_with_an_exporter_are_in_the_pool(pool: ExporterPool) -> None:
    assert pool.address("cpu-only") is None
    assert pool.address("no-exporter") is None
    assert pool.address("unknown-node") is None
