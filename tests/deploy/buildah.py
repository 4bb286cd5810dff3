"""The project's image built and run for real with Debian's buildah, as root (tests/deploy/test_image.py).

How these machines build images (FACTS.md, "Tools on these machines"): `buildah bud --isolation chroot` with the
vfs storage driver builds, `buildah run --isolation chroot` runs a command in the image (podman run fails here:
"setrlimit RLIMIT_NOFILE: Operation not permitted"), and the base comes from Debian, the one image registry
reachable: an mmdebstrap tarball imported as an image. Flags as Debian bookworm's buildah 1.28 takes them
(`--pull=never` with its equals sign: the flag's value is optional). Every call uses a storage of its own, so
nothing is shared with the machine's other containers and all of it goes with the test.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

# The public base is python:3.12-slim-trixie: the same Debian release, whose nodejs (20) runs Allure 3.
DEBIAN_SUITE = "trixie"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
# What the python image gives the Dockerfile: python3, venv (with pip), and CA certificates for pip and npm.
BASE_PACKAGES = ("python3", "python3-venv", "ca-certificates")
BASE_IMAGE = f"localhost/gpu-conformance-base:{DEBIAN_SUITE}"
# The build's RUN steps get the machine's CA bundle, which trusts a TLS-inspecting proxy where there is one
# (these machines have one); it is bind-mounted for the build only and never lands in the image.
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
TIMEOUT_S = 900


class BuildahError(AssertionError):
    """A buildah or mmdebstrap command failed: the command and the end of its output."""


def why_unavailable() -> str | None:
    """Why buildah cannot build here, or None: the reason a test that needs it is skipped with."""
    if sys.platform != "linux":
        return f"buildah builds on Linux only, not {sys.platform}"
    missing = [tool for tool in ("buildah", "mmdebstrap") if shutil.which(tool) is None]
    if missing:
        return (f"{' and '.join(missing)} not found (./dev test installs buildah and mmdebstrap as root: "
                "apt-get install buildah mmdebstrap)")
    if os.geteuid() != 0:
        return "buildah builds as root here (chroot isolation, vfs storage): run the tests as root"
    return None


def _checked(command: list[str], timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise BuildahError(f"{' '.join(command)} exited {done.returncode}: {(done.stdout + done.stderr)[-4000:]}")
    return done


def debian_base(cache: Path) -> Path:
    """An mmdebstrap tarball of Debian with BASE_PACKAGES, made once a day (the archive moves daily) and kept in
    ``cache`` under a name of the suite, the day, and a digest of the mirror and the packages."""
    key = hashlib.sha256(f"{DEBIAN_MIRROR} {' '.join(BASE_PACKAGES)}".encode()).hexdigest()[:12]
    day = datetime.now(UTC).strftime("%Y%m%d")
    tarball = cache / f"debian-{DEBIAN_SUITE}-{day}-{key}.tar"
    if tarball.is_file():
        return tarball
    cache.mkdir(parents=True, exist_ok=True)
    for stale in cache.glob(f"debian-{DEBIAN_SUITE}-*.tar"):
        stale.unlink()
    partial = cache / f".{tarball.stem}.{os.getpid()}.tar"  # mmdebstrap picks the format by the name's end
    _checked(["mmdebstrap", "--quiet", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}",
              DEBIAN_SUITE, str(partial), DEBIAN_MIRROR])
    partial.replace(tarball)
    return tarball


class Buildah:
    """buildah with its own vfs storage under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def argv(self, *args: str) -> list[str]:
        return ["buildah", "--root", str(self.root / "storage"), "--runroot", str(self.root / "run"),
                "--storage-driver", "vfs", *args]

    def __call__(self, *args: str, timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess[str]:
        return _checked(self.argv(*args), timeout)

    def why_broken(self) -> str | None:
        """None where buildah can make a container here; else what it said (a machine without the rights)."""
        try:
            self("rm", self("from", "scratch", timeout=60).stdout.strip(), timeout=60)
        except BuildahError as error:
            return str(error)
        return None

    def import_rootfs(self, tarball: Path, image: str) -> None:
        """The tarball's files as a one-layer image (what `podman import` does)."""
        container = self("from", "scratch").stdout.strip()
        self("add", container, str(tarball), "/")  # a local tar archive is unpacked
        self("commit", "--quiet", container, image)
        self("rm", container)

    def build(self, context: Path, image: str, base: str) -> None:
        """The Dockerfile in ``context`` from ``base`` (its PYTHON_IMAGE), with the network and CA bundle of the
        machine for its downloads (apt, PyPI, npm)."""
        mounts = ["--volume", f"{CA_BUNDLE}:{CA_BUNDLE}:ro"] if CA_BUNDLE.is_file() else []
        self("bud", "--isolation", "chroot", "--network", "host", "--pull=never", *mounts,
             "--build-arg", f"PYTHON_IMAGE={base}", "--tag", image, str(context))

    def size(self, image: str) -> int:
        """The image's size in bytes: its layers as uncompressed tarballs (what `buildah images` shows, rounded)."""
        manifest = json.loads(json.loads(self("inspect", "--type", "image", image).stdout)["Manifest"])
        return sum(int(layer["size"]) for layer in manifest["layers"])

    def container(self, image: str) -> str:
        return self("from", "--pull=never", image).stdout.strip()

    def root_filesystem(self, container: str) -> Path:
        return Path(self("mount", container).stdout.strip())

    def run(self, container: str, command: list[str], volumes: Mapping[Path, str], user: str | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """``command`` in the container on the host's network, each volume (host dir -> "/dir[:ro]") mounted; as
        the image's USER unless ``user``. Its exit status is the command's (not checked)."""
        args = ["--isolation", "chroot", "--network", "host", *(f"--volume={host}:{inside}"
                                                                 for host, inside in volumes.items())]
        args += [f"--user={user}"] if user else []
        return subprocess.run(self.argv("run", *args, container, "--", *command), capture_output=True, text=True,
                              timeout=timeout, check=False)

    def remove_everything(self) -> None:
        """Containers, images and the storage itself (its files go even where buildah fails to remove them)."""
        try:
            self("rm", "--all")
            self("rmi", "--all", "--force")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
