"""An image carrying CUDA samples' ``bandwidthTest`` and nccl-tests' ``all_reduce_perf`` (NVIDIA publishes none;
the test bed knows images whose repository ends in ``cuda-perf``, ``nccl-tests`` or ``cuda-samples``). Their
numbers come from the node's GPUs and links (gpusim/hardware.py); their output is the tools' own:

- bandwidthTest (NVIDIA/cuda-samples Samples/1_Utilities/bandwidthTest/bandwidthTest.cu: main, runTest,
  printResultsReadable): with ``--device=all`` the bandwidth is the sum over the devices; quick mode copies 32 MB.
- all_reduce_perf (NVIDIA/nccl-tests src/util.cu: the header of the "Using devices" list, writeResultHeader, the
  result lines, writeResultFooter; bus bandwidth of all_reduce is algbw x 2(n-1)/n, src/all_reduce.cu).
"""

from __future__ import annotations

import re

from ..model import Gpu, NodeSpec
from .base import ContainerContext, Outcome, Script, command_line, repository

_REPOSITORIES = ("cuda-perf", "nccl-tests", "cuda-samples")
_QUICK_SIZE = 32_000_000
_NCCL_SIZES = tuple(64 * 2**20 * 2**i for i in range(5))  # -b 64M -e 1G -f 2
_NO_DEVICE = "cudaGetDeviceCount returned 100\n-> no CUDA-capable device is detected\n"


def matches(image: str) -> bool:
    return repository(image).rsplit("/", 1)[-1] in _REPOSITORIES


def image_env(image: str) -> dict[str, str]:
    return {"NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"}


def bandwidth_test(words: str, node: NodeSpec, gpus: tuple[Gpu, ...]) -> str:
    everything = "--device=all" in words
    used = gpus if everything else gpus[:1]
    kinds = [k for flag, k in (("--htod", "Host to Device"), ("--dtoh", "Device to Host")) if flag in words] or [
        "Host to Device", "Device to Host"]
    lines = ["[CUDA Bandwidth Test] - Starting..."]
    if everything:
        lines.append("\n!!!!!Cumulative Bandwidth to be computed from all the devices !!!!!!\n")
    lines.append("Running on...\n")
    lines += [f" Device {g.index}: {g.name}" for g in used]
    lines.append(" Quick Mode\n")
    total = sum(node.hardware.copy_gb_per_s(g.name) for g in used)
    for kind in kinds:
        lines += [f" {kind} Bandwidth, {len(used)} Device(s)", " PINNED Memory Transfers",
                  "   Transfer Size (Bytes)\tBandwidth(GB/s)", f"   {_QUICK_SIZE}\t\t\t{total:.1f}\n"]
    lines += ["Result = PASS", "", "NOTE: The CUDA Samples are not meant for performance measurements. Results may "
              "vary when GPU Boost is enabled."]
    return "\n".join(lines) + "\n"


def all_reduce_perf(node: NodeSpec, gpus: tuple[Gpu, ...]) -> str:
    n = len(gpus)
    bus = node.hardware.allreduce_bus_gb_per_s(gpus[0].name)
    algbw = bus * n / (2 * (n - 1))
    lines = [
        "# nccl-tests version 2.17.6 nccl-headers=22803 nccl-library=22803",
        "# Collective test starting: all_reduce_perf",
        f"# nThread 1 nGpus {n} minBytes {_NCCL_SIZES[0]} maxBytes {_NCCL_SIZES[-1]} step: 2(factor) warmup iters: 1 "
        "iters: 20 agg iters: 1 validation: 1 graph: 0 unalign: 0",
        "#",
        "# Using devices",
        *(f"#  Rank {g.index:2d} Group  0 Pid      1 on {node.name:>10s} device {g.index:2d} "
          f"[{0:04x}:{int(g.pci_bus_id.split(':')[1], 16):02x}:00] {g.name}" for g in gpus),
        "#",
        f"# {'':>10s}  {'':>12s}  {'':>8s}  {'':>6s}  {'':>6s}           out-of-place                       in-place  "
        "        ",
        f"# {'size':>10s}  {'count':>12s}  {'type':>8s}  {'redop':>6s}  {'root':>6s}  {'time':>7s}  {'algbw':>6s}  "
        f"{'busbw':>6s}  {'#wrong':>6s}  {'time':>7s}  {'algbw':>6s}  {'busbw':>6s}  {'#wrong':>6s} ",
        f"# {'(B)':>10s}  {'(elements)':>12s}  {'':>8s}  {'':>6s}  {'':>6s}  {'(us)':>7s}  {'(GB/s)':>6s}  "
        f"{'(GB/s)':>6s}  {'':>6s}  {'(us)':>7s}  {'(GB/s)':>6s}  {'(GB/s)':>6s}  {'':>6s} ",
    ]
    for size in _NCCL_SIZES:
        time_us = size / (algbw * 1e3)
        half = f"  {time_us:7.1f}  {algbw:6.2f}  {bus:6.2f}  {0:6g}"
        lines.append(f"{size:12d}  {size // 4:12d}  {'float':>8s}  {'sum':>6s}  {-1:6d}{half}{half}")
    lines += ["# Out of bounds values : 0 OK", f"# Avg bus bandwidth    : {bus:g} ", "#",
              "# Collective test concluded: all_reduce_perf", ""]
    return "\n".join(lines) + "\n"


def run(ctx: ContainerContext) -> Outcome:
    words = " ".join(command_line(ctx.container))
    gpus = ctx.visible_gpus
    node = ctx.node
    if re.search(r"\bbandwidthTest\b", words):
        if not gpus or node is None:
            return Script(steps=((0.2, "[CUDA Bandwidth Test] - Starting...\n" + _NO_DEVICE),), exit_code=1)
        return Script(steps=((1.0, bandwidth_test(words, node, gpus)),), exit_code=0)
    if re.search(r"\ball_reduce_perf\b", words):
        if len(gpus) < 2 or node is None:
            found = f"Invalid number of GPUs: 2 requested but only {len(gpus)} were found.\n"
            return Script(steps=((0.2, found),), exit_code=1)
        return Script(steps=((1.0, all_reduce_perf(node, gpus)),), exit_code=0)
    return Script(steps=((0.0, f'exec: "{words.split(" ")[0]}": executable file not found in $PATH: unknown\n'),),
                  exit_code=128)
