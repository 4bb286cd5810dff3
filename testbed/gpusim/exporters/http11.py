"""A small HTTP/1.1 server on asyncio streams that frames responses as Go's net/http does.

One coroutine per connection, no thread: keep-alive by default on HTTP/1.1, ``Connection: close``
honoured, HTTP/1.0 closes unless it asks for keep-alive, HEAD answered without a body, request
bodies drained, malformed requests answered with Go's literal ``400 Bad Request`` and closed.
Bodies up to 2048 bytes carry Content-Length; larger ones are chunked, as Go's response buffer does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus

# StreamReader limit: longer request heads get 431, as with Go's DefaultMaxHeaderBytes plus its slack.
MAX_HEADER_BYTES = (1 << 20) + 4096
_GO_BUFFER_BEFORE_CHUNKING = 2048
_ERROR_HEADERS = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    version: str
    headers: dict[str, str]  # names lower-cased; repeated headers joined with ", "

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=())


Handler = Callable[[Request], Response]


class BadRequest(Exception):
    """The request cannot be parsed; ``public`` is the status text Go writes back."""

    def __init__(self, public: str = "400 Bad Request") -> None:
        super().__init__(public)
        self.public = public


async def _read_head(reader: asyncio.StreamReader) -> bytes | None:
    """The request line and headers, or None when the client closed an idle connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise BadRequest() from exc
        return None
    except asyncio.LimitOverrunError as exc:
        raise BadRequest("431 Request Header Fields Too Large") from exc
    return head


def _parse_head(head: bytes) -> Request:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise BadRequest()
    method, target, version = parts
    if version not in ("HTTP/1.0", "HTTP/1.1"):
        raise BadRequest()
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest()
        key = name.lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    if version == "HTTP/1.1" and "host" not in headers:
        raise BadRequest("400 Bad Request: missing required Host header")
    return Request(method, target, version, headers)


async def _drain_body(reader: asyncio.StreamReader, request: Request) -> None:
    encoding = request.header("transfer-encoding").lower()
    if encoding == "chunked":
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"x", 16)
            await reader.readexactly(size + 2)
            if size == 0:
                return
    elif encoding:
        raise BadRequest()
    length = request.header("content-length")
    if length:
        if not length.isdigit():
            raise BadRequest()
        await reader.readexactly(int(length))


def _keep_alive(request: Request) -> bool:
    tokens = {t.strip().lower() for t in request.header("connection").split(",")}
    if request.version == "HTTP/1.0":
        return "keep-alive" in tokens
    return "close" not in tokens


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _frame(request: Request, response: Response, keep_alive: bool) -> bytes:
    reason = _reason(response.status)
    head = [f"HTTP/1.1 {response.status} {reason}"]
    head.extend(f"{name}: {value}" for name, value in sorted(response.headers))
    head.append(f"Date: {formatdate(usegmt=True)}")
    body = response.body
    chunked = len(body) > _GO_BUFFER_BEFORE_CHUNKING and request.version == "HTTP/1.1"
    if request.method == "HEAD":
        if len(body) <= _GO_BUFFER_BEFORE_CHUNKING:
            head.append(f"Content-Length: {len(body)}")
        payload = b""
    elif chunked:
        head.append("Transfer-Encoding: chunked")
        payload = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    else:
        head.append(f"Content-Length: {len(body)}")
        payload = body
    if not keep_alive:
        head.append("Connection: close")
    elif request.version == "HTTP/1.0":
        head.append("Connection: keep-alive")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload


async def serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                           handler: Handler) -> None:
    """Answer requests on one connection until either side closes it."""
    try:
        while True:
            try:
                head = await _read_head(reader)
                if head is None:
                    return
                request = _parse_head(head)
                await _drain_body(reader, request)
            except (BadRequest, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                public = exc.public if isinstance(exc, BadRequest) else "400 Bad Request"
                writer.write(f"HTTP/1.1 {public}{_ERROR_HEADERS}{public}".encode())
                await writer.drain()
                return
            keep_alive = _keep_alive(request)
            writer.write(_frame(request, handler(request), keep_alive))
            await writer.drain()
            if not keep_alive:
                return
    except ConnectionError:
        pass
    finally:
        writer.close()
