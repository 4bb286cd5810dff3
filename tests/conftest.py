"""Fixtures for the project's own tests: simulated clusters on loopback."""

from gpu_conformance.sim.testing import start_cluster

__all__ = ["start_cluster"]
