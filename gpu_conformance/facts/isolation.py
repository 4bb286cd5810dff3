"""What the isolation pods on one node saw: each container's view, with what it asked for, or why there is none.

Secure accelerator access is judged per container against its request: the containers that ask for no GPU
(the image's NVIDIA_VISIBLE_DEVICES=all, the pod spec's, a GPU pod's second container) must see none; the
holders of one GPU must see exactly one, and two holders at the same time different ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from .container_view import ContainerView


@dataclass(frozen=True)
class Look:
    """One container's view, or why it could not be had (its pod could not run, or was not made)."""

    container: str  # "pod NAMESPACE/NAME container C", or what it would have been
    asked: str  # what it asked for, e.g. "no GPU, NVIDIA_VISIBLE_DEVICES=all from the image"
    view: ContainerView | None
    problem: str | None = None  # one line, when ``view`` is None: why nothing could be inspected
    log: str = ""  # the container's log (trimmed), as evidence

    @property
    def source(self) -> str:
        return f"{self.container} ({self.asked})"


@dataclass(frozen=True)
class NodeIsolation:
    """The looks of one node's isolation pods; a holder's look is None where no holder was needed."""

    node: str
    image_env: Look  # no GPU requested; NVIDIA_VISIBLE_DEVICES=all only from the image
    pod_env: Look  # no GPU requested; NVIDIA_VISIBLE_DEVICES=all in the pod spec
    holder: Look  # 1 GPU
    bystander: Look  # the holder's pod's second container: no GPU, NVIDIA_VISIBLE_DEVICES=""
    other_holder: Look | None  # a second pod with 1 GPU, beside the holder; None: the node has fewer than 2 GPUs
