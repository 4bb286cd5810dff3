"""Resource quantities as the apiserver stores them: canonical strings, whatever the client sent.

apimachinery's ``resource.Quantity`` decodes a JSON number (``1``) or string alike and encodes its
canonical form: decimal values with the largest SI suffix that keeps an integer mantissa (``1000``
reads back ``1k``, ``0.5`` ``500m``), binary ones in Ki/Mi/... when exact (``1.5Gi`` is ``1536Mi``),
below 1024 or fractional in decimal form, and ``e`` exponents kept as exponents.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .resources import NODE, PV, PVC, ResourceType

_FORM = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?")
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")
_SI_BY_EXPONENT = {exponent: suffix for suffix, exponent in _DECIMAL.items()}
_NANO = Decimal("1e-9")


def canonical_quantity(value: object) -> str | None:
    """The canonical text of a quantity given as a string or a JSON number; None when it is none."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    match = _FORM.fullmatch(str(value).strip())
    if match is None:
        return None
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        return None
    suffix = match.group(2) or ""
    if suffix in _BINARY[1:]:
        amount = number * 1024 ** _BINARY.index(suffix)
        if abs(amount) >= 1024 and amount == amount.to_integral_value():
            return _binary(int(amount))
        return _decimal(amount, exponent_form=False)
    if suffix[:1] in ("e", "E"):
        return _decimal(number * Decimal(10) ** int(suffix[1:]), exponent_form=True)
    return _decimal(number * Decimal(10) ** _DECIMAL[suffix], exponent_form=False)


def _binary(amount: int) -> str:
    power = 0
    while amount % 1024 == 0 and power < len(_BINARY) - 1:
        amount //= 1024
        power += 1
    return f"{amount}{_BINARY[power]}"


def _decimal(amount: Decimal, *, exponent_form: bool) -> str:
    """Integer mantissa with the largest multiple-of-3 exponent; finer than nano rounds up, as Quantity does."""
    if amount == 0:
        return "0"
    nanos = (amount / _NANO).to_integral_value(rounding="ROUND_CEILING" if amount > 0 else "ROUND_FLOOR")
    mantissa, exponent = int(nanos), -9
    while mantissa % 1000 == 0 and exponent < 18:
        mantissa //= 1000
        exponent += 3
    if exponent_form:
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    return f"{mantissa}{_SI_BY_EXPONENT[exponent]}"


def canonicalise(quantities: Any) -> None:
    """Every valid quantity of a ``{name: quantity}`` mapping in canonical form, in place."""
    if not isinstance(quantities, dict):
        return
    for name, value in quantities.items():
        text = canonical_quantity(value)
        if text is not None:
            quantities[name] = text


def canonicalise_quantities(rt: ResourceType, obj: dict[str, Any]) -> None:
    """The quantities of nodes, volumes and claims in canonical form (containers': see ``defaults``)."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if rt == NODE:
        canonicalise(status.get("capacity"))
        canonicalise(status.get("allocatable"))
    elif rt == PV:
        canonicalise(spec.get("capacity"))
    elif rt == PVC:
        canonicalise((spec.get("resources") or {}).get("requests"))
        canonicalise((spec.get("resources") or {}).get("limits"))
        canonicalise(status.get("capacity"))
