"""A pod's result carried in its termination message, so the suite reads it from the pod it watches anyway.

The kubelet keeps the last 4096 bytes of the file at terminationMessagePath as ``state.terminated.message``
(kuberuntime_container.go getTerminationMessage). JSON that fits is written as compact JSON. JSON that fits only
compressed is written as a first line ``zlib+base64 ROOT`` and the zlib stream in base64, the JSON's every
mention of the directory ROOT (the probe's host root, named in every source) taken out and said once, in clear,
on that line. Anything longer is not written at all (a cut message would be no JSON): the suite then reads the
log, where the whole JSON always is.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

MAX_BYTES = 4096  # the kubelet's MaxContainerTerminationMessageLength
COMPRESSED = "zlib+base64"
_ROOT_MARK = "\x00"  # never in JSON text: json.dumps writes control characters escaped


def encode(text: str, root: str = "") -> str | None:
    """``text`` (JSON) as a termination message, or None when it cannot fit."""
    compact = json.dumps(json.loads(text), separators=(",", ":"), sort_keys=True)
    if len(compact.encode()) <= MAX_BYTES:
        return compact
    quoted_root = json.dumps(root)[1:-1]
    body = compact.replace(quoted_root, _ROOT_MARK) if root else compact
    packed = f"{COMPRESSED} {root}\n" + base64.b64encode(zlib.compress(body.encode(), 9)).decode()
    return packed if len(packed.encode()) <= MAX_BYTES else None


def decode(message: str) -> str:
    """The JSON a termination message carries; ValueError when it was cut or is not this encoding's."""
    if not message.startswith(COMPRESSED + " "):
        return message
    header, _, data = message.partition("\n")
    root = header[len(COMPRESSED) + 1:]
    try:
        body = zlib.decompress(base64.b64decode(data, validate=True)).decode()
    except (binascii.Error, zlib.error, UnicodeDecodeError) as exc:
        raise ValueError(f"the termination message is no {COMPRESSED} JSON: {exc}") from None
    return body.replace(_ROOT_MARK, json.dumps(root)[1:-1])
