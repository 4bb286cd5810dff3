"""Node-local facts: what a GPU node's host shows, read by ``gpu-conformance probe``.

Collectors here return facts, never verdicts: each fact is an ``Observed`` value with the exact
place it was read (or why it could not be), so a check can say what it saw and where.
"""
