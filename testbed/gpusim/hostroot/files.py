"""Writing a host's files under its root directory, paths given as on the host (``/etc/os-release``)."""

from __future__ import annotations

import os
from pathlib import Path


class HostFiles:
    """One node's host root; remembers the folders it made so a big cluster renders quickly."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: set[Path] = set()

    def path(self, host_path: str) -> Path:
        return self.root / host_path.lstrip("/")

    def _prepare(self, host_path: str) -> Path:
        target = self.path(host_path)
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        if target.is_symlink():
            target.unlink()
        return target

    def write(self, host_path: str, text: str, executable: bool = False) -> None:
        target = self._prepare(host_path)
        target.write_text(text, encoding="utf-8")
        if executable:
            target.chmod(0o755)

    def link(self, host_path: str, points_to: str) -> None:
        target = self._prepare(host_path)
        if target.exists():
            target.unlink()
        os.symlink(points_to, target)
