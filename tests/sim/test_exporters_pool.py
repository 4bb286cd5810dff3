"""The exporter pool as a server: scale, lifecycle, and HTTP/1.1 behaviour on the wire.

Addresses are in 127.78.0.0/16, away from the other exporter tests.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import time
import zlib
from collections.abc import Iterator

import pytest
import requests
from gpusim.exporters import ExporterPool
from gpusim.model import ExporterHealth, ExporterSetup, Gpu, HostState, NodeSpec

TIMEOUT = 5.0
PORT = 9835


def node(name: str, ip: str, health: ExporterHealth = "healthy", gpus: int = 2) -> NodeSpec:
    return NodeSpec(
        name=name, internal_ip=ip, host=HostState(driver_version="550.54.15"),
        gpus=tuple(Gpu(i, f"GPU-{zlib.crc32(name.encode()):08x}-0000-4000-8000-0000000000{i:02x}", "Tesla T4",
                       15360, f"00000000:{i + 1:02X}:00.0") for i in range(gpus)),
        exporter=ExporterSetup(port=PORT, health=health))


def can_bind(ip: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((ip, port))
        except OSError:
            return False
        return True


def closed_by_peer(sock: socket.socket) -> bool:
    """EOF or a reset (a connection still in the listen backlog when the listener closed is reset)."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


@pytest.fixture(scope="module")
def small_pool() -> Iterator[ExporterPool]:
    with ExporterPool([node("web", "127.78.1.1"), node("stuck", "127.78.1.2", "hanging")]) as pool:
        yield pool


def test_a_thousand_exporters_start_and_stop_quickly() -> None:
    nodes = [node(f"n{i}", f"127.78.{10 + i // 250}.{i % 250 + 1}", gpus=1) for i in range(1000)]
    pool = ExporterPool(nodes)
    began = time.monotonic()
    pool.start()
    started_in = time.monotonic() - began
    try:
        for i in (0, 499, 999):
            response = requests.get(f"http://{nodes[i].internal_ip}:{PORT}/metrics", timeout=TIMEOUT)
            assert response.status_code == 200 and "nvidia_smi_gpu_info{" in response.text
    finally:
        began = time.monotonic()
        pool.stop()
        stopped_in = time.monotonic() - began
    assert started_in < 3.0, started_in
    assert stopped_in < 1.0, stopped_in
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://{nodes[999].internal_ip}:{PORT}/metrics", timeout=TIMEOUT)


async def _scrape_raw(ip: str) -> bytes:
    reader, writer = await asyncio.open_connection(ip, PORT)
    writer.write(f"GET /metrics HTTP/1.1\r\nHost: {ip}:{PORT}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    return data


async def _hold_open(ip: str) -> asyncio.StreamWriter:
    _, writer = await asyncio.open_connection(ip, PORT)
    writer.write(f"GET /metrics HTTP/1.1\r\nHost: {ip}\r\n\r\n".encode())
    return writer


def test_five_hundred_concurrent_scrapes_while_a_hanging_exporter_holds_connections() -> None:
    nodes = [node(f"c{i}", f"127.78.20.{i + 1}") for i in range(20)]
    nodes.append(node("hang", "127.78.20.200", "hanging"))

    async def scrape_all() -> list[bytes]:
        held = [await _hold_open("127.78.20.200") for _ in range(50)]
        try:
            return await asyncio.gather(*(_scrape_raw(nodes[i % 20].internal_ip) for i in range(500)))
        finally:
            for writer in held:
                writer.close()

    with ExporterPool(nodes):
        responses = asyncio.run(asyncio.wait_for(scrape_all(), timeout=30))
    assert len(responses) == 500
    for raw in responses:
        assert raw.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"nvidia_smi_gpu_info{" in raw


def test_stop_closes_open_and_hanging_connections_and_releases_the_ports() -> None:
    pool = ExporterPool([node("web", "127.78.30.1"), node("stuck", "127.78.30.2", "hanging")])
    pool.start()
    session = requests.Session()
    assert session.get(f"http://127.78.30.1:{PORT}/metrics", timeout=TIMEOUT).status_code == 200  # kept alive
    stuck = socket.create_connection(("127.78.30.2", PORT), timeout=TIMEOUT)
    stuck.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    began = time.monotonic()
    pool.stop()
    assert time.monotonic() - began < 1.0
    assert closed_by_peer(stuck)  # by the pool, not left hanging
    stuck.close()
    session.close()
    pool.stop()  # idempotent
    assert can_bind("127.78.30.1", PORT) and can_bind("127.78.30.2", PORT)
    with ExporterPool([node("web", "127.78.30.1")]):
        assert requests.get(f"http://127.78.30.1:{PORT}/", timeout=TIMEOUT).status_code == 200


def test_a_busy_address_fails_start_naming_it_and_releases_the_others() -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.78.40.2", PORT))
        squatter.listen()
        pool = ExporterPool([node("first", "127.78.40.1"), node("second", "127.78.40.2")])
        with pytest.raises(OSError, match=r"127\.78\.40\.2:9835"):
            pool.start()
    assert can_bind("127.78.40.1", PORT)


def test_non_loopback_addresses_are_refused() -> None:
    with pytest.raises(ValueError, match="not loopback"):
        ExporterPool([node("outside", "10.0.0.1")])


def test_keep_alive_by_default_and_connection_close_honoured(small_pool: ExporterPool) -> None:
    conn = http.client.HTTPConnection("127.78.1.1", PORT, timeout=TIMEOUT)
    try:
        conn.request("GET", "/metrics")
        first = conn.getresponse()
        assert first.status == 200 and first.read()
        sock = conn.sock
        conn.request("GET", "/metrics")
        second = conn.getresponse()
        assert second.status == 200 and second.read()
        assert conn.sock is sock  # the same TCP connection served both
        conn.request("GET", "/metrics", headers={"Connection": "close"})
        last = conn.getresponse()
        assert last.getheader("Connection") == "close"
        last.read()
        assert conn.sock is None
    finally:
        conn.close()


def test_head_answers_headers_only(small_pool: ExporterPool) -> None:
    conn = http.client.HTTPConnection("127.78.1.1", PORT, timeout=TIMEOUT)
    try:
        conn.request("GET", "/")
        page = conn.getresponse().read()
        conn.request("HEAD", "/")
        head = conn.getresponse()
        assert head.status == 200
        assert head.getheader("Content-Length") == str(len(page))
        assert head.read() == b""
        conn.request("GET", "/")  # the connection is still in step after the HEAD
        assert conn.getresponse().read() == page
    finally:
        conn.close()


@pytest.mark.parametrize(("request_bytes", "status_line"), [
    (b"NONSENSE\r\n\r\n", b"HTTP/1.1 400 Bad Request\r\n"),
    (b"GET /metrics HTTP/1.1\r\n\r\n", b"HTTP/1.1 400 Bad Request: missing required Host header\r\n"),
    (b"GET /metrics HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", b"HTTP/1.1 400 Bad Request\r\n"),
])
def test_bad_requests_get_go_style_400_and_close(small_pool: ExporterPool, request_bytes: bytes,
                                                 status_line: bytes) -> None:
    with socket.create_connection(("127.78.1.1", PORT), timeout=TIMEOUT) as sock:
        sock.sendall(request_bytes)
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
    assert received.startswith(status_line)
    assert b"\r\nConnection: close\r\n" in received


def test_http_1_0_closes_after_the_response(small_pool: ExporterPool) -> None:
    with socket.create_connection(("127.78.1.1", PORT), timeout=TIMEOUT) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"<h1>Nvidia GPU Exporter</h1>" in body
