"""Resource quantities as the scheduler and kubelet compare them ("100m", "2Gi", "65843068Ki")."""

from __future__ import annotations

import re
from decimal import Decimal

_SUFFIX = {
    "": Decimal(1), "m": Decimal("0.001"), "k": Decimal(10) ** 3, "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9, "T": Decimal(10) ** 12, "P": Decimal(10) ** 15, "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30, "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50, "Ei": Decimal(2) ** 60,
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")


def parse_quantity(text: str | int | float) -> Decimal:
    """The numeric value of a Kubernetes quantity; malformed text counts as zero."""
    match = _QUANTITY.match(str(text).strip())
    if not match:
        return Decimal(0)
    return Decimal(match.group(1)) * _SUFFIX[match.group(2) or ""]


def format_count(value: Decimal | int) -> str:
    """An integer quantity as the apiserver prints counts such as ``nvidia.com/gpu``."""
    return str(int(value))
