"""Verdicts on printed formulas: the record every derivation script returns, and the runner.

A derivation script (in ``derivations/``, installed as ``meanfield_sym.derivations``) holds one
group of printed equations.  It exposes

* ``checks() -> list[CheckResult]`` -- transcribe the printed formula as data, derive the
  same quantity with the engine, run the witnesses, and hand everything to the one judge
  (:func:`meanfield_sym.verdicts.judge.judge`), which computes the verdict (a script never
  states one);
* ``SLOW`` (optional, default ``False``) -- run only under ``meanfield-sym verify --slow``;
* ``main()`` -- ``return run_script(checks)``: prints the verdicts, exits non-zero when the
  run is inconsistent (see :func:`consistency_problems`).

Verdicts: ``HOLDS``; ``MISPRINT`` (``corrected`` holds the corrected form, the evidence says why);
``UNDECIDED`` (the evidence gives the reason).  ``consistent`` is False only when the toolkit's
own witnesses disagree with each other (e.g. a derived closed form against mpmath quadrature):
that is a bug in the toolkit, not in the paper, and makes ``verify`` exit non-zero, as do two
records on the same equation with contradictory verdicts and a violated bound.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import re
import textwrap

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

__all__ = ["CheckResult", "HOLDS", "MISPRINT", "UNDECIDED", "discover_scripts", "run_all",
           "run_script", "format_table", "format_record", "consistency_problems", "summary_line",
           "digits_of_agreement", "human", "human_symbol", "script_names"]

HOLDS, MISPRINT, UNDECIDED = "HOLDS", "MISPRINT", "UNDECIDED"
VERDICTS = (HOLDS, MISPRINT, UNDECIDED)


@dataclass
class CheckResult:
    """One printed formula and the verdict on it.

    ``printed``/``derived``/``corrected`` are SymPy expressions or plain text; they are
    stringified for JSON and LaTeX-printed for the documentation.  Records made by the judge
    (:func:`meanfield_sym.verdicts.judge.judge`) also carry the definitions used (quoted, with
    where they are stated), the readings judged, the witnesses with their numbers, the reason
    for the verdict, the candidate forms (when not HOLDS), a normalised equation ``key`` and the
    ``kind`` of statement (``formula``, ``bound`` or ``claim``).
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
    definitions: list = field(default_factory=list)
    readings: list = field(default_factory=list)
    witnesses: list = field(default_factory=list)
    reason: str = ""
    candidates: list = field(default_factory=list)
    key: str = ""
    kind: str = "formula"

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.verdict == MISPRINT and self.corrected is None:
            raise ValueError(f"{self.id}: a MISPRINT needs its corrected form")
        if not self.key:
            self.key = f"{self.paper}:{self.equation}"

    def to_json(self) -> dict:
        """The ``verify --json`` object: the contract keys first, then extras."""
        def s(v):
            return None if v is None else (sp.sstr(v) if isinstance(v, sp.Basic) else str(v))

        def tex(v):
            return None if v is None else (sp.latex(v) if isinstance(v, sp.Basic) else None)

        def js(x):
            return x.to_json() if hasattr(x, "to_json") else x
        return {
            "id": self.id, "paper": self.paper, "equation": self.equation,
            "verdict": self.verdict, "printed": s(self.printed), "derived": s(self.derived),
            "evidence": self.evidence, "what": self.what, "corrected": s(self.corrected),
            "consistent": self.consistent, "digits": self.digits, "script": self.script,
            "latex": {"printed": tex(self.printed), "derived": tex(self.derived),
                      "corrected": tex(self.corrected)},
            "steps": [{"text": t, "latex": tex(e)} for t, e in self.steps],
            "text": {"printed": human(self.printed), "derived": human(self.derived),
                     "corrected": human(self.corrected) if self.corrected is not None else None},
            "key": self.key, "kind": self.kind, "reason": self.reason,
            "definitions": [js(d) for d in self.definitions],
            "readings": [js(r) for r in self.readings],
            "witnesses": [js(w) for w in self.witnesses],
            "candidates": list(self.candidates),
        }


# ---------------------------------------------------------------------------------------------
# Symbols as a person writes them
# ---------------------------------------------------------------------------------------------
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "kappa": "κ", "lambda": "λ",
          "mu": "μ", "sigma": "σ", "theta": "θ", "eta": "η", "rho": "ρ", "phi": "φ", "pi": "π",
          "Sigma": "Σ", "Theta": "Θ", "nu": "ν", "xi": "ξ"}
_ACCENT = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304"}
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _index(text: str) -> str:
    text = text.strip("()").replace("-", "−")
    return text if len(text) == 1 or text.isdigit() else "{" + text + "}"


def human_symbol(name: str) -> str:
    """A SymPy symbol name as a person writes it: ``alpha_L-1`` → ``α_{L−1}``,
    ``qhat^(l-1)`` → ``q̂^{l−1}``, ``qtilde1^l`` → ``q̃_1^l``, ``kappa1`` → ``κ₁``,
    ``sigma_w2`` → ``σ_w²``, ``alpha~`` → ``α̃``."""
    if any(c in name for c in " <>=[]") or len(name) > 40:
        return name
    m = re.match(r"^([A-Za-z]+?)(hat|tilde|bar)?(~)?(_st)?(\d*)(')?(~)?((?:_[^^]+)?)((?:\^.+)?)$", name)
    if not m:
        return name
    base, acc, tld0, st, num, prime, tld, sub, sup = m.groups()
    tld = tld or tld0
    if base in ("sigma",) and sub in ("_w2", "_b2"):
        return "σ_" + sub[1] + "²"
    if base in _GREEK:
        base = _GREEK[base]
    elif acc is None and base.endswith(("hat", "tilde", "bar")):
        for a in ("hat", "tilde", "bar"):
            if base.endswith(a) and len(base) > len(a):
                base, acc = base[: -len(a)], a
                base = _GREEK.get(base, base)
    out = base + (_ACCENT[acc] if acc else "") + ("\u0303" if tld else "")
    subs = []
    if st:
        subs.append("st")
    if num:
        subs.append(num)
    if sub:
        subs.append(_GREEK.get(sub[1:], sub[1:]))
    if subs:
        joined = ",".join(subs)
        out += joined.translate(_SUB) if joined.isdigit() else "_" + _index(joined)
    if prime:
        out += "′"
    if sup:
        out += "^" + _index(sup[1:])
    return out


class _HumanPrinter(StrPrinter):
    def _print_Symbol(self, expr):
        return human_symbol(expr.name)

    _print_Dummy = _print_Symbol

    def _print_Pow(self, expr, rational=False):
        if expr.exp == sp.Rational(1, 2):
            return "√(" + self._print(expr.base) + ")"
        if expr.exp == -sp.Rational(1, 2):
            return "1/√(" + self._print(expr.base) + ")"
        if expr.exp == 2 and (expr.base.is_Symbol or expr.base.is_Function):
            return self.parenthesize(expr.base, PRECEDENCE["Pow"], strict=False) + "²"
        return super()._print_Pow(expr, rational=rational).replace("**", "^")

    def _print_Mul(self, expr):
        return super()._print_Mul(expr).replace("**", "^")

    def _print_Pi(self, expr):
        return "π"

    def _print_Tuple(self, expr):
        return "(" + "; ".join(self._print(a) for a in expr.args) + ")"


def human(v) -> str:
    """An expression (or text) as a person writes it, on one line."""
    if v is None:
        return ""
    if isinstance(v, sp.Basic):
        try:
            return _HumanPrinter({"order": None}).doprint(v).replace("*", "·").replace(
                "··", "^")
        except Exception:  # noqa: BLE001 - printing must never break a report
            return sp.sstr(v)
    if isinstance(v, (tuple, list)):
        return "(" + "; ".join(human(x) for x in v) + ")"
    return str(v)


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


def script_names(include_slow: bool = True) -> list[str]:
    """Names of the derivation scripts (for ``verify --only``)."""
    return [m.__name__.rsplit(".", 1)[-1] for m in discover_scripts(include_slow)]


def run_all(include_slow: bool = False, progress: Callable[[str], None] | None = None):
    """Run every script's ``checks()``; returns (results, seconds).

    BLAS runs on one thread meanwhile (threadpoolctl): the scripts' matrices are small, and
    on a shared machine a second BLAS thread slows them by 10–50× instead of helping."""
    from threadpoolctl import threadpool_limits
    start = time.perf_counter()
    results = []
    with threadpool_limits(limits=1, user_api="blas"):
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


def _wrap(label: str, text: str, width: int) -> list[str]:
    text = " ".join(str(text).split())
    if not text:
        return []
    pad = " " * (len(label) + 2)
    return textwrap.wrap(text, width=width, initial_indent=f"  {label}", subsequent_indent=pad,
                         break_on_hyphens=False, break_long_words=True)


def format_record(r, width: int = 100) -> str:
    """One record as a block of wrapped lines (nothing cut)."""
    head = f"{r.id} — {r.verdict}" + ("" if r.consistent else " (INCONSISTENT)")
    lines = [head, *_wrap("paper:     ", f"{r.paper}, {r.equation}", width),
             *_wrap("what:      ", r.what, width),
             *_wrap("printed:   ", human(r.printed), width),
             *_wrap("derived:   ", human(r.derived), width)]
    if r.corrected is not None:
        lines += _wrap("corrected: ", human(r.corrected), width)
    for d in r.definitions:
        lines += _wrap("defines:   ", f"{d.symbol}: “{d.text}” ({d.where})", width)
    if len(r.readings) > 1:
        for rd in r.readings:
            lines += _wrap("reading:   ", f"{rd.name} ({rd.description}): printed "
                           f"{'=' if rd.equal else '≠'} derived [{rd.how}]", width)
    for w in r.witnesses:
        lines += _wrap("witness:   ", w.summary(), width)
    if r.reason:
        lines += _wrap("reason:    ", r.reason, width)
    elif r.evidence:
        lines += _wrap("evidence:  ", r.evidence, width)
    return "\n".join(lines)


def format_table(results, wide: bool = False, width: int = 100) -> str:
    """The verdicts as wrapped blocks (one per record), or with ``wide=True`` one line per
    record (id, paper, equation, verdict, printed, corrected) with no column cut."""
    results = list(results)
    if not wide:
        return "\n\n".join(format_record(r, width) for r in results)
    rows = [("id", "paper", "eq.", "verdict", "printed", "corrected / derived")]
    for r in results:
        verdict = r.verdict + ("" if r.consistent else " (INCONSISTENT)")
        rows.append((r.id, r.paper, r.equation, verdict, human(r.printed),
                     human(r.corrected if r.corrected is not None else r.derived)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def consistency_problems(results) -> list[str]:
    """Problems that make ``verify`` exit non-zero, one line each naming the records:
    a record whose witnesses contradict its derivation; two records about the same equation
    (same ``key``) with contradictory verdicts (one HOLDS, another MISPRINT); a bound record
    whose witness violates the bound beyond its error."""
    out = []
    for r in results:
        if not r.consistent:
            out.append(f"INCONSISTENT {r.id}: {r.reason or r.evidence}")
        for w in r.witnesses:
            if getattr(w, "violation", False):
                out.append(f"BOUND VIOLATED {r.id}: {w.description}")
    groups: dict = {}
    for r in results:
        groups.setdefault(r.key, []).append(r)
    for key, rs in sorted(groups.items()):
        verdicts = {r.verdict for r in rs}
        if HOLDS in verdicts and MISPRINT in verdicts:
            names = ", ".join(f"{r.id} {r.verdict}" for r in rs)
            out.append(f"CONTRADICTION on {key}: {names}")
    return out


def summary_line(results, seconds: float) -> str:
    counts = {v: sum(r.verdict == v for r in results) for v in VERDICTS}
    keys = {r.key for r in results}
    ekeys = {v: len({r.key for r in results if r.verdict == v}) for v in VERDICTS}
    return (f"{len(results)} records on {len(keys)} distinct equations: "
            f"{counts[HOLDS]} hold ({ekeys[HOLDS]} equations), {counts[MISPRINT]} misprints "
            f"({ekeys[MISPRINT]} equations), {counts[UNDECIDED]} undecided ({ekeys[UNDECIDED]} "
            f"equations); {seconds:.1f} s")


def run_script(checks: Callable[[], list]) -> int:
    """The body of a derivation script's ``main()``: print verdicts, return the exit status."""
    start = time.perf_counter()
    results = checks()
    print(format_table(results))
    print("\n" + summary_line(results, time.perf_counter() - start))
    problems = consistency_problems(results)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


def results_to_json(results) -> str:
    return json.dumps([r.to_json() for r in results], indent=2)
