"""The session around the checks: reach the cluster once before any test, clean up after, even on Ctrl-C.

A run that creates anything first makes its heartbeat (a Lease, kept fresh by a thread) and from then on
removes what dead runs left; the terminal summary says what it removed.

Bad input (no cluster, bad kubeconfig, unknown --gpu-node, unreadable profile) stops the run before it
starts with one line and pytest's usage-error exit status, never a traceback or one failure per test.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from kubernetes.client.exceptions import ApiException

from gpu_conformance.checks import NODE_READY, by_id
from gpu_conformance.errors import UsageError
from gpu_conformance.facts.gpu_request_choice import choose_gpu_request
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.kube.cleanup import cleanup
from gpu_conformance.kube.client import Connection, connect
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.dra import dra_signals
from gpu_conformance.kube.errors import api_message, permissions_as_facts
from gpu_conformance.kube.heartbeat import Heartbeat
from gpu_conformance.kube.namespace import ensure_namespace
from gpu_conformance.kube.run import RunContext
from gpu_conformance.kube.signals import interrupts_unwind

from .discovered import CONNECTION, GPU_NODES, GPU_REQUEST, discovered_nodes
from .options import settings_from
from .read_options import EVERY_GPU_NODE, skipped_everywhere
from .selection import item_node
from .whole_check_deselection import deselected_everywhere

RUN = pytest.StashKey[RunContext]()
HEARTBEAT = pytest.StashKey[Heartbeat]()
UNWIND = pytest.StashKey[contextlib.ExitStack]()
NO_GPU_NODE = "no GPU node in the cluster, so no per-node check ran (see CAPACITY-GPU-NODES)"


NOT_DISTRIBUTED = ("pytest-xdist's -n/--dist: the suite gathers every fact once per session, concurrently already, "
                   "and creates one probe pod and one vectoradd Job per GPU node; each worker would do it again. "
                   "Run it without -n")


def pytest_configure(config: pytest.Config) -> None:
    """Refuse pytest-xdist distribution before any worker starts: one session must own the cluster's facts."""
    if config.pluginmanager.hasplugin("xdist") and config.getoption("dist", "no") != "no":
        raise pytest.UsageError(NOT_DISTRIBUTED)


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    settings = settings_from(config)
    if settings.local and len(settings.node) != 1:
        raise pytest.UsageError("--local-probe probes this machine: name the node it is with exactly one "
                                "--gpu-node NAME")
    try:
        connection = connect(settings)
        config.stash[CONNECTION] = connection
        dra = dra_signals(connection)
        nodes = gpu_nodes(connection, settings, dra)
        config.stash[GPU_NODES] = nodes
        config.stash[GPU_REQUEST] = choose_gpu_request(settings.gpu_request, dra, nodes)
    except UsageError as err:
        raise pytest.UsageError(str(err)) from None
    except ApiException as err:  # e.g. listing nodes: one line, "missing permission: ..." for an RBAC refusal
        raise pytest.UsageError(f"listing the nodes: {api_message(err)}") from None
    stack = contextlib.ExitStack()
    stack.enter_context(interrupts_unwind())  # SIGTERM unwinds like Ctrl-C, so cleanup below runs
    config.stash[UNWIND] = stack


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Runs on success, failure and interruption alike: remove what this run created."""
    config = session.config
    connection = config.stash.get(CONNECTION, None)
    if connection is None:
        return
    heartbeat = config.stash.get(HEARTBEAT, None)
    if heartbeat is not None:
        heartbeat.stop()
    run = config.stash.get(RUN, None)
    if run is not None:
        for problem in cleanup(connection, settings_from(config), run):
            print(f"gpu-conformance: cleanup: {problem}")
    connection.close()
    config.stash[UNWIND].close()


def start_run(config: pytest.Config, connection: Connection) -> RunContext:
    """This run's id, its namespace and its heartbeat, before it creates anything; dead runs' objects go from now.

    Without its Lease a run creates nothing: a run beside it would take its objects for a dead run's.
    """
    settings = settings_from(config)
    run = RunContext()
    config.stash[RUN] = run
    with permissions_as_facts():
        ensure_namespace(connection, settings.namespace, run)
        heartbeat = Heartbeat(connection, settings.namespace, run, sweep=not settings.keep_resources)
        config.stash[HEARTBEAT] = heartbeat  # stopped at the session's end, even should starting it fail half-way
        heartbeat.start()
    return run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """What this run removed of dead runs, and its heartbeat's problems: always shown, not only under -rA."""
    heartbeat = config.stash.get(HEARTBEAT, None)
    if heartbeat is None:
        return
    for line in heartbeat.removed + heartbeat.problems:
        terminalreporter.write_line(f"gpu-conformance: {line}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test item per GPU node, its id the node's name; one item only for a check deselected on every node (the
    first node's) or skipped on every node for want of its option (read_options.py); without GPU nodes one item
    skipped saying so."""
    if "gpu_node" in metafunc.fixturenames:
        nodes = discovered_nodes(metafunc.config)
        if not nodes:
            none = pytest.param(None, marks=pytest.mark.skip(reason=NO_GPU_NODE), id="no-gpu-node")
            metafunc.parametrize("gpu_node", [none], scope="session")
            return
        if deselected_everywhere(metafunc, nodes):
            nodes = nodes[:1]
        elif skipped_everywhere(metafunc):
            metafunc.parametrize("gpu_node", [pytest.param(None, id=EVERY_GPU_NODE)], scope="session")
            return
        metafunc.parametrize("gpu_node", nodes, ids=[n.name for n in nodes], scope="session")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A check that needs pods on a node that is not Ready is blocked by NODE-READY at once: no fixture of it is
    set up, so nothing waits for a pod that cannot start there."""
    node = item_node(item)
    mark = item.get_closest_marker("check")
    if node is None or node.ready or mark is None or mark.args[0] == NODE_READY.id:
        return
    if NODE_READY.id in by_id(mark.args[0]).depends_on:
        raise FactsUnavailable(f"[{mark.args[0]}] {node.readiness.not_ready(node.name)}: blocked by {NODE_READY.id}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """'Could not inspect' reads as one line, not a traceback: the facts were missing, not the node wrong."""
    outcome = yield
    if call.excinfo is not None and call.excinfo.errisinstance(FactsUnavailable):
        report = outcome.get_result()  # type: ignore[attr-defined]
        report.longrepr = f"could not inspect: {call.excinfo.value}"
