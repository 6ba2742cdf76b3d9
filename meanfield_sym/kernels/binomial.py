r"""Antiderivatives of the binomial differentials that Price's theorem produces.

Integrating Price's theorem (:mod:`meanfield_sym.kernels.engine`) in the covariance t leaves
integrands built from one quadratic radicand :math:`R(t) = r_0 - r_2 t^2` (for the ReLU and
GELU families :math:`R = a^2 - t^2` or :math:`(a + 1)^2 - t^2`): sums of

.. math:: c\, t^m R(t)^p \arcsin\!\big(\sqrt{r_2/r_0}\, t\big)^n,
          \qquad m \in \mathbb{N},\ 2p \in \mathbb{Z},\ n \in \{0, 1\}.

Their antiderivatives follow from three classical rules (Gradshteyn & Ryzhik 2.26; Chebyshev's
theorem on binomial differentials):

* odd m: the substitution w = R turns :math:`t^m R^p\,dt` into a polynomial in w times
  :math:`w^p`;
* even m: :math:`t^2 = (r_0 - R)/r_2` reduces the term to :math:`J_q = \int R^q\,dt`, with
  :math:`J_{-1/2} = \arcsin(\sqrt{r_2/r_0}\,t)/\sqrt{r_2}` and the recurrence
  :math:`(2q + 1) J_q = t R^q + 2 q r_0 J_{q-1}`, run up or down;
* one arcsine factor: integration by parts, with
  :math:`\tfrac{d}{dt}\arcsin(\sqrt{r_2/r_0}\,t) = \sqrt{r_2}\,R^{-1/2}`.

SymPy's ``manualintegrate`` finds these too, but only after trying its whole rule tree on every
term (seconds per integrand, minutes for GELU's kernels); this module recognises the one form
and writes the answer down.  :func:`antiderivative` returns None for anything else, and the
engine then asks SymPy; the engine checks every antiderivative by differentiation either way.

Examples
--------
>>> import sympy as sp
>>> a, t = sp.symbols("a t", positive=True)
>>> antiderivative(1 / sp.sqrt(a**2 - t**2), t)
asin(t/a)
>>> F = antiderivative(t**2 * (a**2 - t**2)**sp.Rational(-3, 2), t)
>>> sp.simplify(sp.diff(F, t) - t**2 * (a**2 - t**2)**sp.Rational(-3, 2))
0
"""
from __future__ import annotations

import sympy as sp

__all__ = ["antiderivative"]


def _radicand(expr, t):
    """The one quadratic radicand r0 − r2 t² (r2 > 0) under the square roots of expr."""
    rads = {sp.expand(p.base) for p in expr.atoms(sp.Pow)
            if p.base.has(t) and p.exp.is_Rational and p.exp.q == 2}
    if not rads:                       # an arcsine alone: asin(s t) defines R = 1 − s² t²
        rads = {sp.expand(1 - f.args[0] ** 2) for f in expr.atoms(sp.asin) if f.has(t)}
    if len(rads) != 1:
        return None
    (rad,) = rads
    try:
        poly = sp.Poly(rad, t)
    except sp.PolynomialError:
        return None
    if poly.degree() != 2 or poly.coeff_monomial(t) != 0:
        return None
    r0, r2 = poly.coeff_monomial(1), -poly.coeff_monomial(t ** 2)
    if any(c.has(t) for c in (r0, r2)) or not r2.is_positive:
        return None
    return rad, sp.factor(r0), sp.factor(r2)


def _split(term, t, rad, r0, r2):
    """term = coeff · P(t) · R^p · asin(s t)^n  →  (coeff·P as a Poly, p, n), or None."""
    coeff, num, den, p, n = sp.S.One, sp.S.One, sp.S.One, sp.S.Zero, 0
    for f in sp.Mul.make_args(term):
        if not f.has(t):
            coeff *= f
            continue
        if isinstance(f, sp.asin):
            arg = f.args[0]
            if sp.cancel(arg ** 2 * r0 / r2 - t ** 2) != 0 or not sp.cancel(arg / t).is_positive:
                return None
            n += 1
            continue
        base, e = f.as_base_exp()
        if not (e.is_Rational and base.is_polynomial(t)):
            return None
        if sp.expand(base) == rad:
            p += e
        elif e.is_Integer:
            if e > 0:
                num *= base ** e
            else:
                den *= base ** (-e)
        else:
            return None
    if n > 1:
        return None
    den = sp.Poly(sp.expand(den), t)
    radp = sp.Poly(rad, t)
    while den.degree() > 0:
        quo, rem = sp.div(den, radp)
        if not rem.is_zero:
            return None
        den, p = quo, p - 1
    poly = sp.Poly(sp.expand(coeff * num) / den.as_expr(), t)
    if any(c.has(t) for c in poly.coeffs()):
        return None
    return poly, p, n


def _terms(expr, t, rad, r0, r2):
    """The additive terms of expr with their parts (:func:`_split`); a term whose numerator is
    a sum that does not split as a whole is split term by term (denominators untouched)."""
    for term in sp.Add.make_args(expr):
        parts = _split(term, t, rad, r0, r2)
        if parts is not None:
            yield term, parts
            continue
        num, den = sp.fraction(term)
        pieces = sp.Add.make_args(sp.expand(num, power_base=False, power_exp=False, log=False))
        if len(pieces) == 1:
            yield term, None
            return
        for piece in pieces:
            yield piece / den, _split(piece / den, t, rad, r0, r2)


def _power_integral(q, t, rad, r0, r2, cache):
    """(algebraic part, arcsine coefficient) of J_q = ∫ R^q dt for 2q ∈ ℤ, q ∉ {−1, −2, …}."""
    if q in cache:
        return cache[q]
    if q.is_Integer:
        if q < 0:
            raise _NotThisForm
        out = (sp.integrate(sp.expand(rad ** q), t), sp.S.Zero)
    elif q == sp.Rational(-1, 2):
        out = (sp.S.Zero, 1 / sp.sqrt(r2))
    elif q > 0:
        alg, asn = _power_integral(q - 1, t, rad, r0, r2, cache)
        out = ((t * rad ** q + 2 * q * r0 * alg) / (2 * q + 1), 2 * q * r0 * asn / (2 * q + 1))
    else:
        alg, asn = _power_integral(q + 1, t, rad, r0, r2, cache)
        out = (((2 * q + 3) * alg - t * rad ** (q + 1)) / (2 * (q + 1) * r0),
               (2 * q + 3) * asn / (2 * (q + 1) * r0))
    cache[q] = out
    return out


class _NotThisForm(Exception):
    pass


def _monomial_integral(m, p, t, rad, r0, r2, cache):
    """(algebraic part, arcsine coefficient) of ∫ t^m R^p dt."""
    if m % 2:
        # w = R: t^m dt = ((r0 − w)/r2)^((m−1)/2) · (−dw / (2 r2))
        w = sp.Dummy("w")
        j = (m - 1) // 2
        total = sp.S.Zero
        for i in range(j + 1):
            e = p + i + 1
            if e == 0:
                raise _NotThisForm     # a logarithm: leave it to SymPy
            total += sp.binomial(j, i) * r0 ** (j - i) * (-1) ** i * w ** e / e
        return (-total / (2 * r2 ** (j + 1))).subs(w, rad), sp.S.Zero
    alg, asn = sp.S.Zero, sp.S.Zero
    j = m // 2
    for i in range(j + 1):           # t^m = ((r0 − R)/r2)^j
        c = sp.binomial(j, i) * r0 ** (j - i) * (-1) ** i / r2 ** j
        a_, s_ = _power_integral(p + i, t, rad, r0, r2, cache)
        alg, asn = alg + c * a_, asn + c * s_
    return alg, asn


def antiderivative(expr, t):
    """∫ expr dt for sums of c·t^m·R^p·asin(√(r2/r0) t)^n (see the module docstring), or None.

    Parameters
    ----------
    expr : sympy.Expr
        The integrand; the constants may be any symbols (r0 and r2 are read off R).
    t : sympy.Symbol
        The integration variable.

    Returns
    -------
    sympy.Expr or None
        An antiderivative, or None when expr is not of this form (the caller then uses SymPy's
        integrators).
    """
    found = _radicand(expr, t)
    if found is None:
        return None
    return _antiderivative_in(expr, t, *found)


def _antiderivative_in(expr, t, rad, r0, r2):
    arcsin = sp.asin(sp.sqrt(r2) * t / sp.sqrt(sp.factor(r0)))
    cache = {}
    total = sp.S.Zero
    try:
        for term, parts in _terms(expr, t, rad, r0, r2):
            if parts is None:
                return None
            poly, p, n = parts
            for (m,), c in poly.terms():
                alg, asn = _monomial_integral(m, p, t, rad, r0, r2, cache)
                if n == 0:
                    total += c * (alg + asn * arcsin)
                    continue
                # ∫ asin · g = asin · G − ∫ G · √r2 R^{-1/2};  ∫ asin · asin' = asin²/2
                inner = _antiderivative_in(sp.expand(alg * sp.sqrt(r2) / sp.sqrt(rad)), t,
                                           rad, r0, r2) if alg != 0 else sp.S.Zero
                if inner is None:
                    return None
                total += c * (arcsin * (alg + asn * arcsin) - inner
                              - asn * arcsin ** 2 / 2)
    except _NotThisForm:
        return None
    return total
