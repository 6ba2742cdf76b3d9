"""Derivation scripts: one per group of printed equations (installed as meanfield_sym.derivations).

Each script transcribes a paper's printed formulas as data, derives the same quantities with
the engine, and returns verdicts (see :mod:`meanfield_sym.verdicts.record`).  Run one directly
with ``python -m meanfield_sym.derivations.<name>``, or all with ``meanfield-sym verify``.
"""
