"""Pushing a run's metrics to a Prometheus Pushgateway: one group per cluster, replaced by every run.

The push is an HTTP PUT to ``URL/metrics/job/gpu-conformance/cluster/<cluster>``: PUT replaces every
metric of the group, so a node that left the cluster (or a check that no longer applies) stops being
reported instead of lingering with its last value. The grouping key is the cluster alone, so runs of one
cluster replace each other and runs of different clusters sharing a Pushgateway do not. A URL whose path
already holds ``/metrics/job/...`` is taken as the full group URL, for a grouping of one's own.

Credentials come from the URL's userinfo (``https://user:password@host:9091``) and are sent as basic
auth; every message shows the URL as ``https://[REDACTED]@host:9091/...``. TLS is verified (a private CA: set
REQUESTS_CA_BUNDLE, as for any requests client).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

import requests

from gpu_conformance.durations import seconds

from ..errors import UsageError
from ..kube.errors import one_line
from ..monitoring.exporters.scrape import connection_error
from ..secret import REDACTED, Secret
from .metrics import PublishError

JOB = "gpu-conformance"
GROUPING_LABEL = "cluster"
TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Everything up to the last "@": a password with an unescaped "/" or "@" is hidden too (better too much).
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)?.*@", re.DOTALL)
_PLAIN_VALUE = re.compile(r"^(?!\.\.?$)[A-Za-z0-9._~-]+$")  # need no encoding in a URL path ("." and ".." do)


def redact(url: str) -> str:
    """``url`` with its userinfo (user and password) replaced by [REDACTED]; anything else unchanged."""
    return _USERINFO.sub(lambda m: f"{m[1] or ''}{REDACTED}@", url, count=1)


def group_path(label: str, value: str) -> str:
    """One grouping label as a path segment; values with other characters (``/`` of EKS context names) as
    base64url, the Pushgateway's ``label@base64/`` form (``=`` for the empty value)."""
    if _PLAIN_VALUE.match(value):
        return f"{label}/{value}"
    return f"{label}@base64/{base64.urlsafe_b64encode(value.encode()).decode() or '='}"


def _port_ok(url: str) -> bool:
    try:
        return urlsplit(url).port != 0
    except ValueError:  # not a number, or out of range
        return False


def _no_answer(exc: requests.RequestException) -> str:
    """Why no HTTP answer came, in one line."""
    if isinstance(exc, requests.ConnectTimeout):
        return f"no connection within {seconds(TIMEOUT[0])}"
    if isinstance(exc, requests.ReadTimeout):
        return f"no answer within {seconds(TIMEOUT[1])}"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"{one_line(connection_error(exc))} (a private CA: set REQUESTS_CA_BUNDLE to its certificate file)"
    if isinstance(exc, requests.ConnectionError):
        return one_line(connection_error(exc))
    return one_line(str(exc))


@dataclass(frozen=True)
class Pushgateway:
    url: str  # as given, credentials left out
    auth: tuple[str, str] | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, setting: str) -> Pushgateway:
        """--pushgateway checked before the run; UsageError (one line, credentials redacted) if unusable."""
        parts = urlsplit(setting)
        problem = None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problem = "expected an http:// or https:// URL, e.g. http://pushgateway:9091"
        elif parts.query or parts.fragment:
            problem = "expected no ?query or #fragment"
        elif not _port_ok(setting):
            problem = "the port is not a number from 1 to 65535"
        if problem:
            raise UsageError(f"--pushgateway {redact(setting)}: {problem}")
        auth = (unquote(parts.username or ""), Secret(unquote(parts.password or ""))) if "@" in parts.netloc else None
        netloc = parts.netloc.rpartition("@")[2]
        return cls(urlunsplit((parts.scheme, netloc, parts.path, "", "")), auth)

    @property
    def shown(self) -> str:
        """The URL as messages show it: ``[REDACTED]@`` where credentials are sent."""
        if self.auth is None:
            return self.url
        scheme, _, rest = self.url.partition("://")
        return f"{scheme}://{REDACTED}@{rest}"

    def group_url(self, cluster: str) -> str:
        path = self.url.rstrip("/")
        if "/metrics/job/" in urlsplit(path).path + "/":
            return path
        return f"{path}/metrics/job/{JOB}/{group_path(GROUPING_LABEL, cluster)}"

    def push(self, cluster: str, text: str, replace: bool = True) -> str:
        """PUT ``text`` as the cluster's group (``replace``), or POST it (only the series of the same names are
        replaced); the URL pushed to (as shown), or PublishError saying why not."""
        url = self.group_url(cluster)
        shown = Pushgateway(url, self.auth).shown
        try:  # redirects not followed: requests would turn a PUT answered 302 into a GET that "succeeds"
            answer = requests.request("PUT" if replace else "POST", url, data=text.encode("utf-8"),
                                      headers={"Content-Type": CONTENT_TYPE}, auth=self.auth, timeout=TIMEOUT,
                                      allow_redirects=False)
        except requests.RequestException as exc:
            raise PublishError(f"cannot push to {shown}: {_no_answer(exc)}") from None
        if not 200 <= answer.status_code < 300:
            location = answer.headers.get("Location")
            said = f"redirected to {redact(location)}: give that URL" if location else one_line(answer.text, 200)
            raise PublishError(f"cannot push to {shown}: HTTP {answer.status_code} {answer.reason}"
                               + (f": {said}" if said else ""))
        return shown
