"""The images the simulated kubelet understands: reference -> behaviour.

Specific families come first; anything else is a generic image.
"""

from __future__ import annotations

from . import cuda_perf, cuda_sample, dcgm, device_plugin, dra_kubelet_plugin, generic, registered
from .base import Behaviour, ContainerContext, Outcome, Process, Script, VolumeSetupError
from .registered import register_image

_FAMILIES = (cuda_sample, cuda_perf, dcgm, device_plugin, dra_kubelet_plugin, registered)

__all__ = ["Behaviour", "ContainerContext", "Outcome", "Process", "Script", "VolumeSetupError", "behaviour",
           "image_env", "register_image"]


def behaviour(image: str) -> Behaviour:
    for family in _FAMILIES:
        if family.matches(image):
            run: Behaviour = family.run
            return run
    return generic.run


def image_env(image: str) -> dict[str, str]:
    """The image's own ENV (``docker inspect``'s Config.Env), beneath anything the pod spec sets."""
    for family in _FAMILIES:
        if family.matches(image):
            return dict(family.image_env(image))
    return {}
