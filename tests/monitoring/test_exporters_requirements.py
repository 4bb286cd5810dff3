"""The exporter requirements on facts built from real bodies (FACTS.md's lines) and real scrape outcomes."""

from __future__ import annotations

import pytest

from gpu_conformance.checks import MON_EXPORTER_DRIVER, MON_EXPORTER_GPUS, MON_EXPORTER_UP
from gpu_conformance.facts.exporters import ExporterFacts
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.monitoring.exporters.facts import exporter_facts
from gpu_conformance.monitoring.exporters.scrape import ScrapeResult
from gpu_conformance.monitoring.exporters.targets import Target
from gpu_conformance.requirements.monitoring import (
    BODY_FIX,
    EMPTY_FIX,
    OTHER_EXPORTER_FIX,
    exporter_driver_matches,
    exporter_reachable,
    exporter_reports_every_gpu,
)
from gpu_conformance.verdict import Verdict
from tests.requirements.builders import (
    NODE,
    NVML_DRIVER,
    NVML_GPUS,
    RTX_4090,
    failed_outcome,
    gpu_node,
    missing,
    outcome,
    probe,
)

URL = "http://127.0.10.5:9835/metrics"
DCGM_URL = "http://127.0.10.5:9400/metrics"
DRIVER = "535.104.05"
UUIDS = tuple(g.uuid for g in RTX_4090)  # GPU-868d62cf-..., GPU-1b77a84d-...
SMI_FAILING = """\
# HELP nvidia_smi_command_exit_code Exit code of the last scrape command
# TYPE nvidia_smi_command_exit_code gauge
nvidia_smi_command_exit_code 9
# HELP nvidia_smi_failed_scrapes_total Number of failed scrapes
# TYPE nvidia_smi_failed_scrapes_total counter
nvidia_smi_failed_scrapes_total 3
"""


def nvidia_body(uuids: tuple[str, ...] = UUIDS, driver: str = DRIVER) -> str:
    """nvidia_gpu_exporter's lines (FACTS.md): uuid lower-cased with GPU- cut off, gpu_info with the driver."""
    lines = ["nvidia_smi_command_exit_code 0"]
    for uuid in uuids:
        short = uuid.lower().removeprefix("gpu-")
        lines += [f'nvidia_smi_temperature_gpu{{uuid="{short}"}} 34',
                  f'nvidia_smi_memory_used_bytes{{uuid="{short}"}} 7.06740224e+08',
                  f'nvidia_smi_gpu_info{{driver_version="{driver}",name="NVIDIA GeForce RTX 4090",uuid="{short}"}} 1']
    return "\n".join(lines) + "\n"


def dcgm_body(uuids: tuple[str, ...] = UUIDS, driver: str = DRIVER) -> str:
    lines = ["# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).", "# TYPE DCGM_FI_DEV_GPU_TEMP gauge"]
    lines += [f'DCGM_FI_DEV_GPU_TEMP{{gpu="{i}",UUID="{u}",device="nvidia{i}",'
              f'Hostname="{NODE}",DCGM_FI_DRIVER_VERSION="{driver}"}} 34' for i, u in enumerate(uuids)]
    return "\n".join(lines) + "\n"


def scraped(body: str = "", status: int | None = 200, error: str | None = None, reason: str = "OK",
            location: str | None = None, url: str = URL, content_type: str = "") -> ExporterFacts:
    target = Target(NODE, url, f"node {NODE} InternalIP 127.0.10.5")
    return exporter_facts(target, 5.0, ScrapeResult(url, status, reason, body.encode(), error, 0.02,
                                                    content_type, location))


def assert_failed(verdict: Verdict, *parts: str) -> None:
    assert not verdict.ok and not verdict.skip, verdict.message
    for part in parts:
        assert part in verdict.message, verdict.message


# MON-EXPORTER-UP

def test_a_good_answer_passes() -> None:
    verdict = exporter_reachable(scraped(nvidia_body()))
    assert verdict.ok and not verdict.skip
    assert verdict.message == f"found HTTP 200, 7 samples (nvidia_gpu_exporter format) in 0.02 s at {URL}"


@pytest.mark.parametrize(("facts", "found"), [
    (scraped(status=None, error="connection refused"), f"found connection refused at {URL}"),
    (scraped(status=None, error="no answer within 5 s"), f"found no answer within 5 s at {URL}"),
    (scraped("404 page not found\n", 404, reason="Not Found"), f"found HTTP 404 Not Found at {URL}"),
    (scraped(status=302, reason="Found", location="http://127.0.10.5:9835/login"),
     f"found HTTP 302 Found, a redirect to http://127.0.10.5:9835/login (not followed) at {URL}"),
    (scraped("x 1\n", error="body larger than 4 MiB (cut off there)"),
     "found HTTP 200 but body larger than 4 MiB (cut off there)"),
])
def test_no_answer_says_what_came_instead(facts: ExporterFacts, found: str) -> None:
    verdict = exporter_reachable(facts)
    assert_failed(verdict, f"[{MON_EXPORTER_UP.id}] {found}",
                  "expected HTTP 200 with Prometheus text metrics within 5 s", MON_EXPORTER_UP.remediation)


def test_a_malformed_body_quotes_the_offending_line() -> None:
    body = nvidia_body()
    cut = body[:body.index('nvidia_smi_memory_used_bytes{uuid="868d') + 40]
    verdict = exporter_reachable(scraped(cut))
    assert_failed(verdict, 'found a body that is not Prometheus text: line 3 "nvidia_smi_memory_used_bytes{uuid=',
                  "could not convert string to float", BODY_FIX)


@pytest.mark.parametrize(("page", "content_type", "found", "fix"), [
    ('<html lang="en">\n<head><title>Nvidia GPU Exporter</title></head>\n', "text/html; charset=utf-8",
     "found an HTML page titled 'Nvidia GPU Exporter' (HTTP 200, text/html; charset=utf-8), not Prometheus text",
     "that is the exporter's own page, not its metrics: end --exporter-url with /metrics"),
    ("<!DOCTYPE html>\n<html><head>\n<title>\n  Sign in - Corporate Proxy\n</title>", "text/html",
     "found an HTML page titled 'Sign in - Corporate Proxy' (HTTP 200, text/html), not Prometheus text",
     "something other than a GPU exporter answered (a proxy, a login page or another service on that port): point "
     "--exporter-url at the exporter itself, nvidia_gpu_exporter :9835/metrics or dcgm-exporter :9400/metrics"),
    ("<html><body>It works!</body></html>\n", "",
     "found an HTML page (HTTP 200, no Content-Type), not Prometheus text", "something other than a GPU exporter"),
])
def test_an_html_page_says_who_answered_instead(page: str, content_type: str, found: str, fix: str) -> None:
    verdict = exporter_reachable(scraped(page, content_type=content_type))
    assert_failed(verdict, f"[{MON_EXPORTER_UP.id}] {found} at {URL}", f"; fix: {fix}")
    assert "read the exporter's log" not in verdict.message


@pytest.mark.parametrize(("body", "found"), [
    ("", "found an empty body (HTTP 200, 0 bytes)"),
    ("# HELP x nothing\n", "found a body without samples (HTTP 200, 17 bytes of comments)"),
])
def test_an_empty_body_fails(body: str, found: str) -> None:
    assert_failed(exporter_reachable(scraped(body)), found, EMPTY_FIX)


def test_no_exporter_pod_on_the_node_fails() -> None:
    facts = exporter_facts(Target(NODE, None, "pods with label selector app=dcgm in all namespaces",
                                  missing=f"no pod matching app=dcgm on node {NODE}"), 5.0, None)
    assert_failed(exporter_reachable(facts), f"found no pod matching app=dcgm on node {NODE} at pods with label")


def test_no_address_is_could_not_inspect() -> None:
    facts = exporter_facts(Target(NODE, None, f"node {NODE} status.addresses",
                                  unavailable="the node has no InternalIP address"), 5.0, None)
    with pytest.raises(FactsUnavailable, match=r"\[MON-EXPORTER-UP\] could not inspect the exporter of node "
                                               r"k8s-node05: the node has no InternalIP address"):
        exporter_reachable(facts)


# MON-EXPORTER-GPUS

def test_every_gpu_the_probe_lists_passes() -> None:
    verdict = exporter_reports_every_gpu(gpu_node(), scraped(nvidia_body()), outcome(probe()))
    assert verdict.ok and not verdict.skip
    assert verdict.message == (f"found 2 GPUs in nvidia_smi_gpu_info{{uuid}}, matching 2 GPUs listed by "
                               f"{NVML_GPUS} at {URL}")


def test_dcgm_uuids_match_the_probe_too() -> None:
    verdict = exporter_reports_every_gpu(gpu_node(), scraped(dcgm_body(), url=DCGM_URL), outcome(probe()))
    assert verdict.ok and not verdict.skip, verdict.message
    assert "DCGM_FI_DEV_GPU_TEMP{UUID}" in verdict.message


def test_nvidia_smi_failing_behind_a_live_exporter() -> None:
    verdict = exporter_reports_every_gpu(gpu_node(), scraped(SMI_FAILING), outcome(probe()))
    assert_failed(verdict, f"[{MON_EXPORTER_GPUS.id}] found no GPU series: nvidia-smi fails behind the exporter "
                           "(nvidia_smi_command_exit_code 9, nvidia_smi_failed_scrapes_total 3) at",
                  f"expected one series per GPU, 2 GPUs listed by {NVML_GPUS}")


def test_a_missing_gpu_is_named() -> None:
    verdict = exporter_reports_every_gpu(gpu_node(), scraped(nvidia_body(UUIDS[:1])), outcome(probe()))
    assert_failed(verdict, "found 1 GPU in nvidia_smi_gpu_info{uuid} (868d62cf-5637-84e5-a646-965aaaae698d); "
                           f"missing {UUIDS[1]} at {URL}", "expected one series per GPU, 2 GPUs listed by")


def test_another_nodes_gpus_fail_even_when_the_count_matches() -> None:
    other = ("GPU-aaaaaaaa-5637-84e5-a646-965aaaae698d", UUIDS[1])
    verdict = exporter_reports_every_gpu(gpu_node(), scraped(nvidia_body(other)), outcome(probe()))
    assert_failed(verdict, f"missing {UUIDS[0]}", "not the node's: aaaaaaaa-5637-84e5-a646-965aaaae698d")


def test_without_a_probe_the_advertised_gpus_count() -> None:
    verdict = exporter_reports_every_gpu(gpu_node(), scraped(nvidia_body()), None)
    assert verdict.ok and not verdict.skip, verdict.message
    assert f"2 GPUs advertised in node {NODE} status.allocatable nvidia.com/gpu (not probed: this run probes " \
           "no node" in verdict.message
    failed = exporter_reports_every_gpu(gpu_node(gpus=3), scraped(nvidia_body()), failed_outcome())
    assert_failed(failed, "found 2 GPUs in nvidia_smi_gpu_info{uuid}",
                  "expected one series per GPU, 3 GPUs advertised in", "(not probed: the probe failed: probe image")


def test_a_probe_without_gpus_falls_back_too() -> None:
    node_probe = probe(gpus=missing(NVML_GPUS, "NVML: Driver Not Loaded"))
    verdict = exporter_reports_every_gpu(gpu_node(), scraped(nvidia_body()), outcome(node_probe))
    assert verdict.ok and "(not probed: the probe listed no GPUs: NVML: Driver Not Loaded)" in verdict.message


def test_shared_gpus_count_by_the_gfd_label() -> None:
    shared = gpu_node(gpus=8, labels={"nvidia.com/gpu.replicas": "4", "nvidia.com/gpu.count": "2"})
    verdict = exporter_reports_every_gpu(shared, scraped(nvidia_body()), None)
    assert verdict.ok and not verdict.skip, verdict.message
    assert "2 GPUs per nvidia.com/gpu.count=2 on node k8s-node05 metadata.labels" in verdict.message


def test_an_unknown_gpu_count_skips() -> None:
    verdict = exporter_reports_every_gpu(gpu_node(gpus=0), scraped(nvidia_body()), None)
    assert verdict.skip
    assert "reports 2 GPUs" in verdict.message and "advertises no unshared nvidia.com/gpu" in verdict.message


def test_another_exporter_is_not_a_gpu_exporter() -> None:
    body = "# TYPE node_load1 gauge\nnode_load1 0.21\n"
    verdict = exporter_reports_every_gpu(gpu_node(), scraped(body), outcome(probe()))
    assert_failed(verdict, "found no nvidia_gpu_exporter (nvidia_smi_*) or dcgm-exporter (DCGM_FI_*) metrics: "
                           "1 samples named node_load1", OTHER_EXPORTER_FIX)


def test_no_answer_skips_the_gpu_and_driver_checks() -> None:
    refused = scraped(status=None, error="connection refused")
    for verdict in (exporter_reports_every_gpu(gpu_node(), refused, outcome(probe())),
                    exporter_driver_matches(gpu_node(), refused, outcome(probe()))):
        assert verdict.skip and "see MON-EXPORTER-UP" in verdict.message


# MON-EXPORTER-DRIVER

def test_the_nodes_driver_passes() -> None:
    verdict = exporter_driver_matches(gpu_node(), scraped(nvidia_body()), outcome(probe()))
    assert verdict.ok and not verdict.skip
    assert verdict.message == (f"found driver_version {DRIVER} in nvidia_smi_gpu_info{{driver_version}}, the "
                               f"node's {DRIVER} per {NVML_DRIVER} at {URL}")


def test_another_driver_fails() -> None:
    verdict = exporter_driver_matches(gpu_node(), scraped(dcgm_body(driver="470.82.01"), url=DCGM_URL),
                                      outcome(probe()))
    assert_failed(verdict, f"[{MON_EXPORTER_DRIVER.id}] found driver_version 470.82.01 in "
                           f"DCGM_FI_DEV_GPU_TEMP{{DCGM_FI_DRIVER_VERSION}} at {DCGM_URL}",
                  f"expected {DRIVER} ({NVML_DRIVER})")


def test_without_a_probe_the_gfd_label_is_the_nodes_driver() -> None:
    labelled = gpu_node(labels={"nvidia.com/cuda.driver-version.full": "550.127.05"})
    verdict = exporter_driver_matches(labelled, scraped(nvidia_body()), None)
    assert_failed(verdict, "expected 550.127.05 (GPU Feature Discovery label nvidia.com/cuda.driver-version.full")
    assert exporter_driver_matches(gpu_node(), scraped(nvidia_body()), None).skip


def test_no_driver_version_reported_skips() -> None:
    verdict = exporter_driver_matches(gpu_node(), scraped(SMI_FAILING), outcome(probe()))
    assert verdict.skip and "reports no driver version" in verdict.message
