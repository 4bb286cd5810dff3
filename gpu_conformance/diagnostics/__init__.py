"""Readers of what diagnostic tools print (DCGM's dcgmi, CUDA samples' bandwidthTest, nccl-tests): pure text in,
facts out; the Jobs that run them are in kube/diagnostics.py."""
