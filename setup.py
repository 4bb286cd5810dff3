"""The wheel carries the conformance suite inside the package, as gpu_conformance/_suite/.

The suite (conftest.py, conformance/, fixtures/, and pyproject.toml for pytest's settings) and the
monitoring assets (monitoring/) live at the
checkout's top level, where the project keeps them; an installed wheel must run them without a
checkout, so every non-editable build copies them into the package (gpu_conformance/suite.py finds
them there). An editable install runs them from the checkout instead. Everything else is in
pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SUITE = ("conftest.py", "conformance", "fixtures", "monitoring", "pyproject.toml")  # as suite_files.py finds them
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc")


class BuildWithSuite(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "gpu_conformance" / "_suite"
        for name in SUITE:
            source = Path(name)
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=LEFT_OUT, dirs_exist_ok=True)
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithSuite})
