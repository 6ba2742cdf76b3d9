"""Where φ' is non-zero: the support of the regular part of the derivative, and γ.

The unit-wise natural-gradient constant of Karakida & Osawa (Theorem 5.1) needs
``γ = P[φ'(u) ≠ 0]`` for ``u ~ N(0, q)``: 1 for tanh, 1/2 for ReLU.  The line is split at the
activation's kinks; an interval counts where the regular part of φ' is not identically zero
there (an analytic function that is not identically zero vanishes on a null set, and the
Dirac atoms of φ' have probability zero).

>>> from meanfield_sym.activation.function import get_activation
>>> derivative_support(get_activation("relu"))
[(0.0, inf)]
>>> gamma_expression(get_activation("relu"))
(1/2, 1/2)
"""
from __future__ import annotations

import math

import sympy as sp

from meanfield_sym.activation.function import X, Activation

__all__ = ["derivative_support", "gamma_expression"]

_Q = sp.Symbol("q", positive=True)


def _probe(lo: float, hi: float) -> float:
    """A point strictly inside (lo, hi)."""
    if math.isinf(lo) and math.isinf(hi):
        return 0.0
    if math.isinf(lo):
        return hi - 1.0
    if math.isinf(hi):
        return lo + 1.0
    return 0.5 * (lo + hi)


def derivative_support(act: Activation) -> list[tuple[float, float]]:
    """Intervals ``(lo, hi)`` (ends may be ±inf) on which the regular part of φ' is not
    identically zero; consecutive kinks of φ delimit them."""
    kinks = [float(k) for k in act.kinks]
    edges = [-math.inf] + kinks + [math.inf]
    support = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        mid = _probe(lo, hi)
        piece = act.prime_regular
        repl = {h: (sp.Integer(1) if mid > float(X - h.args[0]) else sp.Integer(0))
                for h in piece.atoms(sp.Heaviside) if h.args[0].has(X)}
        if sp.simplify(piece.xreplace(repl)) != 0:
            support.append((lo, hi))
    return support


def gamma_expression(act: Activation, q: sp.Symbol = _Q) -> tuple[sp.Expr, sp.Expr]:
    """γ(q) = P[φ'(u) ≠ 0], u ~ N(0, q), as a SymPy expression in ``q``, and its q → 0⁺ limit.

    ``P[lo < u < hi] = Φ(hi/√q) − Φ(lo/√q)`` with ``Φ(x) = (1 + erf(x/√2))/2``; at q → 0⁺ the
    mass sits at u = 0, which counts fully inside an interval and half on its edge.
    """
    exact = {float(k): sp.nsimplify(k) for k in act.kinks}

    def cdf(edge):
        if edge == math.inf:
            return sp.S.One
        if edge == -math.inf:
            return sp.S.Zero
        return (1 + sp.erf(exact[edge] / sp.sqrt(2 * q))) / 2

    expr, at_zero = sp.S.Zero, sp.S.Zero
    for lo, hi in derivative_support(act):
        expr += cdf(hi) - cdf(lo)
        if lo < 0 < hi:
            at_zero += 1
        elif lo == 0 or hi == 0:
            at_zero += sp.Rational(1, 2)
    return sp.simplify(expr), at_zero
