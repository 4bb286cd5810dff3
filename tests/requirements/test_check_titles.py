"""Titles and requirements state the thresholds the run applies, not the defaults."""

from __future__ import annotations

from gpu_conformance.checks import CHECKS, PRE_DRIVER, PRE_TOOLKIT
from gpu_conformance.settings import Settings, resolve


def test_defaults_give_the_tutorials_thresholds() -> None:
    assert PRE_DRIVER.title_for(Settings()) == "NVIDIA driver >= 384.81"
    assert PRE_TOOLKIT.title_for(Settings()) == "nvidia-container-toolkit >= 1.7.0 (or nvidia-docker2 >= 2.0)"


def test_title_follows_min_driver() -> None:
    settings = Settings(min_driver="535.0")
    assert PRE_DRIVER.title_for(settings) == "NVIDIA driver >= 535.0"
    assert "version 535.0 or newer" in PRE_DRIVER.requirement_for(settings)


def test_title_follows_min_driver_as_the_suite_resolves_it() -> None:
    """--min-driver on the command line, or GPU_CONFORMANCE_MIN_DRIVER, is what the title says."""
    assert PRE_DRIVER.title_for(resolve({"min_driver": "550.54"}, {})) == "NVIDIA driver >= 550.54"
    assert PRE_DRIVER.title_for(resolve({}, {"GPU_CONFORMANCE_MIN_DRIVER": "470.0"})) == "NVIDIA driver >= 470.0"


def test_every_template_fills_from_settings() -> None:
    for check in CHECKS:
        assert "{" not in check.title_for(Settings()) + check.requirement_for(Settings()), check.id
