"""gpu-conformance: proves, node by node, that a Kubernetes cluster's NVIDIA GPU chain holds."""

__version__ = "0.1.0"
