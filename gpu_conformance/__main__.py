"""``python -m gpu_conformance``: the same CLI as ``gpu-conformance``."""

import sys

from .cli import main

sys.exit(main())
