"""Image references as containerd reports them, and the kubelet's image-pull wording."""

from __future__ import annotations

import hashlib
import re

PULL_SECONDS = 0.7
FAILED_PULL_SECONDS = 0.5


def _has_registry(first: str) -> bool:
    return "." in first or ":" in first or first == "localhost"


def normalize(image: str) -> str:
    """``busybox`` -> ``docker.io/library/busybox:latest``, as containerd names images."""
    name, _, digest = image.partition("@")
    parts = name.split("/")
    if len(parts) == 1 or not _has_registry(parts[0]):
        parts = ["docker.io", *(["library"] if len(parts) == 1 else []), *parts]
    name = "/".join(parts)
    if digest:
        return f"{name}@{digest}"
    return name if re.search(r":[^/]+$", name) else f"{name}:latest"


def digest(image: str) -> str:
    return hashlib.sha256(normalize(image).encode()).hexdigest()


def image_id(image: str) -> str:
    repo = re.sub(r"(:[^/]+)?(@.*)?$", "", normalize(image))
    return f"{repo}@sha256:{digest(image)}"


def image_size(image: str) -> int:
    return 2_000_000 + int(digest(image)[:6], 16) * 16


def go_duration(seconds: float) -> str:
    """A duration truncated to milliseconds, printed as Go prints ``time.Duration``."""
    ms = int(seconds * 1000)
    if ms < 1000:
        return f"{ms}ms"
    minutes, ms = divmod(ms, 60_000)
    text = f"{ms / 1000:.3f}".rstrip("0").rstrip(".")
    return f"{minutes}m{text}s" if minutes else f"{text}s"


def pull_error(image: str) -> str:
    """containerd's error for a registry that cannot be reached."""
    ref = normalize(image)
    registry, _, rest = ref.partition("/")
    host = "registry-1.docker.io" if registry == "docker.io" else registry
    repo, _, tag = rest.rpartition(":") if "@" not in rest else (rest.split("@")[0], "", rest.split("@")[1])
    return (f'rpc error: code = Unknown desc = failed to pull and unpack image "{ref}": failed to resolve '
            f'reference "{ref}": failed to do request: Head "https://{host}/v2/{repo}/manifests/{tag}": '
            f"dial tcp: lookup {host}: no such host")


def pulled_message(image: str, seconds: float, kubelet_minor: int) -> str:
    took = go_duration(seconds)
    message = f'Successfully pulled image "{image}" in {took} ({took} including waiting)'
    if kubelet_minor >= 29:
        message += f". Image size: {image_size(image)} bytes."
    return message


def kubelet_minor(version: str) -> int:
    match = re.match(r"v?\d+\.(\d+)", version)
    return int(match.group(1)) if match else 0
