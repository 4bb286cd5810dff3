"""Where the image cannot be built (tests/deploy/test_image.py is skipped), the reason says what is missing."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from tests.deploy.buildah import why_unavailable


@pytest.fixture
def root_with_both_tools(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(shutil, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    return monkeypatch


def test_root_with_buildah_and_mmdebstrap_builds(root_with_both_tools: pytest.MonkeyPatch) -> None:
    assert why_unavailable() is None


def test_a_missing_tool_is_named_with_how_to_install_it(root_with_both_tools: pytest.MonkeyPatch) -> None:
    root_with_both_tools.setattr(shutil, "which", lambda tool: None if tool == "mmdebstrap" else f"/usr/bin/{tool}")
    assert why_unavailable() == ("mmdebstrap not found (./dev test installs buildah and mmdebstrap as root: "
                                 "apt-get install buildah mmdebstrap)")


def test_a_user_other_than_root_is_told_to_run_as_root(root_with_both_tools: pytest.MonkeyPatch) -> None:
    root_with_both_tools.setattr(os, "geteuid", lambda: 1000)
    assert why_unavailable() == ("buildah builds as root here (chroot isolation, vfs storage): "
                                 "run the tests as root")


def test_other_systems_than_linux_are_named(root_with_both_tools: pytest.MonkeyPatch) -> None:
    root_with_both_tools.setattr(sys, "platform", "darwin")
    assert why_unavailable() == "buildah builds on Linux only, not darwin"
