"""The HTML report's plumbing: finding or installing Allure 3, its configuration, and one-line errors.

npm and Node are the real ones; an offline registry is a closed loopback port. The report itself, rendered
from a real suite run and read in a browser, is tested in test_report_browser.py.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from gpu_conformance.cli import main
from gpu_conformance.errors import UsageError
from gpu_conformance.reporting.allure_cli import ALLURE_VERSION, ENV, cache_dir, find_allure
from gpu_conformance.reporting.allure_meta import environment_properties
from gpu_conformance.reporting.html_report import HISTORY_LIMIT, allure_config, default_name, render_report

pytestmark = pytest.mark.e2e


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Allure cache and no preinstalled Allure named."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(ENV, raising=False)
    return tmp_path / "cache"


def results_dir(folder: Path) -> Path:
    """A results directory holding one passed result, as allure-pytest writes it."""
    folder.mkdir()
    result = {"uuid": "0", "historyId": "h", "name": "PRE-DRIVER NVIDIA driver — k8s-node05", "status": "passed",
              "start": 0, "stop": 1}
    (folder / "0-result.json").write_text(json.dumps(result))
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def allure_package() -> Path:
    """Where the Allure 3 the report uses is installed (its cli.js): its own packages resolve from there."""
    return Path(find_allure()).resolve().parent


def test_missing_or_empty_results_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--results", str(tmp_path / "nope"), "--output", str(tmp_path / "html")]) == 2
    assert capsys.readouterr().err == (f"gpu-conformance report: results {tmp_path / 'nope'}: no such directory "
                                       f"(run the suite with --alluredir {tmp_path / 'nope'})\n")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no Allure results in it"):
        render_report(tmp_path / "empty", tmp_path / "html", None)


@pytest.mark.usefixtures("own_cache")
def test_a_named_allure_must_exist_and_be_allure_3(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    results = results_dir(tmp_path / "results")
    assert main(["report", "--results", str(results), "--allure", str(tmp_path / "allure")]) == 2
    said = capsys.readouterr().err
    assert said == f"gpu-conformance report: --allure {tmp_path / 'allure'}: no such executable file\n"
    monkeypatch.setenv(ENV, sys.executable)  # a real program, but not Allure: its --version says "Python 3.x"
    with pytest.raises(UsageError, match=rf"^{ENV} .*: not Allure 3 \(`.* --version` said: Python 3\."):
        render_report(results, tmp_path / "html", None)


def test_a_named_allure_3_is_used_as_is(allure_package: Path) -> None:
    assert find_allure(str(allure_package / "cli.js")) == str(allure_package / "cli.js")


def test_offline_install_fails_in_one_line_and_leaves_no_cache(own_cache: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("npm_config_registry", f"http://127.0.0.1:{free_port()}/")  # nothing listens there
    monkeypatch.setenv("npm_config_cache", str(own_cache / "npm"))  # not the user's npm cache, which may hold it
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    with pytest.raises(UsageError) as failed:
        find_allure()
    message = str(failed.value)
    assert message.startswith(f"npm install allure@{ALLURE_VERSION} failed: ")
    assert "ECONNREFUSED" in message and "--allure PATH" in message and "npm config set registry" in message
    assert "\n" not in message
    assert sorted(p.name for p in cache_dir().parent.iterdir()) == []  # neither the entry nor its staging copy


def test_a_cached_install_is_reused_without_node_or_npm(own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = cache_dir() / "node_modules" / ".bin" / "allure"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    monkeypatch.setenv("PATH", str(own_cache))  # no node, no npm: an install would fail
    assert find_allure() == str(binary)


@pytest.mark.usefixtures("own_cache")
def test_node_must_be_there_and_recent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    monkeypatch.setenv("PATH", str(tools))
    with pytest.raises(UsageError, match=r"^node not found: the HTML report needs Node.js >= 20 with npm"):
        find_allure()
    for name, output in (("node", "v18.19.0"), ("npm", "9.2.0")):  # an old Node, as Debian 12 ships it
        (tools / name).write_text(f"#!/bin/sh\necho {output}\n")
        (tools / name).chmod(0o755)
    with pytest.raises(UsageError, match=r"node is Node.js v18.19.0: Allure 3 needs Node.js >= 20; upgrade it or"):
        find_allure()


def test_config_is_a_single_file_report_with_history_and_categories(tmp_path: Path) -> None:
    config = allure_config(Path("out"), Path("h/history.jsonl"), "GPU conformance: prod")
    assert config["output"] == str(Path("out").resolve())
    assert config["plugins"]["awesome"]["options"]["singleFile"] is True
    assert (config["historyPath"], config["historyLimit"]) == (str(Path("h/history.jsonl").resolve()), HISTORY_LIMIT)
    assert "historyPath" not in allure_config(Path("out"), None, "x")
    names = [c["name"] for c in config["categories"]]
    assert names[-2:] == ["Not conformant", "Could not inspect"]  # the first matching category wins


@pytest.mark.parametrize(("status", "message", "category"), [
    ("failed", 'Failed: [PRE-RUNTIME-DEFAULT] found default runtime "runc"', "Not conformant"),
    ("broken", "could not inspect: probe pod never started", "Could not inspect"),
    ("failed", "[WORKLOAD-VECTORADD] pod waiting: ImagePullBackOff\nBack-off pulling", "Image could not be pulled"),
    ("broken", "[MON-EXPORTER-UP] scrape failed\nno answer within 10s", "Timed out"),
    ("broken", "could not inspect: the API server answered 500 to GET /api/v1/pods 7 times over 61 s (retried for "
               "up to --pod-timeout 60 s)", "API trouble"),
    ("broken", "could not inspect: the API call GET /api/v1/nodes failed: 500 Internal Server Error: Internal error "
               "occurred: etcdserver: request timed out", "API trouble"),
    ("broken", "consequence of PRE-RUNTIME-DEFAULT: Failed: [PLUGIN-POD-READY] found pod ... not Ready; timed out",
     "Consequence of another failure"),
])
def test_allure_sorts_results_into_the_categories(status: str, message: str, category: str, tmp_path: Path,
                                                  allure_package: Path) -> None:
    """Allure's own matcher, fed this config: a rule that Allure cannot read or never matches fails here."""
    script = ('import { normalizeCategoriesConfig, matchCategory } from "@allurereport/core-api";'
              'const [rules, data] = JSON.parse(process.argv[1]);'
              'const found = matchCategory(normalizeCategoriesConfig(rules), {labels: [], flaky: false, ...data});'
              'console.log(found?.name);')
    data = [allure_config(tmp_path, None, "x")["categories"], {"status": status, "message": message}]
    done = subprocess.run([shutil.which("node") or "node", "--input-type=module", "-e", script, json.dumps(data)],
                          cwd=allure_package, capture_output=True, text=True, timeout=60, check=False)
    assert (done.stdout.strip(), done.returncode) == (category, 0), done.stderr


def test_the_default_name_is_the_runs_kubeconfig_context(tmp_path: Path) -> None:
    assert default_name(tmp_path) == "GPU conformance"
    (tmp_path / "environment.properties").write_text(environment_properties(
        {"API server": "https://127.0.0.1:6443", "Kubeconfig context": "prod-gpu=east", "GPU nodes": "2"}))
    assert default_name(tmp_path) == "GPU conformance: prod-gpu=east"
    (tmp_path / "environment.properties").write_text(environment_properties({"Kubeconfig context": "(current)"}))
    assert default_name(tmp_path) == "GPU conformance"


def test_the_report_carries_no_analytics(tmp_path: Path) -> None:
    """Allure 3 writes Google Analytics into every awesome report; ours opens without reaching outside its file."""
    index = render_report(results_dir(tmp_path / "results"), tmp_path / "html", None)
    html = index.read_text(encoding="utf-8")
    assert "googletagmanager" not in html and "gtag(" not in html and "dataLayer" not in html
    assert "window.allureReportData" in html and html.rstrip().endswith("</html>")  # the rest of it is there
