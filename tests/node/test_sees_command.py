"""``gpu-conformance sees`` through the real CLI, in its own process as in a pod: NVML is the test bed's stand-in,
found by soname through LD_LIBRARY_PATH (as a runtime-injected driver is), or not found at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gpusim.hostroot import render_host_root
from gpusim.nvml import build_library
from gpusim.nvml.install import library_dir
from gpusim.scenario import load

from gpu_conformance.commands.sees import _Hold
from gpu_conformance.facts.container_view import ContainerView

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NVIDIA_VISIBLE_DEVICES", "LD_LIBRARY_PATH")}
    return {**env, **extra}


def _sees(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gpu_conformance", "sees", *args], capture_output=True, text=True,
                          timeout=30, check=False, cwd=REPO, env=_env(**env))


def test_no_nvml_and_no_device_files_is_seeing_nothing(tmp_path: Path) -> None:
    (tmp_path / "dev").mkdir()
    done = _sees("--dev", str(tmp_path / "dev"))
    assert done.returncode == 0, done.stderr
    view = ContainerView.from_json(done.stdout)
    assert (view.device_files, view.gpus, view.visible_devices) == ((), (), None)
    assert view.nvml_error is not None and "Library Not Found" in view.nvml_error


def test_the_injected_nvml_and_device_files_are_listed(tmp_path: Path) -> None:
    if build_library() is None:
        pytest.skip("no C compiler: the test bed has no stand-in NVML here")
    spec = load("seed").node("k8s-node05")
    root = tmp_path / "root"
    render_host_root(spec, root)
    dev = tmp_path / "dev"
    dev.mkdir()
    for name in ("nvidia1", "nvidia0", "nvidiactl"):
        (dev / name).touch()
    done = _sees("--dev", str(dev), LD_LIBRARY_PATH=str(root / library_dir(spec).lstrip("/")),
                 NVIDIA_VISIBLE_DEVICES="all")
    assert done.returncode == 0, done.stderr
    view = ContainerView.from_json(done.stdout)
    assert view.device_files == (f"{dev}/nvidia0", f"{dev}/nvidia1")
    assert [(g.index, g.uuid, g.name) for g in view.gpus] == [(g.index, g.uuid, g.name) for g in spec.gpus]
    assert (view.nvml_error, view.visible_devices) == (None, "all")


def test_hold_prints_first_and_ends_at_once_on_sigterm(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-m", "gpu_conformance", "sees", "--dev", str(tmp_path), "--hold",
                               "60"], stdout=subprocess.PIPE, text=True, cwd=REPO, env=_env())
    try:
        assert holder.stdout is not None
        line = holder.stdout.readline()  # printed and flushed before the hold
        assert ContainerView.from_json(line).dev_dir == str(tmp_path)
        started = time.monotonic()
        holder.send_signal(signal.SIGTERM)
        assert holder.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()


def test_hold_ends_by_itself(tmp_path: Path) -> None:
    done = _sees("--dev", str(tmp_path), "--hold", "0.2")
    assert done.returncode == 0 and ContainerView.from_json(done.stdout).device_files == ()


def test_a_negative_hold_is_bad_usage(tmp_path: Path) -> None:
    done = _sees("--dev", str(tmp_path), "--hold", "-1")
    assert done.returncode == 2 and "--hold -1: must be 0 or more seconds" in done.stderr


def test_the_view_is_also_left_as_the_termination_message(tmp_path: Path) -> None:
    (tmp_path / "dev").mkdir()
    message = tmp_path / "termination-log"
    done = _sees("--dev", str(tmp_path / "dev"), "--termination-log", str(message))
    assert done.returncode == 0, done.stderr
    assert ContainerView.from_json(message.read_text()) == ContainerView.from_json(done.stdout)


def test_a_termination_log_that_cannot_be_written_costs_only_a_line_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "dev").mkdir()
    done = _sees("--dev", str(tmp_path / "dev"), "--termination-log", str(tmp_path / "missing" / "log"))
    assert done.returncode == 0 and ContainerView.from_json(done.stdout).gpus == ()
    assert "cannot write the termination message to" in done.stderr


def test_a_deletion_before_the_view_is_written_waits_for_it_then_ends_the_hold() -> None:
    hold = _Hold()
    hold.release(signal.SIGTERM, None)  # deleted while looking: nothing raised, the look goes on
    started = time.monotonic()
    hold.keep(30)
    assert hold.written and time.monotonic() - started < 1


def test_a_deletion_while_holding_ends_the_hold_at_once() -> None:
    hold = _Hold()
    signal.signal(signal.SIGALRM, hold.release)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    started = time.monotonic()
    try:
        hold.keep(30)
    finally:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    assert time.monotonic() - started < 5
