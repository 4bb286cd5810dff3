"""The sections a check's ``tutorial`` field names: the tutorial's own headings, or the standard a check proves."""

PREREQUISITES = "2.1 先决条件"
DEPLOY = "2.2 部署插件到k8s"
DRA = "Dynamic Resource Allocation (kubernetes-sigs/dra-driver-nvidia-gpu)"
SECURE_ACCESS = "CNCF AI Conformance: secure_accelerator_access"
MONITORING = "三、Prometheus监控GPU"
