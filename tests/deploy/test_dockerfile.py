"""What can be checked of the image without building it: its stages, its copies, its user, its command.

tests/deploy/test_image.py builds it and runs it, with buildah, where it can (as root).
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from pathlib import PurePosixPath

import pytest
import yaml

from gpu_conformance.cli import build_parser
from gpu_conformance.commands.run import RESULTS_ENV
from gpu_conformance.reporting.allure_cli import ALLURE_VERSION
from gpu_conformance.reporting.allure_cli import ENV as ALLURE_ENV
from gpu_conformance.suite_files import SUITE_FILES
from tests.suite.suite_runner import ROOT

Instruction = tuple[str, str]  # (INSTRUCTION, its arguments as written)


def instructions() -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    lines = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def stages() -> dict[str, list[Instruction]]:
    """The build's stages by name (the last one, the image, as ""), each with its instructions."""
    found: dict[str, list[Instruction]] = {}
    current: list[Instruction] = []
    for kind, rest in instructions():
        if kind == "FROM":
            current = found.setdefault(rest.split(" AS ")[1] if " AS " in rest else "", [])
        else:
            current.append((kind, rest))
    return found


def args_of(keyword: str, stage: str = "") -> list[str]:
    return [rest for kind, rest in stages()[stage] if kind == keyword]


def copied(stage: str) -> dict[str, PurePosixPath]:
    """Every COPY source of the build context -> where it lands (a directory's contents go into the destination)."""
    workdir, found = PurePosixPath("/"), {}
    for kind, rest in stages()[stage]:
        if kind == "WORKDIR":
            workdir = workdir / rest
        elif kind == "COPY" and not rest.startswith("--from="):
            *sources, destination = shlex.split(rest)
            assert not any(s.startswith("--") for s in sources), "COPY --chown: teach this test"
            into = workdir / destination
            for source in sources:
                whole = (ROOT / source).is_dir() or not destination.endswith("/")
                found[source.rstrip("/")] = into if whole else into / PurePosixPath(source).name
    return found


def dockerignored(path: str) -> bool:
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip() and p[0] != "#"]
    return any(fnmatch.fnmatch(path, p.removeprefix("**/")) or path.startswith(p.rstrip("/") + "/") for p in patterns)


def test_every_copy_source_exists_and_reaches_the_build() -> None:
    for stage in stages():
        for source in copied(stage):
            assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
            assert not dockerignored(source), f"COPY {source}: excluded by .dockerignore"


def test_the_wheel_stage_copies_what_the_wheel_is_built_from() -> None:
    """The package, its build files, and what setup.py copies into it: the suite and the monitoring assets."""
    (workdir,) = [PurePosixPath(w) for w in args_of("WORKDIR", "wheel")]
    needed = {*SUITE_FILES, "gpu_conformance", "setup.py", "MANIFEST.in", "README.md"}
    assert {name: copied("wheel").get(name) for name in needed} == {name: workdir / name for name in needed}
    assert any(re.search(r"pip wheel .*--no-deps .*\.$", run) for run in args_of("RUN", "wheel"))


def test_the_image_installs_the_wheel_and_no_source_tree() -> None:
    assert copied("") == {}, "the image copies nothing from the checkout: the wheel carries everything"
    assert any(f.startswith("--from=wheel ") for f in args_of("COPY"))
    (install,) = [run for run in args_of("RUN") if "pip install" in run]
    assert re.search(r"pip install \S* ?\S*\.whl", install) and "--editable" not in install and " -e " not in install


def test_the_project_lives_in_a_venv_on_path_on_any_debian_python_base() -> None:
    """Debian's own python3 is externally managed (PEP 668): pip installs into a venv, and the venv comes first
    on PATH, so `gpu-conformance` and `python` are the project's on the python image and on a plain Debian alike."""
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(args_of("ENV"))))
    venv = env["PATH"].split(":")[0].removesuffix("/bin")
    (install,) = [run for run in args_of("RUN") if "pip install" in run]
    assert install.startswith(f"python3 -m venv {venv} ") and f"{venv}/bin/pip install " in install
    (wheel,) = args_of("RUN", "wheel")
    assert re.match(r"python3 -m venv (\S+) .*&& \1/bin/pip wheel ", wheel)


def test_the_user_is_not_root_and_matches_the_cronjob() -> None:
    (user,) = args_of("USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0 and (not gid or int(gid) != 0)
    cronjob = yaml.safe_load((ROOT / "deploy" / "cronjob.yaml").read_text())
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == int(uid)


def test_the_entrypoint_is_the_projects_command_and_runs_the_suite() -> None:
    (entrypoint,) = args_of("ENTRYPOINT")
    (command,) = args_of("CMD")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert json.loads(entrypoint) == ["gpu-conformance"] and "gpu-conformance" in scripts
    args = build_parser().parse_args(json.loads(command))
    assert args.command == "run" and args.report


@pytest.mark.parametrize(("name", "expected"), [(ALLURE_ENV, None), (RESULTS_ENV, "/reports")])
def test_the_environment_names_what_the_image_holds(name: str, expected: str | None) -> None:
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(args_of("ENV"))))
    if expected is None:  # Allure: where npm --prefix put it, at the version the project pins
        (install,) = [run for run in args_of("RUN") if "npm install" in run]
        prefix = re.search(r"--prefix (\S+)", install)
        assert prefix is not None and env[name] == f"{prefix.group(1)}/node_modules/.bin/allure"
        assert f"ARG ALLURE_VERSION={ALLURE_VERSION}" in (ROOT / "Dockerfile").read_text()
    else:
        assert env[name] == expected


def test_the_image_is_a_cuda_image_to_the_nvidia_runtime() -> None:
    """As every CUDA image, it asks for all GPUs through its environment: SEC-NO-REQUEST-NO-GPU runs it without
    a GPU request to see whether the node hands them out anyway (docs: the Dockerfile's comment)."""
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(args_of("ENV"))))
    assert (env["NVIDIA_VISIBLE_DEVICES"], env["NVIDIA_DRIVER_CAPABILITIES"]) == ("all", "compute,utility")
