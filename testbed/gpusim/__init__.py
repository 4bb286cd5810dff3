"""A simulated GPU cluster: a loopback Kubernetes API with GPU nodes, exporters and faults."""
