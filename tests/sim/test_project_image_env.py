"""The project's image as the test bed runs it: with its Dockerfile's NVIDIA_* ENV, as every CUDA image has."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from gpusim.cli import UsageError, _scenario, build_parser
from gpusim.images.dockerfile import final_stage_env
from gpusim.images.registered import IMAGES_ENV, image_env

DOCKERFILE = Path(__file__).parents[2] / "Dockerfile"
CUDA_ENV = {"NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"}


def test_the_dockerfile_final_stage_says_what_cuda_images_say() -> None:
    env = final_stage_env(DOCKERFILE)
    assert {k: env.get(k) for k in CUDA_ENV} == CUDA_ENV


def test_the_test_bed_runs_the_project_image_with_its_nvidia_env() -> None:
    nvidia = {k: v for k, v in final_stage_env(DOCKERFILE).items() if k.startswith("NVIDIA_")}
    assert image_env("ghcr.io/gpu-conformance/gpu-conformance:latest") == nvidia


def test_gpusim_image_env_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IMAGES_ENV, "[]")
    args = build_parser().parse_args(["run", "--image", f"sees-cli={sys.executable}", "--image-env",
                                      "sees-cli:NVIDIA_VISIBLE_DEVICES=all", "--image-env", "sees-cli:A=b=c",
                                      "--", "true"])
    _scenario(args)
    assert image_env("example.com/sees-cli:1") == {"NVIDIA_VISIBLE_DEVICES": "all", "A": "b=c"}
    for wrong, message in (("other:K=V", "no --image other=COMMAND"), ("sees-cli:K", "expected NAME:KEY=VALUE")):
        args = build_parser().parse_args(["run", "--image", f"sees-cli={sys.executable}", "--image-env", wrong,
                                          "--", "true"])
        with pytest.raises(UsageError, match=message):
            _scenario(args)
