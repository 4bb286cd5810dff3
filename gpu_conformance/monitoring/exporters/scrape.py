"""Scraping many exporters at once, each bounded in time and size, as Prometheus does.

Every scrape has a connect timeout and an overall deadline of ``timeout`` seconds (Prometheus'
scrape_timeout): a hanging exporter costs one worker for at most the timeout, a trickling one at
most one more socket read past it. Bodies are read as a stream and cut at ``max_bytes`` after
decompression (a gzip bomb stays small). Redirects are never followed, proxies from the environment
never used: the scrape goes exactly where the URL says, as Prometheus' would.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import requests
from urllib3.exceptions import HTTPError, ReadTimeoutError

from gpu_conformance.durations import seconds

MAX_BODY_BYTES = 4 * 1024 * 1024
# Threads, not connections, bound how many hanging exporters are waited for at once: with this many,
# up to MAX_WORKERS hanging exporters cost one timeout together, not one each.
MAX_WORKERS = 256
_CHUNK_BYTES = 64 * 1024
# What Prometheus asks for: its classic text format (the parser here reads that, not OpenMetrics).
ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1"

K = TypeVar("K")
T = TypeVar("T")


@dataclass(frozen=True)
class ScrapeResult:
    """What one GET gave: the answer (perhaps partial), or why there was none."""

    url: str
    status: int | None  # None: no HTTP answer (see error)
    reason: str  # the HTTP reason phrase, e.g. "Not Found"
    body: bytes  # decompressed; at most max_bytes
    error: str | None  # no complete answer, one line: "connection refused", "no answer within 5 s", ...
    elapsed_s: float
    content_type: str = ""
    location: str | None = None  # a redirect's Location (not followed)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps: requests and urllib3 nest the socket error in args, reason and causes."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(e for e in (*current.args, getattr(current, "reason", None), current.__cause__,
                                 current.__context__) if isinstance(e, BaseException))


def connection_error(exc: requests.ConnectionError) -> str:
    cause = next((c for c in _causes(exc) if isinstance(c, OSError) and c.errno is not None), None)
    if cause is None:
        return f"cannot connect: {exc}"
    if cause.errno == errno.ECONNREFUSED:
        return "connection refused"
    return f"cannot connect: {cause.strerror or cause}"


def _stream_error(exc: Exception, timeout: float) -> str:
    """Why the body stopped: the read timeout, a reset connection, a broken chunk or gzip stream."""
    if any(isinstance(c, (ReadTimeoutError, TimeoutError)) for c in _causes(exc)):
        return f"body not complete: nothing more within {seconds(timeout)}"
    return f"body not complete: {exc}"


def _read_body(response: requests.Response, deadline: float, max_bytes: int,
               timeout: float) -> tuple[bytes, str | None]:
    """The body, or as much as came before the deadline or the size cap, and why it stopped early.

    ``read1`` returns whatever one socket read gave (decompressed), so the deadline is checked after
    every read; ``iter_content`` would wait until a whole chunk arrived, however slowly it trickles.
    """
    chunks: list[bytes] = []
    size = 0
    while chunk := response.raw.read1(_CHUNK_BYTES, decode_content=True):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            kept = b"".join(chunks)[:max_bytes]
            return kept, f"body larger than {max_bytes / 1048576:g} MiB (cut off there)"
        if time.monotonic() > deadline:
            return b"".join(chunks), f"body not complete within {seconds(timeout)} ({size} bytes read)"
    return b"".join(chunks), None


def scrape(url: str, timeout: float, max_bytes: int = MAX_BODY_BYTES) -> ScrapeResult:
    """GET ``url`` once: never raises, every failure is the result's ``error``."""
    started = time.monotonic()
    deadline = started + timeout

    def result(status: int | None = None, error: str | None = None, body: bytes = b"",
               response: requests.Response | None = None) -> ScrapeResult:
        headers = response.headers if response is not None else {}
        location = headers.get("Location") if status is not None and 300 <= status < 400 else None
        return ScrapeResult(url, status, response.reason if response is not None else "", body, error,
                            time.monotonic() - started, headers.get("Content-Type", ""), location)

    with requests.Session() as session:
        session.trust_env = False  # no proxy, netrc or CA bundle from the environment
        try:
            response = session.get(url, timeout=(timeout, timeout), stream=True, allow_redirects=False,
                                   headers={"Accept": ACCEPT})
        except requests.ConnectTimeout:
            return result(error=f"no connection within {seconds(timeout)}")
        except requests.ReadTimeout:
            return result(error=f"no answer within {seconds(timeout)}")
        except requests.ConnectionError as exc:
            return result(error=connection_error(exc))
        except requests.RequestException as exc:  # an invalid URL, an unsupported scheme
            return result(error=f"cannot request it: {exc}")
        with response:
            try:
                body, cut = _read_body(response, deadline, max_bytes, timeout)
            except (HTTPError, OSError) as exc:
                return result(response.status_code, _stream_error(exc, timeout), b"", response)
            return result(response.status_code, cut, body, response)


def submit_each(urls: Mapping[K, str], timeout: float, digest: Callable[[K, ScrapeResult], T],
                max_bytes: int = MAX_BODY_BYTES, max_workers: int = MAX_WORKERS) -> dict[K, Future[T]]:
    """Every URL's scrape started at once, each result handed to ``digest`` as soon as it came, in the worker: only
    what ``digest`` keeps stays, not 1000 bodies at once (90 KB each from a node of 8 GPUs). A key's future is done
    once its URL answered or timed out, so a caller waits for the one it needs, not for the slowest."""
    if not urls:
        return {}
    pool = ThreadPoolExecutor(max_workers=min(max_workers, len(urls)), thread_name_prefix="exporter-scrape")
    futures = {key: pool.submit(lambda k, u: digest(k, scrape(u, timeout, max_bytes)), key, url)
               for key, url in urls.items()}
    pool.shutdown(wait=False)  # its threads end with the last scrape
    return futures


def scrape_each(urls: Mapping[K, str], timeout: float, digest: Callable[[K, ScrapeResult], T],
                max_bytes: int = MAX_BODY_BYTES, max_workers: int = MAX_WORKERS) -> dict[K, T]:
    """Every URL scraped concurrently (``submit_each``), all results waited for."""
    futures = submit_each(urls, timeout, digest, max_bytes, max_workers)
    return {key: future.result() for key, future in futures.items()}
