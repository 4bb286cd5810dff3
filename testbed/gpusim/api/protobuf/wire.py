"""The protobuf wire format: varints and tagged fields, with the errors Go's generated code reports."""

from __future__ import annotations

from collections.abc import Iterator

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5
_FIXED_SIZES = {FIXED64: 8, FIXED32: 4}
_MAX_VARINT_BYTES = 10


class ProtobufError(ValueError):
    """The bytes are not a valid encoding of the expected message."""


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The unsigned varint at ``pos`` and the position after it."""
    value = 0
    for index in range(_MAX_VARINT_BYTES):
        if pos >= len(data):
            raise ProtobufError("unexpected EOF")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << (7 * index)
        if byte < 0x80:
            return value, pos
    raise ProtobufError("proto: integer overflow")


def signed(value: int) -> int:
    """A varint as Go's int32/int64 read it: negative numbers travel as 64-bit two's complement."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) for each field in order: an int for varints, bytes otherwise."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if number <= 0:
            raise ProtobufError(f"proto: illegal tag {number} (wire type {wire_type})")
        value: int | bytes
        if wire_type == VARINT:
            value, pos = read_varint(data, pos)
        elif wire_type == LENGTH_DELIMITED:
            length, pos = read_varint(data, pos)
            if pos + length > len(data):
                raise ProtobufError("unexpected EOF")
            value, pos = data[pos:pos + length], pos + length
        elif wire_type in _FIXED_SIZES:
            size = _FIXED_SIZES[wire_type]
            if pos + size > len(data):
                raise ProtobufError("unexpected EOF")
            value, pos = data[pos:pos + size], pos + size
        else:
            raise ProtobufError(f"proto: illegal wireType {wire_type}")
        yield number, wire_type, value


def packed_varints(data: bytes) -> list[int]:
    """The elements of a packed repeated varint field."""
    values, pos = [], 0
    while pos < len(data):
        value, pos = read_varint(data, pos)
        values.append(value)
    return values


def varint(value: int) -> bytes:
    """``value`` as an unsigned varint."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def tagged(number: int, payload: bytes | str) -> bytes:
    """A length-delimited field: a string, bytes or an embedded message."""
    data = payload.encode() if isinstance(payload, str) else payload
    return varint(number << 3 | LENGTH_DELIMITED) + varint(len(data)) + data


def tagged_bool(number: int, value: bool) -> bytes:
    """A bool field; proto3 leaves false out."""
    return varint(number << 3 | VARINT) + varint(1) if value else b""
