"""Readers of what diagnostic tools print (DCGM's dcgmi, CUDA samples' bandwidthTest, nccl-tests): pure text in,
facts out; the Jobs that run them are in kube/diagnostics.py."""


class UnreadableOutput(ValueError):
    """A tool's log is not its output as the reader knows it; the message says what is missing."""
