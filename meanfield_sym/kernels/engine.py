r"""The derivation engine: closed forms of Gaussian expectations of activations.

For u ~ N(0, 1) and (u1, u2) ~ N(0, [[a, b], [b, a]]) with a > 0, |b| ≤ a, the four kernels of the
mean-field recursions (Karakida, Akaho & Amari, *Universal statistics of Fisher information*,
main text Eqs. (9)–(12); supplement App. B) are

.. math::

    \hat q = E[\phi(\sqrt q u)^2],\quad E[\phi'(\sqrt q u)^2],\quad
    I_\phi[a,b] = E[\phi(u_1)\phi(u_2)],\quad I_{\phi'}[a,b] = E[\phi'(u_1)\phi'(u_2)].

They are **derived**, not looked up, by a small set of rules applied to the canonical
(Heaviside / DiracDelta) form of φ from :mod:`meanfield_sym.activation.function`:

1. *Bilinearity.*  φ is expanded into additive terms; I[f, g] is summed over pairs of terms, so a
   linear combination such as ``sin(x) + x/2`` gets its cross terms.
2. *Gaussian integrals.*  A term that is a polynomial times ``exp`` of a polynomial of degree ≤ 2
   (sines and cosines are written with complex exponentials) is integrated exactly with the
   moment-generating function  E[exp(hᵀu − ½uᵀKu)] = det(I + ΣK)^{-1/2} exp(½ hᵀ(Σ⁻¹ + K)⁻¹ h),
   polynomial factors by differentiation in h.  Dirac atoms δ(u1 − k) are integrated out with the
   bivariate density and the conditional Gaussian of u2 given u1 = k.
3. *Price's theorem.*  Otherwise ∂I[f, g]/∂b = I[f', g'] with I[f, g](a, 0) = E[f] E[g]
   (Price 1958), so I[f, g](a, b) = E[f]E[g] + ∫_0^b I[f', g'](a, t) dt, applied recursively until
   the integrand is elementary (ReLU family and steps: two steps down to Dirac atoms; erf: one
   step down to a Gaussian).  The t-integral is done by SymPy's ``manualintegrate`` and checked by
   differentiation; when it does not close, the kernel has **no closed form** here.
4. *Heat equation* in one dimension:  d E[f(√s u)]/ds = ½ E[f''(√s u)], for one-point means of
   smooth terms such as x·erf(x); half-line integrals of Heaviside-cut terms go to SymPy.

One-point kernels are computed directly and, when that fails, as the two-point kernel at b = a.
Whatever fails yields ``None`` with the reason in ``KernelSet.methods``; numerical evaluation then
falls back to :mod:`meanfield_sym.kernels.tables` (Chebyshev tables of quadrature values) and
:mod:`meanfield_sym.kernels.quadrature`.

The kernel set of an activation (:func:`meanfield_sym.kernels.kernel_set.kernels_for`) applies
these rules; its float64 evaluation runs the evaluation forms of :mod:`meanfield_sym.kernels.forms`
printed by :mod:`meanfield_sym.kernels.printing`.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.integrals.manualintegrate import manualintegrate

from meanfield_sym.activation.function import X, normalize_distributions, split_atoms
from meanfield_sym.kernels.binomial import antiderivative as binomial_antiderivative
from meanfield_sym.kernels.symbols import A, B, Q

__all__ = ["gaussian_mean", "two_point_expectation", "NoClosedForm", "is_elementary",
           "split_terms", "MAX_PRICE_DEPTH"]

_T = sp.Symbol("t", real=True)  # Price integration variable
_S = sp.Symbol("s", positive=True)  # heat-equation integration variable

MAX_PRICE_DEPTH = 3  # Price steps before giving up (ReLU and GELU need 2, erf needs 1)


class NoClosedForm(Exception):
    """The rules above do not close for this integrand (the message says where)."""


# ---------------------------------------------------------------------------------------------
# Term classification
# ---------------------------------------------------------------------------------------------
def _exp_poly_parts(term: sp.Expr):
    """Write a product term as [(coeff, n, alpha, gamma)] meaning Σ coeff x^n exp(alpha x + gamma x²),
    or return None if it is not of that type (sin/cos/sinh/cosh are rewritten with exp)."""
    if term.has(sp.Heaviside, sp.DiracDelta):
        return None
    t = term
    if t.has(sp.sin, sp.cos, sp.sinh, sp.cosh):
        t = t.rewrite(sp.exp)
    t = sp.expand(sp.powsimp(sp.expand(t), combine="exp"))
    out = []
    for piece in sp.Add.make_args(t):
        coeff, n, expo = sp.S.One, 0, sp.S.Zero
        for f in sp.Mul.make_args(piece):
            if not f.has(X):
                coeff *= f
                continue
            base, e = f.as_base_exp()
            if base == X and e.is_Integer and e >= 0:
                n += int(e)
            elif isinstance(f, sp.exp) or (base == sp.E):
                arg = f.args[0] if isinstance(f, sp.exp) else e
                expo += arg
            else:
                return None
        expo = sp.expand(expo)
        try:
            poly = sp.Poly(expo, X)
        except sp.PolynomialError:
            return None
        if poly.degree() > 2:
            return None
        c2 = poly.coeff_monomial(X ** 2)
        c1 = poly.coeff_monomial(X)
        c0 = poly.coeff_monomial(1)
        out.append((coeff * sp.exp(c0), n, c1, c2))
    return out


def is_elementary(term: sp.Expr) -> bool:
    """Gaussian-elementary: a polynomial times exp(quadratic), optionally times one Dirac atom."""
    rest, atoms = split_atoms(term) if term.has(sp.DiracDelta) else (term, [])
    if atoms:
        return rest == 0 and all(not w.has(X) for _, w in atoms)
    return _exp_poly_parts(term) is not None


def split_terms(expr: sp.Expr) -> list[sp.Expr]:
    expr = normalize_distributions(expr)
    return [t for t in sp.Add.make_args(sp.expand(expr)) if t != 0]


# ---------------------------------------------------------------------------------------------
# Polynomials: Gaussian moments and the terminating Price series (exact, any degree)
# ---------------------------------------------------------------------------------------------
def _polynomial(f):
    """``f`` as a :class:`sympy.Poly` in x with x-free coefficients, or None."""
    if not f.has(X) or f.has(sp.Heaviside, sp.DiracDelta):
        return None
    try:
        poly = sp.Poly(f, X)
    except sp.PolynomialError:
        return None
    return poly if all(not c.has(X) for c in poly.coeffs()) else None


def _poly_mean(poly, var, mu=0):
    """E[p(mu + √var z)] = Σ_k p_k E[(mu + √var z)^k] with E[z^{2j}] = (2j − 1)!! (Isserlis)."""
    if mu != 0:
        poly = sp.Poly(poly.as_expr().subs(X, X + mu), X)
    total = sp.S.Zero
    for (k,), c in poly.terms():
        if k % 2 == 0:
            total += c * var ** (k // 2) * sp.factorial2(k - 1)
    return total


def _poly_pair(p, r, a, b):
    r"""E[p(u1) r(u2)], Cov = [[a, b], [b, a]], for polynomials: Price's theorem
    (∂I/∂b = I[p', r'], I(a, 0) = E[p] E[r]) makes the Taylor series in b terminate,

    .. math:: I[p, r](a, b) = \sum_{n=0}^{\min(\deg p, \deg r)} \frac{b^n}{n!}
              E[p^{(n)}(\sqrt a z)]\, E[r^{(n)}(\sqrt a z)]
    """
    total = sp.S.Zero
    for n in range(min(p.degree(), r.degree()) + 1):
        total += b ** n / sp.factorial(n) * _poly_mean(p, a) * _poly_mean(r, a)
        p, r = p.diff(X), r.diff(X)
    return sp.expand(total)


# ---------------------------------------------------------------------------------------------
# One-dimensional Gaussian means  E[f(mu + sqrt(var) z)]
# ---------------------------------------------------------------------------------------------
def _mgf_1d(n, alpha, gamma, mu, var):
    """E[x^n exp(alpha x + gamma x²)], x ~ N(mu, var): the Gaussian MGF differentiated n times."""
    al = sp.Dummy("alpha")
    denom = 1 - 2 * gamma * var
    base = sp.exp((gamma * mu ** 2 + al * mu + al ** 2 * var / 2) / denom) / sp.sqrt(denom)
    return sp.diff(base, al, n).subs(al, alpha)


def _pdf(k, mu, var):
    return sp.exp(-(k - mu) ** 2 / (2 * var)) / sp.sqrt(2 * sp.pi * var)


def _mean_term(term, mu, var, depth):
    if not term.has(X):
        return term
    _check_reducible(term)
    rest, atoms = split_atoms(term) if term.has(sp.DiracDelta) else (term, [])
    if atoms:
        if any(w.has(X) for _, w in atoms) or rest != 0:
            # δ(x-k)^2 and the like: not a function, the expectation is infinite
            return sp.oo
        return sp.Add(*[w * _pdf(k, mu, var) for k, w in atoms])
    parts = _exp_poly_parts(term)
    if parts is not None:
        return sp.Add(*[c * _mgf_1d(n, al, ga, mu, var) for c, n, al, ga in parts])
    heav = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Heaviside)]
    if heav:
        k = X - heav[0].args[0]
        g = term / heav[0]
        res = sp.integrate(g * _pdf(X, mu, var), (X, k, sp.oo), conds="none")
        if res.has(sp.Integral):
            raise NoClosedForm(f"half-line Gaussian integral of {g} does not close")
        return res
    # smooth, not elementary: parity, then the heat equation dE/dvar = E[f'']/2
    if mu == 0 and sp.simplify(term.subs(X, -X) + term) == 0:
        return sp.S.Zero
    if depth >= MAX_PRICE_DEPTH:
        raise NoClosedForm(f"Gaussian mean of {term} does not reduce to elementary integrands")
    if mu != 0:
        # shift rule: dE[f(m + √var z)]/dm = E[f'(m + √var z)], from m = 0
        m = sp.Dummy("m", real=True)
        at0 = _mean_term(term, 0, var, depth + 1)
        slope = gaussian_mean(sp.diff(term, X), var=var, mu=m, _depth=depth + 1)
        prim = _antiderivative(sp.simplify(slope), m)
        return sp.simplify(at0 + prim.subs(m, mu) - prim.subs(m, 0))
    second = sp.diff(term, X, 2)
    inner = gaussian_mean(second, var=_S, mu=mu, _depth=depth + 1)
    integral = _antiderivative(inner, _S)
    return sp.simplify(term.subs(X, mu) + (integral.subs(_S, var) - integral.subs(_S, 0)) / 2)


def gaussian_mean(f, var=Q, mu=0, _depth=0) -> sp.Expr:
    """E[f(mu + √var z)] for z ~ N(0, 1), derived in closed form.

    Parameters
    ----------
    f : sympy.Expr
        A function of :data:`~meanfield_sym.activation.function.X` (Heaviside/DiracDelta allowed).
    var, mu : sympy.Expr
        Variance and mean of the Gaussian argument.

    Raises
    ------
    NoClosedForm
        When the rules of the module do not close.

    Examples
    --------
    >>> from meanfield_sym.activation.function import X
    >>> gaussian_mean(X**4)
    3*q**2
    >>> gaussian_mean(sp.Max(X, 0)**2)
    q/2
    """
    poly = _polynomial(sp.expand(f))
    if poly is not None:
        return _poly_mean(poly, var, mu)
    terms = split_terms(f)
    return sp.Add(*[_mean_term(t, mu, var, _depth) for t in terms])


# ---------------------------------------------------------------------------------------------
# Two-dimensional expectations  E[f(u1) g(u2)]
# ---------------------------------------------------------------------------------------------
def _mgf_2d(n1, n2, al1, ga1, al2, ga2, a, b, a2=None):
    """E[u1^n1 u2^n2 exp(al1 u1 + ga1 u1² + al2 u2 + ga2 u2²)], Cov = [[a, b], [b, a2]]
    (a2 = a by default): det(I + ΣK)^{-1/2} exp(½ hᵀ Σ(I + KΣ)⁻¹ h), differentiated in h."""
    base, h1, h2 = _mgf_2d_base(ga1, ga2, a, b, a2)
    out = sp.diff(base, h1, n1, h2, n2) if (n1 or n2) else base
    return out.subs({h1: al1, h2: al2})


@lru_cache(maxsize=64)
def _mgf_2d_base(ga1, ga2, a, b, a2):
    """The moment-generating function of :func:`_mgf_2d` in (h1, h2), once per quadratic part."""
    h1, h2 = sp.Dummy("h1"), sp.Dummy("h2")
    sigma = sp.Matrix([[a, b], [b, a if a2 is None else a2]])
    kmat = sp.diag(-2 * ga1, -2 * ga2)
    ident = sp.eye(2)
    det = sp.factor(sp.expand((ident + sigma * kmat).det()))
    m = sigma * (ident + kmat * sigma).inv()
    h = sp.Matrix([h1, h2])
    quad = sp.simplify((h.T * m * h)[0, 0])
    return sp.exp(quad / 2) / sp.sqrt(det), h1, h2


def _pair_direct(f, g, a, b):
    """E[f(u1) g(u2)] for Gaussian-elementary terms (exp-polynomials or Dirac atoms)."""
    rf, af = split_atoms(f) if f.has(sp.DiracDelta) else (f, [])
    rg, ag = split_atoms(g) if g.has(sp.DiracDelta) else (g, [])
    if af and ag:
        det = a ** 2 - b ** 2
        return sp.Add(*[w1 * w2 * sp.exp(-(a * k1 ** 2 - 2 * b * k1 * k2 + a * k2 ** 2) / (2 * det))
                        / (2 * sp.pi * sp.sqrt(det)) for k1, w1 in af for k2, w2 in ag])
    if ag and not af:
        f, g, af, ag = g, f, ag, af
    if af:  # E[δ(u1-k) g(u2)] = p1(k) E[g(u2) | u1 = k]
        return sp.Add(*[w * _pdf(k, 0, a) * gaussian_mean(g, var=a - b ** 2 / a, mu=b * k / a)
                        for k, w in af])
    pf, pg = _exp_poly_parts(f), _exp_poly_parts(g)
    return sp.Add(*[c1 * c2 * _mgf_2d(n1, n2, al1, ga1, al2, ga2, a, b)
                    for c1, n1, al1, ga1 in pf for c2, n2, al2, ga2 in pg])


def _merge_radicands(expr, var):
    """Collect powers of the one quadratic radicand R(var) of expr into a single power R^e,
    dividing R out of polynomial factors, so that √((k−t)(k+t)) / ((k−t)²(k+t)²) becomes
    (k² − t²)^(−3/2) and table integrals apply."""
    expr = sp.together(expr)
    radicands = {sp.expand(p.base) for p in expr.atoms(sp.Pow)
                 if p.base.has(var) and p.exp.is_Rational and p.exp.q == 2}
    if len(radicands) != 1:
        return expr
    (rad,) = radicands
    total = sp.S.Zero
    parts = []
    for side, sign in zip(sp.fraction(expr), (1, -1)):
        poly_part, rest = sp.S.One, sp.S.One
        for f in sp.Mul.make_args(side):
            base, ex = f.as_base_exp()
            if base.has(var) and sp.expand(base) == rad:
                total += sign * ex
            elif base.has(var) and base.is_polynomial(var) and ex.is_Integer and ex > 0:
                poly_part *= f
            else:
                rest *= f
        poly_part = sp.expand(poly_part)
        while poly_part.has(var):
            quo, rem = sp.div(poly_part, rad, var)
            if rem != 0:
                break
            poly_part = quo
            total += sign
        parts.append(rest * poly_part)
    return sp.simplify(parts[0] / parts[1]) * sp.Pow(rad, total)


def _radicand_substitution(expr, var):
    """If expr holds √(c0(s) − c2 t²) with c0 a polynomial in one symbol s (e.g. (a + 1)²), return
    (expr with s solved from c0 = k², k, back-substitution) so that table integrals apply."""
    for p in expr.atoms(sp.Pow):
        if not (p.base.has(var) and p.exp.is_Rational and p.exp.q == 2):
            continue
        base = sp.expand(p.base)
        if not base.is_polynomial(var):
            continue
        poly = sp.Poly(base, var)
        c0 = poly.coeff_monomial(1)
        if poly.degree() != 2 or poly.coeff_monomial(var) != 0 or len(c0.free_symbols) != 1:
            continue
        (sym,) = c0.free_symbols
        if c0 == sym:
            continue
        k = sp.Dummy("k", positive=True)
        sols = [r for r in sp.solve(sp.Eq(c0, k ** 2), sym) if r.subs(k, 10 ** 6).is_positive]
        if len(sols) != 1:
            continue
        return _merge_radicands(expr.subs(sym, sols[0]), var), k, sp.sqrt(sp.factor(c0))
    return None


def _algebraic_in(expr, var):
    return not any(f.has(var) for f in expr.atoms(sp.Function)) and \
        not any(p.has(var) and not p.exp.is_Rational for p in expr.atoms(sp.Pow))


def _real_branch(expr, var, k):
    """Replace each Piecewise by its branch valid at var = k/2 (inside |var| < k)."""
    def pick(pw):
        for e, cond in pw.args:
            c = cond.subs(var, k / 2) if hasattr(cond, "subs") else cond
            if c == sp.true or bool(c) is True:
                return e
        return pw
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), pick)


@lru_cache(maxsize=256)
def _antiderivative(expr, var):
    """∫ expr d(var): binomial differentials t^m R^p (arcsine factors included) by the rules
    of :mod:`meanfield_sym.kernels.binomial`, anything else by SymPy's ``manualintegrate``;
    verified by differentiation at rational points.  When a radicand c0(a) − c t² blocks
    SymPy's table rules, c0 is renamed k² first and substituted back afterwards."""
    if not expr.has(var):
        return expr * var
    res = binomial_antiderivative(expr, var)
    if res is None:
        res = manualintegrate(expr, var)
    if res.has(sp.Integral):
        sub = _radicand_substitution(expr, var)
        if sub is not None:
            work, k, back = sub
            res = manualintegrate(work, var)
            if res.has(sp.Integral) and _algebraic_in(work, var):
                # SymPy's full integrator is slow in general but quick on algebraic integrands;
                # its Piecewise answer is resolved on the real domain |t| < k.
                res = _real_branch(sp.integrate(work, var), var, k)
            res = res.subs(k, back) if not res.has(sp.Integral) else res
    if res.has(sp.Integral):
        raise NoClosedForm(f"the Price integral of {expr} over {var} does not close")
    check = sp.diff(res, var) - expr
    syms = sorted(check.free_symbols, key=str)
    for tv, other in ((sp.Rational(3, 7), sp.Rational(5, 3)), (sp.Rational(-2, 9), sp.Rational(7, 2))):
        val = sp.N(check.subs({s_: (tv if s_ == var else other) for s_ in syms}), 30)
        if not abs(val) < 1e-20:
            raise NoClosedForm(f"antiderivative check failed for {expr}")
    return res


def _is_atom(term):
    if not term.has(sp.DiracDelta):
        return False
    rest, atoms = split_atoms(term)
    return rest == 0 and all(not w.has(X) for _, w in atoms)


_REDUCIBLE = (sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.erf, sp.erfc, sp.Heaviside,
              sp.DiracDelta)


def _check_reducible(term):
    """Fail fast on functions none of the rules can integrate (tanh, log, 1/(1+e^x), ...)."""
    for fn in term.atoms(sp.Function):
        if fn.has(X) and not isinstance(fn, _REDUCIBLE):
            raise NoClosedForm(f"{fn.func.__name__} is not reducible by Gaussian integrals or "
                               "Price's theorem")
    for p in term.atoms(sp.Pow):
        if p.has(X) and not (p.exp.is_Integer and p.exp > 0) and p.base != sp.E:
            raise NoClosedForm(f"{p} is not reducible by Gaussian integrals or Price's theorem")


def _pair(f, g, a, b, depth):
    if f == 0 or g == 0:
        return sp.S.Zero
    if not f.has(X):
        return f * gaussian_mean(g, var=a)
    if not g.has(X):
        return g * gaussian_mean(f, var=a)
    _check_reducible(f)
    _check_reducible(g)
    if _is_atom(f) or _is_atom(g) or (is_elementary(f) and is_elementary(g)):
        return _pair_direct(f, g, a, b)
    if depth >= MAX_PRICE_DEPTH:
        raise NoClosedForm(f"Price's theorem does not reduce E[{f}·{g}] to elementary terms")
    base = gaussian_mean(f, var=a) * gaussian_mean(g, var=a)
    inner = two_point_expectation(sp.diff(f, X), sp.diff(g, X), a=a, b=_T, _depth=depth + 1)
    inner = sp.simplify(inner)
    prim = _antiderivative(inner, _T)
    return base + prim.subs(_T, b) - prim.subs(_T, 0)


def two_point_expectation(f, g, a=A, b=B, _depth=0) -> sp.Expr:
    """E[f(u1) g(u2)] with (u1, u2) ~ N(0, [[a, b], [b, a]]), derived in closed form.

    Uses bilinearity, Gaussian integrals and Price's theorem (see the module docstring).

    Raises
    ------
    NoClosedForm
        When the rules do not close.

    Examples
    --------
    >>> from meanfield_sym.activation.function import X
    >>> two_point_expectation(X, X)
    b
    >>> sp.simplify((two_point_expectation(sp.sin(X), sp.sin(X)) - sp.exp(-A)*sp.sinh(B))
    ...             .rewrite(sp.exp))
    0
    """
    pf, pg = _polynomial(sp.expand(f)), _polynomial(sp.expand(g))
    if pf is not None and pg is not None:
        return _poly_pair(pf, pg, a, b)
    fs, gs = split_terms(f), split_terms(g)
    return sp.Add(*[_pair(ft, gt, a, b, _depth) for ft in fs for gt in gs])
