"""CNCF AI Conformance's secure_accelerator_access, beyond the tutorial: no pod sees a GPU it did not ask for.

The tutorial's own wiring fails the first two (nvidia as the default runtime, the plugin's envvar strategy and
the toolkit accepting NVIDIA_VISIBLE_DEVICES from unprivileged containers hand every GPU to any CUDA image).
"""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import SEC_CONTAINER_ISOLATION, SEC_ENV_NO_GPU, SEC_NO_REQUEST_NO_GPU, SEC_POD_ISOLATION
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.isolation import NodeIsolation
from gpu_conformance.requirements.isolation import container_isolation, env_no_gpu, no_request_no_gpu, pod_isolation

pytestmark = [pytest.mark.security, pytest.mark.workload]  # they create pods


@verifies(SEC_NO_REQUEST_NO_GPU)
def test_no_request_no_gpu(isolation: NodeIsolation) -> None:
    require(no_request_no_gpu(isolation))


@verifies(SEC_ENV_NO_GPU)
def test_env_no_gpu(isolation: NodeIsolation) -> None:
    require(env_no_gpu(isolation))


@verifies(SEC_CONTAINER_ISOLATION)
def test_container_isolation(isolation: NodeIsolation) -> None:
    require(container_isolation(isolation))


@verifies(SEC_POD_ISOLATION)
def test_pod_isolation(isolation: NodeIsolation, gpu_node: GpuNode) -> None:
    require(pod_isolation(isolation, gpu_node))
