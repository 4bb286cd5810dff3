"""Requirement functions (judges): facts (with their sources) and settings in, a Verdict out; pure, no I/O.

One function per check of ``gpu_conformance.checks``. "Not conformant" is a failed Verdict; "could not
inspect" is ``gpu_conformance.facts.unavailable.FactsUnavailable``, which the pytest layer reports as an
error (broken), never a failure. Judges import facts and pure helpers only, never a gatherer or pytest.
"""
