"""A pytest plugin for the stray-error test: the vectoradd gatherer fails as a bug would, with a TypeError
(the API once served a GPU quantity as a JSON number and the suite's reading of it broke)."""

from __future__ import annotations

from typing import Any

import fixtures.workload


def _broken_gatherer(*args: Any, **kwargs: Any) -> Any:
    raise TypeError("'int' object is not subscriptable")


fixtures.workload.run_vectoradd = _broken_gatherer
