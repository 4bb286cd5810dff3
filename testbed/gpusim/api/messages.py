"""What flows between the HTTP layer and the endpoints: parsed requests and the replies to write."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import ApiError, bad_request
from ..identity import ANONYMOUS, UserInfo
from ..resources import ResourceType
from . import protobuf

Obj = dict[str, Any]
BODY_MEDIA_TYPES = ("application/json", "application/yaml")


def dumps(obj: Any) -> bytes:
    """Compact JSON as the apiserver writes it (UTF-8, no spaces)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]  # the last value of each parameter wins
    headers: dict[str, str]  # lower-case names
    body: bytes
    user: UserInfo = ANONYMOUS

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("true", "1")

    def json_body(self) -> Obj:
        """The request's object, from JSON, YAML or Kubernetes protobuf; 415 for other media types."""
        media = self.header("content-type").split(";")[0].strip()
        unknown_format = ("the body of the request was in an unknown format - accepted media types include: "
                          + ", ".join((*BODY_MEDIA_TYPES, protobuf.MEDIA_TYPE)))
        if media not in ("", *BODY_MEDIA_TYPES, protobuf.MEDIA_TYPE, "*/*"):
            raise ApiError(415, "UnsupportedMediaType", unknown_format, {})
        try:
            if media == protobuf.MEDIA_TYPE:
                value = protobuf.decode_object(self.body)
            elif media == "application/yaml":
                value = yaml.safe_load(self.body)
            else:
                value = json.loads(self.body or b"{}")
        except (ValueError, yaml.YAMLError) as exc:
            raise bad_request(f"error decoding request body: {exc}") from exc
        if not isinstance(value, dict):
            raise bad_request(unknown_format)
        return value

    def int_param(self, name: str) -> int | None:
        raw = self.query.get(name)
        if raw in (None, ""):
            return None
        try:
            return int(raw)
        except ValueError as exc:
            raise bad_request(f'strconv.ParseInt: parsing "{raw}": invalid syntax') from exc


@dataclass(frozen=True)
class Route:
    """A resource request: ``/api/v1/namespaces/ns/pods/name/log`` and the like."""

    rt: ResourceType
    namespace: str
    name: str = ""
    subresource: str = ""
    legacy_watch: bool = False
    version: str = ""  # the version on the path, when it is not the stored one (resource.k8s.io/v1beta1)

    @property
    def api_version(self) -> str:
        """``apiVersion`` of the objects this request reads and writes."""
        version = self.version or self.rt.version
        return f"{self.rt.group}/{version}" if self.rt.group else version


@dataclass
class Reply:
    code: int
    body: Any  # JSON-like, or bytes sent verbatim
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # sent as ``Warning: 299 - "..."`` headers

    def payload(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else dumps(self.body)


@dataclass
class StreamReply:
    """A chunked response; ``chunks`` is produced lazily and must end soon after ``stop`` is set.

    ``abort`` becomes True when the stream should end by dropping the connection, not cleanly.
    """

    content_type: str
    chunks: Callable[[], Iterator[bytes]]
    code: int = 200
    abort: bool = False


def status_success(code: int | None = None, details: Obj | None = None) -> Obj:
    body: Obj = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if details is not None:
        body["details"] = details
    if code is not None:
        body["code"] = code
    return body
