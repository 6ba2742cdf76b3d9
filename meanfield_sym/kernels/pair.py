r"""Two-point kernels of two inputs with different variances.

For :math:`(u_1, u_2) \sim N\!\left(0, \begin{pmatrix} a_1 & b \\ b & a_2 \end{pmatrix}\right)`,
:math:`a_1, a_2 > 0`, :math:`|b| \le \sqrt{a_1 a_2}`,

.. math::

    I_\phi[a_1, a_2, b] = E[\phi(u_1)\phi(u_2)], \qquad
    I_{\phi'}[a_1, a_2, b] = E[\phi'(u_1)\phi'(u_2)].

These generalise the kernels :math:`I_\phi[a, b]`, :math:`I_{\phi'}[a, b]` of *Universal
statistics* (main text Eqs. (10), (12); supplement App. B), where both inputs have the same
variance :math:`a = q_1^l`; with two variances the mean-field recursion runs for any pair of
inputs, of any norms (:mod:`meanfield_sym.meanfield.gram`).  At :math:`a_1 = a_2 = a` they are
the equal-variance kernels, exactly.

Closed forms (:func:`pair_closed_forms`) come from three routes, tried in this order:

1. *Positive homogeneity.*  When :math:`\phi(t x) = t^k \phi(x)` for t > 0 (linear, ReLU, leaky
   ReLU, |x|, step), :math:`\phi(\sqrt{a_i} z) = a_i^{k/2}\phi(z)`, so

   .. math:: I[a_1, a_2, b] = (a_1 a_2)^{k/2} I[1, 1, c] = I[\sqrt{a_1 a_2},\, b],
             \qquad c = b/\sqrt{a_1 a_2}:

   the equal-variance kernel at the geometric mean of the variances (exact; φ' likewise).
2. *The derivation rules of* :mod:`meanfield_sym.kernels.engine` *with the general covariance*
   (:func:`two_point_expectation_pair`): bilinearity; the 2-D Gaussian moment-generating
   function with :math:`\Sigma = [[a_1, b], [b, a_2]]`; Dirac atoms through the conditional law
   :math:`u_2 \mid u_1 = k \sim N(bk/a_1, a_2 - b^2/a_1)`; Price's theorem at fixed
   :math:`a_1, a_2`,

   .. math:: I[f, g](a_1, a_2, b) = E[f(\sqrt{a_1} z)]\,E[g(\sqrt{a_2} z)]
             + \int_0^b I[f', g'](a_1, a_2, t)\, dt;

   and for polynomials the terminating Price series
   :math:`\sum_n b^n/n!\; E[p^{(n)}(\sqrt{a_1} z)]\, E[r^{(n)}(\sqrt{a_2} z)]`.
3. Otherwise there is **no closed form** and the float64 value comes from the *Hermite route*
   (:class:`HermitePair`, smooth activations such as tanh, sigmoid, softplus, SiLU): with the
   Hermite coefficients :math:`h_k(a) = E[\phi(\sqrt a z)\,He_k(z)]/\sqrt{k!}` (Mehler's
   formula),

   .. math:: I[a_1, a_2, b] = \sum_{k \ge 0} h_k(a_1)\, h_k(a_2)\, \rho^k, \qquad
             \rho = b/\sqrt{a_1 a_2},

   truncated at K terms with the rigorous remainder bound (Cauchy–Schwarz and Parseval)

   .. math:: \Big|\sum_{k \ge K} h_k(a_1) h_k(a_2) \rho^k\Big| \le \sqrt{R_K(a_1) R_K(a_2)},
             \qquad R_K(a) = E[\phi(\sqrt a z)^2] - \sum_{k < K} h_k(a)^2,

   where the coefficients and :math:`E[\phi^2]` are computed with one trapezoidal rule (so
   that :math:`R_K \ge 0` holds up to rounding).  Activations with kinks and no closed form
   fall back to the equal-variance quadrature of :mod:`meanfield_sym.kernels.quadrature`
   after the change of variables :math:`u_2 = \sqrt{a_2/a_1}\, v_2`, one variance ratio at a
   time (slow; for small problems).

:class:`PairKernels` is the validated, vectorised float64 evaluator; :func:`pair_kernels`
builds (and caches) it for an activation.  Entries with :math:`a_1 = a_2` are evaluated by the
equal-variance provider itself (:func:`meanfield_sym.kernels.provider.resolve`), so that the
reduction to the existing kernels is exact to the last bit.

>>> pk = pair_kernels("relu")
>>> bool(pk.two_point(2.0, 2.0, 1.0) == resolve("relu").two_point(2.0, 1.0))
True
>>> pk.two_point(1.0, 4.0, 2.5)
Traceback (most recent call last):
...
ValueError: |b| must not exceed sqrt(a1*a2) (the covariance matrix [[a1, b], [b, a2]] must be positive semi-definite), got a1=1.0, a2=4.0, b=2.5
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from meanfield_sym import checks
from meanfield_sym.kernels.provider import resolve

__all__ = ["A1", "A2", "PAIR_KERNELS", "covariance_triple", "two_point_expectation_pair",
           "pair_closed_forms", "pair_source", "PairKernels", "HermitePair", "pair_kernels",
           "HERMITE_RTOL", "HERMITE_MAX_TERMS"]

#: The two kernels with two variances, in the order ``PairKernels.layer`` returns them.
PAIR_KERNELS = ("two_point", "two_point_prime")
#: Relative accuracy the Hermite route certifies (its remainder bound is rigorous), relative to
#: max(|I|, 1e-3 √(E f² E g²)) as the equal-variance quadrature's target.
HERMITE_RTOL = 1e-12
#: Most Hermite terms used (tanh needs about 80·a terms at 1e-12; a variance beyond ~100 is
#: refused rather than evaluated slowly).
HERMITE_MAX_TERMS = 8192
#: Entries per tile of the Hermite route's matrices (a tile's few arrays stay in the L2 cache
#: while Horner's rule runs over its terms).
HERMITE_TILE = 1 << 14
#: Entries per block of :meth:`PairKernels.layer_matrices` (bounds its temporaries: ~10 arrays
#: of this many float64, 8 MB each).
MATRIX_CHUNK = 1 << 20

#: Price steps of the derivation with two variances (erf needs 1; deeper integrals, such as
#: GELU's, do not close with two variances and cost minutes to refute, so they are not tried:
#: such kernels take the Hermite route).
PAIR_PRICE_DEPTH = 2

_SYMBOLS = None


def _symbols():
    global _SYMBOLS
    if _SYMBOLS is None:
        import sympy as sp
        _SYMBOLS = (sp.Symbol("a1", positive=True), sp.Symbol("a2", positive=True))
    return _SYMBOLS


def __getattr__(name):  # A1, A2 without importing SymPy at module import
    if name in ("A1", "A2"):
        return _symbols()[name == "A2"]
    raise AttributeError(name)


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------
def covariance_triple(a1, a2, b, names=("a1", "a2", "b")):
    r"""Broadcast float arrays ``(a1, a2, b)`` of a 2 × 2 covariance matrix
    :math:`[[a_1, b], [b, a_2]]`: :math:`a_1, a_2 > 0` and :math:`|b| \le \sqrt{a_1 a_2}`.

    An excess :math:`|b| - \sqrt{a_1 a_2}` of at most :data:`meanfield_sym.checks.ROUNDING_SLACK`
    relative is rounding (e.g. :math:`X X^T/d` of normalised inputs) and is clipped; a larger
    one is refused with one line naming the worst entry.
    """
    a1 = checks.positive_variance(a1, names[0])
    a2 = checks.positive_variance(a2, names[1])
    b = checks.real_array(b, names[2])
    a1, a2, b = np.broadcast_arrays(a1, a2, b)
    s = np.sqrt(a1) * np.sqrt(a2)
    excess = np.abs(b) - s
    if np.any(excess > 0):
        bad = excess > checks.ROUNDING_SLACK * s
        if np.any(bad):
            i = int(np.argmax(np.where(bad, excess / s, -np.inf)))
            raise ValueError(
                f"|{names[2]}| must not exceed sqrt({names[0]}*{names[1]}) (the covariance "
                f"matrix [[{names[0]}, {names[2]}], [{names[2]}, {names[1]}]] must be positive "
                f"semi-definite), got {names[0]}={float(a1.flat[i])!r}, "
                f"{names[1]}={float(a2.flat[i])!r}, {names[2]}={float(b.flat[i])!r}")
        b = np.clip(b, -s, s)
    return a1.astype(float), a2.astype(float), b.astype(float)


# ---------------------------------------------------------------------------------------------
# Derivation with the general covariance (the rules of kernels/engine.py)
# ---------------------------------------------------------------------------------------------
def _mgf_2d(n1, n2, al1, ga1, al2, ga2, a1, a2, b):
    """The engine's two-dimensional Gaussian MGF rule with Cov = [[a1, b], [b, a2]]."""
    from meanfield_sym.kernels import engine
    return engine._mgf_2d(n1, n2, al1, ga1, al2, ga2, a1, b, a2=a2)


def _pair_direct(f, g, a1, a2, b):
    """E[f(u1) g(u2)] for Gaussian-elementary terms (exp-polynomials or Dirac atoms)."""
    import sympy as sp

    from meanfield_sym.activation.function import split_atoms
    from meanfield_sym.kernels.engine import _exp_poly_parts, _pdf, gaussian_mean
    rf, af = split_atoms(f) if f.has(sp.DiracDelta) else (f, [])
    rg, ag = split_atoms(g) if g.has(sp.DiracDelta) else (g, [])
    if af and ag:
        det = a1 * a2 - b ** 2
        return sp.Add(*[w1 * w2 * sp.exp(-(a2 * k1 ** 2 - 2 * b * k1 * k2 + a1 * k2 ** 2)
                                         / (2 * det)) / (2 * sp.pi * sp.sqrt(det))
                        for k1, w1 in af for k2, w2 in ag])
    if af:   # E[δ(u1 − k) g(u2)] = p1(k) E[g(u2) | u1 = k]
        return sp.Add(*[w * _pdf(k, 0, a1) * gaussian_mean(g, var=a2 - b ** 2 / a1,
                                                           mu=b * k / a1) for k, w in af])
    if ag:   # the mirrored term: condition on u2
        return sp.Add(*[w * _pdf(k, 0, a2) * gaussian_mean(f, var=a1 - b ** 2 / a2,
                                                           mu=b * k / a2) for k, w in ag])
    pf, pg = _exp_poly_parts(f), _exp_poly_parts(g)
    return sp.Add(*[c1 * c2 * _mgf_2d(n1, n2, al1, ga1, al2, ga2, a1, a2, b)
                    for c1, n1, al1, ga1 in pf for c2, n2, al2, ga2 in pg])


def _poly_pair(p, r, a1, a2, b):
    """E[p(u1) r(u2)] for polynomials: the terminating Price series."""
    import sympy as sp

    from meanfield_sym.activation.function import X
    from meanfield_sym.kernels.engine import _poly_mean
    total = sp.S.Zero
    for n in range(min(p.degree(), r.degree()) + 1):
        total += b ** n / sp.factorial(n) * _poly_mean(p, a1) * _poly_mean(r, a2)
        p, r = p.diff(X), r.diff(X)
    return sp.expand(total)


def _antiderivative(expr, var):
    """∫ expr d(var) by the engine's rule; when a radicand c0 − c2 t² with a c0 of several
    symbols (e.g. (2a1 + 1)(2a2 + 1) − 4t²) blocks the table integrals, c0 is renamed k²
    (k > 0) first and substituted back afterwards.  Checked by differentiation."""
    import sympy as sp
    from sympy.integrals.manualintegrate import manualintegrate

    from meanfield_sym.kernels import engine
    try:
        return engine._antiderivative(expr, var)
    except engine.NoClosedForm:
        pass
    for p in expr.atoms(sp.Pow):
        if not (p.base.has(var) and p.exp.is_Rational and p.exp.q == 2):
            continue
        base = sp.expand(p.base)
        if not base.is_polynomial(var):
            continue
        poly = sp.Poly(base, var)
        c0 = poly.coeff_monomial(1)
        if poly.degree() != 2 or poly.coeff_monomial(var) != 0 or not c0.free_symbols:
            continue
        k = sp.Dummy("k", positive=True)
        c2 = poly.coeff_monomial(var ** 2)
        work = expr.replace(lambda e: isinstance(e, sp.Pow) and e.base.has(var)
                            and sp.expand(e.base) == base,
                            lambda e: sp.Pow(k ** 2 + c2 * var ** 2, e.exp))
        res = manualintegrate(work, var)
        if res.has(sp.Integral) and engine._algebraic_in(work, var):
            res = engine._real_branch(sp.integrate(work, var), var, k)
        if res.has(sp.Integral):
            continue
        res = res.subs(k, sp.sqrt(c0))
        check = sp.diff(res, var) - expr
        syms = sorted(check.free_symbols, key=str)
        ok = True
        for tv, other in ((sp.Rational(1, 7), sp.Rational(5, 3)),
                          (sp.Rational(-1, 9), sp.Rational(7, 2))):
            val = sp.N(check.subs({s_: (tv if s_ == var else other) for s_ in syms}), 30)
            ok = ok and abs(val) < 1e-20
        if ok:
            return res
    raise engine.NoClosedForm(f"the Price integral of {expr} over {var} does not close")


def _pair(f, g, a1, a2, b, depth):
    import sympy as sp

    from meanfield_sym.activation.function import X
    from meanfield_sym.kernels import engine
    if f == 0 or g == 0:
        return sp.S.Zero
    if not f.has(X):
        return f * engine.gaussian_mean(g, var=a2)
    if not g.has(X):
        return g * engine.gaussian_mean(f, var=a1)
    engine._check_reducible(f)
    engine._check_reducible(g)
    if engine._is_atom(f) or engine._is_atom(g) or (engine.is_elementary(f)
                                                    and engine.is_elementary(g)):
        return _pair_direct(f, g, a1, a2, b)
    if depth >= PAIR_PRICE_DEPTH:
        raise engine.NoClosedForm(f"Price's theorem does not reduce E[{f}·{g}] to elementary "
                                  f"terms in {PAIR_PRICE_DEPTH} step(s)")
    t = sp.Symbol("t", real=True)
    base = engine.gaussian_mean(f, var=a1) * engine.gaussian_mean(g, var=a2)
    inner = two_point_expectation_pair(sp.diff(f, X), sp.diff(g, X), a1=a1, a2=a2, b=t,
                                       _depth=depth + 1)
    prim = _antiderivative(_tidy(inner), t)
    return base + prim.subs(t, b) - prim.subs(t, 0)


def _tidy(expr):
    """Simplify with every polynomial numerator expanded first (a₁a₂ + a₁ − a₂(a₁ + 1) + a₂ + 1
    is a₁ + 1, which ``simplify`` alone leaves as it is and the table integrals then miss)."""
    import sympy as sp
    terms = []
    for term in sp.Add.make_args(sp.expand(expr)):
        terms.append(term)
    num, den = sp.fraction(sp.together(sp.Add(*terms)))
    return sp.simplify(sp.expand(num) / den)


def two_point_expectation_pair(f, g, a1=None, a2=None, b=None, _depth=0):
    r"""E[f(u1) g(u2)] with :math:`(u_1, u_2) \sim N(0, [[a_1, b], [b, a_2]])`, derived in
    closed form by the rules of :mod:`meanfield_sym.kernels.engine` with the general covariance
    (bilinearity, the 2-D Gaussian MGF, Dirac atoms, Price's theorem at fixed a₁, a₂ with base
    E[f(√a₁ z)] E[g(√a₂ z)], the terminating Price series of polynomials).

    Generalises :func:`meanfield_sym.kernels.engine.two_point_expectation` (a₁ = a₂ = a).

    Raises
    ------
    NoClosedForm
        When the rules do not close.

    Examples
    --------
    >>> import sympy as sp
    >>> from meanfield_sym.activation.function import X
    >>> two_point_expectation_pair(X**2, X**2)
    a1*a2 + 2*b**2
    >>> sp.simplify(two_point_expectation_pair(sp.exp(X), sp.exp(X)))
    exp(a1/2 + a2/2 + b)
    """
    import sympy as sp

    from meanfield_sym.kernels import engine
    from meanfield_sym.kernels.symbols import B
    s1, s2 = _symbols()
    a1 = s1 if a1 is None else a1
    a2 = s2 if a2 is None else a2
    b = B if b is None else b
    pf, pg = engine._polynomial(sp.expand(f)), engine._polynomial(sp.expand(g))
    if pf is not None and pg is not None:
        return _poly_pair(pf, pg, a1, a2, b)
    fs, gs = engine.split_terms(f), engine.split_terms(g)
    return sp.Add(*[_pair(ft, gt, a1, a2, b, _depth) for ft in fs for gt in gs])


def _readable(expr):
    """The shortest of a few simplified forms (as :func:`meanfield_sym.kernels.forms.readable`)."""
    import sympy as sp

    from meanfield_sym.kernels.forms import _tidy_radicals
    if expr.is_polynomial():
        return sp.expand(expr)
    cands = [_tidy_radicals(sp.simplify(_tidy_radicals(expr)))]
    base = cands[0]
    if base.has(sp.I):
        cands.append(sp.simplify(sp.expand_complex(base)))
    if base.has(sp.exp):
        cands.append(sp.simplify(base.rewrite(sp.sinh)))
        cands.append(sp.simplify(base.rewrite(sp.cosh)))
    cands = [c for c in cands if not c.has(sp.I)] or cands
    return min(cands, key=lambda c: (sp.count_ops(c), len(str(c))))


#: Seconds the derivation with two variances may take (in a forked process, as
#: :func:`meanfield_sym.kernels.kernel_set.kernels_for`; ``MEANFIELD_SYM_BUDGET`` or the command
#: line's budget when shorter); beyond it the kernel has no closed form here and takes the
#: Hermite route.  Derived results are kept in the on-disk cache.
PAIR_BUDGET = 60.0


def _derive_forms(act):
    """Closed forms and methods of the two kernels (no budget, no cache)."""
    import sympy as sp

    from meanfield_sym.activation.function import ActivationError
    from meanfield_sym.kernels import engine
    forms, methods = {}, {}
    for name, f in (("two_point", act.expr), ("two_point_prime", act.prime)):
        try:
            expr = two_point_expectation_pair(f, f)
        except (engine.NoClosedForm, ActivationError) as exc:
            forms[name], methods[name] = None, f"no closed form ({exc})"
            continue
        if expr.has(sp.nan, sp.zoo, sp.Integral):
            forms[name] = None
            methods[name] = "no closed form (the derivation produced an undefined term)"
            continue
        forms[name] = _readable(expr)
        methods[name] = "Gaussian integrals / Price's theorem with the general covariance"
    return forms, methods


def _derive_within(act, budget):
    from meanfield_sym.kernels.budget import within_budget
    done, data = within_budget(_derive_forms, (act,), budget,
                               f"deriving the two-variance kernels of {act.name or act.expr}",
                               progress=False)
    if not done:
        why = f"no closed form (not derived within the budget of {budget:g} s)"
        return {k: None for k in PAIR_KERNELS}, {k: why for k in PAIR_KERNELS}
    return data


def _source_digest():
    import hashlib
    from pathlib import Path
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=None)
def _closed_forms_cached(act):
    import sympy as sp

    from meanfield_sym.kernels import cache
    from meanfield_sym.kernels.forms import homogeneity_degree
    from meanfield_sym.kernels.kernel_set import kernels_for
    from meanfield_sym.kernels.symbols import A
    s1, s2 = _symbols()
    ks = kernels_for(act)
    equal, methods_eq = ks.closed_form, ks.methods
    forms, methods, degrees = {}, {}, {}
    todo = []
    for name in PAIR_KERNELS:
        eq = equal[name]
        if eq is None:
            forms[name] = None
            methods[name] = ("no closed form (none with equal variances: "
                             f"{methods_eq.get(name, 'quadrature')})")
            continue
        k = homogeneity_degree(eq)
        if k is not None:
            forms[name] = eq.xreplace({A: sp.sqrt(s1 * s2)})
            methods[name] = (f"positive homogeneity (degree {k}): the equal-variance kernel at "
                             "a = sqrt(a1*a2)")
            degrees[name] = k
            continue
        todo.append(name)
    if todo:
        key = cache.entry_key("pair-kernels", (sp.srepr(act.expr), sorted(
            (k, sp.srepr(v)) for k, v in act.params.items()), _source_digest()))
        hit = cache.load(key)
        if hit is None:
            from meanfield_sym.kernels.kernel_set import _budget
            budget = min(PAIR_BUDGET, _budget(None))    # the command line's shorter budget too
            hit = _derive_within(act, budget)
            if not any("budget" in m for m in hit[1].values()):
                cache.store(key, hit)
        for name in todo:
            forms[name], methods[name] = hit[0][name], hit[1][name]
    return forms, methods, degrees


def pair_closed_forms(activation, **params) -> tuple[dict, dict]:
    """Closed forms of :math:`I_\\phi[a_1, a_2, b]` and :math:`I_{\\phi'}[a_1, a_2, b]`.

    Returns
    -------
    forms : dict
        ``{'two_point': expr in a1, a2, b | None, 'two_point_prime': …}``.
    methods : dict
        How each was obtained (or why there is none).

    Examples
    --------
    >>> forms, methods = pair_closed_forms("erf")
    >>> forms["two_point"]
    2*asin(2*b/(sqrt(2*a1 + 1)*sqrt(2*a2 + 1)))/pi
    """
    from meanfield_sym.activation.function import get_activation
    forms, methods, _ = _closed_forms_cached(get_activation(activation, **params))
    return dict(forms), dict(methods)


# ---------------------------------------------------------------------------------------------
# Printed float64 code of the closed forms
# ---------------------------------------------------------------------------------------------
def _evaluation_form(expr):
    """Float64 form: asin(p/r) → atan2(p, √clamp0((r − p)(r + p))) for r > 0 (no loss near
    |p/r| = 1, no division), acos likewise, and every other radicand that is not provably
    positive clamped at 0 (rounding below 0 gives 0, not NaN)."""
    import sympy as sp
    from sympy.codegen.rewriting import ReplaceOptim, optimize

    from meanfield_sym.kernels.forms import clamp0

    def legs(u):
        num, den = sp.fraction(sp.together(u))
        if not den.is_positive:
            num, den = u, sp.S.One
        leg = sp.sqrt(clamp0(sp.factor(den - num) * sp.factor(den + num)))
        return num, leg
    passes = [
        ReplaceOptim(lambda e: isinstance(e, sp.asin), lambda e: sp.atan2(*legs(e.args[0]))),
        ReplaceOptim(lambda e: isinstance(e, sp.acos), lambda e: sp.atan2(*legs(e.args[0])[::-1])),
        ReplaceOptim(lambda e: isinstance(e, sp.Pow) and e.exp.is_Rational and e.exp.q == 2
                     and e.base.free_symbols and not (isinstance(e.base, sp.Function)
                                                      and e.base.func == clamp0)
                     and not e.base.is_positive,
                     lambda e: sp.Pow(clamp0(sp.factor(e.base)), e.exp)),
    ]
    return optimize(expr, passes)


def pair_source(forms: dict) -> str:
    """Printed NumPy code of the closed forms with two variances: functions
    ``two_point(a1, a2, b)`` and ``two_point_prime(a1, a2, b)`` (``None`` without a closed
    form), in the printer of :mod:`meanfield_sym.kernels.printing` (a separate text: the
    equal-variance code of :func:`~meanfield_sym.kernels.printing.kernel_source` is unchanged).
    """
    import sympy as sp

    from meanfield_sym.kernels.printing import EvaluatorPrinter, _body, wrap
    printer = EvaluatorPrinter()
    out = []
    for name in PAIR_KERNELS:
        expr = forms.get(name)
        if expr is None:
            out.append(f"{name} = None  # no closed form")
            continue
        lines = [f"def {name}(a1, a2, b):"]
        body, results = _body(printer, [_evaluation_form(sp.sympify(expr))])
        lines += body
        lines += wrap("return ", results[0], "    ")
        out.append("\n".join(lines))
    if all(forms.get(n) is not None for n in PAIR_KERNELS):
        exprs = [_evaluation_form(sp.sympify(forms[n])) for n in PAIR_KERNELS]
        body, results = _body(printer, exprs)
        lines = ["def layer(a1, a2, b):", "    # both kernels, common subexpressions shared"]
        lines += body + wrap("return ", ", ".join(results), "    ")
        out.append("\n".join(lines))
    else:
        out.append("layer = None  # not both kernels have a closed form")
    return "\n\n\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# The Hermite route (smooth activations without closed forms)
# ---------------------------------------------------------------------------------------------
#: z-range of the coefficient rule: the Hermite functions times e^{-z²/4} are below 1e-17 beyond.
_Z_MAX = 13.0
#: trapezoid step: h·√a ≤ _H_ROOT_A·scale keeps the rule's error below e^{-2π·scale/(h√a)}
#: ≈ e^{-40}, and h ≤ _H_OSC/√K resolves the oscillation of the K-th Hermite function.
_H_ROOT_A = 0.15
_H_OSC = 1.2
_H_MAX = 0.05


_EPS2 = 2.0 * np.finfo(float).eps
#: Rounding of the computed remainder norm2 − Σ h_k², relative to E f² (two sums of ~10³
#: positive terms: ~10 ε observed), added to every remainder bound.
_R_ROUND = 16 * np.finfo(float).eps
#: K_max is large enough once the computed remainder is at this multiple of ε·E f².
_R_CONVERGED = 64 * np.finfo(float).eps
#: The certified target never goes below this fraction of √(E f² E g²) (the floor of the
#: remainder bound and of Horner's rounding; cf. the 8ε E|fg| floor of kernels.quadrature).
_TARGET_FLOOR = 128 * np.finfo(float).eps


def _target(rtol, vals, scale):
    return np.maximum(rtol * np.maximum(np.abs(vals), 1e-3 * scale), _TARGET_FLOOR * scale)


def _weights(H):
    """W(a) = Σ_k (k + 1) h_k(a)²: Horner's rounding bound for Σ_k c_k ρ^k is
    2(k + 1)ε |c_k| |ρ|^k summed over k (one multiplication and one addition per step), and by
    Cauchy–Schwarz Σ_k (k + 1)|h_k(a1) h_k(a2)| <= √(W(a1) W(a2))."""
    k = np.arange(1, H.shape[1] + 1)
    return (H * H) @ k


@dataclass
class HermitePair:
    r"""Hermite (Mehler) evaluation of :math:`E[f(u_1) f(u_2)]` with two variances for a smooth
    f, with the rigorous remainder bound of the module docstring.

    Parameters
    ----------
    f : callable
        Vectorised float64 function (φ or φ').
    scale : float
        Distance of f's nearest complex singularity from the real axis (tanh: π/2); sets the
        trapezoid step of the coefficient rule.
    parity : int
        +1 (f even: only even k), −1 (odd: only odd k) or 0.
    rtol : float
        Certified relative accuracy (relative to max(|I|, 1e-3 √(E f(u1)² E f(u2)²))).
    """

    f: object
    scale: float = math.pi / 2
    parity: int = 0
    rtol: float = HERMITE_RTOL
    _cache: dict = field(default_factory=dict, repr=False)

    def coefficients(self, a, K):
        """``(H, norm2)``: H[i, k] = h_k(a_i) for k < K and norm2[i] = E[f(√a_i z)²], from
        one trapezoidal rule (so that norm2 − Σ_k H[i, k]² >= 0 up to rounding)."""
        a = np.asarray(a, dtype=float).ravel()
        h = min(_H_MAX, _H_ROOT_A * self.scale / math.sqrt(float(np.max(a))), _H_OSC / math.sqrt(K))
        n = int(math.ceil(_Z_MAX / h))
        step = _Z_MAX / n        # exactly the spacing (z[1] - z[0] would lose ~1e-14 to rounding)
        z = step * np.arange(-n, n + 1)
        w = step * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            F = np.asarray(self.f(np.sqrt(a)[:, None] * z[None, :]), dtype=float)
        F = np.broadcast_to(F, (a.size, z.size)) * w
        if not np.all(np.isfinite(F)):
            raise ValueError("the activation is not finite on the Hermite quadrature nodes")
        # orthonormal Hermite polynomials p_k = He_k/√k! by their stable three-term recurrence
        P = np.empty((K, z.size))
        P[0] = 1.0
        if K > 1:
            P[1] = z
        for k in range(1, K - 1):
            P[k + 1] = (z * P[k] - math.sqrt(k) * P[k - 1]) / math.sqrt(k + 1)
        H = F @ P.T
        norm2 = np.einsum("ij,ij->i", F, F / w)
        return H, norm2

    def _plan(self, a):
        """Coefficients of the variances ``a`` with enough terms.

        With K_max coefficients computed, the remainder after k terms is
        R_k = Σ_{k <= j < K_max} h_j² + R_{K_max}: the first part is a suffix sum of computed
        squares (no cancellation), the second ``norm2 − Σ_j h_j²``, whose rounding
        (~1e-15 E f²) is added to it as :data:`_R_ROUND`.  K_max doubles until R_{K_max} is at
        that floor; each variance then needs the smallest k with R_k <= 1e-3·rtol·E f²
        (or, if that is below the floor, where R_k stops decreasing).

        Returns ``(H, norm2, tail, need, W)`` with tail[i, k] a bound on R_{k+1}(a_i).
        """
        amax = float(np.max(a))
        K = int(min(HERMITE_MAX_TERMS, 8 * math.ceil((180 * amax + 64) / 8)))
        while True:
            H, norm2 = self.coefficients(a, K)
            sq = H * H
            rest = np.abs(norm2 - sq.sum(axis=1)) + _R_ROUND * norm2        # R_{K_max} bound
            suffix = np.cumsum(sq[:, ::-1], axis=1)[:, ::-1]                # Σ_{j >= k} h_j²
            tail = np.empty_like(sq)
            tail[:, :-1] = suffix[:, 1:]
            tail[:, -1] = 0.0
            tail += rest[:, None]                                           # bound on R_{k+1}
            floor = 2.0 * rest[:, None]
            ok = tail <= np.maximum(1e-3 * self.rtol * norm2[:, None], floor)
            converged = np.all(rest <= _R_CONVERGED * norm2)
            if converged or K >= HERMITE_MAX_TERMS:
                need = np.where(ok.any(axis=1), np.argmax(ok, axis=1) + 1, K)
                return H, norm2, tail, need, _weights(H)
            K = min(HERMITE_MAX_TERMS, 2 * K)
            K = min(HERMITE_MAX_TERMS, 2 * K)

    def prepare(self, a):
        """Coefficients for the variances ``a`` (one per row/column of a matrix)."""
        return _HermiteTable(self, np.asarray(a, float).ravel())

    def __call__(self, a1, a2, rho, full_output=False):
        """E[f(u1) f(u2)] at flat arrays (a1, a2, ρ = b/√(a1 a2)); returns (values, bound)."""
        a1 = np.asarray(a1, float).ravel()
        a2 = np.asarray(a2, float).ravel()
        rho = np.asarray(rho, float).ravel()
        uniq, inv = np.unique(np.concatenate([a1, a2]), return_inverse=True)
        i1, i2 = inv[:a1.size], inv[a1.size:]
        H, norm2, tail, need, W = self._plan(uniq)
        Kmax = H.shape[1]
        vals = np.empty(a1.size)
        bound = np.empty(a1.size)
        ks = np.arange(Kmax)
        if self.parity:
            ks = ks[(ks % 2) == (0 if self.parity == 1 else 1)]
        chunk = max(1, 4_000_000 // max(1, len(ks)))
        Kt = np.maximum(need[i1], need[i2])
        for s0 in range(0, a1.size, chunk):
            sl = slice(s0, s0 + chunk)
            r = rho[sl]
            Kc = int(Kt[sl].max())
            kk = ks[ks < Kc]
            # Horner in ρ (ρ² with a parity), highest term first
            r_step = r * r if self.parity else r
            S = np.zeros(r.size)
            H1, H2 = H[i1[sl]], H[i2[sl]]
            for k in kk[::-1]:
                S *= r_step
                S += H1[:, k] * H2[:, k]
            if self.parity == -1:
                S *= r
            vals[sl] = S
            t1 = np.maximum(tail[i1[sl], Kc - 1], 0.0)
            t2 = np.maximum(tail[i2[sl], Kc - 1], 0.0)
            scale = np.sqrt(norm2[i1[sl]] * norm2[i2[sl]])
            bound[sl] = np.sqrt(t1 * t2) + _EPS2 * np.sqrt(W[i1[sl]] * W[i2[sl]])
        scale = np.sqrt(norm2[i1] * norm2[i2])
        target = _target(self.rtol, vals, scale)
        if np.any(bound > target):
            i = int(np.argmax(bound / target))
            raise ValueError(f"the Hermite route cannot certify {self.rtol:g} relative accuracy "
                             f"at a1={a1[i]:g}, a2={a2[i]:g} within {HERMITE_MAX_TERMS} terms "
                             f"(bound {bound[i]:.2e}); the variances are too large")
        if full_output:
            return vals, bound, scale
        return vals, bound


class _HermiteTable:
    """Hermite coefficients of the N variances of a matrix; :meth:`block` evaluates a block
    of entries (rows × columns) by Horner's rule over outer products."""

    def __init__(self, rule: HermitePair, a):
        self.rule = rule
        self.H, self.norm2, self.tail, self.need, self.W = rule._plan(a)
        ks = np.arange(self.H.shape[1])
        if rule.parity:
            ks = ks[(ks % 2) == (0 if rule.parity == 1 else 1)]
        self.ks = ks

    def matrix(self, rho):
        """The symmetric N × N matrix Σ_k h_k(a_n) h_k(a_m) ρ_nm^k (diagonal included) by
        cache-sized tiles of the upper triangle, inputs sorted by variance."""
        N = rho.shape[0]
        order = np.argsort(self.need, kind="stable")
        inv = np.empty(N, dtype=int)
        inv[order] = np.arange(N)
        R = rho[np.ix_(order, order)]
        out = np.empty((N, N))
        t = max(8, int(math.isqrt(HERMITE_TILE)))
        for i0 in range(0, N, t):
            i1 = min(N, i0 + t)
            rows = order[i0:i1]
            for j0 in range(i0, N, t):
                j1 = min(N, j0 + t)
                val = self.block(rows, order[j0:j1], R[i0:i1, j0:j1])
                out[i0:i1, j0:j1] = val
                out[j0:j1, i0:i1] = val.T
        return out[np.ix_(inv, inv)]

    def block(self, rows, cols, rho):
        """Σ_k h_k(a_n) h_k(a_m) ρ^k on the block rows × cols, with the remainder checked."""
        rule = self.rule
        Hr, Hc = self.H[rows], self.H[cols]
        K = int(max(self.need[rows].max(), self.need[cols].max()))
        kk = self.ks[self.ks < K]
        r_step = rho * rho if rule.parity else rho
        S = np.zeros(rho.shape)
        for k in kk[::-1]:
            S *= r_step
            S += Hr[:, k, None] * Hc[None, :, k]
        if rule.parity == -1:
            S *= rho
        tr = np.maximum(self.tail[rows, K - 1], 0.0)
        tc = np.maximum(self.tail[cols, K - 1], 0.0)
        scale = np.sqrt(self.norm2[rows, None] * self.norm2[None, cols])
        bound = (np.sqrt(tr[:, None] * tc[None, :])
                 + _EPS2 * np.sqrt(self.W[rows, None] * self.W[None, cols]))
        target = _target(rule.rtol, S, scale)
        if np.any(bound > target):
            raise ValueError(f"the Hermite route cannot certify {rule.rtol:g} relative accuracy "
                             f"within {HERMITE_MAX_TERMS} terms; the variances are too large")
        return S


# ---------------------------------------------------------------------------------------------
# The evaluator
# ---------------------------------------------------------------------------------------------
def _equal_provider(act):
    """The equal-variance provider of an activation: its shipped module when current (the
    same code as :func:`~meanfield_sym.kernels.provider.resolve` of the name), else the
    derivation."""
    from meanfield_sym.kernels.provider import shipped
    if act.name:
        import sympy as sp
        fast = shipped(act.name, {k: sp.sstr(v) for k, v in act.params.items()})
        if fast is not None:
            return fast
    from meanfield_sym.kernels.kernel_set import kernels_for
    return kernels_for(act)


def _row_block(N, chunk):
    """Rows per block of the upper triangle: at most ``chunk`` entries and at most N/16 rows,
    so that the blocks' parts below the diagonal (evaluated and discarded) stay ~3% of N²."""
    return max(1, min(int(chunk) // max(N, 1), -(-N // 16)))


class PairKernels:
    r"""Validated, vectorised float64 kernels :math:`I_\phi[a_1, a_2, b]`,
    :math:`I_{\phi'}[a_1, a_2, b]` of one activation (build with :func:`pair_kernels`).

    Attributes
    ----------
    activation : Activation
    equal : provider
        The equal-variance kernels (:func:`meanfield_sym.kernels.provider.resolve`): they serve
        the one-point kernels and every entry with a₁ = a₂.
    closed_form, methods : dict
        From :func:`pair_closed_forms`.
    route : dict
        Per kernel: ``'homogeneous'``, ``'closed form'``, ``'hermite'`` or ``'quadrature'``.
    """

    def __init__(self, activation):
        from meanfield_sym.kernels import quadrature as quad
        self.activation = activation
        name = activation.name or ""
        self.equal = _equal_provider(activation)
        forms, methods, degrees = _closed_forms_cached(activation)
        self.closed_form, self.methods = dict(forms), dict(methods)
        self._lock = threading.Lock()
        self.route, self._fn = {}, {}
        text = pair_source(forms)
        from meanfield_sym.kernels.printing import compile_source
        ns = compile_source(text, f"{name or 'activation'} (two variances)")
        self.source = text
        self._layer = ns.get("layer")
        scale = quad._SCALE_HINTS.get(name, 1.0)
        for kname, fexpr in (("two_point", activation.expr),
                             ("two_point_prime", activation.prime_regular)):
            if kname in degrees:
                self.route[kname] = "homogeneous"
            elif ns[kname] is not None:
                self.route[kname] = "closed form"
                self._fn[kname] = ns[kname]
            elif not activation.kinks:
                self.route[kname] = "hermite"
                fnum = activation.numpy_function if kname == "two_point" else \
                    activation.numpy_prime
                self._fn[kname] = HermitePair(fnum, scale=scale,
                                              parity=quad._sympy_parity(fexpr))
            else:
                self.route[kname] = "quadrature"

    def __repr__(self):
        return f"<PairKernels of {self.activation.name or self.activation.expr}: {self.route}>"

    def _eval(self, name, a1, a2, b):
        a1, a2, b = covariance_triple(a1, a2, b)
        shape = a1.shape
        out = np.empty(shape)
        same = a1 == a2
        if np.any(same):
            out[same] = getattr(self.equal, name)(a1[same], np.clip(b[same], -a1[same], a1[same]))
        diff = ~same
        if np.any(diff):
            out[diff] = self._eval_unequal(name, a1[diff], a2[diff], b[diff])
        return out

    def _fused(self):
        r = self.route
        return (r["two_point"] == r["two_point_prime"] == "homogeneous"
                and getattr(self.equal, "layer", None) is not None) or (
            r["two_point"] == r["two_point_prime"] == "closed form" and self._layer is not None)

    def _eval_both(self, x1, x2, y):
        """Both kernels at once (validated arguments, a1 != a2 or not): the equal-variance
        provider's fused ``layer`` at the geometric mean (homogeneous), or the printed fused
        ``layer(a1, a2, b)``."""
        if self.route["two_point"] == "homogeneous":
            s_ = np.sqrt(x1) * np.sqrt(x2)
            out = self.equal.layer(s_, np.clip(y, -s_, s_))
            return out[2], out[3]
        with np.errstate(all="ignore"):
            v1, v2 = self._layer(x1, x2, y)
        shape = np.broadcast_shapes(np.shape(x1), np.shape(x2), np.shape(y))
        v1 = np.broadcast_to(np.asarray(v1, float), shape)
        v2 = np.broadcast_to(np.asarray(v2, float), shape)
        if np.any(np.isnan(v1)) or np.any(np.isnan(v2)):
            raise ValueError(f"the kernels of {self.activation.name}: the closed form cannot be "
                             "evaluated in float64 at some of the given arguments")
        return v1, v2

    def _eval_unequal(self, name, x1, x2, y):
        """The kernel at flat arrays with a1 != a2 (validated)."""
        if True:
            route = self.route[name]
            if route == "homogeneous":
                s = np.sqrt(x1) * np.sqrt(x2)
                val = getattr(self.equal, name)(s, np.clip(y, -s, s))
            elif route == "closed form":
                with np.errstate(all="ignore"):
                    val = np.broadcast_to(np.asarray(self._fn[name](x1, x2, y), float),
                                          x1.shape)
            elif route == "hermite":
                rho = np.clip(y / (np.sqrt(x1) * np.sqrt(x2)), -1.0, 1.0)
                val, _ = self._fn[name](x1, x2, rho)
                if name == "two_point_prime" and self.activation.prime_atoms:
                    raise ValueError("φ' has Dirac atoms and no closed form: not supported")
            else:
                val = self._quadrature(name, x1, x2, y)
            if np.any(np.isnan(val)):
                raise ValueError(f"{name} of {self.activation.name}: the closed form cannot be "
                                 "evaluated in float64 at some of the given arguments")
            return val

    def _quadrature(self, name, x1, x2, y):
        """Kinked φ without a closed form: u2 = r v2 with r = √(a2/a1), (u1, v2) of equal
        variance a1, one ratio at a time through the equal-variance quadrature."""
        from meanfield_sym.kernels import quadrature as quad
        act = self.activation
        f = act.numpy_function if name == "two_point" else act.numpy_prime
        if name == "two_point_prime" and act.prime_atoms:
            raise ValueError(f"{name} of {act.name}: φ' has Dirac atoms and no closed form; "
                             "kernels with two variances are not available for it")
        kinks = [float(k) for k in act.kinks]
        out = np.empty(x1.shape)
        keys = np.stack([x1, x2], axis=1)
        uniq, inv = np.unique(keys, axis=0, return_inverse=True)
        for j, (p, q) in enumerate(uniq):
            sel = np.nonzero(inv.ravel() == j)[0]
            r = math.sqrt(q / p)
            bb = np.clip(y[sel] / r, -p, p)
            v, err, l1 = quad.two_point(f, lambda x, r=r: f(r * x), p, bb, kinks,
                                        [k / r for k in kinks], full_output=True)
            if np.any(err > quad.target(v, l1)):
                raise ValueError(f"{name} of {act.name}: quadrature did not reach "
                                 f"{quad.TARGET_RTOL:g}")
            out[sel] = v
        return out

    def layer_matrices(self, q, chunk: int = MATRIX_CHUNK, prime: bool = True):
        r"""The kernel matrices of one layer from its pre-activation covariance matrix.

        .. math:: \hat q(n, m) = I_\phi[q(n, n), q(m, m), q(n, m)], \qquad
                  \dot q(n, m) = I_{\phi'}[q(n, n), q(m, m), q(n, m)],

        with the one-point kernels :math:`E[\phi(\sqrt{q(n,n)} u)^2]`,
        :math:`E[\phi'(\sqrt{q(n,n)} u)^2]` on the diagonal.  Only the upper triangle is
        evaluated, in blocks of about ``chunk`` entries (Hermite route: tiles of
        :data:`HERMITE_TILE` entries, inputs sorted by variance so that each tile takes only
        the terms its own variances need); entries whose two variances are equal go through the
        equal-variance provider (its fused ``layer(a, b)`` when it has one: the same arithmetic
        as :func:`meanfield_sym.meanfield.recursions.order_parameters`).

        Parameters
        ----------
        q : (N, N) array
            Symmetric, positive diagonal, :math:`q(n,m)^2 \le q(n,n) q(m,m)` (an excess up to
            :data:`meanfield_sym.checks.ROUNDING_SLACK` relative is clipped, a larger one
            refused).
        prime : bool
            Also return the φ' matrix (None otherwise).

        Returns
        -------
        qhat, qdot : (N, N) arrays (qdot None without ``prime``)
        """
        q = np.asarray(q, dtype=float)
        N = q.shape[0]
        d = np.diag(q).copy()
        checks.positive_variance(d, "the diagonal of q")
        s = np.sqrt(d)
        ss = s[:, None] * s[None, :]
        qc = q
        over = np.abs(q) > ss
        if np.any(over):
            excess = np.abs(q) - ss
            bad = excess > checks.ROUNDING_SLACK * ss
            if np.any(bad):
                n, m = np.unravel_index(np.argmax(np.where(bad, excess / ss, -np.inf)), q.shape)
                raise ValueError(f"q(n,m)^2 > q(n,n) q(m,m) beyond rounding at n={n}, m={m}: "
                                 "not a covariance matrix")
            qc = q.copy()                     # only the few entries past rounding move
            qc[over] = np.copysign(ss[over], q[over])
        del over
        eq_layer = getattr(self.equal, "layer", None)
        names = ("two_point", "two_point_prime") if prime else ("two_point",)
        out = {}
        fused = prime and self._fused()
        if fused:
            A, Bm = np.empty((N, N)), np.empty((N, N))
            rows = _row_block(N, chunk)
            for r0 in range(0, N, rows):
                r1 = min(N, r0 + rows)
                blk = qc[r0:r1, r0:]
                # a column and a row: per-input subexpressions are computed once per input
                v1, v2 = self._eval_both(d[r0:r1, None], d[None, r0:], blk)
                A[r0:r1, r0:], Bm[r0:r1, r0:] = v1, v2
                A[r0:, r0:r1], Bm[r0:, r0:r1] = v1.T, v2.T
            out = {"two_point": A, "two_point_prime": Bm}
        for n_ in names:
            if fused:
                break
            if self.route[n_] == "hermite":
                rho = np.clip(qc / ss, -1.0, 1.0)
                out[n_] = self._fn[n_].prepare(d).matrix(rho)
                del rho
            else:
                M = np.empty((N, N))
                rows = _row_block(N, chunk)
                for r0 in range(0, N, rows):
                    r1 = min(N, r0 + rows)
                    blk = qc[r0:r1, r0:]
                    a1 = np.broadcast_to(d[r0:r1, None], blk.shape).ravel()
                    a2 = np.broadcast_to(d[None, r0:], blk.shape).ravel()
                    val = self._eval_unequal(n_, a1, a2, blk.ravel()).reshape(blk.shape)
                    M[r0:r1, r0:] = val
                    M[r0:, r0:r1] = val.T
                out[n_] = M
        # equal variances (the diagonal and ties): the equal-variance kernels themselves
        if np.unique(d).size < N:
            iu, ju = np.nonzero(np.triu(d[:, None] == d[None, :], k=1))
        else:
            iu = ju = np.zeros(0, dtype=int)
        if eq_layer is not None:
            diag = eq_layer(d, d)
            dvals = {"two_point": diag[0], "two_point_prime": diag[1]}
            if iu.size:
                x = d[iu]
                lv = eq_layer(x, np.clip(qc[iu, ju], -x, x))
                ties = {"two_point": lv[2], "two_point_prime": lv[3]}
        else:
            dvals = {"two_point": self.equal.one_point(d)}
            if prime:
                dvals["two_point_prime"] = self.equal.one_point_prime(d)
            if iu.size:
                x = d[iu]
                y = np.clip(qc[iu, ju], -x, x)
                ties = {n_: getattr(self.equal, n_)(x, y) for n_ in names}
        for n_ in names:
            if iu.size:
                out[n_][iu, ju] = ties[n_]
                out[n_][ju, iu] = ties[n_]
            np.fill_diagonal(out[n_], dvals[n_])
        return out["two_point"], (out["two_point_prime"] if prime else None)

    def two_point(self, a1, a2, b):
        r""":math:`I_\phi[a_1, a_2, b] = E[\phi(u_1)\phi(u_2)]`, Cov = [[a1, b], [b, a2]]."""
        return self._eval("two_point", a1, a2, b)

    def two_point_prime(self, a1, a2, b):
        r""":math:`I_{\phi'}[a_1, a_2, b] = E[\phi'(u_1)\phi'(u_2)]`."""
        return self._eval("two_point_prime", a1, a2, b)

    def one_point(self, q):
        """E[φ(√q u)²] (the equal-variance kernel)."""
        return self.equal.one_point(q)

    def one_point_prime(self, q):
        """E[φ'(√q u)²] (the equal-variance kernel)."""
        return self.equal.one_point_prime(q)


_PAIRS: dict = {}
_PAIRS_LOCK = threading.Lock()


def pair_kernels(activation, **params) -> PairKernels:
    """The :class:`PairKernels` of an activation (anything
    :func:`~meanfield_sym.activation.function.get_activation` accepts; cached)."""
    from meanfield_sym.activation.function import Activation, get_activation
    if isinstance(activation, PairKernels):
        return activation
    act = activation if isinstance(activation, Activation) and not params else \
        get_activation(activation, **params)
    with _PAIRS_LOCK:
        if act.fingerprint not in _PAIRS:
            _PAIRS[act.fingerprint] = PairKernels(act)
        return _PAIRS[act.fingerprint]
