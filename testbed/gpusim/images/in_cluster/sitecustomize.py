"""The simulated kubelet's stand-in for the ServiceAccount mount at /var/run/secrets/kubernetes.io/serviceaccount.

The simulated cluster runs the project's image as a process on this machine, where that directory is not
the pod's. The pod's token, ca.crt and namespace are written to a directory of the pod's own instead,
named by $GPU_SIM_SERVICE_ACCOUNT_DIR, and this module, first on the process's PYTHONPATH (so that every
Python process the container starts imports it), points the kubernetes client's two in-cluster file paths
there as the client is imported. Nothing else changes: the product calls load_incluster_config(), which
reads KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT as in a real pod.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Sequence
from types import ModuleType

_MODULE = "kubernetes.config.incluster_config"
_DIRECTORY = os.environ.get("GPU_SIM_SERVICE_ACCOUNT_DIR", "")


class _ThePodsServiceAccountFiles(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != _MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        loader = spec.loader if spec is not None else None
        if loader is None:
            return spec
        execute = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            vars(module).update(SERVICE_TOKEN_FILENAME=os.path.join(_DIRECTORY, "token"),
                                SERVICE_CERT_FILENAME=os.path.join(_DIRECTORY, "ca.crt"))

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if _DIRECTORY:
    sys.meta_path.insert(0, _ThePodsServiceAccountFiles())
