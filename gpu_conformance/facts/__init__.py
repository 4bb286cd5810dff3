"""The facts layer: what the suite gathered, as frozen dataclasses, each value with where it was seen.

Gatherers (gpu_conformance.kube, the node probe, the monitoring readers) build these; judges
(gpu_conformance.requirements) read them. Nothing here does I/O or judges: no requests, subprocess,
kubernetes or file reads, and no imports of gatherers or judges (import-linter holds it).
"""
