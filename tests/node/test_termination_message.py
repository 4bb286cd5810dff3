"""The probe's JSON as a termination message: compact where it fits, compressed where only that fits, else none."""

from __future__ import annotations

import json
import random
import string

import pytest

from gpu_conformance.facts.termination_message import COMPRESSED, MAX_BYTES, decode, encode


def test_small_json_is_written_compact() -> None:
    assert encode('{\n  "b": 1,\n  "a": [1, 2]\n}') == '{"a":[1,2],"b":1}'
    assert decode('{"a":[1,2],"b":1}') == '{"a":[1,2],"b":1}'


def test_json_that_fits_only_compressed_is_compressed_and_comes_back_whole() -> None:
    text = json.dumps({"lines": ["the same line of a config file"] * 400}, indent=2)
    message = encode(text)
    assert message is not None and message.startswith(COMPRESSED) and len(message) <= MAX_BYTES
    assert json.loads(decode(message)) == json.loads(text)


def test_the_root_is_said_once_in_clear_so_a_mount_shows_as_the_container_saw_it() -> None:
    facts = {"host_root": "/tmp/real dir", "sources": [f"/tmp/real dir/etc/file{i}" for i in range(200)]}
    message = encode(json.dumps(facts), "/tmp/real dir")
    assert message is not None and message.startswith(f"{COMPRESSED} /tmp/real dir\n")
    assert message.count("/tmp/real dir") == 1
    seen_inside = message.replace("/tmp/real dir", "/host")
    assert json.loads(decode(seen_inside)) == {"host_root": "/host",
                                              "sources": [f"/host/etc/file{i}" for i in range(200)]}


def test_json_that_cannot_fit_is_not_written() -> None:
    noise = random.Random(7)
    text = json.dumps({"noise": "".join(noise.choices(string.ascii_letters, k=8000))})
    assert encode(text) is None


def test_a_cut_compressed_message_is_refused() -> None:
    message = encode(json.dumps({"lines": ["x" * 30] * 400}))
    assert message is not None
    with pytest.raises(ValueError, match="no zlib\\+base64 JSON"):
        decode(message[:-10])
