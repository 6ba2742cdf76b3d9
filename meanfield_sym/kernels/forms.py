r"""Forms of a closed form: the readable one people read, and the evaluation form float64 runs.

The engine's result is first made **readable** (:func:`readable`: simplified, the shortest of a
few equivalent forms).  Float64 evaluation then runs the **evaluation form**, produced by a
sequence of named passes (:data:`EVALUATION_PASSES`), each an exact identity for a, q > 0 and
real b with |b| <= a, applied with SymPy's own rewriting machinery
(:class:`sympy.codegen.rewriting.ReplaceOptim`, :func:`sympy.codegen.rewriting.optimize`):

``arcsin_to_arctan2``
    asin(u) → atan2(u, √(1 − u²)): asin loses all relative accuracy of its argument's distance
    to ±1 (c = b/a → 1), atan2 of the two legs keeps it.
``arccos_to_arctan2``
    acos(u) → atan2(√(1 − u²), u): acos(−c) near c = −1 (ReLU, step kernels) likewise.
``clamp_radicands``
    every √z with z in a, b, q → √clamp0(factor(z)): a² − b² is evaluated as (a − b)(a + b)
    (no cancellation) and a radicand that rounds below 0 gives 0, not NaN.
``split_clamped_fractions``
    clamp0(P/E²)^k → clamp0(P)^k / E^{2k} for E > 0 (e.g. √((a − b)(a + b)/a²) → √(…)/a).
``drop_provable_clamps``
    clamp0(z) → z when z >= 0 follows from the assumptions (e.g. 2q + 1).
``arctan2_common_factor``
    atan2(p·y, p·x) → atan2(y, x) for p > 0.
``expm1``
    c·exp(x) − c → c·expm1(x) (:data:`sympy.codegen.rewriting.expm1_opt`): sin and cos kernels
    near b = 0.

Each pass is tested on an input where the naive form fails and the rewritten one holds.

>>> import sympy as sp
>>> from meanfield_sym.kernels.symbols import A, B
>>> evaluation_form(sp.acos(-B / A) / (2 * sp.pi))     # homogeneous: in c = b/a, cm, cp
atan2(sqrt(clamp0(cm*cp)), -c)/(2*pi)
"""
from __future__ import annotations

import sympy as sp
from sympy.codegen.rewriting import ReplaceOptim, expm1_opt, optimize

from meanfield_sym.kernels.symbols import A, B, Q

__all__ = ["clamp0", "C", "CP", "CM", "readable", "EVALUATION_PASSES", "evaluation_form",
           "homogeneity_degree"]

#: max(z, 0), printed as ``numpy.maximum(z, 0.0)`` (see activation.numpy_names).
clamp0 = sp.Function("clamp0")


# ---------------------------------------------------------------------------------------------
# Readable form
# ---------------------------------------------------------------------------------------------
def _tidy_radicals(expr: sp.Expr) -> sp.Expr:
    """√(q² + 2q + 1) → q + 1: factor every radicand (perfect squares then leave the root)."""
    return expr.replace(
        lambda e: isinstance(e, sp.Pow) and e.exp.is_Rational and e.exp.q == 2
        and e.base.free_symbols,
        lambda e: sp.Pow(sp.factor(sp.expand(e.base)), e.exp))


def readable(expr: sp.Expr) -> sp.Expr:
    """Simplify and pick the shortest of a few equivalent forms (asin vs acos; sinh/cosh).

    π/2 + asin(c) becomes acos(−c) when that is shorter, which is also the form without a
    cancellation near c = −1.
    """
    if expr in (sp.oo, sp.zoo, sp.nan):
        return expr
    if expr.is_polynomial(A, B, Q):
        return sp.expand(expr)  # canonical already; simplify would only spend time on it
    cands = []
    expr = _tidy_radicals(expr)
    base = _tidy_radicals(sp.simplify(expr))
    cands.append(base)
    if base.has(sp.I):
        cands.append(sp.simplify(sp.expand_complex(base)))
    if base.has(sp.exp):
        cands.append(sp.simplify(base.rewrite(sp.sinh)))
        cands.append(sp.simplify(base.rewrite(sp.cosh)))
    if base.has(sp.asin):
        rep = {s: sp.acos(-s.args[0]) - sp.pi / 2 for s in base.atoms(sp.asin)}
        cands.append(sp.simplify(sp.expand(base.xreplace(rep))))
    cands = [c for c in cands if not c.has(sp.I)] or cands
    return min(cands, key=lambda c: (sp.count_ops(c), len(str(c))))


# ---------------------------------------------------------------------------------------------
# Evaluation passes
# ---------------------------------------------------------------------------------------------
def _is_clamp(e) -> bool:
    return isinstance(e, sp.Function) and e.func == clamp0


def _factored(e):
    return sp.factor(sp.together(e))


def _clamped_root(e):
    return sp.sqrt(clamp0(_factored(e)))


def _is_kernel_radical(e) -> bool:
    return (isinstance(e, sp.Pow) and e.exp.is_Rational and e.exp.q == 2
            and e.base.free_symbols and not _is_clamp(e.base))


def _perfect_square_root(den):
    """E with den = E**2 and E > 0 provably, free of radicals; else None."""
    root = sp.sqrt(den)
    if root.is_positive and not any(p.exp.is_Rational and p.exp.q != 1
                                    for p in root.atoms(sp.Pow)):
        return root
    return None


def _drop_clamp(e):
    return e.args[0] if e.args[0].is_nonnegative else e


def _split_fraction(e):
    z = _drop_clamp(e.base)
    if not _is_clamp(z):
        return sp.Pow(z, e.exp)
    num, den = sp.fraction(sp.factor(z.args[0]))
    if den != 1:
        root = _perfect_square_root(den)
        if root is not None:
            return sp.Pow(_drop_clamp(clamp0(num)), e.exp) / root ** (2 * e.exp)
    return e


def _drop_common_factor(e):
    y, x = e.args
    ys, xs = list(sp.Mul.make_args(y)), list(sp.Mul.make_args(x))
    common = [f for f in ys if f in xs and f.is_positive]
    if not common:
        return e
    for f in common:
        ys.remove(f)
        xs.remove(f)
    return sp.atan2(sp.Mul(*ys), sp.Mul(*xs))


arcsin_to_arctan2 = ReplaceOptim(
    lambda e: isinstance(e, sp.asin),
    lambda e: sp.atan2(e.args[0] * sp.Integer(1), _clamped_root(1 - e.args[0] ** 2)))
arccos_to_arctan2 = ReplaceOptim(
    lambda e: isinstance(e, sp.acos),
    lambda e: sp.atan2(_clamped_root(1 - e.args[0] ** 2), e.args[0]))
clamp_radicands = ReplaceOptim(_is_kernel_radical,
                               lambda e: sp.Pow(clamp0(_factored(e.base)), e.exp))
split_clamped_fractions = ReplaceOptim(
    lambda e: isinstance(e, sp.Pow) and _is_clamp(e.base), _split_fraction)
drop_provable_clamps = ReplaceOptim(_is_clamp, _drop_clamp)
arctan2_common_factor = ReplaceOptim(lambda e: isinstance(e, sp.atan2), _drop_common_factor)

#: The passes in the order they run, by name.
EVALUATION_PASSES = {
    "arcsin_to_arctan2": arcsin_to_arctan2,
    "arccos_to_arctan2": arccos_to_arctan2,
    "clamp_radicands": clamp_radicands,
    "split_clamped_fractions": split_clamped_fractions,
    "drop_provable_clamps": drop_provable_clamps,
    "arctan2_common_factor": arctan2_common_factor,
    # SymPy's expm1 rewrite, confined to the sums that hold an exp (applied to every sum it
    # would also re-expand factored radicands such as -(c - 1)(c + 1))
    "expm1": ReplaceOptim(lambda e: isinstance(e, sp.Add) and e.has(sp.exp), expm1_opt),
}


_T = sp.Symbol("t", positive=True)
#: The correlation c = b/a in the evaluation form of a homogeneous two-point kernel; printed
#: code computes it first (``c = b/a``).
C = sp.Symbol("c", real=True)
#: 1 + c and 1 − c, printed as ``cp = (a + b)/a`` and ``cm = (a - b)/a``: exact near |c| = 1
#: (a ± b is exact there by Sterbenz's lemma), where 1 ± c from the rounded c is not.
CP = sp.Symbol("cp", nonnegative=True)
CM = sp.Symbol("cm", nonnegative=True)


def homogeneity_degree(expr: sp.Expr):
    """k with I(t a, t b) = t^k I(a, b) for all t > 0 (a two-point kernel of a positively
    homogeneous activation of degree k/1: ReLU, leaky ReLU, |x|: k = 1; step: k = 0), else None."""
    if not expr.has(A) or expr.has(Q):
        return None
    # a numerical test first (40 digits at two scalings and two points): only a kernel that
    # passes it meets the symbolic check, which can be slow for large closed forms
    degrees = []
    for a0, b0 in ((sp.Rational(13, 10), sp.Rational(2, 5)), (sp.Rational(7, 3), -sp.Rational(5, 4))):
        base = expr.xreplace({A: a0, B: b0}).evalf(40)
        if not base.is_number or base == 0 or not base.is_finite:
            return None
        for s in (2, 3):
            scaled = expr.xreplace({A: s * a0, B: s * b0}).evalf(40)
            if not scaled.is_number or not (scaled / base).is_positive:
                return None
            degrees.append(sp.log(scaled / base) / sp.log(s))
    if max(abs(d - degrees[0]) for d in degrees).evalf(30) > 1e-25:
        return None
    ratio = sp.simplify(expr.xreplace({A: _T * A, B: _T * B}) / expr)
    if ratio.has(A, B) or not ratio.has(_T) and ratio != 1:
        return None
    k = sp.simplify(sp.log(ratio) / sp.log(_T)) if ratio != 1 else sp.S.Zero
    return k if k.is_Rational else None


def evaluation_form(expr: sp.Expr, passes=None) -> sp.Expr:
    """The float64 evaluation form of a closed form: :data:`EVALUATION_PASSES` in order (or
    the named subset ``passes``); the value is unchanged (exact identities), the rounding is
    not.

    A two-point kernel that is homogeneous, ``I(t a, t b) = t^k I(a, b)``, is first written as
    ``a^k I(1, c)`` with ``c = b/a`` (the passes run on ``I(1, c)``), so that no intermediate
    such as a² − b² overflows or underflows: float64 then covers a ∈ [1e-300, 1e300]; the
    factors 1 ± c that vanish at |c| = 1 are evaluated as (a ± b)/a.
    """
    if expr is None or expr in (sp.oo, sp.zoo, sp.nan):
        return expr
    names = list(EVALUATION_PASSES) if passes is None else list(passes)
    run = [EVALUATION_PASSES[n] for n in names]
    k = homogeneity_degree(expr) if passes is None else None
    if k is not None:
        unit = optimize(sp.simplify(expr.xreplace({A: sp.S.One, B: C})), run)
        # 1 ± c near |c| = 1 from a ± b (exact there, Sterbenz), not from the rounded c
        near_one = {C + 1: CP, C - 1: -CM, 1 - C: CM, -C - 1: -CP}
        return A ** k * unit.xreplace(near_one)
    return optimize(expr, run)
