"""The one judge: every verdict on a printed formula is computed here, from data.

A record states

* the **printed** formula, transcribed as data (a SymPy expression, or for a qualitative claim
  the sentence itself), and the **derived** form;
* the **definitions** used, quoted from the paper with where they are stated
  (:class:`Definition`);
* the **readings** (:class:`Reading`): when a symbol's definition is ambiguous or changes
  between sections (a normalisation, a parameter count, a constant such as α), each reading
  gives the printed and the derived form under that reading; the judge compares them;
* the **witnesses** (:class:`Witness`): each with its kind (``mpmath``, ``exact-algebra``,
  ``finite-width``, ``symbolic``), whether it is independent of the derivation, the numbers
  it computed, and whether it agrees with the derived and with the printed form.

:func:`judge` turns that into a verdict:

* ``HOLDS`` iff the printed form equals the derived form under every reading (exact symbolic
  equivalence, or agreement to a stated number of digits at stated points) and every witness
  agrees with the derived form;
* ``MISPRINT`` iff the printed form differs from the derived form under every reading, and at
  least one witness independent of the derivation confirms the derived (corrected) form and
  rejects the printed one;
* ``UNDECIDED`` otherwise, with the reason, the candidate forms and what each witness says.

A record is *inconsistent* (``consistent = False``, and ``verify`` exits non-zero) when one of
its witnesses disagrees with the derived form: the package's derivation and its own witness
contradict each other, which is a fault to investigate, not a verdict on the paper.

:func:`check_kernel` is the same judge for a user's own printed kernel formula: it compares the
formula with the engine's derivation and with an mpmath quadrature of the definition.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import mpmath
import sympy as sp

from meanfield_sym.verdicts.record import (HOLDS, MISPRINT, UNDECIDED, CheckResult,
                                           digits_of_agreement, human)

__all__ = ["Definition", "Reading", "Witness", "judge", "symbolic_equal", "compare",
           "equation_key", "check_kernel", "parse_formula", "WITNESS_KINDS", "DIGITS_REQUIRED",
           "COMPUTED"]

#: The kinds of witness a record may carry.
WITNESS_KINDS = ("mpmath", "exact-algebra", "finite-width", "symbolic")
#: High-precision agreement required for "equal to a stated number of digits".
DIGITS_REQUIRED = 20
#: The source of a witness's numbers when they were computed by the run that prints them.
COMPUTED = "computed in this run"


@dataclass
class Definition:
    """A definition the record uses, quoted from the paper, with where it is stated."""

    symbol: str
    text: str
    where: str

    def to_json(self) -> dict:
        return {"symbol": self.symbol, "text": self.text, "where": self.where}


@dataclass
class Reading:
    """One reading of an ambiguous definition: the printed and the derived form under it.

    ``equal`` is filled in by :func:`judge` (symbolic comparison, or digits at ``points``)
    unless the printed statement is a proposition, in which case the caller passes the
    *computed* truth value and says how (``how``) it was computed.
    """

    name: str
    description: str
    printed: object
    derived: object
    supported_by: str = ""
    equal: bool | None = None
    how: str = ""
    digits: float | None = None
    points: Sequence[Mapping] | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "description": self.description,
                "printed": _s(self.printed), "derived": _s(self.derived),
                "printed_text": human(self.printed), "derived_text": human(self.derived),
                "supported_by": self.supported_by, "printed_equals_derived": self.equal,
                "how": self.how, "digits": self.digits}


@dataclass
class Witness:
    """A computation that tests the derived (and the printed) form.

    ``agrees_printed`` may be a dict ``{reading name: bool}`` when the printed form evaluates
    differently under each reading.  ``numbers`` holds the values the witness computed
    (name -> number or short text); ``source`` says where they come from (computed in this
    run, or a stored artefact with its recipe, commit and date).  For a bound, ``violation``
    is True when the witness finds the bound violated beyond its error.
    """

    kind: str
    description: str
    independent: bool
    agrees_derived: bool | None
    agrees_printed: bool | dict | None
    numbers: dict = field(default_factory=dict)
    source: str = COMPUTED
    violation: bool = False
    data: dict | None = None   # per-width Monte Carlo tables (verify --json)

    def __post_init__(self):
        if self.kind not in WITNESS_KINDS:
            raise ValueError(f"witness kind must be one of {WITNESS_KINDS}, got {self.kind!r}")

    def rejects_printed(self) -> bool:
        """True when the witness rejects the printed form under every reading."""
        ap = self.agrees_printed
        if isinstance(ap, dict):
            return bool(ap) and not any(ap.values())
        return ap is False

    def summary(self) -> str:
        nums = "; ".join(f"{k} = {_fmt(v)}" for k, v in self.numbers.items())
        def yn(v):
            if isinstance(v, dict):
                return ", ".join(f"{k}: {yn(x)}" for k, x in v.items())
            return {True: "agrees", False: "rejects", None: "not tested"}[v]
        return (f"[{self.kind}{', independent' if self.independent else ', not independent'}"
                f"] {self.description}" + (f" — {nums}" if nums else "")
                + f" ({self.source}). Derived form: {yn(self.agrees_derived)}; printed form: "
                  f"{yn(self.agrees_printed)}" + ("; BOUND VIOLATED" if self.violation else ""))

    def to_json(self) -> dict:
        out = {"kind": self.kind, "description": self.description,
               "independent": self.independent, "agrees_derived": self.agrees_derived,
               "agrees_printed": self.agrees_printed,
               "numbers": {k: _jsonable(v) for k, v in self.numbers.items()},
               "source": self.source, "violation": self.violation}
        if self.data is not None:
            out["data"] = self.data
        return out


def _fmt(v) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, sp.Basic):
        return human(v)
    return str(v)


def _jsonable(v):
    if isinstance(v, (bool, int, str)) or v is None:
        return v
    if isinstance(v, float):
        return v if v == v and abs(v) != float("inf") else str(v)
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    try:
        import numpy as np
        if isinstance(v, np.generic):
            return _jsonable(v.item())
    except ImportError:  # pragma: no cover
        pass
    return str(v)


def _s(v):
    if v is None:
        return None
    return sp.sstr(v) if isinstance(v, sp.Basic) else str(v)


# ---------------------------------------------------------------------------------------------
# Comparison of printed and derived forms
# ---------------------------------------------------------------------------------------------
def symbolic_equal(x, y) -> bool:
    """True when x − y simplifies to 0 (also after rewriting acos as asin and factoring
    radicands), or when every partial derivative of x − y simplifies to 0 and it vanishes at an
    interior base point (inverse trigonometric forms that differ by their branch)."""
    try:
        diff = orig = sp.sympify(x) - sp.sympify(y)
    except (sp.SympifyError, TypeError):
        return False
    if isinstance(diff, (sp.Tuple, tuple)):
        return False
    if sp.simplify(diff) == 0:
        return True
    diff = diff.rewrite(sp.asin)
    diff = diff.replace(lambda e: isinstance(e, sp.Pow) and e.exp.is_Rational and e.exp.q == 2,
                        lambda e: sp.Pow(sp.factor(sp.together(e.base)), e.exp))
    if sp.simplify(sp.expand(sp.powsimp(sp.expand_power_base(diff, force=False)))) == 0:
        return True
    return _zero_by_derivatives(orig)


def _zero_by_derivatives(diff) -> bool:
    syms = sorted(diff.free_symbols, key=str)
    if not syms:
        return bool(abs(sp.N(diff, 50)) < sp.Float(10) ** -45)
    for s_ in syms:
        if sp.simplify(sp.diff(diff, s_)) != 0:
            return False
    base = {s_: (sp.Rational(3, 10) if s_.name == "b" else sp.Integer(1)) for s_ in syms}
    val = sp.N(diff.subs(base), 50)
    return bool(val.is_number and abs(val) < sp.Float(10) ** -45)


def _is_formula(v) -> bool:
    return isinstance(v, sp.Basic) and not isinstance(v, (sp.Symbol,)) or (
        isinstance(v, sp.Symbol) and not any(c in v.name for c in " <>="))


def compare(printed, derived, points: Sequence[Mapping] | None = None,
            digits: int = DIGITS_REQUIRED) -> tuple[bool | None, str, float | None]:
    """(equal, how, digits) for two forms given as data.

    Tuples are compared entry by entry.  Symbolic equivalence first; when it fails and
    ``points`` are given, agreement to ``digits`` significant digits at every point.  Returns
    ``equal = None`` when the forms are not formulas (a proposition needs a computed truth
    value instead)."""
    if isinstance(printed, (tuple, list, sp.Tuple)) and isinstance(derived, (tuple, list, sp.Tuple)):
        if len(printed) != len(derived):
            return False, "the printed and derived tuples have different lengths", None
        parts = [compare(p, d, points, digits) for p, d in zip(printed, derived)]
        if any(e is None for e, _, _ in parts):
            return None, "an entry is not a formula", None
        eq = all(e for e, _, _ in parts)
        ds = [d for _, _, d in parts if d is not None]
        return eq, "; ".join(f"entry {i + 1}: {h}" for i, (_, h, _) in enumerate(parts)), (
            min(ds) if ds else None)
    if not (_is_formula(printed) and _is_formula(derived)):
        return None, "not formulas", None
    if symbolic_equal(printed, derived):
        return True, "simplify(printed − derived) = 0 (exact symbolic equivalence)", None
    if points:
        worst = float("inf")
        with mpmath.workdps(digits + 14):
            for pt in points:
                try:
                    p = mpmath.mpf(sp.N(sp.sympify(printed).subs(pt), digits + 14))
                    d = mpmath.mpf(sp.N(sp.sympify(derived).subs(pt), digits + 14))
                except (TypeError, ValueError):
                    return False, f"printed or derived is not a number at {pt}", 0.0
                worst = min(worst, digits_of_agreement(p, d))
        worst = min(worst, 32.0)
        ok = worst >= digits
        return ok, (f"simplify(printed − derived) ≠ 0; numerically {worst:.1f} digits at "
                    f"{len(points)} points ({'≥' if ok else '<'} {digits} required)"), worst
    return False, "simplify(printed − derived) ≠ 0", None


# ---------------------------------------------------------------------------------------------
# Equation keys
# ---------------------------------------------------------------------------------------------
_PAPER_CODES = (("universal", "US"), ("pathological", "PS"), ("ngd", "NGD"),
                ("natural", "NGD"), ("karakida & osawa", "NGD"), ("user", "USER"))


def equation_key(paper: str, label: str) -> str:
    """A normalised key ``CODE:label`` (paper code, label without spaces, lower case) so that
    records about the same equation group together, e.g. ``US:(a.37)``."""
    low = paper.lower()
    code = next((c for k, c in _PAPER_CODES if k in low), re.sub(r"\W+", "", paper)[:8].upper())
    lab = re.sub(r"\s+", "", label.lower()).replace("–", "-").replace("supp.", "")
    return f"{code}:{lab}"


# ---------------------------------------------------------------------------------------------
# The judge
# ---------------------------------------------------------------------------------------------
def judge(*, id: str, paper: str, equation: str, what: str, printed, derived,
          definitions: Iterable[Definition], witnesses: Iterable[Witness], key: str,
          readings: Iterable[Reading] | None = None, corrected=None, argument: str = "",
          steps=(), points: Sequence[Mapping] | None = None, digits: int = DIGITS_REQUIRED,
          equal: bool | None = None, how: str = "", kind: str = "formula") -> CheckResult:
    """The verdict on one printed formula (see the module documentation for the rule).

    ``key`` is the equation the record is about (e.g. ``"(A.37)"``); it is normalised with the
    paper by :func:`equation_key`.  ``argument`` is the derivation in words (no number in it
    that the run did not compute).  Without ``readings`` there is one reading, "as defined",
    with ``printed``/``derived``; ``equal``/``how`` give the computed truth value of a printed
    *proposition* (``kind = "claim"`` or ``"bound"``), where no symbolic comparison applies.
    """
    definitions = list(definitions)
    witnesses = list(witnesses)
    if readings is None:
        readings = [Reading("as defined", "the definitions quoted above", printed, derived,
                            equal=equal, how=how, points=points)]
    readings = list(readings)
    for r in readings:
        if r.equal is None:
            r.equal, r.how, r.digits = compare(r.printed, r.derived, r.points or points, digits)
            if r.equal is None:
                raise ValueError(f"{id}: reading {r.name!r} compares propositions; pass the "
                                 "computed truth value (equal=…, how=…)")
    if not witnesses:
        raise ValueError(f"{id}: a record needs at least one witness (no record without "
                         "computation)")
    holds_under = [r.name for r in readings if r.equal]
    against = [w for w in witnesses if w.agrees_derived is False]
    untested = [w for w in witnesses if w.agrees_derived is None]
    confirm = [w for w in witnesses if w.independent and w.agrees_derived is True
               and w.rejects_printed()]
    consistent = not against
    cands = []
    if against:
        verdict = UNDECIDED
        reason = ("witness(es) contradict the derived form: "
                  + "; ".join(w.description for w in against))
    elif len(holds_under) == len(readings):
        if untested:
            verdict = UNDECIDED
            reason = ("the printed form equals the derived form, but witness(es) did not test "
                      "the derived form: " + "; ".join(w.description for w in untested))
        else:
            verdict = HOLDS
            reason = ("the printed form equals the derived form"
                      + (f" under every reading ({', '.join(holds_under)})"
                         if len(readings) > 1 else "")
                      + f"; all {len(witnesses)} witness(es) agree with the derived form")
    elif not holds_under:
        if confirm:
            verdict = MISPRINT
            reason = ("the printed form differs from the derived form under every reading; "
                      "independent witness(es) confirm the derived form and reject the printed "
                      "one: " + "; ".join(w.description for w in confirm))
        else:
            verdict = UNDECIDED
            reason = ("the printed form differs from the derived form under every reading, but "
                      "no witness independent of the derivation confirms the derived form and "
                      "rejects the printed one")
    else:
        verdict = UNDECIDED
        reason = (f"the printed form holds under the reading(s) {', '.join(holds_under)} and "
                  f"not under {', '.join(r.name for r in readings if not r.equal)}; the paper "
                  "supports each (see the readings)")
    if verdict != HOLDS:
        seen = set()
        for r in readings:
            for label, form in ((f"printed ({r.name})", r.printed),
                                (f"derived ({r.name})", r.derived)):
                t = _s(form)
                if t not in seen:
                    seen.add(t)
                    cands.append({"form": t, "text": human(form), "label": label})
    if verdict == MISPRINT and corrected is None:
        corrected = readings[0].derived if len(readings) == 1 else derived
    evidence = " ".join(x for x in (
        argument.strip(),
        "Comparison: " + "; ".join(f"{r.name}: {r.how}" for r in readings) + ".",
        "Witnesses: " + " | ".join(w.summary() for w in witnesses) + ".",
        f"Judge: {reason}.") if x)
    ds = [r.digits for r in readings if r.digits is not None]
    ds += [float(w.numbers["digits"]) for w in witnesses if isinstance(
        w.numbers.get("digits"), (int, float)) and not isinstance(w.numbers.get("digits"), bool)]
    return CheckResult(
        id=id, paper=paper, equation=equation, what=what, verdict=verdict, printed=printed,
        derived=derived, evidence=evidence,
        corrected=corrected if verdict == MISPRINT else None, consistent=consistent,
        digits=min(ds) if ds else None, steps=list(steps), definitions=definitions,
        readings=readings, witnesses=witnesses, reason=reason, candidates=cands,
        key=equation_key(paper, key), kind=kind)


# ---------------------------------------------------------------------------------------------
# A user's own printed kernel formula
# ---------------------------------------------------------------------------------------------
_KERNELS = ("one_point", "one_point_prime", "two_point", "two_point_prime")
_KERNEL_TEXT = {"one_point": "E[φ(√q u)²], u ~ N(0, 1)",
                "one_point_prime": "E[φ'(√q u)²], u ~ N(0, 1)",
                "two_point": "I_φ[a, b] = E[φ(u₁)φ(u₂)], (u₁, u₂) ~ N(0, [[a, b], [b, a]])",
                "two_point_prime": "I_φ'[a, b] = E[φ'(u₁)φ'(u₂)], (u₁, u₂) ~ N(0, [[a, b], [b, a]])"}
#: Points of the quadrature witness: one-point q; two-point (a, b) with b of both signs.
USER_ONE_POINTS = ("1/4", "1", "7")
USER_TWO_POINTS = (("1", "3/10"), ("5/2", "-5/4"))
USER_DPS = 26


#: Functions a printed kernel formula may use beyond the activation whitelist.
EXTRA_FUNCTIONS = {"sqrt": sp.sqrt, "log": sp.log, "asin": sp.asin, "arcsin": sp.asin,
                   "acos": sp.acos, "arccos": sp.acos}


def parse_formula(text: str, symbols: Sequence[str]) -> sp.Expr:
    """Parse a printed formula in the given variables with the package's whitelist parser
    (:func:`meanfield_sym.activation.parser.parse_expression`, no ``eval``: an explicit
    variables whitelist), extended by the functions of :data:`EXTRA_FUNCTIONS`.  Variables are
    positive real symbols (q, a), b is real."""
    from meanfield_sym.activation.parser import parse_expression

    names = {n: (sp.Symbol(n, real=True) if n == "b" else sp.Symbol(n, positive=True))
             for n in symbols}
    return parse_expression(text, variables=names, functions=EXTRA_FUNCTIONS, constant_ok=True)


def check_kernel(activation, kernel: str, printed_formula_text: str,
                 params: Mapping | None = None, *, dps: int = USER_DPS) -> CheckResult:
    """Judge a printed kernel formula (text in q, or in a and b) for an activation.

    The derived form is the engine's derivation (:func:`meanfield_sym.kernels.kernel_set.
    kernels_for`); the independent witness is the mpmath quadrature of the definition
    (:mod:`meanfield_sym.witnesses.highprec`, which never sees a closed form) at
    :data:`USER_ONE_POINTS` / :data:`USER_TWO_POINTS`, to ``dps`` digits (≥ 20 required).

    >>> r = check_kernel("relu", "one_point", "q/2")
    >>> r.verdict, r.consistent
    ('HOLDS', True)
    """
    from meanfield_sym.activation.function import get_activation
    from meanfield_sym.kernels.kernel_set import kernels_for
    from meanfield_sym.kernels.symbols import A, B, Q
    from meanfield_sym.witnesses import highprec

    if kernel not in _KERNELS:
        raise ValueError(f"kernel must be one of {', '.join(_KERNELS)}, got {kernel!r}")
    params = {k: sp.Rational(str(v)) if not isinstance(v, sp.Basic) else v
              for k, v in dict(params or {}).items()}
    act = get_activation(activation, **params)
    one = kernel.startswith("one_point")
    names = ("q",) if one else ("a", "b")
    printed = parse_formula(printed_formula_text, names)
    syms = {s.name: s for s in printed.free_symbols}
    unknown = set(syms) - set(names)
    if unknown:
        raise ValueError(f"the formula uses {sorted(unknown)}; a {kernel} kernel is a function "
                         f"of {', '.join(names)}")
    to_engine = {syms[n]: e for n, e in (("q", Q), ("a", A), ("b", B)) if n in syms}
    printed = printed.xreplace(to_engine)
    ks = kernels_for(act)
    derived = ks.closed_form[kernel]
    fn = getattr(highprec, kernel)
    pts = [(sp.Rational(q),) for q in USER_ONE_POINTS] if one else \
        [(sp.Rational(a), sp.Rational(b)) for a, b in USER_TWO_POINTS]
    refs, p_dig, d_dig = [], [], []
    for args in pts:
        with mpmath.workdps(dps + 8):
            ref = fn(act, *[str(x) for x in args], dps=dps)
            refs.append(ref)
            subs = dict(zip((Q,) if one else (A, B), args))
            try:
                pv = mpmath.mpf(sp.N(printed.subs(subs), dps + 8))
                p_dig.append(min(digits_of_agreement(pv, ref), float(dps)))
            except (TypeError, ValueError):
                p_dig.append(0.0)
            if derived is not None:
                dv = mpmath.mpf(sp.N(derived.subs(subs), dps + 8))
                d_dig.append(min(digits_of_agreement(dv, ref), float(dps)))
    req = min(DIGITS_REQUIRED, dps - 4)
    pmin = min(p_dig)
    pt_text = ("q ∈ {" + ", ".join(str(a[0]) for a in pts) + "}") if one else \
        ("(a, b) ∈ {" + ", ".join(f"({a}, {b})" for a, b in pts) + "}")
    numbers = {f"quadrature at {'q' if one else '(a, b)'} = ({', '.join(map(str, args))})":
               mpmath.nstr(ref, 22) for args, ref in zip(pts, refs)}
    numbers["printed: fewest agreeing digits"] = round(pmin, 1)
    sym = {"one_point": "E[φ²]", "one_point_prime": "E[φ′²]", "two_point": "I_φ",
           "two_point_prime": "I_φ′"}[kernel]
    defs = [Definition(sym, _KERNEL_TEXT[kernel],
                       "Universal statistics, supplement App. B (definition of the kernels)"),
            Definition("φ", f"φ(x) = {human(act.expr)}", "the activation given")]
    if derived is None:
        w = Witness("mpmath", f"quadrature of the definition at {pt_text}, {dps} digits",
                    True, None, pmin >= req, numbers)
        return judge(id=f"USER-{act}-{kernel}", paper="user formula", equation=kernel,
                     what=f"{_KERNEL_TEXT[kernel]} for φ = {human(act.expr)}",
                     printed=printed, derived=sp.Symbol("no closed form (quadrature only)"),
                     definitions=defs, witnesses=[w], key=kernel, equal=False,
                     how="the engine has no closed form for this kernel",
                     argument="The engine derives no closed form, so only the quadrature "
                              "witness speaks.")
    dmin = min(d_dig)
    numbers["derived: fewest agreeing digits"] = round(dmin, 1)
    w = Witness("mpmath", f"quadrature of the definition at {pt_text}, {dps} digits "
                f"(≥ {req} digits required)", True, dmin >= req, pmin >= req, numbers)
    pts_exact = [dict(zip((Q,) if one else (A, B), args)) for args in pts]
    return judge(id=f"USER-{act}-{kernel}", paper="user formula", equation=kernel,
                 what=f"{_KERNEL_TEXT[kernel]} for φ = {human(act.expr)}", printed=printed,
                 derived=derived, corrected=derived, definitions=defs, witnesses=[w],
                 key=f"{act}:{kernel}", points=pts_exact, digits=req, steps=list(ks.steps),
                 argument=f"Derived by the engine ({ks.methods.get(kernel, 'derivation')}).")
