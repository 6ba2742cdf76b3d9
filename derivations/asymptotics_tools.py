"""Shared tools of the asymptotic derivation scripts (no records here: no ``checks``).

* :func:`extrapolate` -- polynomial (Richardson/Neville) extrapolation to x = 0 of values at
  nodes x_k → 0, with the error estimate |T_n − T_{n−1}| of the last two diagonal entries;
* :func:`poly_coefficients` -- the coefficients of the interpolating polynomial (for the
  coefficients of an expansion, e.g. a derivative or a singular term);
* :func:`mp` -- an exact SymPy rational as an mpmath number at the working precision.
"""
from __future__ import annotations

import mpmath
import sympy as sp


def mp(x):
    """An exact rational (or integer) as mpf at the current precision."""
    r = sp.Rational(x)
    return mpmath.mpf(int(r.p)) / int(r.q)


def extrapolate(xs, ys):
    """Neville's scheme at x = 0: (value, error estimate)."""
    n = len(xs)
    p = list(ys)
    diag = [p[0]]
    for m in range(1, n):
        for i in range(n - m):
            j = i + m
            p[i] = (xs[j] * p[i] - xs[i] * p[i + 1]) / (xs[j] - xs[i])
        diag.append(p[0])
    return diag[-1], abs(diag[-1] - diag[-2])


def poly_coefficients(xs, ys):
    """Coefficients c_0..c_{n−1} of the polynomial through (xs, ys) (mpmath LU solve)."""
    n = len(xs)
    A = mpmath.matrix(n, n)
    for i, x in enumerate(xs):
        for k in range(n):
            A[i, k] = x ** k
    return list(mpmath.lu_solve(A, mpmath.matrix(list(ys))))


def digits(x, ref, cap=32.0):
    """Agreeing significant digits of x with ref (capped)."""
    from meanfield_sym.verdicts.record import digits_of_agreement
    return min(digits_of_agreement(x, ref), cap)
