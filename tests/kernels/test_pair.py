"""Two-point kernels with two variances: closed forms and the Hermite route against 20-digit
quadrature of the definition, the exact equal-variance reduction, argument checks."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from meanfield_sym.activation.function import X, get_activation
from meanfield_sym.kernels.pair import (HermitePair, covariance_triple, pair_closed_forms,
                                        pair_kernels, two_point_expectation_pair)
from meanfield_sym.kernels.provider import resolve
from meanfield_sym.witnesses import highprec

#: The float64 evaluators' accuracy target (kernels.quadrature.TARGET_RTOL, the Hermite route's
#: certified bound); the closed forms are far better, the witness has 20 digits.
RTOL = 1e-12
#: The general closed form evaluated at a1 = a2 against the equal-variance printed code: both
#: are a few float64 operations on the same value (tens of ulp).
REDUCTION_RTOL = 1e-14
DPS = 20


def _scaled(expr, a):
    """φ(√a x) with every Heaviside(√a x − k) written as Heaviside(x − k/√a) (the witness's
    kink form)."""
    s = sp.sqrt(a)
    e = expr.subs(X, s * X)
    return e.replace(lambda h: isinstance(h, sp.Heaviside),
                     lambda h: sp.Heaviside(sp.expand(h.args[0] / s)))


def witness(expr, a1, a2, b, dps=DPS):
    r"""E[f(u1) f(u2)], Cov [[a1, b], [b, a2]], by the nested mpmath quadrature of
    :mod:`meanfield_sym.witnesses.highprec` applied to f(√a1 z1) f(√a2 z2) with
    corr(z1, z2) = b/√(a1 a2) (a1·a2 a rational square, so the correlation is exact)."""
    a1, a2, b = map(sp.nsimplify, (a1, a2, b))
    f = highprec._compile(_scaled(expr, a1))
    g = highprec._compile(_scaled(expr, a2))
    rho = b / sp.sqrt(a1 * a2)
    assert rho.is_rational

    def compute(eps, scale):
        if scale is None:
            scale = highprec._scale_guess(f, g, sp.S.One)
        return highprec._two_point_core(f, g, sp.S.One, rho, eps, scale)
    return highprec._run(compute, dps)


POINTS = [("1/2", "2", "3/5"), ("1/4", "9", "-1"), ("4", "1", "1.98")]


@pytest.mark.parametrize("name", ["relu", "abs", "leaky_relu", "erf", "sin", "tanh"])
@pytest.mark.parametrize("point", POINTS)
def test_against_high_precision_quadrature(name, point):
    act = get_activation(name)
    pk = pair_kernels(name)
    a1, a2, b = (float(sp.nsimplify(v)) for v in point)
    for kernel, expr in (("two_point", act.expr), ("two_point_prime", act.prime_regular)):
        ref = witness(expr, *point)
        got = getattr(pk, kernel)(a1, a2, b)
        assert abs(got - float(ref)) <= RTOL * abs(float(ref)), (kernel, got, ref)


@pytest.mark.parametrize("name", ["relu", "step", "abs", "leaky_relu", "linear", "erf", "sin",
                                  "cos", "exp", "gaussian", "tanh"])
def test_equal_variance_reduction_is_exact(name):
    pk = pair_kernels(name)
    eq = resolve(name)
    a = np.array([0.3, 1.0, 2.5, 7.0])
    b = np.array([-0.2, 0.9, 2.5, -3.0])
    assert np.array_equal(pk.two_point(a, a, b), eq.two_point(a, b))
    if name != "step":  # step: I_φ'(a, a) has an atom at b = a (∞), skip that point
        assert np.array_equal(pk.two_point_prime(a, a, b), eq.two_point_prime(a, b))


@pytest.mark.parametrize("name", ["erf", "sin", "gaussian", "relu", "abs"])
def test_general_formula_reduces(name):
    """The general route itself (not the dispatch to the equal-variance code) at a1 = a2."""
    pk = pair_kernels(name)
    eq = resolve(name)
    a = np.array([0.3, 1.0, 2.5])
    b = np.array([-0.2, 0.6, 1.1])
    for kernel in ("two_point", "two_point_prime"):
        got = pk._eval_unequal(kernel, a, a, b)
        want = getattr(eq, kernel)(a, b)
        assert np.allclose(got, want, rtol=REDUCTION_RTOL, atol=0)


def test_symbolic_reduction_erf():
    forms, methods = pair_closed_forms("erf")
    a1, a2 = sp.Symbol("a1", positive=True), sp.Symbol("a2", positive=True)
    a, b = sp.Symbol("a", positive=True), sp.Symbol("b", real=True)
    reduced = forms["two_point"].subs(a2, a1).subs(a1, a)
    assert sp.simplify(reduced - 2 * sp.asin(2 * b / (2 * a + 1)) / sp.pi) == 0
    assert "general covariance" in methods["two_point"]


def test_engine_rules_general_covariance():
    b = sp.Symbol("b", real=True)
    a1, a2 = sp.Symbol("a1", positive=True), sp.Symbol("a2", positive=True)
    assert sp.expand(two_point_expectation_pair(X ** 2, X ** 2) - (a1 * a2 + 2 * b ** 2)) == 0
    # the Dirac atoms: E[δ(u1) δ(u2)] is the bivariate density at the origin
    val = two_point_expectation_pair(sp.DiracDelta(X), sp.DiracDelta(X))
    assert sp.simplify(val - 1 / (2 * sp.pi * sp.sqrt(a1 * a2 - b ** 2))) == 0


def test_covariance_checks():
    with pytest.raises(ValueError, match=r"must not exceed sqrt\(a1\*a2\)") as exc:
        covariance_triple(1.0, 4.0, 2.0 * (1 + 1e-9))
    assert "\n" not in str(exc.value)
    a1, a2, b = covariance_triple(1.0, 4.0, 2.0 * (1 + 1e-14))   # rounding: clipped
    assert b == 2.0
    with pytest.raises(ValueError, match="a1 must be > 0"):
        covariance_triple(0.0, 1.0, 0.0)
    with pytest.raises(ValueError):
        pair_kernels("tanh").two_point(1.0, np.nan, 0.1)


def test_hermite_bound_refuses_what_it_cannot_certify():
    rule = HermitePair(np.tanh, scale=np.pi / 2, parity=-1)
    with pytest.raises(ValueError, match="cannot certify"):
        rule(np.array([400.0]), np.array([300.0]), np.array([0.5]))
