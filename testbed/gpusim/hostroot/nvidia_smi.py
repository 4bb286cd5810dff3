"""/usr/bin/nvidia-smi of a simulated node: a POSIX sh script answering from the node's GPUs.

It answers ``--query-gpu=FIELDS --format=csv[,noheader][,nounits]`` (header units such as
``memory.total [MiB]``, values such as ``24564 MiB``), ``-L``, ``--version`` and the summary table
(``Driver Version: ... CUDA Version: ...``). With no driver loaded it fails as the real one does:
exit 9 and "couldn't communicate with the NVIDIA driver".
"""

from __future__ import annotations

import shlex

from gpusim.cuda import driver_cuda_version
from gpusim.model import Gpu, HostState, NodeSpec
from gpusim.scenario_gpus import find_model

NO_DRIVER = (
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
    "Make sure that the latest NVIDIA driver is installed and running."
)
_RULE = "+" + "-" * 87 + "+"
_GPU_RULE = "+" + "-" * 41 + "+" + "-" * 22 + "+" + "-" * 22 + "+"
_IDLE_WATTS = 25
_IDLE_TEMP_C = 34

_QUERY_LOGIC = r"""
usage() { echo "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help."; exit 2; }

# field NAME: sets raw (the value) and unit for the GPU last loaded by gpu(); fails for unknown names.
field() {
  unit=
  case $1 in
    index) raw=$index ;;
    uuid) raw=$uuid ;;
    name) raw=$name ;;
    driver_version) raw=$driver ;;
    count) raw=$ngpu ;;
    pci.bus_id) raw=$bus ;;
    compute_cap) raw=$cap ;;
    mig.mode.current|mig.mode.pending) raw=$mig ;;
    fabric.state) raw=$fabric_state ;;
    fabric.status) raw=$fabric_status ;;
    memory.total) raw=$mem unit=MiB ;;
    memory.used) raw=0 unit=MiB ;;
    memory.free) raw=$mem unit=MiB ;;
    utilization.gpu|utilization.memory) raw=0 unit=% ;;
    temperature.gpu) raw=@TEMP@ ;;
    power.draw) raw=@WATTS@.00 unit=W ;;
    power.limit) raw=$cap_w.00 unit=W ;;
    *) return 1 ;;
  esac
}

selected() {
  if [ -z "$ids" ]; then
    i=0 out=
    while [ $i -lt $ngpu ]; do out="$out$i,"; i=$((i + 1)); done
    echo "$out"; return
  fi
  out=
  for want in $ids; do
    i=0; found=
    while [ $i -lt $ngpu ]; do
      gpu $i
      case $want in "$index"|"$uuid"|"$bus") out="$out$i,"; found=1 ;; esac
      i=$((i + 1))
    done
    [ -n "$found" ] || { echo "No devices were found" >&2; exit 6; }
  done
  echo "$out"
}

query() {
  header=1 units=1 csv=
  for opt in $format; do
    case $opt in csv) csv=1 ;; noheader) header= ;; nounits) units= ;; *) usage ;; esac
  done
  [ -n "$csv" ] || usage
  gpu 0
  for f in $fields; do
    field "$f" || { echo "Field \"$f\" is not a valid field to query."; echo; exit 2; }
  done
  if [ -n "$header" ]; then
    line= sep=
    for f in $fields; do
      field "$f"; h=$f; [ -z "$unit" ] || h="$f [$unit]"; line="$line$sep$h"; sep=', '
    done
    printf '%s\n' "$line"
  fi
  sel=$(selected) || exit $?
  for g in $sel; do
    gpu "$g"; line= sep=
    for f in $fields; do
      field "$f"; v=$raw; [ -z "$units" ] || [ -z "$unit" ] || v="$raw $unit"; line="$line$sep$v"; sep=', '
    done
    printf '%s\n' "$line"
  done
}

fields= format= ids= mode=table
while [ $# -gt 0 ]; do
  case $1 in
    --query-gpu=*) fields=${1#*=}; mode=query ;;
    --format=*) format=${1#*=} ;;
    -i|--id) [ $# -gt 1 ] || usage; shift; ids=$1 ;;
    -i=*|--id=*) ids=${1#*=} ;;
    -L|--list-gpus) mode=list ;;
    --version) mode=version ;;
    *) usage ;;
  esac
  shift
done
IFS=,
set -f
case $mode in
  query) [ -n "$fields" ] || usage; query ;;
  list) listing ;;
  version) versions ;;
  table) date '+%a %b %e %H:%M:%S %Y       '; summary ;;
esac
"""


def nvidia_smi_script(node: NodeSpec) -> str:
    host = node.host
    if host is None or host.driver_version is None:
        return f"#!/bin/sh\necho {shlex.quote(NO_DRIVER)}\nexit 9\n"
    cuda = _cuda(host)
    cases = "\n".join(f"    {gpu.index}) {_gpu_vars(gpu)} ;;" for gpu in node.gpus)
    logic = _QUERY_LOGIC.replace("@TEMP@", str(_IDLE_TEMP_C)).replace("@WATTS@", str(_IDLE_WATTS))
    return (
        "#!/bin/sh\n"
        "# nvidia-smi of a simulated GPU node (gpu-conformance).\n"
        f"driver={host.driver_version}\nngpu={len(node.gpus)}\n{_fabric_vars(host)}\n"
        f"gpu() {{\n  case $1 in\n{cases}\n  esac\n}}\n"
        + _heredoc_function("listing", _listing(node))
        + _heredoc_function("versions", _versions(host.driver_version, cuda))
        + _heredoc_function("summary", _summary(node, host.driver_version, cuda))
        + logic
    )


_FABRIC_STATES = {"not-started": "Not Started", "in-progress": "In Progress", "completed": "Completed"}


def _fabric_vars(host: HostState) -> str:
    """fabric.state and fabric.status as --query-gpu prints them: the NVLink fabric's state, its status once
    Completed. Off a fabric both are "[N/A]" here (the bracketed form nvidia-smi uses for values it cannot give; not
    confirmed for these two fields)."""
    fabric = host.fabric
    state = _FABRIC_STATES[fabric.state] if fabric is not None else "[N/A]"
    status = "Success" if fabric is not None and fabric.state == "completed" else "[N/A]"
    return f"fabric_state={shlex.quote(state)} fabric_status={shlex.quote(status)}"


def _cuda(host: HostState) -> str:
    assert host.driver_version is not None
    code = host.cuda_driver_version or driver_cuda_version(host.driver_version)
    return f"{code // 1000}.{code % 1000 // 10}"


def _power_cap_and_mig(gpu: Gpu) -> tuple[int, str | None]:
    """The board's power cap in W and its MIG mode (None when the GPU cannot do MIG)."""
    model = find_model(gpu.name)
    if model is None:
        return 300, None
    mig = ("Enabled" if gpu.mig_devices else "Disabled") if model.mig_capable else None
    return model.power_limit_w, mig


def _gpu_vars(gpu: Gpu) -> str:
    cap_w, mig = _power_cap_and_mig(gpu)
    values = {
        "index": str(gpu.index),
        "uuid": gpu.uuid,
        "name": gpu.name,
        "mem": str(gpu.memory_mib),
        "bus": gpu.pci_bus_id,
        "cap": _compute_capability(gpu.name),
        "mig": mig or "[N/A]",
        "cap_w": str(cap_w),
    }
    return " ".join(f"{key}={shlex.quote(value)}" for key, value in values.items())


def _compute_capability(name: str) -> str:
    for marker, capability in (
        ("RTX 40", "8.9"),
        ("L4", "8.9"),
        ("L40", "8.9"),
        ("RTX 30", "8.6"),
        ("A10", "8.6"),
        ("A100", "8.0"),
        ("A30", "8.0"),
        ("H100", "9.0"),
        ("H200", "9.0"),
        ("T4", "7.5"),
        ("V100", "7.0"),
    ):
        if marker in name:
            return capability
    return "8.0"


def _heredoc_function(name: str, text: str) -> str:
    return f"{name}() {{\n  cat <<'END_OF_TEXT'\n{text}END_OF_TEXT\n}}\n"


def _listing(node: NodeSpec) -> str:
    lines: list[str] = []
    for gpu in node.gpus:
        lines.append(f"GPU {gpu.index}: {gpu.name} (UUID: {gpu.uuid})")
        lines += [
            f"  MIG {mig.profile:<10} Device {i:>2}: (UUID: {mig.uuid})"
            for i, mig in enumerate(gpu.mig_devices)
        ]
    return "\n".join(lines) + "\n"


def _versions(driver: str, cuda: str) -> str:
    nvml = ".".join(driver.split(".")[:2])
    return (
        f"NVIDIA-SMI version  : {driver}\nNVML version        : {nvml}\n"
        f"DRIVER version      : {driver}\nCUDA Version        : {cuda}\n"
    )


def _summary(node: NodeSpec, driver: str, cuda: str) -> str:
    """The table plain ``nvidia-smi`` prints (R535 layout), idle GPUs, no processes."""
    lines = [
        _RULE,
        f"| {'NVIDIA-SMI ' + driver:<34}{'Driver Version: ' + driver:<29}{'CUDA Version: ' + cuda:<23}|",
        "|" + "-" * 41 + "+" + "-" * 22 + "+" + "-" * 22 + "+",
        "| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |",
        "| Fan  Temp   Perf          Pwr:Usage/Cap |         Memory-Usage | GPU-Util  Compute M. |",
        "|                                         |                      |               MIG M. |",
        "|" + "=" * 41 + "+" + "=" * 22 + "+" + "=" * 22 + "|",
    ]
    for gpu in node.gpus:
        cap_w, mig = _power_cap_and_mig(gpu)
        geforce = "GeForce" in gpu.name
        fan, ecc = ("  0%", "Off") if geforce else (" N/A", "0")
        lines += [
            f"| {gpu.index:>3}  {gpu.name[:28]:<28}{'Off':>6} | {gpu.pci_bus_id} Off | {ecc:>20} |",
            f"|{fan}   {_IDLE_TEMP_C}C    P8{f'{_IDLE_WATTS}W / {cap_w}W':>24} |"
            f"{f'0MiB / {gpu.memory_mib}MiB':>21} | {'0%':>7}{'Default':>13} |",
            f"|{'':41}|{'':22}|{mig or 'N/A':>21} |",
            _GPU_RULE,
        ]
    lines += [
        " " * 89,
        _RULE,
        "| Processes:" + " " * 76 + "|",
        "|  GPU   GI   CI        PID   Type   Process name                            GPU Memory |",
        "|        ID   ID                                                             Usage      |",
        "|" + "=" * 87 + "|",
        "|  No running processes found" + " " * 59 + "|",
        _RULE,
    ]
    return "\n".join(lines) + "\n"
