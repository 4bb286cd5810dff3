"""Decode a Kubernetes protobuf body into the JSON-shaped dict the JSON path would have produced."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from .access import AUTHENTICATION_V1, AUTHORIZATION_V1, RBAC_V1
from .core_objects import CORE_OBJECTS
from .core_pod import CORE_POD
from .core_volume import CORE_VOLUME
from .meta_v1 import META_V1, TYPE_META_API_VERSION, TYPE_META_KIND, UNKNOWN_RAW, UNKNOWN_TYPE_META
from .schema import Field, Message
from .wire import LENGTH_DELIMITED, VARINT, ProtobufError, fields, packed_varints, signed
from .workloads import APPS_V1, BATCH_V1, OTHER_GROUPS

MAGIC = b"k8s\x00"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_GO_ZERO_TIME_SECONDS = -62135596800  # 0001-01-01T00:00:00Z, which Go's JSON writes as null


def _registry(*tables: dict[str, Message]) -> dict[str, Message]:
    merged: dict[str, Message] = {}
    for table in tables:
        clash = merged.keys() & table.keys()
        if clash:
            raise ValueError(f"message names defined twice: {sorted(clash)}")
        merged.update(table)
    return merged


MESSAGES = _registry(META_V1, CORE_POD, CORE_VOLUME, CORE_OBJECTS, APPS_V1, BATCH_V1, OTHER_GROUPS, RBAC_V1,
                     AUTHORIZATION_V1, AUTHENTICATION_V1)

# (apiVersion, kind) of each top-level object a request body may carry -> its message.
KINDS: dict[tuple[str, str], str] = {
    **{("v1", kind): kind for kind in (
        "Namespace", "Node", "Pod", "Event", "Service", "Endpoints", "ConfigMap", "ServiceAccount", "Binding",
    )},
    ("apps/v1", "DaemonSet"): "DaemonSet",
    ("batch/v1", "Job"): "Job",
    ("batch/v1", "CronJob"): "CronJob",
    ("node.k8s.io/v1", "RuntimeClass"): "RuntimeClass",
    ("coordination.k8s.io/v1", "Lease"): "Lease",
    ("policy/v1", "Eviction"): "Eviction",
    **{("rbac.authorization.k8s.io/v1", kind): kind for kind in ("ClusterRole", "ClusterRoleBinding", "Role",
                                                                   "RoleBinding")},
    **{("authorization.k8s.io/v1", kind): kind for kind in ("SelfSubjectAccessReview", "SubjectAccessReview",
                                                             "LocalSubjectAccessReview", "SelfSubjectRulesReview")},
    **{("authentication.k8s.io/v1", kind): kind for kind in ("TokenRequest", "SelfSubjectReview")},
}


def decode_object(body: bytes) -> dict[str, Any]:
    """The object in a ``application/vnd.kubernetes.protobuf`` body: magic, then a runtime.Unknown."""
    if not body:
        raise ProtobufError("empty data")
    if not body.startswith(MAGIC):
        raise ProtobufError("provided data does not appear to be a protobuf message, expected prefix "
                            f"[{' '.join(str(byte) for byte in MAGIC)}]")
    if len(body) == len(MAGIC):
        raise ProtobufError("empty body")
    api_version = kind = ""
    raw = b""
    for number, _, value in fields(body[len(MAGIC):]):
        if number == UNKNOWN_TYPE_META and isinstance(value, bytes):
            for meta_number, _, meta_value in fields(value):
                if meta_number == TYPE_META_API_VERSION and isinstance(meta_value, bytes):
                    api_version = meta_value.decode("utf-8", "replace")
                elif meta_number == TYPE_META_KIND and isinstance(meta_value, bytes):
                    kind = meta_value.decode("utf-8", "replace")
        elif number == UNKNOWN_RAW and isinstance(value, bytes):
            raw = value
    if not kind:
        raise ProtobufError("Object 'Kind' is missing in the protobuf envelope")
    message = "DeleteOptions" if kind == "DeleteOptions" else KINDS.get((api_version, kind))
    if message is None:
        raise ProtobufError(f'no kind "{kind}" is registered for version "{api_version}"')
    return {"kind": kind, "apiVersion": api_version, **decode_message(message, raw)}


def decode_message(name: str, data: bytes) -> dict[str, Any]:
    """One message, by its generated.proto name, as its JSON object."""
    table = MESSAGES[name]
    out: dict[str, Any] = {}
    for number, wire_type, value in fields(data):
        field = table.get(number)
        if field is None:
            continue  # unknown fields are skipped, as proto decoders do
        if field.kind == "inline":
            out.update(decode_message(field.ref, _bytes(field, wire_type, value)))
        elif field.kind == "map":
            key, item = _map_entry(field, _bytes(field, wire_type, value))
            out.setdefault(field.json, {})[key] = item
        elif field.repeated:
            out.setdefault(field.json, []).extend(_elements(field, wire_type, value))
        else:
            decoded = _single(field, wire_type, value)
            if _shows(field, decoded):
                out[field.json] = decoded
    return out


def _shows(field: Field, decoded: Any) -> bool:
    """Whether a single field appears in the JSON: zero times never, other zero scalars only when kept."""
    if decoded is None:
        return False
    return field.keep or isinstance(decoded, dict) or decoded not in ("", 0, False)


def _elements(field: Field, wire_type: int, value: int | bytes) -> list[Any]:
    if field.kind == "int" and wire_type == LENGTH_DELIMITED and isinstance(value, bytes):
        return [signed(v) for v in packed_varints(value)]
    return [_single(field, wire_type, value)]


def _single(field: Field, wire_type: int, value: int | bytes) -> Any:
    if field.kind in ("bool", "int"):
        if wire_type != VARINT or not isinstance(value, int):
            raise ProtobufError(f"proto: wrong wireType = {wire_type} for field {field.json}")
        return bool(value) if field.kind == "bool" else signed(value)
    data = _bytes(field, wire_type, value)
    match field.kind:
        case "string":
            return data.decode("utf-8", "replace")
        case "bytes":
            return base64.b64encode(data).decode("ascii")
        case "message":
            return decode_message(field.ref, data)
        case "time" | "microtime":
            return _time(data, micro=field.kind == "microtime")
        case "quantity":
            return _text_field(data, 1) or "0"
        case "intorstr":
            return _int_or_string(data)
        case "fieldsv1":
            raw = _text_field(data, 1)
            return json.loads(raw) if raw else None
    raise ProtobufError(f"no decoder for field {field.json} of kind {field.kind}")


def _bytes(field: Field, wire_type: int, value: int | bytes) -> bytes:
    if wire_type != LENGTH_DELIMITED or not isinstance(value, bytes):
        raise ProtobufError(f"proto: wrong wireType = {wire_type} for field {field.json}")
    return value


def _map_entry(field: Field, data: bytes) -> tuple[str, Any]:
    """A map<string, V> entry: key is field 1, value field 2 (absent means V's zero value)."""
    value_field = Field("value", field.map_value)
    key, item = "", _single(value_field, LENGTH_DELIMITED, b"")
    for number, wire_type, value in fields(data):
        if number == 1:
            key = _single(Field("key"), wire_type, value)
        elif number == 2:
            item = _single(value_field, wire_type, value)
    return key, item


def _text_field(data: bytes, wanted: int) -> str:
    text = ""
    for number, wire_type, value in fields(data):
        if number == wanted:
            text = _single(Field("value"), wire_type, value)
    return text


def _int_or_string(data: bytes) -> int | str:
    """intstr.IntOrString: type=1 (0 int, 1 string), intVal=2, strVal=3; JSON is the bare int or string."""
    parts: dict[int, int | bytes] = {number: value for number, _, value in fields(data)}
    if parts.get(1, 0) == 1:
        str_val = parts.get(3, b"")
        return str_val.decode("utf-8", "replace") if isinstance(str_val, bytes) else ""
    int_val = parts.get(2, 0)
    return signed(int_val) if isinstance(int_val, int) else 0


def _time(data: bytes, *, micro: bool) -> str | None:
    """meta/v1 Time (seconds only, RFC 3339) or MicroTime (microseconds).

    An empty message is Go's zero time, which kubectl's JSON leaves out (``omitzero``): None, dropped.
    """
    if not data:
        return None
    parts = {number: value for number, _, value in fields(data)}
    seconds, nanos = parts.get(1, 0), parts.get(2, 0)
    if not isinstance(seconds, int) or not isinstance(nanos, int):
        raise ProtobufError("proto: wrong wireType for field Timestamp")
    seconds, nanos = signed(seconds), signed(nanos)
    if seconds == _GO_ZERO_TIME_SECONDS and nanos == 0:
        return None
    try:
        moment = _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000 if micro else 0)
    except OverflowError as exc:
        raise ProtobufError(f"timestamp out of range: {seconds}s") from exc
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")
