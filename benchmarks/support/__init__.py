"""What the benchmarks under benchmarks/ share: none of it is a benchmark of its own (./dev bench runs those)."""
