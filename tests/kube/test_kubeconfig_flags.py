"""``insecure-skip-tls-verify: 'false'`` (a string) must not turn TLS verification off: kubectl refuses the file,
and so does the suite, before any connection, naming the file, the cluster and the flag."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from gpusim.testing import kubectl_binary

from gpu_conformance.errors import UsageError
from gpu_conformance.kube.kubeconfig import choose
from gpu_conformance.settings import resolve

pytestmark = pytest.mark.e2e  # kubectl is run beside the suite's own check


def kubeconfig(tmp_path: Path, flag: object) -> Path:
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "x",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:9", "insecure-skip-tls-verify": flag}}],
        "users": [{"name": "u", "user": {"token": "t0ken-t0ken"}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}]}))
    return path


@pytest.mark.parametrize("flag", ["false", "no", "False", "true", 0])
def test_a_flag_that_is_no_boolean_is_refused_as_kubectl_refuses_it(tmp_path: Path, flag: object) -> None:
    path = kubeconfig(tmp_path, flag)
    with pytest.raises(UsageError) as raised:
        choose(resolve({"kubeconfig": str(path)}))
    assert str(raised.value) == (
        f"kubeconfig {path}: clusters['c'].cluster.insecure-skip-tls-verify is {flag!r}, not true or false "
        f"(kubectl refuses this file too: cannot unmarshal {type(flag).__name__} into bool); write it unquoted")
    kubectl = subprocess.run([kubectl_binary(), "--kubeconfig", str(path), "config", "view"], capture_output=True,
                             text=True, timeout=30, check=False)
    assert kubectl.returncode != 0 and "insecure-skip-tls-verify of type bool" in kubectl.stderr


@pytest.mark.parametrize("flag", [True, False])
def test_a_boolean_flag_is_read_as_written(tmp_path: Path, flag: bool) -> None:
    assert choose(resolve({"kubeconfig": str(kubeconfig(tmp_path, flag))})).cluster == "c"
