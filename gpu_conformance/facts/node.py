"""What a probe saw on one node, and where: facts are separate from verdicts.

A collector returns an ``Observed`` value: the value (or None), exactly where it was read, why it
could not be read, and the raw text for a report attachment. ``NodeProbe`` gathers them and
round-trips through JSON, the form ``gpu-conformance probe`` prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar

SCHEMA_VERSION = 5  # 2: cdi_specs; 3: xid_events; 4: fabric_gpus, fabric_host; 5: dev_char, systemd_cgroup
OLDEST_SCHEMA = 3  # older probes' output is still read: the facts they predate are missing, saying so

T = TypeVar("T")


@dataclass(frozen=True)
class Observed(Generic[T]):
    """One fact: ``value`` as read from ``source``, or ``error`` (one line) when it could not be read."""

    value: T | None
    source: str  # e.g. "/host/proc/driver/nvidia/version", "/host/usr/bin/nvidia-ctk --version"
    error: str | None = None
    excerpt: str | None = None  # the raw text, trimmed and with secrets redacted

    @classmethod
    def missing(cls, source: str, error: str, excerpt: str | None = None) -> Observed[T]:
        return cls(None, source, error, excerpt)

    @property
    def ok(self) -> bool:
        return self.error is None and self.value is not None


@dataclass(frozen=True)
class GpuInfo:
    index: int
    name: str
    uuid: str
    memory_total_bytes: int


@dataclass(frozen=True)
class RuntimeEntry:
    """One low-level runtime a container runtime knows, e.g. ``nvidia`` -> nvidia-container-runtime."""

    name: str
    binary: str | None  # containerd BinaryName/Runtime/runtime_engine, CRI-O runtime_path, docker path
    runtime_type: str | None = None  # containerd runtime_type, CRI-O runtime_type; None for docker
    # runc under systemd's cgroup driver: containerd's options.SystemdCgroup, CRI-O's cgroup_manager (its default
    # systemd), docker's exec-opts native.cgroupdriver; None: not set (containerd: false; docker: the host decides)
    systemd_cgroup: bool | None = None


@dataclass(frozen=True)
class RuntimeConfig:
    """The effective configuration of the node's container runtime, after imports and drop-ins."""

    kind: str  # containerd | docker | cri-o
    default_runtime: str | None  # None: not set and the runtime's built-in default is version dependent
    default_runtime_from: str  # the file that set it, or "built-in default"
    runtimes: tuple[RuntimeEntry, ...]
    handlers: tuple[str, ...]  # names a RuntimeClass ``handler`` can select
    enable_cdi: bool | None  # as configured; None: not set (the runtime's default applies)
    files: tuple[str, ...]  # every file read, in the order applied (later ones override)
    config_version: int | None = None  # containerd's ``version`` key

    def runtime(self, name: str) -> RuntimeEntry | None:
        return next((r for r in self.runtimes if r.name == name), None)


@dataclass(frozen=True)
class CdiSpec:
    """One Container Device Interface spec file: its kind and the devices it defines, by name."""

    path: str  # as read, e.g. "/host/var/run/cdi/nvidia.yaml"
    kind: str  # e.g. "nvidia.com/gpu"
    devices: tuple[str, ...]  # device names: "0", "GPU-8f6c...", "all"
    error: str | None = None  # the file could not be read or parsed: one line


@dataclass(frozen=True)
class XidEvent:
    """An Xid the NVIDIA driver wrote to the kernel log, e.g. ``NVRM: Xid (PCI:0000:3b:00): 79, pid=..., GPU has fallen
    off the bus.``"""

    pci: str  # the GPU's PCI address as the driver prints it, "0000:3b:00"
    xid: int
    when: str  # the log line's own timestamp as written ("Dec  4 03:10:11"); "" when it has none


@dataclass(frozen=True)
class GpuFabric:
    """A GPU's place in an NVLink fabric, as NVML reports it (nvmlDeviceGetGpuFabricInfo) and ``nvidia-smi -q``
    shows it under "Fabric"."""

    uuid: str
    state: str  # "Not Supported" (on no fabric), "Not Started", "In Progress", "Completed"
    status: str  # NVML's words for the fabric's status once Completed ("Success"); "" before


@dataclass(frozen=True)
class FabricHost:
    """The host's side of an NVSwitch fabric: the switches' device nodes and the Fabric Manager daemon."""

    nvswitches: tuple[str, ...]  # /dev/nvidia-nvswitchN as read, e.g. "/host/dev/nvidia-nvswitch0"
    manager_pids: tuple[int, ...]  # nv-fabricmanager processes in the host's /proc
    manager_binary: str | None  # where nv-fabricmanager is installed, as read; None: not installed


@dataclass(frozen=True)
class DevCharLink:
    """An NVIDIA character device and its /dev/char/<major>:<minor> symlink, which runc's systemd cgroup driver
    names the device by (NVIDIA/nvidia-container-toolkit#48)."""

    device: str  # the device node's name under /dev: "nvidia0", "nvidiactl", "nvidia-uvm"
    number: str  # "195:0"
    link: str | None  # where /dev/char/<number> points ("../nvidia0"); None: no such symlink


@dataclass(frozen=True)
class NodeProbe:
    host_root: str
    node: str | None
    runtime_kind: Observed[str]
    driver_nvml: Observed[str]
    driver_proc: Observed[str]
    driver_sys: Observed[str]
    driver_smi: Observed[str]
    cuda_driver_version: Observed[int]  # NVML's int form: 12020 is CUDA 12.2
    gpus: Observed[tuple[GpuInfo, ...]]  # NVML, else nvidia-smi
    toolkit: Observed[str]  # the best toolkit version; its source names the tool or package database
    toolkit_reads: tuple[Observed[str], ...]  # every tool and package database tried
    nvidia_docker2: Observed[str]
    runtime: Observed[RuntimeConfig]
    cdi_specs: Observed[tuple[CdiSpec, ...]]  # every spec file under /etc/cdi and /var/run/cdi
    xid_events: Observed[tuple[XidEvent, ...]]  # the NVIDIA driver's Xids in the host's kernel log file (its tail)
    fabric_gpus: Observed[tuple[GpuFabric, ...]]  # each GPU's NVLink fabric state from NVML
    fabric_host: Observed[FabricHost]  # NVSwitch device nodes and the Fabric Manager's process
    dev_char: Observed[tuple[DevCharLink, ...]]  # each NVIDIA character device the driver registers, and its link
    schema: int = field(default=SCHEMA_VERSION)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> NodeProbe:
        """Parse probe JSON; anything malformed raises ValueError naming the field and what is wrong."""
        top = json_reader(text, "probe", SCHEMA_VERSION, OLDEST_SCHEMA)
        return cls(
            host_root=top.get("host_root", str),
            node=top.optional("node", str),
            runtime_kind=top.observed("runtime_kind", _scalar(str)),
            driver_nvml=top.observed("driver_nvml", _scalar(str)),
            driver_proc=top.observed("driver_proc", _scalar(str)),
            driver_sys=top.observed("driver_sys", _scalar(str)),
            driver_smi=top.observed("driver_smi", _scalar(str)),
            cuda_driver_version=top.observed("cuda_driver_version", _scalar(int)),
            gpus=top.observed("gpus", _list_of(_object(_gpu))),
            toolkit=top.observed("toolkit", _scalar(str)),
            toolkit_reads=top.get_list("toolkit_reads", _object(lambda r: _observed(r, _scalar(str)))),
            nvidia_docker2=top.observed("nvidia_docker2", _scalar(str)),
            runtime=top.observed("runtime", _runtime_config),
            cdi_specs=top.observed("cdi_specs", _list_of(_object(_cdi_spec))),
            xid_events=top.observed("xid_events", _list_of(_object(_xid_event))),
            fabric_gpus=top.observed_since(4, "fabric_gpus", _list_of(_object(_gpu_fabric))),
            fabric_host=top.observed_since(4, "fabric_host", _object(_fabric_host)),
            dev_char=top.observed_since(5, "dev_char", _list_of(_object(_dev_char_link))),
        )


def json_reader(text: str, name: str, schema: int, oldest: int | None = None) -> _Reader:
    """The top object of a command's JSON output (``name``: ``probe``, ``sees``), its schema checked: ``schema``,
    or from ``oldest`` on where older output is read too."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name} output is not JSON: {exc}") from exc
    top = _Reader(data, name)
    found = top.get("schema", int)
    if not (oldest or schema) <= found <= schema:
        wanted = f"{oldest} to {schema}" if oldest else str(schema)
        raise ValueError(f"{name}.schema: expected {wanted}, got {found}")
    top.schema = found
    return top


class _Reader:
    """A JSON object being decoded, named by its path for error messages (``probe.gpus.value[1]``)."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected an object, got {type(data).__name__}")
        self.data: dict[str, Any] = data
        self.path = path
        self.schema: int | None = None  # the output's schema, on the top object

    def _raw(self, key: str) -> Any:
        if key not in self.data:
            raise ValueError(f"{self.path}.{key}: missing")
        return self.data[key]

    def get(self, key: str, kind: type[T]) -> T:
        return _scalar(kind)(self._raw(key), f"{self.path}.{key}")

    def optional(self, key: str, kind: type[T]) -> T | None:
        value = self._raw(key)
        return None if value is None else self.get(key, kind)

    def child(self, key: str) -> _Reader:
        return _Reader(self._raw(key), f"{self.path}.{key}")

    def observed(self, key: str, decode: Callable[[Any, str], T]) -> Observed[T]:
        return _observed(self.child(key), decode)

    def observed_since(self, schema: int, key: str, decode: Callable[[Any, str], T]) -> Observed[T]:
        """A fact the probe gathers from ``schema`` on; an older probe's output lacks it: missing, saying why."""
        if self.schema is not None and self.schema < schema:
            return Observed.missing(f"{self.path}.{key}", f"the probe's output is of schema {self.schema}, older "
                                                          f"than this fact (schema {schema}): run the suite's own "
                                                          "probe image")
        return self.observed(key, decode)

    def get_list(self, key: str, decode: Callable[[Any, str], T]) -> tuple[T, ...]:
        return _list_of(decode)(self._raw(key), f"{self.path}.{key}")


def _scalar(kind: type[T]) -> Callable[[Any, str], T]:
    def decode(value: Any, path: str) -> T:
        # bool is an int in Python; JSON true is never a valid int field here.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{path}: expected {kind.__name__}, got {json.dumps(value)[:60]}")
        return value

    return decode


def _list_of(decode: Callable[[Any, str], T]) -> Callable[[Any, str], tuple[T, ...]]:
    def decode_all(value: Any, path: str) -> tuple[T, ...]:
        if not isinstance(value, list):
            raise ValueError(f"{path}: expected a list, got {type(value).__name__}")
        return tuple(decode(item, f"{path}[{i}]") for i, item in enumerate(value))

    return decode_all


def _object(decode: Callable[[_Reader], T]) -> Callable[[Any, str], T]:
    return lambda value, path: decode(_Reader(value, path))


def _observed(reader: _Reader, decode: Callable[[Any, str], T]) -> Observed[T]:
    raw = reader._raw("value")
    value = None if raw is None else decode(raw, f"{reader.path}.value")
    return Observed(value, reader.get("source", str), reader.optional("error", str),
                    reader.optional("excerpt", str))


def _gpu(reader: _Reader) -> GpuInfo:
    return GpuInfo(reader.get("index", int), reader.get("name", str), reader.get("uuid", str),
                   reader.get("memory_total_bytes", int))


def _cdi_spec(reader: _Reader) -> CdiSpec:
    return CdiSpec(reader.get("path", str), reader.get("kind", str), reader.get_list("devices", _scalar(str)),
                   reader.optional("error", str))


def _xid_event(reader: _Reader) -> XidEvent:
    return XidEvent(reader.get("pci", str), reader.get("xid", int), reader.get("when", str))


def _gpu_fabric(reader: _Reader) -> GpuFabric:
    return GpuFabric(reader.get("uuid", str), reader.get("state", str), reader.get("status", str))


def _fabric_host(reader: _Reader) -> FabricHost:
    return FabricHost(reader.get_list("nvswitches", _scalar(str)), reader.get_list("manager_pids", _scalar(int)),
                      reader.optional("manager_binary", str))


def _dev_char_link(reader: _Reader) -> DevCharLink:
    return DevCharLink(reader.get("device", str), reader.get("number", str), reader.optional("link", str))


def _runtime_entry(reader: _Reader) -> RuntimeEntry:
    systemd = reader.optional("systemd_cgroup", bool) if "systemd_cgroup" in reader.data else None  # schema < 5
    return RuntimeEntry(reader.get("name", str), reader.optional("binary", str),
                        reader.optional("runtime_type", str), systemd)


def _runtime_config(value: Any, path: str) -> RuntimeConfig:
    reader = _Reader(value, path)
    return RuntimeConfig(
        kind=reader.get("kind", str),
        default_runtime=reader.optional("default_runtime", str),
        default_runtime_from=reader.get("default_runtime_from", str),
        runtimes=reader.get_list("runtimes", _object(_runtime_entry)),
        handlers=reader.get_list("handlers", _scalar(str)),
        enable_cdi=reader.optional("enable_cdi", bool),
        files=reader.get_list("files", _scalar(str)),
        config_version=reader.optional("config_version", int),
    )
