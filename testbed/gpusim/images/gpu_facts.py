"""Architecture facts GPU Feature Discovery derives from a GPU's name."""

from __future__ import annotations

# (substring of the product name, family, compute major, compute minor, MIG capable); first match wins.
_TABLE: tuple[tuple[str, str, int, int, bool], ...] = (
    ("B200", "blackwell", 10, 0, True),
    ("RTX 50", "blackwell", 12, 0, False),
    ("H200", "hopper", 9, 0, True),
    ("H100", "hopper", 9, 0, True),
    ("GH200", "hopper", 9, 0, True),
    ("L40", "ada-lovelace", 8, 9, False),
    ("L4", "ada-lovelace", 8, 9, False),
    ("RTX 40", "ada-lovelace", 8, 9, False),
    ("RTX 6000 Ada", "ada-lovelace", 8, 9, False),
    ("A100", "ampere", 8, 0, True),
    ("A30", "ampere", 8, 0, True),
    ("A10", "ampere", 8, 6, False),
    ("A40", "ampere", 8, 6, False),
    ("RTX 30", "ampere", 8, 6, False),
    ("T4", "turing", 7, 5, False),
    ("RTX 20", "turing", 7, 5, False),
    ("V100", "volta", 7, 0, False),
    ("P100", "pascal", 6, 0, False),
    ("P4", "pascal", 6, 1, False),
    ("K80", "kepler", 3, 7, False),
)


def architecture(name: str) -> tuple[str, int, int, bool]:
    """(family, compute major, compute minor, MIG capable) for a product name; unknown -> undefined."""
    for needle, family, major, minor, mig in _TABLE:
        if needle in name:
            return family, major, minor, mig
    return "undefined", 0, 0, False
