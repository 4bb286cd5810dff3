"""A stand-in libnvidia-ml.so.1 (C, built with the system cc) so the real NVML bindings run in tests."""

from gpu_conformance.sim.nvml.build import build_library
from gpu_conformance.sim.nvml.install import install_nvml

__all__ = ["build_library", "install_nvml"]
