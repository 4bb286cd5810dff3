"""The project's own tests run against the test bed (testbed/, package gpusim): simulated clusters on loopback.

The test bed runs the project's image for real only because it is registered here: containers of
``ghcr.io/gpu-conformance/gpu-conformance`` whose command is ``gpu-conformance`` run this checkout's CLI, and
``python`` (the image's interpreter) this interpreter.
"""

import sys

from gpusim.images import register_image

pytest_plugins = ["gpusim.testing"]

register_image("gpu-conformance", "gpu-conformance", [sys.executable, "-m", "gpu_conformance"])
register_image("gpu-conformance", "python", [sys.executable])
