"""Antiderivatives of binomial differentials (meanfield_sym.kernels.binomial).

Expected values come from mpmath quadrature of the integrand (30 digits), an independent route
from the reduction formulas; the forms are those Price's theorem produces for ReLU/GELU-type
kernels, plus the by-parts cases with an arcsine factor."""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from meanfield_sym.kernels.binomial import antiderivative

a = sp.Symbol("a", positive=True)
t = sp.Symbol("t", real=True)     # as Price's integration variable
R = a ** 2 - t ** 2
CASES = [
    1 / sp.sqrt(R),
    sp.sqrt(R),
    R ** sp.Rational(-3, 2),
    R ** sp.Rational(-5, 2) * t ** 4,
    t ** 3 * sp.sqrt(R),
    t ** 5 / R ** sp.Rational(7, 2),
    t ** 2 * R ** sp.Rational(3, 2),
    sp.asin(t / a),
    t ** 2 * sp.asin(t / a),
    t * sp.asin(t / a) / sp.sqrt(R),
    sp.asin(t / a) / sp.sqrt(R),
    sp.asin(t / a) * R ** sp.Rational(3, 2),
    3 * sp.asin(2 * t / a) / sp.sqrt(a ** 2 - 4 * t ** 2),
    # GELU's Price integrand: radicand (a + 1)² − t² written as a product of linear factors
    sp.sqrt((a - t + 1) * (a + t + 1)) * (a + 1)
    / ((a - t + 1) * (a + t + 1) * (a ** 2 + 2 * a - t ** 2 + 1)),
]


@pytest.mark.parametrize("expr", CASES, ids=[sp.sstr(c)[:40] for c in CASES])
def test_definite_integral_matches_mpmath_quadrature(expr):
    F = antiderivative(expr, t)
    assert F is not None, expr
    mpmath.mp.dps = 30
    for av, tv in ((sp.Rational(5, 3), sp.Rational(3, 7)), (sp.Integer(2), sp.Rational(-9, 10))):
        f = sp.lambdify(t, expr.subs(a, av), "mpmath")
        exact = mpmath.quad(f, [0, mpmath.mpf(tv.p) / tv.q])
        got = sp.N(F.subs({a: av, t: tv}) - F.subs({a: av, t: 0}), 30)
        assert abs(mpmath.mpf(str(got)) - exact) <= mpmath.mpf(10) ** -25 * max(1, abs(exact))


@pytest.mark.parametrize("expr", [sp.asin(t / a) * sp.sqrt(a ** 2 - 2 * t ** 2), 1 / (a - t), t / R,
                                  sp.sqrt(R) * sp.sqrt(a ** 2 - 2 * t ** 2), sp.exp(t)])
def test_other_forms_are_left_to_sympy(expr):
    """An arcsine of another radicand, no radicand, a logarithm, two radicands, a
    transcendental factor: None, not a guess."""
    assert antiderivative(expr, t) is None
