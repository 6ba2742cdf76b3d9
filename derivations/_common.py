"""Shared machinery of the derivation scripts: reference values and verdict rules.

Independent numerical witness
-----------------------------
Each kernel value used as evidence is the mpmath quadrature **of the definition**
(:mod:`meanfield_sym.witnesses.highprec`, which never sees a closed form), computed at 34 digits.
Two-dimensional quadrature at that precision costs seconds per point, so the values are kept in
``references.json`` beside this file together with the recipe that produced them
(:func:`compute_reference`); ``python -m meanfield_sym.derivations._common --refresh`` rebuilds
the table and a slow test recomputes it to prove it is current.  Missing entries are computed on
the fly (and reported).

Verdict rule
------------
* the engine's derivation must agree with the quadrature to ≥ ``DIGITS_REQUIRED`` digits at every
  point, otherwise the toolkit is *inconsistent* (a bug to fix, not a verdict on the paper);
* the printed formula HOLDS when it agrees with the quadrature to ≥ ``DIGITS_REQUIRED`` digits
  at every point **and** ``simplify(printed − derived) == 0``;
* otherwise it is a MISPRINT; the corrected form must itself pass both tests.
"""
from __future__ import annotations

import json
import pathlib
import sys

import mpmath
import sympy as sp

from meanfield_sym.witnesses import highprec
from meanfield_sym.activation.function import get_activation
from meanfield_sym.kernels.symbols import A, B, Q
from meanfield_sym.verdicts.record import HOLDS, MISPRINT, UNDECIDED, CheckResult, digits_of_agreement

DIGITS_REQUIRED = 20  # the developers' guide: high-precision checks agree to ≥ 20 digits
REF_DPS = 34  # working precision of the stored references (guard digits above 30)
REF_FILE = pathlib.Path(__file__).with_name("references.json")

#: Evaluation points: one-point q, two-point (a, c = b/a), spanning magnitudes and |c| → 1.
ONE_POINT_QS = (sp.Rational(1, 100), sp.Integer(1), sp.Integer(100))
TWO_POINT_ACS = ((sp.Rational(1, 100), sp.Rational(-999, 1000)), (sp.Integer(1), sp.Rational(3, 10)),
                 (sp.Integer(100), sp.Rational(9999, 10000)), (sp.Rational(5, 2), sp.Rational(-1, 2)))

_KERNEL_FUNCS = {"one_point": highprec.one_point, "one_point_prime": highprec.one_point_prime,
                 "two_point": highprec.two_point, "two_point_prime": highprec.two_point_prime}


def _key(act_name, kernel, args):
    return f"{act_name}:{kernel}:" + ",".join(str(a) for a in args)


def _load():
    if REF_FILE.exists():
        return json.loads(REF_FILE.read_text())
    return {"recipe": "", "values": {}}


_TABLE = None


def compute_reference(act_name, kernel, args):
    """The recipe: mpmath quadrature of the definition at REF_DPS digits (highprec)."""
    act = get_activation(act_name)
    val = _KERNEL_FUNCS[kernel](act, *[str(a) for a in args], dps=REF_DPS)
    return mpmath.nstr(val, REF_DPS, strip_zeros=False) if mpmath.isfinite(val) else str(val)


def reference(act_name, kernel, args):
    """Reference value (mpmath mpf) of a kernel at exact args, from the table or computed."""
    global _TABLE
    if _TABLE is None:
        _TABLE = _load()
    key = _key(act_name, kernel, args)
    if key not in _TABLE["values"]:
        print(f"[references] computing {key} (not in {REF_FILE.name})", file=sys.stderr)
        _TABLE["values"][key] = compute_reference(act_name, kernel, args)
        save_table()
    with mpmath.workdps(REF_DPS):
        return mpmath.mpf(_TABLE["values"][key])


def kernel_points(kernel):
    """Exact argument tuples at which a kernel is checked."""
    if kernel.startswith("one_point"):
        return [(q,) for q in ONE_POINT_QS]
    return [(a, c * a) for a, c in TWO_POINT_ACS]


def evaluate(expr, kernel, args, extra=None):
    """An expression in q (or a, b) at exact args, to REF_DPS digits."""
    syms = (Q,) if kernel.startswith("one_point") else (A, B)
    subs = dict(zip(syms, args))
    if extra:
        subs.update(extra)
    with mpmath.workdps(REF_DPS):
        return mpmath.mpf(sp.N(sp.sympify(expr).subs(subs), REF_DPS))


def min_digits(expr, act_name, kernel, extra=None):
    """Fewest agreeing digits of expr with the quadrature references over kernel_points."""
    worst = float("inf")
    for args in kernel_points(kernel):
        ref = reference(act_name, kernel, args)
        try:
            val = evaluate(expr, kernel, args, extra)
        except (TypeError, ValueError):
            return 0.0
        worst = min(worst, digits_of_agreement(val, ref))
    return min(worst, 32.0)


def symbolic_equal(x, y) -> bool:
    """True when simplify(x − y) == 0 (also after factoring radicands)."""
    diff = orig = sp.sympify(x) - sp.sympify(y)
    if sp.simplify(diff) == 0:
        return True
    diff = diff.rewrite(sp.asin)  # acos(z) = π/2 − asin(z)
    diff = diff.replace(lambda e: isinstance(e, sp.Pow) and e.exp.is_Rational and e.exp.q == 2,
                        lambda e: sp.Pow(sp.factor(sp.together(e.base)), e.exp))
    if sp.simplify(sp.expand(sp.powsimp(sp.expand_power_base(diff, force=False)))) == 0:
        return True
    return _zero_by_derivatives(orig)


def _zero_by_derivatives(diff) -> bool:
    """A symbolic proof that diff ≡ 0 on its (connected) domain when inverse trigonometric forms
    differ (atan vs asin): every partial derivative simplifies to 0 (they are algebraic) and
    diff vanishes at one interior base point (checked to 50 digits, the value being an exact
    constant)."""
    syms = sorted(diff.free_symbols, key=str)
    if not syms:
        return abs(sp.N(diff, 50)) < sp.Float(10) ** -45
    for s_ in syms:
        if sp.simplify(sp.diff(diff, s_)) != 0:
            return False
    base = {s_: (sp.Rational(3, 10) if s_ == B else sp.Integer(1)) for s_ in syms}
    return abs(sp.N(diff.subs(base), 50)) < sp.Float(10) ** -45


def judge_kernel(*, id, paper, equation, what, act_name, kernel, printed, derived,
                 corrected=None, steps=(), extra=None, note=""):
    """Verdict on a printed kernel formula against the derivation and the quadrature."""
    d_digits = min_digits(derived, act_name, kernel, extra)
    p_digits = min_digits(printed, act_name, kernel, extra)
    consistent = d_digits >= DIGITS_REQUIRED
    sym_ok = symbolic_equal(printed, derived)
    npts = len(kernel_points(kernel))
    base = (f"derived vs quadrature of the definition: ≥{d_digits:.0f} digits at {npts} points "
            f"(a∈[1e-2,1e2], |c| up to 0.9999); printed vs quadrature: {p_digits:.1f} digits; "
            f"simplify(printed − derived) {'= 0' if sym_ok else '≠ 0'}")
    if note:
        base += f"; {note}"
    if not consistent:
        return CheckResult(id, paper, equation, what, UNDECIDED, printed, derived,
                           base + " — the toolkit's derivation disagrees with its quadrature",
                           consistent=False, digits=p_digits, steps=list(steps))
    if sym_ok and p_digits >= DIGITS_REQUIRED:
        return CheckResult(id, paper, equation, what, HOLDS, printed, derived, base,
                           digits=p_digits, steps=list(steps))
    corr = corrected if corrected is not None else derived
    c_digits = min_digits(corr, act_name, kernel, extra)
    c_sym = symbolic_equal(corr, derived)
    ok = c_sym and c_digits >= DIGITS_REQUIRED
    evidence = base + (f"; corrected form: {c_digits:.0f} digits, equals the derivation "
                       f"symbolically" if ok else "; corrected form FAILED its own check")
    return CheckResult(id, paper, equation, what, MISPRINT, printed, derived, evidence,
                       corrected=corr, consistent=ok, digits=p_digits, steps=list(steps))


def refresh(keys=None):
    """Recompute the whole table (or the given keys) with the recipe and write it."""
    table = _load()
    values = table["values"]
    for key in (keys or list(values)):
        act_name, kernel, args = key.split(":")
        args = tuple(sp.Rational(a) for a in args.split(","))
        values[key] = compute_reference(act_name, kernel, args)
        print(key, values[key])
    table["recipe"] = ("meanfield_sym.derivations._common.compute_reference: highprec "
                       f"quadrature of the definition at {REF_DPS} digits")
    REF_FILE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")


def save_table():
    """Write the in-memory table (with any on-the-fly entries) back to references.json."""
    if _TABLE is not None:
        _TABLE["recipe"] = ("meanfield_sym.derivations._common.compute_reference: highprec "
                            f"quadrature of the definition at {REF_DPS} digits")
        REF_FILE.write_text(json.dumps(_TABLE, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    if "--refresh" in sys.argv:
        refresh()
