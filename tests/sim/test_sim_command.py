"""`gpusim serve` and `gpusim run` as a user runs them: one line when up, one line and exit 2 on bad input."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from gpusim.testing import kubectl_binary

pytestmark = pytest.mark.e2e

SIM = [sys.executable, "-m", "gpusim", "serve"]


def run_sim(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SIM, *args], capture_output=True, text=True, timeout=timeout, check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serves_until_signalled_then_releases_port_and_files(tmp_path: Path, stop_signal: signal.Signals) -> None:
    kubeconfig, port = tmp_path / "seed.kubeconfig", free_port()
    proc = subprocess.Popen([*SIM, "--scenario", "seed", "--kubeconfig", str(kubeconfig), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == (f'simulated cluster "seed" (3 nodes, 2 with GPUs) at https://127.0.0.1:{port}; '
                        f"kubeconfig: {kubeconfig}\n")
        nodes = subprocess.run([kubectl_binary(), "--kubeconfig", str(kubeconfig), "get", "nodes", "-o", "name"],
                               capture_output=True, text=True, timeout=20, check=True)
        assert nodes.stdout.split() == ["node/k8s-master01", "node/k8s-node05", "node/k8s-node06"]
        proc.send_signal(stop_signal)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
    assert not kubeconfig.exists()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # released


def test_unknown_scenario_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_sim("--scenario", "no-such-scenario", "--kubeconfig", str(tmp_path / "k"))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "no-such-scenario" in lines[0] and "seed" in lines[0]
    assert result.stdout == ""


def test_bad_scenario_file_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nnodes:\n  - name: a\n    gpus:\n      count: two\n")
    result = run_sim("--scenario", str(bad), "--kubeconfig", str(tmp_path / "k"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f'gpusim serve: {bad}:5: nodes[0].gpus.count: expected a positive integer, got "two"']


def test_busy_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_sim("--port", str(port), "--kubeconfig", str(tmp_path / "k"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"gpusim serve: API server cannot listen on 127.0.0.1:{port}: Address already in use"]
    assert not (tmp_path / "k").exists()


def test_refuses_a_non_loopback_address(tmp_path: Path) -> None:
    result = run_sim("--host", "0.0.0.0", "--kubeconfig", str(tmp_path / "k"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "gpusim serve: --host 0.0.0.0 is not a loopback address (127.0.0.0/8)"]


def test_run_hands_the_command_the_kubeconfig_and_returns_its_status() -> None:
    listed = subprocess.run([sys.executable, "-m", "gpusim", "run", "--scenario", "seed", "--",
                             kubectl_binary(), "--kubeconfig", "{kubeconfig}", "get", "nodes", "-o", "name"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split()[-3:] == ["node/k8s-master01", "node/k8s-node05", "node/k8s-node06"]
    failing = subprocess.run([sys.executable, "-m", "gpusim", "run", "--", sys.executable, "-c",
                              "import os, sys; sys.exit(7 if os.path.exists(os.environ['KUBECONFIG']) else 1)"],
                             capture_output=True, text=True, timeout=60, check=False)
    assert failing.returncode == 7


@pytest.mark.parametrize(("args", "error"), [
    (["run"], "gpusim run: name the command to run after --"),
    (["run", "--image", "gpu-conformance=no-such-program-here", "--", "true"],
     "gpusim run: --image gpu-conformance=no-such-program-here: expected NAME=COMMAND with COMMAND on PATH"),
])
def test_run_bad_input_is_one_line_and_exit_2(args: list[str], error: str) -> None:
    result = subprocess.run([sys.executable, "-m", "gpusim", *args], capture_output=True, text=True, timeout=30,
                            check=False)
    assert (result.returncode, result.stderr.splitlines()) == (2, [error])
