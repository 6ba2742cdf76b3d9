"""Evaluation forms (meanfield_sym.kernels.forms): each named pass against an mpmath reference.

Every pass of :data:`~meanfield_sym.kernels.forms.EVALUATION_PASSES` is an exact identity for
a, q > 0 and real b with |b| <= a.  Witnesses:

* the passes that exist for accuracy (arcsin/arccos → atan2, clamped and factored radicands,
  expm1): an input where the naive form, printed and run in float64 exactly as generated code
  is, loses many digits (or gives NaN), while the rewritten form holds to a few ulps of an
  mpmath value at 50 digits (the expression itself evaluated at the exact float inputs);
* the passes that exist for brevity (split fractions, drop provable clamps, common factors of
  atan2): the value is unchanged at 40 digits and :func:`sympy.count_ops` drops;
* the whole pipeline on the shipped closed forms: unchanged at 40 digits.
"""
from __future__ import annotations

import importlib

import mpmath
import numpy as np
import pytest
import sympy as sp
from sympy.codegen.cfunctions import expm1

from meanfield_sym.kernels.forms import EVALUATION_PASSES, clamp0, evaluation_form
from meanfield_sym.kernels.printing import EvaluatorPrinter, compile_source, kernel_source
from meanfield_sym.kernels.symbols import A, B, Q

#: Digits of the mpmath reference (the exact value of the expression at the float inputs).
REF_DPS = 50
#: The rewritten form in float64: a few roundings of a ≤ 10-operation expression, each
#: ≤ 2⁻⁵³ relative and none amplified (that is what the rewrite is for).
STABLE_RTOL = 1e-15
#: Value of an exact rewrite evaluated by SymPy at 40 digits: only the last digits differ.
EXACT_DIGITS = 40
EXACT_TOL = sp.Float("1e-35")


def _numpy_function(expr, args):
    """The expression printed by the generated modules' printer and executed (float64)."""
    code = EvaluatorPrinter().doprint(expr)
    ns = compile_source(f"def f({', '.join(map(str, args))}):\n    return {code}\n", "test")
    return ns["f"]


def _printed_two_point(expr):
    """The two-point kernel as a generated module prints it (the whole pipeline)."""
    forms = {"one_point": None, "one_point_prime": None, "two_point": expr,
             "two_point_prime": None}
    return compile_source(kernel_source(forms).text, "test")["two_point"]


def _form_values(a, b):
    """Values of the symbols an evaluation form is written in: a, b, q (= a), and for a
    homogeneous kernel a^k I(1, c) the correlation c = b/a and cp = 1 + c, cm = 1 − c (which
    printed code computes from a ± b)."""
    return {"a": a, "b": b, "q": a, "c": b / a, "cp": 1 + b / a, "cm": 1 - b / a}


def _at(expr, a, b):
    values = _form_values(a, b)
    unknown = [s for s in expr.free_symbols if s.name not in values]
    assert not unknown, f"evaluation form in unknown symbols {unknown}: {expr}"
    return expr.subs({s: values[s.name] for s in expr.free_symbols})


def _with_max(expr):
    """clamp0(z) as Max(z, 0): the same value, known to SymPy and mpmath."""
    return expr.replace(lambda e: isinstance(e, sp.Function) and e.func == clamp0,
                        lambda e: sp.Max(e.args[0], 0))


def _reference(expr, args, values):
    f = sp.lambdify(args, _with_max(expr), modules="mpmath")
    with mpmath.workdps(REF_DPS):
        return f(*(mpmath.mpf(float(v)) for v in values))


def _rel_error(got, ref):
    with mpmath.workdps(REF_DPS):
        return float(abs(mpmath.mpf(float(got)) - ref) / abs(ref))


def _naive_and_rewritten(expr, name, args, points):
    """Max relative errors of the naive and the rewritten (pass ``name`` only) forms."""
    new = evaluation_form(expr, [name])
    assert new != expr, f"{name} did not rewrite {expr}"
    naive, fixed = _numpy_function(expr, args), _numpy_function(new, args)
    worst_naive = worst_fixed = 0.0
    for p in points:
        ref = _reference(expr, args, p)
        with np.errstate(all="ignore"):
            worst_naive = max(worst_naive, _rel_error(naive(*p), ref))
            worst_fixed = max(worst_fixed, _rel_error(fixed(*p), ref))
    return worst_naive, worst_fixed


def test_every_named_pass_is_tested_here():
    tested = {"arcsin_to_arctan2", "arccos_to_arctan2", "clamp_radicands",
              "split_clamped_fractions", "drop_provable_clamps", "arctan2_common_factor",
              "expm1"}
    assert set(EVALUATION_PASSES) == tested


# ---------------------------------------------------------------------------------------------
# Passes for accuracy: the naive form fails, the rewritten one holds
# ---------------------------------------------------------------------------------------------
#: acos(x) near x = 1 has relative condition number ~1/(2(1 − x)): the rounding of −b/a
#: (2⁻⁵³) at 1 − x = 1e-13 costs ~5e-4 relative; we ask for at least 1e-6 lost.
ARCCOS_NAIVE_LOSS = 1e-6


def test_arccos_to_arctan2_keeps_relu_derivative_kernel_near_anticorrelation():
    """ReLU's I_φ'[a, b] = acos(−b/a)/(2π) at b = −a(1 − 1e-13)."""
    expr = sp.acos(-B / A) / (2 * sp.pi)
    points = [(a, -a * (1 - 1e-13)) for a in (3.7, 0.3, 11.0, 123.4)]
    naive, fixed = _naive_and_rewritten(expr, "arccos_to_arctan2", (A, B), points)
    assert naive > ARCCOS_NAIVE_LOSS
    assert fixed < STABLE_RTOL


#: asin(x) near x = 1: the rounding of x = 2b/(2a + 1) costs ~2⁻⁵³/√(2(1 − x)) absolute on a
#: value ≈ π/2; with 1 − x ≈ 1e-12 (a = 5e11) that is ~1e-11, so at least 1e-13 is lost.
ARCSIN_NAIVE_LOSS = 1e-13


def test_arcsin_to_arctan2_keeps_erf_kernel_near_its_boundary():
    """erf's I_φ[a, b] = (2/π) asin(2b/(2a + 1)) at b = a, a large (2b close to 2a + 1)."""
    expr = 2 * sp.asin(2 * B / (2 * A + 1)) / sp.pi
    points = [(a, a) for a in (5e11, 2.5e11, 1e12)]
    naive, fixed = _naive_and_rewritten(expr, "arcsin_to_arctan2", (A, B), points)
    assert naive > ARCSIN_NAIVE_LOSS
    assert fixed < STABLE_RTOL


#: a² − b² at b = a(1 − 1e-10): each square carries 2⁻⁵³ of a², the difference is 2e-10 a²,
#: so ~1e-7 relative is lost in the radicand (half of it in the root); we ask for 1e-9.
CANCELLATION_NAIVE_LOSS = 1e-9


def test_clamp_radicands_factors_a_cancelling_difference():
    expr = sp.sqrt(A ** 2 - B ** 2)
    points = [(a, a * (1 - 1e-10)) for a in (3.7, 0.3, 11.0)]
    naive, fixed = _naive_and_rewritten(expr, "clamp_radicands", (A, B), points)
    assert naive > CANCELLATION_NAIVE_LOSS
    assert fixed < STABLE_RTOL


def test_clamp_radicands_turns_a_negative_rounded_radicand_into_zero():
    """a − b²/a (the conditional variance of u2 given u1) at b = a is exactly 0, but
    fl(fl(a²)/a) exceeds a for a = 0.1 and a = 2.9: the naive root is NaN, the clamped
    factored one, √max((a − b)(a + b)/a, 0), is exactly 0."""
    expr = sp.sqrt(A - B ** 2 / A)
    new = evaluation_form(expr, ["clamp_radicands"])
    naive, fixed = _numpy_function(expr, (A, B)), _numpy_function(new, (A, B))
    for a in (0.1, 2.9):
        assert _reference(expr, (A, B), (a, a)) == 0
        with np.errstate(invalid="ignore"):
            assert np.isnan(naive(a, a))
        assert fixed(a, a) == 0.0


#: exp(2b) − 1 at b = 1e-12: exp(2b) ≈ 1 carries 2⁻⁵³ absolute, the result is 2e-12, so
#: ~5e-5 relative is lost; we ask for 1e-6.
EXPM1_NAIVE_LOSS = 1e-6


def test_expm1_keeps_small_exponents():
    expr = sp.exp(2 * B) - 1
    assert evaluation_form(expr, ["expm1"]) == expm1(2 * B)
    points = [(1.0, b) for b in (1e-12, -3e-13, 7e-11)]
    naive, fixed = _naive_and_rewritten(expr, "expm1", (A, B), points)
    assert naive > EXPM1_NAIVE_LOSS
    assert fixed < STABLE_RTOL


# ---------------------------------------------------------------------------------------------
# Passes for brevity: exact, and fewer operations
# ---------------------------------------------------------------------------------------------
#: Points (a, b) with a > 0, |b| <= a, both signs of b, and the edges b = ±a.
EXACT_POINTS = [(sp.Rational(3, 7), sp.Rational(-1, 5)), (sp.Integer(5), sp.Integer(4)),
                (sp.Rational(1, 100), sp.Rational(1, 100)), (sp.Integer(2), sp.Integer(-2)),
                (sp.Rational(17, 3), sp.Integer(0))]


def _assert_exact_and_shorter(old, name):
    new = evaluation_form(old, [name])
    assert sp.count_ops(new) < sp.count_ops(old), (name, old, new)
    for a, b in EXACT_POINTS:
        subs = {A: a, B: b, Q: a}
        diff = sp.N((_with_max(new) - _with_max(old)).subs(subs), EXACT_DIGITS)
        assert abs(diff) < EXACT_TOL, (name, a, b)
    return new


def test_split_clamped_fractions_takes_the_square_denominator_out():
    old = sp.sqrt(clamp0((A - B) * (A + B) / A ** 2))
    new = _assert_exact_and_shorter(old, "split_clamped_fractions")
    assert new == sp.sqrt(clamp0((A - B) * (A + B))) / A


def test_split_clamped_fractions_leaves_a_denominator_of_unknown_sign():
    """(a − b)² is not a provably positive square root's square: nothing is split."""
    expr = sp.sqrt(clamp0(B / (A - B) ** 2))
    assert evaluation_form(expr, ["split_clamped_fractions"]) == expr


def test_drop_provable_clamps_drops_only_provable_ones():
    new = _assert_exact_and_shorter(sp.sqrt(clamp0(2 * Q + 1)), "drop_provable_clamps")
    assert new == sp.sqrt(2 * Q + 1)
    kept = sp.sqrt(clamp0((A - B) * (A + B)))  # zero at b = ±a, negative after rounding
    assert evaluation_form(kept, ["drop_provable_clamps"]) == kept


def test_arctan2_common_factor_cancels_a_positive_factor_only():
    old = sp.atan2(sp.sqrt(clamp0((A - B) * (A + B))) / A, -B / A)
    new = _assert_exact_and_shorter(old, "arctan2_common_factor")
    assert new == sp.atan2(sp.sqrt(clamp0((A - B) * (A + B))), -B)
    # b may be negative: atan2(b y, b x) is not atan2(y, x) (it moves by π)
    signed = sp.atan2(B * sp.sqrt(clamp0((A - B) * (A + B))), -B ** 2)
    assert evaluation_form(signed, ["arctan2_common_factor"]) == signed


# ---------------------------------------------------------------------------------------------
# The whole pipeline on the shipped closed forms
# ---------------------------------------------------------------------------------------------
def _closed_forms(name):
    mod = importlib.import_module(f"meanfield_sym.generated.{name}")
    return {k: sp.sympify(v, locals={"q": Q, "a": A, "b": B})
            for k, v in mod.CLOSED_FORMS.items() if v is not None}


@pytest.mark.parametrize("name", [
    "relu", "erf", "sin", "gaussian", "step",
    # the homogeneity test of evaluation_form simplifies I_φ'(t a, t b)/I_φ'(a, b): ~150 s
    pytest.param("gelu", marks=pytest.mark.slow)])
def test_evaluation_form_identities_hold_at_40_digits(name):
    """The passes together leave every kernel's value unchanged (exact identities)."""
    forms = _closed_forms(name)
    assert {"two_point", "two_point_prime"} <= set(forms)
    for kernel, cf in forms.items():
        if cf == sp.oo:
            continue
        new = evaluation_form(cf)
        for a, b in ((sp.Rational(3, 7), sp.Rational(-1, 5)), (sp.Integer(5), sp.Integer(4))):
            diff = sp.N(_at(_with_max(new), a, b) - _at(cf, a, b), EXACT_DIGITS)
            assert abs(diff) < EXACT_TOL, (name, kernel, a, b)


# ---------------------------------------------------------------------------------------------
# The homogeneous form a^k I(1, c) of ReLU-type kernels
# ---------------------------------------------------------------------------------------------
#: ReLU's two-point kernel and the derivative kernels of ReLU (step) and step (δ):
#: I(t a, t b) = t^k I(a, b) with k = 1, 0, −1.
HOMOGENEOUS = {
    "relu I_phi": (B * sp.acos(-B / A) + sp.sqrt(A ** 2 - B ** 2)) / (2 * sp.pi),
    "relu I_phi'": sp.acos(-B / A) / (2 * sp.pi),
    "step I_phi'": 1 / (2 * sp.pi * sp.sqrt(A ** 2 - B ** 2)),
}
#: Printed homogeneous forms vs 50 digits away from |c| = 1: a few roundings (including that
#: of c = b/a, amplified by at most 1/(1 − c²) ≈ 1.1 at |c| = 0.3).
HOMOGENEOUS_RTOL = 1e-14


@pytest.mark.parametrize("label", sorted(HOMOGENEOUS))
def test_homogeneous_form_covers_the_whole_float64_range(label):
    """a ∈ [1e-300, 1e300]: no intermediate such as a² − b² overflows or underflows (the
    kernel as printed, from the whole pipeline)."""
    expr = HOMOGENEOUS[label]
    f = _printed_two_point(expr)
    for a in (1e-300, 1e-200, 1.0, 1e200, 1e300):
        for c in (-0.3, 0.3):
            ref = _reference(expr, (A, B), (a, c * a))
            got = f(a, c * a)
            assert np.isfinite(got), (label, a, c)
            assert _rel_error(got, ref) < HOMOGENEOUS_RTOL, (label, a, c)


#: (a, b) near b = ±a, given as the floats a caller passes (b/a is not a float: the quotient
#: rounds, by up to 2⁻⁵³ relative).
NEAR_FULL_CORRELATION = {
    "relu I_phi'": [(3.7, -3.6999999999996), (0.3, -0.29999999999997), (11.0, -10.9999999999989)],
    "step I_phi'": [(3.7, 3.6999999996), (0.3, -0.29999999997), (11.0, 10.9999999989)],
}


@pytest.mark.parametrize("label", sorted(NEAR_FULL_CORRELATION))
def test_homogeneous_form_keeps_the_accuracy_near_full_correlation(label):
    """What arccos_to_arctan2 and clamp_radicands are for must survive the rewrite in c = b/a:
    at |c| → 1 the legs √((a − b)(a + b)) are exact functions of the inputs, while 1 − c² from
    a rounded c = b/a carries an error 2⁻⁵³/(1 − |c|) (~1e-7 at 1 − |c| = 1e-10, ~1e-4 at
    1e-13)."""
    expr = HOMOGENEOUS[label]
    f = _printed_two_point(expr)
    for a, b in NEAR_FULL_CORRELATION[label]:
        ref = _reference(expr, (A, B), (a, b))
        assert _rel_error(f(a, b), ref) < 10 * STABLE_RTOL, (label, a, b)
