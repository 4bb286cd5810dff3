"""A registered ``python -m MODULE`` image's container forked from the cluster's zygote (images/prefork.py,
images/zygote.py) is, to the program and to the kubelet, the fresh process it stands for: its output, exit
status, environment, argv, session, signals; and in a cluster, the NVML of its own node.

The program is a small package written to a temporary folder put on PYTHONPATH (the zygote imports it from
there as ``python -m`` would).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gpusim.cluster import SimCluster
from gpusim.controllers.containers import ContainerProcess, kill_container, start_process
from gpusim.images import Process, register_image
from gpusim.images.prefork import PreforkedProcess, Zygotes
from gpusim.logs import LogStore
from gpusim.scenario import load
from gpusim.testing import TEST_ADDRESS_BLOCK
from kubernetes import client, config

from tests.sim.nvml_program import NVML_UUIDS

pytestmark = pytest.mark.e2e

PROGRAM = "prefork_program"
MAIN = NVML_UUIDS + '''
import json, os, signal, subprocess, sys, time

mode = sys.argv[1]
if mode == "show":
    print(json.dumps({"argv": sys.argv, "env": dict(os.environ), "cwd": os.getcwd(), "stdin": sys.stdin.read(),
                      "session_leader": os.getsid(0) == os.getpid(), "name": __name__, "parent": os.getppid()}))
elif mode == "exit":
    print("leaving with", sys.argv[2])
    sys.exit(int(sys.argv[2]))
elif mode == "raise":
    raise RuntimeError("boom")
elif mode == "hold":  # as `sees --hold`: wait for the kubelet's SIGTERM, end by its own handler
    def stop(signum, frame):
        print("stopping on signal", signum, flush=True)
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    print("holding", flush=True)
    time.sleep(60)
elif mode == "spawn":  # a child in a process group of its own: only the session's kill reaches it
    child = subprocess.Popen(["sleep", "60"], process_group=0)
    print(child.pid, flush=True)
    time.sleep(60)
elif mode == "nvml":
    uuids = nvml_uuids()
    print(json.dumps({"nvml": "Library Not Found" if uuids is None else uuids, "parent": os.getppid()}))
'''


@pytest.fixture(scope="module")
def program_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The program's folder, on this process's PYTHONPATH (which containers get) while the module runs."""
    folder = tmp_path_factory.mktemp("prefork")
    (folder / PROGRAM).mkdir()
    (folder / PROGRAM / "__init__.py").write_text("")
    (folder / PROGRAM / "__main__.py").write_text(MAIN)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH")) if p))
        yield os.environ["PYTHONPATH"]


@pytest.fixture(scope="module")
def zygotes() -> Iterator[Zygotes]:
    pool = Zygotes()
    yield pool
    pool.stop()


class Run:
    """A container started through start_process, its log and its exit status."""

    def __init__(self, zygotes: Zygotes | None, program_path: str, *args: str,
                 env: dict[str, str] | None = None) -> None:
        self.logs = LogStore()
        self.logs.start("ns", "pod", "c")
        self._ended = threading.Event()
        self.code: int | None = None
        env = {"PATH": os.environ["PATH"], "PYTHONPATH": program_path, **(env or {})}
        process = Process(argv=(sys.executable, "-m", PROGRAM, *args), env=env, zygotes=zygotes)
        self.process: ContainerProcess = start_process(process, self.logs, ("ns", "pod", "c"), self._exit)

    def _exit(self, code: int) -> None:
        self.code = code
        self._ended.set()

    def lines(self) -> list[str]:
        return self.logs.read("ns", "pod", "c") or []

    def wait_for_line(self, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while not self.lines():
            assert time.monotonic() < deadline, "the program printed nothing"
            time.sleep(0.02)
        return self.lines()[0]

    def finish(self, timeout: float = 20) -> int:
        assert self._ended.wait(timeout), "the container did not end"
        assert self.code is not None
        return self.code


def test_the_program_gets_its_argv_env_cwd_session_and_an_empty_stdin(zygotes: Zygotes, program_path: str) -> None:
    run = Run(zygotes, program_path, "show", "--flag", "value", env={"ONLY_HERE": "yes"})
    assert isinstance(run.process, PreforkedProcess)
    assert run.finish() == 0
    seen = json.loads("".join(run.lines()))
    assert seen["argv"][1:] == ["show", "--flag", "value"]
    assert seen["argv"][0].endswith(f"{PROGRAM}/__main__.py")
    assert seen["env"] == {"PATH": os.environ["PATH"], "PYTHONPATH": program_path, "ONLY_HERE": "yes"}
    assert seen["cwd"] == os.getcwd()
    assert seen["stdin"] == ""
    assert seen["session_leader"] is True
    assert seen["name"] == "__main__"
    assert seen["parent"] != os.getpid()  # forked by the zygote, not started by this process


@pytest.mark.parametrize("code", [0, 2])
def test_the_exit_status_is_the_programs(zygotes: Zygotes, program_path: str, code: int) -> None:
    run = Run(zygotes, program_path, "exit", str(code))
    assert run.finish() == code
    assert run.lines() == [f"leaving with {code}\n"]


def test_an_uncaught_exception_prints_its_traceback_and_exits_1(zygotes: Zygotes, program_path: str) -> None:
    run = Run(zygotes, program_path, "raise")
    assert run.finish() == 1
    assert run.lines()[0] == "Traceback (most recent call last):\n"
    assert run.lines()[-1] == "RuntimeError: boom\n"


def test_killing_the_session_ends_pid_1_and_what_it_started(zygotes: Zygotes, program_path: str) -> None:
    run = Run(zygotes, program_path, "spawn")
    grandchild = int(run.wait_for_line())
    kill_container(run.process)
    assert run.finish() == -signal.SIGKILL
    deadline = time.monotonic() + 5
    while Path(f"/proc/{grandchild}").exists() and _state(grandchild) != "Z":
        assert time.monotonic() < deadline, "the container's grandchild survived its session's kill"
        time.sleep(0.02)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def test_sigterm_ends_a_holding_program_by_its_own_handler(zygotes: Zygotes, program_path: str) -> None:
    run = Run(zygotes, program_path, "hold")
    assert run.wait_for_line() == "holding\n"
    os.kill(run.process.pid, signal.SIGTERM)
    assert run.finish() == 0
    assert run.lines() == ["holding\n", f"stopping on signal {int(signal.SIGTERM)}\n"]


def test_a_shim_on_pythonpath_or_another_argv_runs_as_a_fresh_process(zygotes: Zygotes, program_path: str,
                                                                      tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text("")
    shimmed = Run(zygotes, os.pathsep.join((str(tmp_path), program_path)), "exit", "0")
    assert not isinstance(shimmed.process, PreforkedProcess)
    assert shimmed.finish() == 0
    no_zygote = Run(None, program_path, "exit", "0")
    assert not isinstance(no_zygote.process, PreforkedProcess)
    assert no_zygote.finish() == 0


# -- in a cluster: each container's NVML is its own node's ----------------------------------------------------

IMAGE = "example.com/prefork-nvml:1.0"
register_image("prefork-nvml", "python", [sys.executable, "-m", PROGRAM],
               env={"NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"})


@pytest.fixture(scope="module")
def seed(program_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    sim = SimCluster(load("seed"), tmp_path_factory.mktemp("seed") / "kubeconfig", time_scale=0.2,
                     address_block=TEST_ADDRESS_BLOCK).start()
    yield sim
    sim.stop()


def _nvml_seen(api: client.CoreV1Api, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while (phase := api.read_namespaced_pod(name, "default").status.phase) not in ("Succeeded", "Failed"):
        assert time.monotonic() < deadline, f"pod {name} still {phase}"
        time.sleep(0.05)
    assert phase == "Succeeded"
    seen: dict[str, Any] = json.loads(api.read_namespaced_pod_log(name, "default"))
    return seen


def test_forked_containers_on_two_nodes_read_their_own_nodes_gpus(seed: SimCluster) -> None:
    api = client.CoreV1Api(config.new_client_from_config(str(seed.kubeconfig), persist_config=False))
    pods = {"nvml-5": ("k8s-node05", "all"), "nvml-6": ("k8s-node06", "all"), "nvml-void": ("k8s-node05", "void")}
    for name, (node, visible) in pods.items():
        container = {"name": "nvml", "image": IMAGE, "args": ["nvml"],
                     "env": [{"name": "NVIDIA_VISIBLE_DEVICES", "value": visible}]}
        api.create_namespaced_pod("default", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                                              "spec": {"restartPolicy": "Never", "nodeName": node,
                                                       "automountServiceAccountToken": False,  # no shim
                                                       "containers": [container]}})
    seen = {name: _nvml_seen(api, name) for name in pods}
    assert seen["nvml-5"]["nvml"] == [gpu.uuid for gpu in seed.scenario.node("k8s-node05").gpus]
    assert seen["nvml-6"]["nvml"] == [gpu.uuid for gpu in seed.scenario.node("k8s-node06").gpus]
    assert seen["nvml-void"]["nvml"] == "Library Not Found"
    assert all(s["parent"] != os.getpid() for s in seen.values())  # forked by the zygote
