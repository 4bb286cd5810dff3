"""The HTTP/1.1 layer: keep-alive request handling, chunked streams, TLS, and prompt shutdown."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..errors import ApiError
from .auth import TokenAuthenticator
from .context import ApiContext
from .faults import FaultInjector
from .impersonation import impersonate
from .messages import Reply, Request, StreamReply
from .router import Router


def warning_header(text: str) -> str:
    """RFC 7234 warn-code 299 with the agent "-", as the apiserver's warning recorder writes it."""
    return '299 - "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class SimHttpServer(ThreadingHTTPServer):
    """A threading server that remembers its open connections so that stopping can cut them all."""

    daemon_threads = True
    allow_reuse_address = False
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        router: Router,
        auth: TokenAuthenticator,
        faults: FaultInjector,
        ctx: ApiContext,
        tls: ssl.SSLContext | None,
    ) -> None:
        self.router, self.auth, self.faults, self.ctx = router, auth, faults, ctx
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, ApiRequestHandler)
        if tls is not None:
            # The handshake then happens in the connection's own thread, not in the accept loop.
            self.socket = tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that vanish mid-request (TLS failures, resets) are routine here, not worth a traceback."""


class ApiRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SimHttpServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            return self.rfile.read(length)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return b""

    def _handle(self) -> None:
        server = self.server
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = Request(
            self.command,
            url.path,
            dict(parse_qsl(url.query, keep_blank_values=True)),
            headers,
            self._read_body(),
        )
        try:
            server.faults.before_request()
            user = impersonate(server.auth.user_for(req.header("authorization")), req.header("impersonate-user"),
                               self.headers.get_all("Impersonate-Group") or [], req.header("impersonate-uid"),
                               server.ctx.authorize)
            req = Request(req.method, req.path, req.query, req.headers, req.body, user)
            server.ctx.count_request(user.name, req.method, req.path, req.flag("watch"))
            reply = server.router.dispatch(req)
        except ApiError as err:
            reply = Reply(err.code, err.status())
            if err.code == 429 and err.details:
                reply.headers["Retry-After"] = str(err.details["retryAfterSeconds"])
        if isinstance(reply, StreamReply):
            self._stream(reply)
        else:
            self._send(reply)

    def _send(self, reply: Reply) -> None:
        payload = reply.payload()
        self.send_response(reply.code)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        for warning in reply.warnings:
            self.send_header("Warning", warning_header(warning))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _stream(self, reply: StreamReply) -> None:
        self.send_response(reply.code)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        try:
            for chunk in reply.chunks():
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            if reply.abort:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            self.close_connection = True
