"""Which kubeconfig files and context a run uses, checked before the client sees them.

The official client's own errors for a missing file or unknown context are vague or tracebacks;
these checks name the file, the context and the contexts that do exist. Secrets in the files
are never read into messages.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import UsageError
from ..settings import Settings
from .kubeconfig_schema import cluster_problems, type_problem, user_problems


@dataclass(frozen=True)
class KubeconfigChoice:
    files: tuple[Path, ...]  # in KUBECONFIG order (the first file to set a value wins, as in kubectl)
    context: str
    cluster: str  # the cluster entry the context names

    @property
    def config_file(self) -> str:
        return os.pathsep.join(str(f) for f in self.files)

    def describe(self) -> str:
        return f"context {self.context!r} of {self.config_file}"


def kubeconfig_files(settings: Settings, environ: Mapping[str, str] = os.environ) -> tuple[Path, ...]:
    """--kubeconfig, else $KUBECONFIG (a path list), else ~/.kube/config."""
    if settings.kubeconfig:
        return (Path(settings.kubeconfig).expanduser(),)
    listed = [p for p in environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    return tuple(Path(p).expanduser() for p in listed) or (Path("~/.kube/config").expanduser(),)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"kubeconfig {path}: cannot read: {exc.strerror or exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(
            f"kubeconfig {path}{line}: not valid YAML: {getattr(exc, 'problem', None) or exc}"
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(
            f"kubeconfig {path}: not a kubeconfig (expected a mapping, got {type(data).__name__})"
        )
    problem = type_problem(data)
    if problem:
        raise UsageError(f"kubeconfig {path}: {problem} (kubectl refuses this file too)")
    return data


def choose(settings: Settings, environ: Mapping[str, str] = os.environ) -> KubeconfigChoice:
    """The files and context to use; UsageError naming the file or context when they cannot work."""
    candidates = kubeconfig_files(settings, environ)
    files = tuple(p for p in candidates if p.exists()) if len(candidates) > 1 else candidates
    if not files or not files[0].exists():
        named = ", ".join(str(p) for p in candidates)
        raise UsageError(f"kubeconfig {named}: no such file (pass --kubeconfig or set KUBECONFIG)")
    loaded = [_load(path) for path in files]
    known: list[str] = []
    for data in loaded:
        known += [str(c.get("name")) for c in data.get("contexts") or [] if isinstance(c, dict)]
    current = next((str(d["current-context"]) for d in loaded if d.get("current-context")), None)
    context = settings.context or current
    listing = ", ".join(sorted(set(known))) or "none"
    where = os.pathsep.join(str(f) for f in files)
    if context is None:
        raise UsageError(
            f"kubeconfig {where}: no current-context set; pass --kube-context (known contexts: {listing})"
        )
    if context not in known:
        origin = "--kube-context" if settings.context else "current-context"
        raise UsageError(
            f"kubeconfig {where}: {origin} {context!r} is not defined (known contexts: {listing})"
        )
    body = _entry(files, loaded, "contexts", context)[1] or {}
    cluster = str(body.get("cluster") or "")
    _refuse_what_kubectl_refuses(files, loaded, cluster, str(body.get("user") or ""))
    return KubeconfigChoice(files, context, cluster)


def _entry(files: tuple[Path, ...], loaded: list[dict[str, Any]], section: str,
           name: str) -> tuple[Path, dict[str, Any] | None]:
    """The file and body of the first entry called ``name`` in ``section`` (the first file to define it wins)."""
    key = section[:-1]  # "clusters" -> "cluster"
    for path, data in zip(files, loaded, strict=True):
        for entry in data.get(section) or []:
            if entry.get("name") == name:
                return path, entry.get(key) or {}
    return files[0], None


def _refuse_what_kubectl_refuses(files: tuple[Path, ...], loaded: list[dict[str, Any]], cluster: str,
                                 user: str) -> None:
    """kubectl's validation of the context in use: TLS material, proxy, one way to authenticate, exec plugins."""
    for section, name, problems in (("clusters", cluster, cluster_problems), ("users", user, user_problems)):
        path, body = _entry(files, loaded, section, name)
        found = problems(name, body, path.parent) if body else []
        if found:
            raise UsageError(f"kubeconfig {path}: {found[0]} (kubectl refuses this file too)")
