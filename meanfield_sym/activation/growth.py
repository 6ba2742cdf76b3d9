r"""Gaussian growth of an activation: where its Gaussian moments exist.

For u ~ N(0, q), ``E[f(u)²]`` is finite iff ``f(x)² e^{−x²/(2q)}`` is integrable.  With the
*Gaussian growth* ``γ = limsup_{|x|→∞} log|f(x)| / x²`` (0 for anything slower than every
e^{εx²}: polynomials, softplus, bounded functions; ∞ for e^{x³} or e^{e^x}), the one-point
moment converges for ``q < 1/(4γ)`` and diverges beyond; the two-point moment
``E[f(u1) f(u2)]``, (u1, u2) ~ N(0, [[a, b], [b, a]]), converges when
``a + |b| < 1/(2γ)`` (both eigenvalues of the covariance below 1/(2γ)); for a function that
grows on one side only (a Heaviside cut) this is sufficient, not necessary.

γ is read off the expression's structure (sums take the larger growth, products add, an
``exp`` of a polynomial of degree 2 contributes its x² coefficient, of higher degree ∞ or −∞
by the sign of its leading term, bounded functions 0), so the bound is exact (``1/4``, not
0.2499…) and comes with the closed form.

>>> import sympy as sp
>>> from meanfield_sym.activation.parser import X
>>> growth(sp.exp(X**2))
1
>>> domain_bounds(growth(sp.exp(X**2)))
{'one_point': 1/4, 'two_point': 1/2}
>>> growth(sp.exp(X**3)), growth(sp.tanh(X) * X**5)
(oo, 0)
"""
from __future__ import annotations

import sympy as sp

from meanfield_sym.activation.parser import X

__all__ = ["growth", "domain_bounds"]

_BOUNDED = (sp.sin, sp.cos, sp.tanh, sp.erf, sp.erfc, sp.atan, sp.sign, sp.Heaviside)
_SLOW = (sp.log,)   # grow slower than any power


def _side(e, sign: int):
    """limsup log|e(x)|/x² as x → sign·∞ (a SymPy number, ±oo)."""
    if not e.has(X):
        return sp.S.Zero if e != 0 else -sp.oo
    if e == X:
        return sp.S.Zero
    if isinstance(e, sp.Add):
        return sp.Max(*[_side(t, sign) for t in e.args])
    if isinstance(e, sp.Mul):
        parts = [_side(t, sign) for t in e.args]
        if any(p == -sp.oo for p in parts):
            return -sp.oo
        return sp.Add(*parts)
    if isinstance(e, sp.Pow):
        if e.base == sp.E:
            return _side(sp.exp(e.exp), sign)
        if e.exp.is_number:
            inner = _side(e.base, sign)
            if e.exp.is_positive:
                return inner * e.exp if inner not in (sp.oo, -sp.oo) else inner
            return sp.S.Zero if inner in (sp.S.Zero,) else -inner if inner != -sp.oo else sp.oo
        return sp.oo                                    # x**x and the like
    if isinstance(e, sp.exp):
        return _exponent(e.args[0], sign)
    if isinstance(e, (sp.sinh, sp.cosh)):
        return sp.Max(_exponent(e.args[0], sign), _exponent(-e.args[0], sign))
    if isinstance(e, sp.Heaviside):
        arg = e.args[0]
        slope = sp.diff(arg, X)
        if slope.is_number and slope != 0:
            return sp.S.Zero if sign * slope > 0 else -sp.oo
        return sp.S.Zero
    if isinstance(e, _BOUNDED) or isinstance(e, _SLOW):
        return sp.S.Zero
    if isinstance(e, sp.Abs):
        return _side(e.args[0], sign)
    if isinstance(e, (sp.Max, sp.Min)):
        parts = [_side(t, sign) for t in e.args]
        return sp.Max(*parts) if isinstance(e, sp.Max) else sp.Min(*parts)
    if isinstance(e, sp.DiracDelta):
        return -sp.oo
    return sp.oo                                        # unknown: assume the worst


def _exponent(g, sign: int):
    """limsup g(x)/x² for the exponent of an exp (as x → sign·∞)."""
    if not g.has(X):
        return sp.S.Zero
    try:
        poly = sp.Poly(g, X)
        if all(not c.has(X) for c in poly.coeffs()):
            deg = poly.degree()
            if deg <= 1:
                return sp.S.Zero
            if deg == 2:
                return poly.coeff_monomial(X ** 2)
            lead = poly.LC() * (sign ** deg)
            return sp.oo if lead > 0 else -sp.oo
    except sp.PolynomialError:
        pass
    if _degree(g) < 2:
        return sp.S.Zero    # e^{x sin x}, e^{|x|}: slower than any Gaussian
    return sp.oo            # e^{e^x}, e^{x² tanh x}, ...: refused (no finite bound is derived)


def _degree(g):
    """An upper bound d on the polynomial growth of g (|g| = O(|x|^d)); oo if none is found."""
    if not g.has(X):
        return 0
    if g == X:
        return 1
    if isinstance(g, (sp.Add, sp.Max, sp.Min)):
        return max(_degree(t) for t in g.args)
    if isinstance(g, sp.Mul):
        return sum(_degree(t) for t in g.args)
    if isinstance(g, sp.Pow) and g.base != sp.E and g.exp.is_number:
        return max(_degree(g.base) * g.exp, 0)
    if isinstance(g, sp.Abs):
        return _degree(g.args[0])
    if isinstance(g, _BOUNDED):
        return 0
    if isinstance(g, _SLOW):
        return sp.Rational(1, 100)
    return sp.oo


def growth(expr) -> sp.Expr:
    """γ = limsup_{|x|→∞} log|expr| / x² (0, a positive or negative number, or oo)."""
    values = [_side(expr, 1), _side(expr, -1)]
    return sp.Max(*values) if all(v.is_number or v in (sp.oo, -sp.oo) for v in values) \
        else sp.oo


def domain_bounds(gamma) -> dict:
    """Where the kernels of an activation with Gaussian growth γ converge: ``{'one_point':
    q_max, 'two_point': s_max}`` meaning q < q_max and a + |b| < s_max (``oo`` for every
    argument, ``0`` for none)."""
    if gamma == sp.oo:
        return {"one_point": sp.S.Zero, "two_point": sp.S.Zero}
    if not gamma.is_positive:
        return {"one_point": sp.oo, "two_point": sp.oo}
    return {"one_point": 1 / (4 * gamma), "two_point": 1 / (2 * gamma)}
