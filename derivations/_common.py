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

The stored table carries its recipe, the commit of the package that computed it and the date
(``recipe``, ``commit``, ``date``); a witness that reads it says so.  One-point kernels are cheap
and are recomputed in every run instead.

Verdicts
--------
:func:`kernel_check` builds the quadrature witness of a printed kernel formula and hands it,
with the definitions, to the one judge (:func:`meanfield_sym.verdicts.judge.judge`).
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
from meanfield_sym.verdicts.judge import (COMPUTED, Definition, Witness, judge)
from meanfield_sym.verdicts.record import digits_of_agreement

DIGITS_REQUIRED = 20  # high-precision checks agree to ≥ 20 digits
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
        stamp = {}
        _stamp(stamp)
        _TABLE.setdefault("added", {})[key] = stamp
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


def _live(kernel) -> bool:
    return kernel.startswith("one_point")


def live_reference(act_name, kernel, args):
    """The quadrature of the definition computed now (one-point kernels: milliseconds)."""
    with mpmath.workdps(REF_DPS):
        return mpmath.mpf(compute_reference(act_name, kernel, args))


def artefact_note() -> str:
    t = _TABLE or _load()
    return (f"stored artefact derivations/references.json (recipe: {t.get('recipe', '?')}; "
            f"commit {t.get('commit', 'not recorded')}; date {t.get('date', 'not recorded')}; "
            "entries added later carry their own commit and date)")


def digits_table(expr, act_name, kernel, extra=None):
    """Agreeing digits of expr with the quadrature at each kernel point; (min, source)."""
    worst = float("inf")
    for args in kernel_points(kernel):
        ref = live_reference(act_name, kernel, args) if _live(kernel) else \
            reference(act_name, kernel, args)
        try:
            val = evaluate(expr, kernel, args, extra)
        except (TypeError, ValueError):
            return 0.0
        worst = min(worst, digits_of_agreement(val, ref))
    return min(worst, 32.0)


def min_digits(expr, act_name, kernel, extra=None):
    """Fewest agreeing digits of expr with the quadrature of the definition over kernel_points."""
    return digits_table(expr, act_name, kernel, extra)


KERNEL_DEFINITIONS = {
    "one_point": Definition("q̂", "q̂^l = ∫Du φ(√(q^l) u)² (Eq. (9)); u ~ N(0, 1)",
                            "Universal statistics, main text Eq. (9); supplement (B.3)"),
    "one_point_prime": Definition("q̃", "q̃^l = q̃^{l+1} σ_w² ∫Du φ'(√(q^l) u)² (Eq. (11))",
                                  "Universal statistics, main text Eq. (11); supplement (B.4)"),
    "two_point": Definition("I_φ", "I_φ[a, b] = ∫Du₁Du₂ φ(u₁)φ(u₂), (u₁, u₂) Gaussian with "
                            "variances a and covariance b", "Universal statistics, main text "
                            "Eqs. (10), (12); supplement (B.5)"),
    "two_point_prime": Definition("I_φ'", "I_φ'[a, b]: the same average of φ'(u₁)φ'(u₂)",
                                  "Universal statistics, main text Eq. (12); supplement (B.8)"),
}


def kernel_witness(act_name, kernel, printed, derived, extra=None) -> Witness:
    """mpmath quadrature of the definition against the derived and the printed form."""
    d_digits = digits_table(derived, act_name, kernel, extra)
    p_digits = digits_table(printed, act_name, kernel, extra)
    pts = kernel_points(kernel)
    where = ("q ∈ {" + ", ".join(str(a[0]) for a in pts) + "}") if _live(kernel) else \
        ("(a, b/a) ∈ {" + ", ".join(f"({a}, {c})" for a, c in TWO_POINT_ACS) + "}")
    return Witness(
        "mpmath", f"quadrature of the definition ({act_name}, {kernel.replace('_', ' ')}) at "
        f"{len(pts)} exact points {where}, {REF_DPS} digits; ≥ {DIGITS_REQUIRED} digits "
        "required", True, d_digits >= DIGITS_REQUIRED, p_digits >= DIGITS_REQUIRED,
        {"digits of the derived form": round(d_digits, 1),
         "digits of the printed form": round(p_digits, 1)},
        source=COMPUTED if _live(kernel) else artefact_note())


def kernel_check(*, id, paper, equation, what, act_name, kernel, printed, derived,
                 corrected=None, steps=(), extra=None, note="", definitions=(), key=None):
    """A printed kernel formula judged against the derivation and the quadrature witness."""
    w = kernel_witness(act_name, kernel, printed, derived, extra)
    ws = [w]
    if corrected is not None:
        wc = kernel_witness(act_name, kernel, corrected, derived, extra)
        ws.append(Witness("mpmath", "the same quadrature against the corrected form "
                          f"{corrected}", True, wc.agrees_derived,
                          wc.numbers["digits of the printed form"] >= DIGITS_REQUIRED,
                          {"digits of the corrected form": wc.numbers[
                              "digits of the printed form"]}, source=wc.source))
        ws[-1].agrees_printed = w.agrees_printed
    return judge(id=id, paper=paper, equation=equation, what=what, printed=printed,
                 derived=derived, corrected=corrected,
                 definitions=[KERNEL_DEFINITIONS[kernel], *definitions], witnesses=ws,
                 key=key or equation, argument=note, steps=steps,
                 points=[dict(zip(_syms(kernel), a)) for a in kernel_points(kernel)])


#: Networks for the boundary witness q̃^1 (the backward order parameter of the first layer):
#: K networks of width M, L = 3, N inputs; the finite-size bias is O(1/M), far below the se.
BOUNDARY_NET = dict(depth=3, width=1000, samples=4)
BOUNDARY_NETWORKS = 8
Z_WITNESS = 4.0


def boundary_witness(act_name, sigma_w2, sigma_b2, printed_boundary, derived_boundary=1,
                     seed=7) -> Witness:
    """Finite networks measure q̃^1 = Σ_i δ_i^1(n)²; the mean-field recursion (Eq. (11)) carries
    the boundary value q̃^L to q̃^1 = q̃^L · Π_l σ_w² E[φ'(u^l)²].  Both boundary values are
    propagated and compared with the measured mean (z-scores, |z| ≤ Z_WITNESS agrees)."""
    import numpy as np
    from meanfield_sym import meanfield as S
    from meanfield_sym.witnesses import finite_width as E
    L = BOUNDARY_NET["depth"]
    op = S.order_parameters(act_name, sigma_w2, sigma_b2, L)
    unit = float(op.qtilde1[1])          # q̃^1 with q̃^L = 1
    vals = []
    for ss in np.random.SeedSequence(seed).spawn(BOUNDARY_NETWORKS):
        w = E.simulate(act_name, classes=1, sigma_w2=sigma_w2, sigma_b2=sigma_b2, seed=ss,
                       **BOUNDARY_NET)
        d1 = w.deltas()[0]
        vals.append(float((d1 ** 2).sum(axis=-1).mean()))
    vals = np.asarray(vals)
    mean, se = float(vals.mean()), float(vals.std(ddof=1) / np.sqrt(vals.size))
    pd, pp = unit * float(derived_boundary), unit * float(printed_boundary)
    zd, zp = (mean - pd) / se, (mean - pp) / se
    return Witness(
        "finite-width", f"{BOUNDARY_NETWORKS} random {act_name} networks (σ_w², σ_b²) = "
        f"({sigma_w2:g}, {sigma_b2:g}), L = {L}, M = {BOUNDARY_NET['width']}, N = "
        f"{BOUNDARY_NET['samples']}, linear output f = u^L: measured q̃^1 = Σ_i δ_i^1² against "
        f"the recursion started from each boundary value (agree when |z| ≤ {Z_WITNESS:g})",
        True, abs(zd) <= Z_WITNESS, abs(zp) <= Z_WITNESS,
        {"measured q̃^1": round(mean, 5), "standard error": round(se, 5),
         f"prediction with q̃^L = {derived_boundary}": round(pd, 5), "z (derived)": round(zd, 2),
         f"prediction with q̃^L = {printed_boundary}": round(pp, 5), "z (printed)": round(zp, 2)})


def output_delta_symbolic(printed) -> Witness:
    """The model's definition evaluated symbolically: f = u^L, δ^L = ∂f/∂u^L."""
    uL = sp.Symbol("u^L", real=True)
    f = uL
    d = sp.diff(f, uL)
    return Witness("symbolic", "the model's definition f = u^L differentiated by SymPy: "
                   "δ^L = ∂f/∂u^L, so q̃^L = (δ^L)² for the single output", False,
                   bool(d ** 2 == 1), bool(sp.simplify(d ** 2 - printed) == 0),
                   {"δ^L": d, "q̃^L": d ** 2})


#: A quick finite-width witness separates forms that differ by a factor (α, C, L, …): it agrees
#: with a form when the mean ratio experiment/form lies within RATIO_WINDOW of 1.  The window is
#: fixed in advance, wide enough for the O(1/M) finite-size bias at the widths used and at least
#: five times narrower than the separation of the forms it is used on (a factor ≥ 1.5).
RATIO_WINDOW = 0.08


def ratio_witness(description, experiment, forms: dict, derived_name: str, independent=True,
                  window=RATIO_WINDOW) -> Witness:
    """Per-network experiment values against theory values of each form."""
    import numpy as np
    e = np.asarray(experiment, dtype=float)
    nums = {"networks": int(e.size), "experiment mean": round(float(e.mean()), 6),
            "standard error": round(float(e.std(ddof=1) / np.sqrt(e.size)) if e.size > 1 else 0.0,
                                    6)}
    agree = {}
    for name, th in forms.items():
        r = float(e.mean() / float(th))
        nums[f"experiment/{name}"] = round(r, 4)
        agree[name] = abs(r - 1) <= window
    printed = {k: v for k, v in agree.items() if k != derived_name}
    ap = next(iter(printed.values())) if len(printed) == 1 else printed
    return Witness("finite-width", description + f" (agrees with a form when the mean ratio is "
                   f"within {window:.0%} of 1, fixed in advance)", independent,
                   agree[derived_name], ap, nums)


LINEAR_OUTPUT = Definition("f", "This study focuses on the case of linear outputs, that is, "
                           "[f = u^L]", "Universal statistics, main text Sec. 2 (plain-text "
                           "line 23)")
QTILDE_DEF = Definition("q̃^l", "Σ_i δ_i^l(t)² … = q̃^l (the backward order parameter)",
                        "Universal statistics, supplement A.1 after (A.5)")


def _syms(kernel):
    return (Q,) if kernel.startswith("one_point") else (A, B)


def _stamp(table):
    import datetime
    import subprocess
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=REF_FILE.parent, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    table["commit"] = commit or "unknown"
    table["date"] = datetime.date.today().isoformat()


def refresh(keys=None):
    """Recompute the whole table (or the given keys) with the recipe and write it, stamped
    with the commit and the date."""
    table = _load()
    values = table["values"]
    for key in (keys or list(values)):
        act_name, kernel, args = key.split(":")
        args = tuple(sp.Rational(a) for a in args.split(","))
        values[key] = compute_reference(act_name, kernel, args)
        print(key, values[key])
    _stamp(table)
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


def one_thread():
    """One BLAS thread for the sampled networks (their matrices are small, and on a shared
    two-core machine a second BLAS thread only contends), also when a script runs outside
    ``verify`` (which limits every script so)."""
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=1, user_api="blas")

