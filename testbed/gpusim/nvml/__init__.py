"""A stand-in libnvidia-ml.so.1 (C, built with the system cc) so the real NVML bindings run in tests."""

from gpusim.nvml.build import build_library
from gpusim.nvml.install import install_nvml

__all__ = ["build_library", "install_nvml"]
