"""Every GPU node's metric exporter, each on its node's own loopback address, served by one thread.

One background thread runs one asyncio loop holding all listeners; each connection is a coroutine,
so a thousand exporters and hundreds of concurrent scrapes cost no threads, and an exporter that
hangs holds only its own connections.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import os
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType

from gpusim.exporters.answer import answering
from gpusim.exporters.dcgm_exporter import DcgmExporter
from gpusim.exporters.http11 import MAX_HEADER_BYTES, serve_connection
from gpusim.exporters.nvidia_gpu_exporter import NvidiaGpuExporter
from gpusim.model import NodeSpec

_BACKLOG = 1024
_START_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 5.0

ConnectionHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept and never answer: read and discard until the client or the pool closes the connection."""
    while await reader.read(65536):
        pass
    writer.close()


def _connection_handler(node: NodeSpec, started_at: float) -> ConnectionHandler:
    if node.exporter.health == "hanging":
        return _hang
    app = DcgmExporter(node, started_at) if node.exporter.kind == "dcgm-exporter" \
        else NvidiaGpuExporter(node, started_at)
    handle = answering(node.exporter.answer, app.handle) if node.exporter.answer is not None else app.handle

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_connection(reader, writer, handle)

    return serve


class _TrackedStreamProtocol(asyncio.StreamReaderProtocol):
    """asyncio's stream protocol, keeping its transport in ``open_transports`` while it is connected."""

    def __init__(self, handler: ConnectionHandler, open_transports: set[asyncio.BaseTransport]) -> None:
        super().__init__(asyncio.StreamReader(limit=MAX_HEADER_BYTES), handler)
        self._open_transports = open_transports
        self._own_transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._own_transport = transport
        self._open_transports.add(transport)
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._own_transport is not None:
            self._open_transports.discard(self._own_transport)
        super().connection_lost(exc)


class ExporterPool:
    """The exporters of the nodes that have GPUs and an exporter (``exporter.kind != "none"``)."""

    def __init__(self, nodes: Sequence[NodeSpec]) -> None:
        self._nodes = tuple(n for n in nodes if n.has_gpus and n.exporter.kind != "none")
        for node in self._nodes:
            if not ipaddress.ip_address(node.internal_ip).is_loopback:
                raise ValueError(f"node {node.name}: exporter address {node.internal_ip} is not loopback")
        self._addresses = {n.name: (n.internal_ip, n.exporter.port) for n in self._nodes}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.Server] = []
        self._open_transports: set[asyncio.BaseTransport] = set()

    def address(self, node_name: str) -> tuple[str, int] | None:
        """Where the node's exporter is (or, when it is down, would be) reachable; None without one."""
        return self._addresses.get(node_name)

    def start(self) -> None:
        """Bind every exporter; raises OSError naming the address when one is taken."""
        if self._loop is not None:
            raise RuntimeError("exporter pool already started")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="sim-gpu-exporters", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            asyncio.run_coroutine_threadsafe(self._listen_all(), loop).result(_START_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Close every listener and connection, hanging ones included; safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close_all(), loop).result(_STOP_TIMEOUT_S)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(_STOP_TIMEOUT_S)
            loop.close()
            self._loop = self._thread = None

    def __enter__(self) -> ExporterPool:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    async def _listen_all(self) -> None:
        loop = asyncio.get_running_loop()
        started_at = time.time()
        for node in self._nodes:
            if node.exporter.health == "down":
                continue
            ip, port = self._addresses[node.name]
            protocol = functools.partial(_TrackedStreamProtocol, _connection_handler(node, started_at),
                                         self._open_transports)
            try:
                server = await loop.create_server(protocol, host=ip, port=port, backlog=_BACKLOG)
            except OSError as exc:
                reason = os.strerror(exc.errno) if exc.errno else str(exc)
                raise OSError(exc.errno, f"exporter of node {node.name} cannot listen on {ip}:{port}: "
                                         f"{reason}") from exc
            self._servers.append(server)

    async def _close_all(self) -> None:
        loop = asyncio.get_running_loop()
        # Stop accepting first and let accepts already taken set up their transports: a transport
        # created after its Server closed fails an assertion inside asyncio and leaks its socket.
        for server in self._servers:
            for sock in server.sockets:
                loop.remove_reader(sock.fileno())
        for _ in range(2):
            await asyncio.sleep(0)
        for server in self._servers:
            server.close()
        await asyncio.gather(*(server.wait_closed() for server in self._servers))
        self._servers.clear()
        # Drop every connection: its handler then reads EOF and ends. An accept under way registers
        # its transport only on a later loop turn, hence the rounds until no task is left.
        deadline = loop.time() + _STOP_TIMEOUT_S / 2
        while loop.time() < deadline:
            await asyncio.sleep(0)
            for transport in list(self._open_transports):
                assert isinstance(transport, asyncio.Transport)
                transport.abort()
            pending = asyncio.all_tasks() - {asyncio.current_task()}
            if not pending and not self._open_transports:
                return
            if pending:
                await asyncio.wait(pending, timeout=deadline - loop.time())
