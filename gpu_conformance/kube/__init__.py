"""Kubernetes operations the suite needs, over the official client."""
