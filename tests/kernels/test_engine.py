"""The derivation engine (meanfield_sym.kernels.engine) against independent witnesses.

Witnesses:
* mpmath quadrature of the *definitions* (meanfield_sym.witnesses.highprec; never sees a closed form):
  every built-in's four closed forms agree to ≥ 20 significant digits;
* the closed form itself evaluated by mpmath at 40 digits: the float64 evaluators (stable forms)
  agree to ~1e-12 relative over a ∈ [1e-2, 1e2] and c = b/a up to |c| = 1;
* identities that must collapse: c = 1 gives the one-point moment, leaky ReLU with slope 0 is
  ReLU, the linear activation is the identity map, bilinearity of a sum.
"""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from meanfield_sym.witnesses import highprec
from meanfield_sym.activation.function import builtin_names, get_activation
from meanfield_sym.kernels.symbols import A, B, KERNEL_NAMES, Q
from meanfield_sym.kernels.kernel_set import kernels_for

DIGITS = 20  # high-precision checks compare to ≥ 20 digits
FLOAT_RTOL = 1e-12  # float64 evaluators vs the 40-digit value of the same closed form
# Absolute floor for values that vanish (ReLU I[a, -a] = 0): a few ulps of the scale I[a, a].
ULP_FLOOR = 1e-15

#: Built-ins the engine must close (the rest fall back to quadrature).
CLOSED = {"linear", "relu", "leaky_relu", "abs", "step", "erf", "sin", "cos", "exp", "gaussian",
          "polynomial", "gelu"}
NO_CLOSED_TWO_POINT = {"tanh", "sigmoid", "silu", "swish", "softplus", "shifted_relu"}

ONE_Q = ["1/100", "1", "100"]
TWO_AC = [("1/100", "-999/1000"), ("1", "3/10"), ("100", "9999/10000"), ("5/2", "-1/2")]


def _digits(x, y):
    if x == y:
        return 99
    return float(-mpmath.log10(abs(x - y) / max(abs(x), abs(y))))


def test_every_builtin_has_a_kernel_set():
    for name in builtin_names():
        ks = kernels_for(name)
        assert set(ks.closed_form) == set(KERNEL_NAMES)


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_closed_forms_exist(name):
    ks = kernels_for(name)
    missing = [k for k, v in ks.closed_form.items() if v is None]
    assert not missing, (name, missing, ks.methods)


@pytest.mark.parametrize("name", sorted(NO_CLOSED_TWO_POINT))
def test_no_closed_form_is_reported(name):
    ks = kernels_for(name)
    assert ks.closed_form["two_point"] is None
    assert "quadrature" in ks.methods["two_point"]


def _closed_vs_quadrature(name, kernel, args, dps=30):
    ks = kernels_for(name)
    expr = ks.closed_form[kernel]
    act = get_activation(name)
    fn = getattr(highprec, kernel)
    syms = (Q,) if kernel.startswith("one_point") else (A, B)
    vals = [sp.Rational(x) for x in args]
    if not kernel.startswith("one_point"):  # args are (a, c = b/a)
        vals = [vals[0], vals[0] * vals[1]]
    ref = fn(act, *[str(v) for v in vals], dps=dps)
    with mpmath.workdps(dps + 5):
        got = mpmath.mpf(sp.N(expr.subs(dict(zip(syms, vals))), dps + 5)) if expr != sp.oo \
            else mpmath.inf
    return got, ref


FAST_CASES = [(n, k) for n in sorted(CLOSED) for k in KERNEL_NAMES]


@pytest.mark.parametrize("name,kernel", FAST_CASES)
def test_closed_form_matches_quadrature_of_definition(name, kernel):
    """≥ 20 digits at one interior point (a = 1, c = 0.3 / q = 1); dense grid in the slow test."""
    args = ("1",) if kernel.startswith("one_point") else ("1", "3/10")  # (a, c)
    ks = kernels_for(name)
    if ks.closed_form[kernel] == sp.oo:
        assert get_activation(name).prime_atoms and kernel == "one_point_prime"
        return
    got, ref = _closed_vs_quadrature(name, kernel, args)
    assert _digits(got, ref) >= DIGITS, (name, kernel, got, ref)


NUMERIC_CASES = [(n, k) for n in sorted(NO_CLOSED_TWO_POINT) for k in KERNEL_NAMES]


@pytest.mark.parametrize("name,kernel", NUMERIC_CASES)
def test_kernels_without_closed_form_match_quadrature_of_definition(name, kernel):
    """The float64 route (kernel tables or per-point quadrature) of every built-in that has no
    closed form for some kernel, against mpmath quadrature of the definition, 1e-12 relative.
    (Kernels of these activations that do have closed forms are checked here too.)"""
    ks, act = kernels_for(name), get_activation(name)
    args = (1.3,) if kernel.startswith("one_point") else (1.3, 0.4)
    ref = getattr(highprec, kernel)(act, *args, dps=DIGITS)
    got = getattr(ks, kernel)(*args)
    assert abs(float(got) / float(ref) - 1) < FLOAT_RTOL, (name, kernel, float(got), ref)


@pytest.mark.slow
@pytest.mark.parametrize("name,kernel", FAST_CASES)
def test_closed_form_matches_quadrature_dense(name, kernel):
    ks = kernels_for(name)
    if ks.closed_form[kernel] == sp.oo:
        return
    grid = [(q,) for q in ONE_Q] if kernel.startswith("one_point") else TWO_AC
    for args in grid:
        got, ref = _closed_vs_quadrature(name, kernel, args)
        assert _digits(got, ref) >= DIGITS, (name, kernel, args, got, ref)


# --- float64 evaluators vs the same closed form at 40 digits (stability near |c| = 1) --------
A_GRID = np.array([1e-2, 0.3, 1.0, 7.0, 1e2])
C_GRID = np.array([-1.0, -1 + 1e-9, -0.9999, -0.999, -0.5, 0.0, 0.3, 0.9, 0.999, 0.9999,
                   1 - 1e-9, 1.0])


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_float64_two_point_is_stable(name):
    ks = kernels_for(name)
    aa, cc = np.meshgrid(A_GRID, C_GRID, indexing="ij")
    bb = aa * cc
    for kernel in ("two_point", "two_point_prime"):
        expr = ks.closed_form[kernel]
        f = sp.lambdify((A, B), expr, modules="mpmath")
        got = getattr(ks, kernel)(aa, bb)
        assert got.shape == aa.shape
        for (i, j), v in np.ndenumerate(got):
            a_, b_ = float(aa[i, j]), float(bb[i, j])
            with mpmath.workdps(40):
                try:
                    ref = f(mpmath.mpf(a_), mpmath.mpf(b_))
                except ZeroDivisionError:
                    ref = mpmath.inf
                if abs(b_) == a_ and kernel == "two_point_prime" and not mpmath.isfinite(ref):
                    assert not np.isfinite(v) or v > 1e15
                    continue
                ref = mpmath.re(ref)
                # relative tolerance, with an absolute floor of a few ulps of the kernel's scale
                # I[a, a] for values that vanish exactly (ReLU at c = -1)
                try:
                    scale = mpmath.re(f(mpmath.mpf(a_), mpmath.mpf(a_)))
                except ZeroDivisionError:  # I_φ'[a, a] = ∞ for the step function
                    scale = mpmath.inf
                floor = ULP_FLOOR * float(abs(scale)) if mpmath.isfinite(scale) else 0.0
                tol = FLOAT_RTOL * abs(float(ref)) + floor
                assert abs(v - float(ref)) <= tol, (name, kernel, a_, b_, v, float(ref))


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_float64_one_point(name):
    ks = kernels_for(name)
    qs = np.geomspace(1e-2, 1e2, 9)
    for kernel in ("one_point", "one_point_prime"):
        expr = ks.closed_form[kernel]
        got = getattr(ks, kernel)(qs)
        if expr == sp.oo:
            assert np.all(np.isinf(got))
            continue
        f = sp.lambdify(Q, expr, modules="mpmath")
        for q, v in zip(qs, got):
            with mpmath.workdps(40):
                ref = float(mpmath.re(f(mpmath.mpf(float(q)))))
            assert v == pytest.approx(ref, rel=FLOAT_RTOL, abs=1e-300), (name, kernel, q)


# --- identities ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CLOSED - {"step"}))
def test_two_point_at_c_equal_one_is_one_point(name):
    ks = kernels_for(name)
    diff = ks.closed_form["two_point"].subs(B, A).subs(A, Q) - ks.closed_form["one_point"]
    assert sp.simplify(diff) == 0


def test_leaky_relu_slope_zero_is_relu():
    leaky = kernels_for("leaky_relu", slope=0).closed_form
    relu = kernels_for("relu").closed_form
    for k in KERNEL_NAMES:
        assert sp.simplify((leaky[k] - relu[k]).rewrite(sp.asin)) == 0, k


def test_linear_is_identity_map():
    cf = kernels_for("linear").closed_form
    assert cf == {"one_point": Q, "one_point_prime": 1, "two_point": B, "two_point_prime": 1}


def test_bilinearity_of_a_sum():
    """I for sin(x) + x/2 equals I_sin + I_x/4 + cross terms E[sin(u1) u2] (Stein: b e^{-a/2})."""
    total = kernels_for("sin(x) + x/2").closed_form["two_point"]
    sin = kernels_for("sin").closed_form["two_point"]
    cross = B * sp.exp(-A / 2)  # E[sin(u1) u2] = b E[cos(u1)] by Stein's lemma
    assert sp.simplify(total - (sin + B / 4 + cross)) == 0


def test_step_derivative_kernel_is_infinite_and_bivariate_density():
    cf = kernels_for("step").closed_form
    assert cf["one_point_prime"] == sp.oo
    density = 1 / (2 * sp.pi * sp.sqrt(A ** 2 - B ** 2))  # bivariate normal density at (0, 0)
    assert sp.simplify(cf["two_point_prime"] - density) == 0


def test_relu_kernel_symmetry_in_b():
    """abs is even: I_abs[a, b] = I_abs[a, -b]."""
    f = kernels_for("abs").closed_form["two_point"]
    assert sp.simplify(f - f.subs(B, -B)) == 0


# --- quadrature fallback and validation -----------------------------------------------------
def test_tanh_falls_back_to_quadrature_within_1e12():
    ks = kernels_for("tanh")
    act = get_activation("tanh")
    for a, c in (("1", "3/10"), ("1/100", "-9/10")):
        b = str(sp.Rational(a) * sp.Rational(c))
        ref = highprec.two_point(act, a, b, dps=20)
        got = ks.two_point(float(sp.Rational(a)), float(sp.Rational(b)))
        assert float(got) == pytest.approx(float(ref), rel=1e-12)


@pytest.mark.parametrize("args,msg", [((-1.0, 0.0), "> 0"), ((1.0, 1.5), "exceed"),
                                      ((float("nan"), 0.0), "finite"), ((1.0, np.inf), "finite"),
                                      (("x", 0.0), "must be a number")])
def test_two_point_bad_input(args, msg):
    with pytest.raises(ValueError, match=msg):
        kernels_for("relu").two_point(*args)


@pytest.mark.parametrize("q,msg", [(0.0, "> 0"), (-2.0, "> 0"), (np.nan, "finite")])
def test_one_point_bad_input(q, msg):
    with pytest.raises(ValueError, match=msg):
        kernels_for("erf").one_point(q)


def test_broadcasting():
    ks = kernels_for("erf")
    a = np.array([[1.0], [2.0]])
    b = np.array([0.0, 0.5, -0.5])
    out = ks.two_point(a, b)
    assert out.shape == (2, 3)
    assert out[0, 1] == pytest.approx(float(ks.two_point(1.0, 0.5)), rel=1e-15)
