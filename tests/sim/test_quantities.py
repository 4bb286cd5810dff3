"""Quantities in apimachinery's canonical form, as a real API server writes them back."""

from __future__ import annotations

import pytest
from gpusim.quantities import canonical_quantity


@pytest.mark.parametrize(("sent", "stored"), [
    (1, "1"), ("1", "1"), (0.5, "500m"), ("1000", "1k"), ("1000m", "1"), ("100m", "100m"),
    ("1.5Gi", "1536Mi"), ("2048Ki", "2Mi"), ("1000Ki", "1000Ki"), ("0.5Ki", "512"), ("1.5Ki", "1536"),
    ("1e3", "1e3"), ("0.0001", "100u"), ("65843068Ki", "65843068Ki"), ("94580335255", "94580335255"),
    ("-1", "-1"), ("1.0", "1"), ("0", "0"),
])
def test_canonical_form(sent: object, stored: str) -> None:
    assert canonical_quantity(sent) == stored


@pytest.mark.parametrize("sent", ["abc", True, None, "1Xi", ""])
def test_what_is_no_quantity_is_left_alone(sent: object) -> None:
    assert canonical_quantity(sent) is None
