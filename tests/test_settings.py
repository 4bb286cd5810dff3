"""Options come from the command line, then GPU_CONFORMANCE_* variables, then the profile file, then defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpu_conformance.errors import UsageError
from gpu_conformance.secret import reveal
from gpu_conformance.settings import OPTIONS, resolve


def test_precedence_and_sources(tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text("pod-timeout: 90\nsuite-namespace: from-file\nmin_driver: '470.0'\n")
    environ = {"GPU_CONFORMANCE_POD_TIMEOUT": "60", "GPU_CONFORMANCE_SUITE_NAMESPACE": "env-ns"}
    settings = resolve({"timeout": "30"}, environ, profile)
    assert (settings.timeout, settings.namespace, settings.min_driver) == (30.0, "env-ns", "470.0")
    assert settings.sources["pod-timeout"] == "command line"
    assert settings.sources["suite-namespace"] == "environment $GPU_CONFORMANCE_SUITE_NAMESPACE"
    assert settings.sources["min-driver"] == f"profile {profile}"
    assert "runtime-policy" not in settings.sources and settings.runtime_policy == "auto"


def test_former_names_still_apply_and_name_the_new_ones(tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text("timeout: 90\n")
    assert resolve({}, {}, profile).timeout == 90.0
    assert resolve({}, {}, profile).notices == (f"{profile}: timeout is deprecated: use pod-timeout",)
    settings = resolve({}, {"GPU_CONFORMANCE_TIMEOUT": "60"}, profile)
    assert settings.timeout == 60.0
    assert settings.notices == ("$GPU_CONFORMANCE_TIMEOUT is deprecated: use $GPU_CONFORMANCE_POD_TIMEOUT",)
    assert resolve({}, {"GPU_CONFORMANCE_POD_TIMEOUT": "30", "GPU_CONFORMANCE_TIMEOUT": "60"}).timeout == 30.0


def test_lists_and_flags_from_the_environment() -> None:
    settings = resolve({}, {"GPU_CONFORMANCE_GPU_NODE": "a, b", "GPU_CONFORMANCE_KEEP_RESOURCES": "yes",
                            "GPU_CONFORMANCE_EXPECTED_GPUS": "a=8"})
    assert settings.node == ("a", "b") and settings.keep_resources is True
    assert settings.expected_gpu_count("a") == 8 and settings.expected_gpu_count("b") is None


def test_in_cluster_is_automatic_inside_a_pod() -> None:
    assert resolve({}, {"KUBERNETES_SERVICE_HOST": "10.96.0.1"}).in_cluster is True
    assert resolve({"kubeconfig": "k"}, {"KUBERNETES_SERVICE_HOST": "10.96.0.1"}).in_cluster is False


@pytest.mark.parametrize(("cli", "environ", "message"), [
    ({"runtime_policy": "cdi"}, {},
     "command line: runtime-policy: expected 'auto' or 'default' or 'runtimeclass', got 'cdi'"),
    ({}, {"GPU_CONFORMANCE_POD_TIMEOUT": "-1"},
     "environment $GPU_CONFORMANCE_POD_TIMEOUT: pod-timeout: expected a positive number of seconds, got '-1'"),
    ({"expected_gpus": ["node-a"]}, {}, "command line: expected-gpus: expected NODE=COUNT entries, got ['node-a']"),
])
def test_bad_values_are_one_line(cli: dict[str, object], environ: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError) as err:
        resolve(cli, environ)
    assert str(err.value) == message


def test_bad_profiles(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(UsageError, match="cannot read"):
        resolve({}, {}, missing)
    broken = tmp_path / "broken.yaml"
    broken.write_text("timeout: [\n")
    with pytest.raises(UsageError, match=r"broken\.yaml:2: not valid YAML"):
        resolve({}, {}, broken)


@pytest.mark.parametrize("namespace", ["GPU-Conformance", "gpu_conformance", "-gpu", "gpu-", "a" * 64, ""])
def test_a_namespace_that_kubernetes_would_refuse_is_refused_before_any_test(namespace: str) -> None:
    environ = {"GPU_CONFORMANCE_SUITE_NAMESPACE": namespace} if namespace else {}
    if not namespace:  # not given: the default, a valid name
        assert resolve({}, environ).namespace == "gpu-conformance"
        return
    with pytest.raises(UsageError, match=r"^environment \$GPU_CONFORMANCE_SUITE_NAMESPACE: suite-namespace: "
                                         r"expected a lowercase RFC 1123 label"):
        resolve({}, environ)


def test_an_exporter_url_naming_no_node_is_refused_unless_one_node_is_checked() -> None:
    url = "http://10.0.0.7:9835/metrics"
    with pytest.raises(UsageError, match=r"^command line: exporter-url: 'http://10.0.0.7:9835/metrics' names "
                                         r"neither \{ip\} nor \{node\}, so every GPU node would be scraped"):
        resolve({"exporter_url": url}, {})
    assert resolve({"exporter_url": url, "node": ("gpu-1",)}, {}).exporter_url == url
    assert resolve({"exporter_url": "http://{node}.gpu.internal:9835/metrics"}, {}).exporter_url.startswith("http")


@pytest.mark.parametrize(("cli", "bad", "expected"), [
    ({"tolerate": ("::bad::",)}, "'::bad::'", "KEY[=VALUE][:EFFECT]"),
    ({"tolerate": ("nvidia.com/gpu:NoSchedule", "dedicated=gpu:Bogus")}, "'dedicated=gpu:Bogus'", "EFFECT one of"),
    ({"node": ("Bad_Node",)}, "'Bad_Node'", "a lowercase RFC 1123 subdomain"),
    ({"gpu_node_selector": "gpu node"}, "'gpu node'", "a label selector"),
    ({"plugin_selector": "app in (a,b"}, "'app in (a,b'", "a label selector"),
    ({"vectoradd_image": "NVCR.io/Cuda Sample"}, "'NVCR.io/Cuda Sample'", "an image reference"),
    ({"min_driver": "v535"}, "'v535'", "a version of dot-separated numbers"),
    ({"prometheus_url": "prometheus:9090"}, "'prometheus:9090'", "an http:// or https:// URL"),
    ({"pushgateway": "ftp://ci:hunter2-hunter2@127.0.0.1:9091"}, "'ftp://[REDACTED]@127.0.0.1:9091'",
     "an http:// or https:// URL"),
    ({"rules": ("/nonexistent/gpu-rules.yaml",)}, "'/nonexistent/gpu-rules.yaml'",
     "a file that exists and can be read (No such file or directory)"),
    ({"prometheus_url": "ci:hunter2-hunter2@127.0.0.1:9090"}, "'[REDACTED]@127.0.0.1:9090'", "an http:// or https://"),
])
def test_a_malformed_option_is_one_line_naming_it_and_what_was_expected(
        cli: dict[str, object], bad: str, expected: str) -> None:
    with pytest.raises(UsageError) as raised:
        resolve(cli, {})
    message = str(raised.value)
    option = next(o.name for o in OPTIONS if o.attr in cli)
    assert message.startswith(f"command line: {option}: expected ") and message.endswith(f", got {bad}")
    assert expected in message and "\n" not in message and "hunter2" not in message


def test_well_formed_options_are_kept_as_given() -> None:
    given = {"tolerate": ("nvidia.com/gpu", "dedicated=gpu:NoSchedule", "maintenance:NoExecute"),
             "node": ("gpu-1.example",), "gpu_node_selector": "gpu-node=true,tier in (a, b),!cordoned",
             "vectoradd_image": "127.0.0.1:5000/mirror/cuda-sample:vectoradd-cuda12.5.0", "min_driver": "535.104.05",
             "exporter_url": "https://{node}.gpu.internal:9835/metrics", "pushgateway": "http://127.0.0.1:9091"}
    settings = resolve(given, {})
    assert {key: getattr(settings, key) for key in given} == given


def test_a_url_password_is_sent_as_given_and_never_shown() -> None:
    settings = resolve({"pushgateway": "http://ci:hunter2-hunter2@127.0.0.1:9091"}, {})
    assert reveal(settings.pushgateway) == "http://ci:hunter2-hunter2@127.0.0.1:9091"
    for shown in (repr(settings), str(settings.pushgateway), f"{settings.pushgateway}", str(settings.effective())):
        assert "hunter2" not in shown and "http://ci:[REDACTED]@127.0.0.1:9091" in shown
