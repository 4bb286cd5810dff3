"""A node's ``exporter:``: which exporter serves its GPUs' metrics, on which port, how healthy, with which
nvidia-smi fields, and what else may answer on that port."""

from __future__ import annotations

from typing import cast

from gpusim.exporters.nvidia_smi import QUERY_FIELDS
from gpusim.model import ExporterAnswer, ExporterHealth, ExporterKind, ExporterSetup
from gpusim.scenario_yaml import Value

EXPORTER_FIELDS = ("kind", "port", "health", "answer", "queryFieldNames")
ANSWER_FIELDS = ("body", "contentType", "status", "path")
EXPORTER_KINDS = ("nvidia_gpu_exporter", "dcgm-exporter", "none")
EXPORTER_HEALTH = ("healthy", "down", "hanging", "nvidia_smi_failing", "malformed", "wrong_gpu_count")
EXPORTER_PORTS = {"nvidia_gpu_exporter": 9835, "dcgm-exporter": 9400, "none": 9835}


def parse_exporter(value: Value) -> ExporterSetup:
    fields = value.mapping(EXPORTER_FIELDS)
    kind = cast(ExporterKind, fields.choice("kind", EXPORTER_KINDS, "nvidia_gpu_exporter"))
    health = cast(ExporterHealth, fields.choice("health", EXPORTER_HEALTH, "healthy"))
    answer = fields.read("answer", _answer, None)
    if answer is not None and (kind == "none" or health in ("down", "hanging")):
        raise fields.require("answer").error(
            f"an answer needs a listener on the port; kind {kind} with health {health} has none"
        )
    query_fields = fields.read("queryFieldNames", _query_field_names, None)
    if query_fields is not None and kind != "nvidia_gpu_exporter":
        raise fields.require("queryFieldNames").error(
            f"--query-field-names is nvidia_gpu_exporter's flag, not {kind}'s"
        )
    return ExporterSetup(
        kind=kind,
        port=fields.read("port", lambda v: v.integer(minimum=1, maximum=65535), EXPORTER_PORTS[kind]),
        health=health,
        answer=answer,
        query_field_names=query_fields,
    )


def _query_field_names(value: Value) -> tuple[str, ...] | None:
    """nvidia_gpu_exporter's --query-field-names: AUTO, or nvidia-smi query fields (it refuses one it does not know)."""
    text = value.nonempty()
    if text == "AUTO":
        return None
    names = tuple(name.strip() for name in text.split(","))
    unknown = [name for name in names if name not in QUERY_FIELDS]
    if unknown:
        raise value.error(f'"{unknown[0]}" is not a valid field to query (nvidia-smi --help-query-gpu lists them)')
    return names


def _answer(value: Value) -> ExporterAnswer | None:
    """What else answers on the exporter's port (a proxy, a login page), on one path or on all."""
    if value.is_null:
        return None
    fields = value.mapping(ANSWER_FIELDS)
    default = ExporterAnswer(body="")
    path = fields.read("path", Value.nonempty, None)
    if path is not None and not path.startswith("/"):
        raise fields.require("path").error(f'expected a path starting with "/", got "{path}"')
    return ExporterAnswer(
        body=fields.require("body").string("the body as text"),
        content_type=fields.read("contentType", Value.nonempty, default.content_type),
        status=fields.read("status", lambda v: v.integer(minimum=100, maximum=599), default.status),
        path=path,
    )
