"""`gpu-conformance gate` with the profile's ``admission_levels`` against a simulated cluster: a bad value is one
line naming the key and the file (exit 2, as any bad profile), and failures of a level that does not block
admission are printed while the node is admitted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gpusim.scenario import load
from gpusim.testing import StartCluster

pytestmark = pytest.mark.e2e

NODE = "k8s-node06"  # runtime-not-default breaks PRE-RUNTIME-DEFAULT there, a tutorial check


def _held_back(tmp_path: Path) -> Path:
    path = tmp_path / "runtime-not-default-held.yaml"
    path.write_text(json.dumps({"name": "runtime-not-default-held", "base": "runtime-not-default",
                                "description": "node06 cordoned", "nodes": [{"name": NODE, "unschedulable": True}]}))
    return path


def _profile(tmp_path: Path, levels: str) -> Path:
    path = tmp_path / "gate-profile.yaml"
    path.write_text(f"admission_levels: {levels}\n")
    return path


def _gate(kubeconfig: Path, profile: Path, *suite: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "gpu_conformance", "gate", NODE, "--dry-run", "--kubeconfig", str(kubeconfig),
               "--", "--gpu-node-selector", "gpu-node=true", "-p", "no:cacheprovider", "--pod-timeout", "60",
               "--conformance-profile", str(profile), *suite]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_admission_levels_choose_what_blocks(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster(load(str(_held_back(tmp_path))))

    bad = _gate(cluster.kubeconfig, _profile(tmp_path, "[tutorial, harden]"))
    assert bad.returncode == 2, bad.stdout + bad.stderr
    assert bad.stderr.strip() == (f"gpu-conformance gate: the suite did not start: profile {tmp_path}/gate-profile"
                                  ".yaml: admission-levels: expected 'tutorial' or 'hardening', got 'harden'")

    admitted = _gate(cluster.kubeconfig, _profile(tmp_path, "[hardening]"), "--level", "tutorial")
    assert admitted.returncode == 0, admitted.stdout + admitted.stderr
    out = admitted.stdout
    assert (f"gate: {NODE}: " in out and "check(s) did not pass at levels that do not block admission "
            "(admission-levels: hardening):" in out)
    assert f"  PRE-RUNTIME-DEFAULT on {NODE}: failed: [PRE-RUNTIME-DEFAULT] found default runtime" in out
    assert f"gate: {NODE} passed every hardening check; --dry-run: would uncordon" in out
    assert "NOT admitted" not in out
