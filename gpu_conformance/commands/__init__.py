"""Subcommands of the ``gpu-conformance`` CLI, one module each."""
