"""Verdicts on printed formulas: the record every derivation script returns, and the runner.

A derivation script (in ``derivations/``, installed as ``meanfield_sym.derivations``) holds one
group of printed equations.  It exposes

* ``checks() -> list[CheckResult]`` -- transcribe the printed formula as data, derive the
  same quantity with the engine, compare symbolically and numerically, return verdicts;
* ``SLOW`` (optional, default ``False``) -- run only under ``meanfield-sym verify --slow``;
* ``main()`` -- ``return run_script(checks)``: prints the verdicts, exits non-zero only if the
  toolkit itself is inconsistent.

Verdicts: ``HOLDS``; ``MISPRINT`` (``corrected`` holds the corrected form, the evidence says why);
``UNDECIDED`` (the evidence gives the reason).  ``consistent`` is False only when the toolkit's
own witnesses disagree with each other (e.g. a derived closed form against mpmath quadrature):
that is a bug in the toolkit, not in the paper, and makes ``verify`` exit non-zero.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import sympy as sp

__all__ = ["CheckResult", "HOLDS", "MISPRINT", "UNDECIDED", "discover_scripts", "run_all",
           "run_script", "format_table", "digits_of_agreement"]

HOLDS, MISPRINT, UNDECIDED = "HOLDS", "MISPRINT", "UNDECIDED"
VERDICTS = (HOLDS, MISPRINT, UNDECIDED)


@dataclass
class CheckResult:
    """One printed formula and the toolkit's verdict on it.

    ``printed``/``derived``/``corrected`` are SymPy expressions or plain text; they are
    stringified for JSON and LaTeX-printed for the documentation.
    """

    id: str
    paper: str
    equation: str
    what: str
    verdict: str
    printed: object
    derived: object
    evidence: str
    corrected: object = None
    consistent: bool = True
    digits: float | None = None
    steps: list = field(default_factory=list)  # [(text, sympy expr or None), ...]
    script: str = ""

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.verdict == MISPRINT and self.corrected is None:
            raise ValueError(f"{self.id}: a MISPRINT needs its corrected form")

    def to_json(self) -> dict:
        """The ``verify --json`` object: the contract keys first, then extras."""
        def s(v):
            return None if v is None else (sp.sstr(v) if isinstance(v, sp.Basic) else str(v))

        def tex(v):
            return None if v is None else (sp.latex(v) if isinstance(v, sp.Basic) else None)
        return {
            "id": self.id, "paper": self.paper, "equation": self.equation,
            "verdict": self.verdict, "printed": s(self.printed), "derived": s(self.derived),
            "evidence": self.evidence, "what": self.what, "corrected": s(self.corrected),
            "consistent": self.consistent, "digits": self.digits, "script": self.script,
            "latex": {"printed": tex(self.printed), "derived": tex(self.derived),
                      "corrected": tex(self.corrected)},
            "steps": [{"text": t, "latex": tex(e)} for t, e in self.steps],
        }


def digits_of_agreement(x, y) -> float:
    """Number of agreeing significant digits, -log10(|x - y| / max(|x|, |y|)); inf if equal."""
    import mpmath
    x, y = mpmath.mpf(x), mpmath.mpf(y)
    scale = max(abs(x), abs(y))
    if x == y:
        return float("inf")
    if scale == 0:
        return float("inf")
    return float(-mpmath.log10(abs(x - y) / scale))


def discover_scripts(include_slow: bool = False):
    """Import every derivation script (``meanfield_sym.derivations.*``), sorted by name."""
    pkg = importlib.import_module("meanfield_sym.derivations")
    mods = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"meanfield_sym.derivations.{info.name}")
        if not hasattr(mod, "checks"):
            continue
        if getattr(mod, "SLOW", False) and not include_slow:
            continue
        mods.append(mod)
    return mods


def run_all(include_slow: bool = False, progress: Callable[[str], None] | None = None):
    """Run every script's ``checks()``; returns (results, seconds)."""
    start = time.perf_counter()
    results = []
    for mod in discover_scripts(include_slow):
        name = mod.__name__.rsplit(".", 1)[-1]
        if progress:
            progress(name)
        for r in mod.checks():
            r.script = r.script or name
            results.append(r)
    return results, time.perf_counter() - start


def _shorten(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(results) -> str:
    """A plain-text table: id, paper, equation, what, verdict, evidence, corrected form."""
    rows = [("id", "paper", "eq.", "what", "verdict", "evidence", "corrected form")]
    for r in results:
        corr = "" if r.corrected is None else sp.sstr(r.corrected) if isinstance(
            r.corrected, sp.Basic) else str(r.corrected)
        verdict = r.verdict + ("" if r.consistent else " (INCONSISTENT)")
        rows.append((r.id, r.paper, r.equation, _shorten(r.what, 38), verdict,
                     _shorten(r.evidence, 60), _shorten(corr, 50)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run_script(checks: Callable[[], list]) -> int:
    """The body of a derivation script's ``main()``: print verdicts, return the exit status."""
    results = checks()
    print(format_table(results))
    for r in results:
        if r.verdict == MISPRINT:
            print(f"\n{r.id} {r.equation}: MISPRINT\n  printed:   {r.printed}\n"
                  f"  corrected: {r.corrected}\n  evidence:  {r.evidence}")
    return 0 if all(r.consistent for r in results) else 1


def results_to_json(results) -> str:
    return json.dumps([r.to_json() for r in results], indent=2)
