r"""High-precision witness: mpmath quadrature of the *definitions* of the Gaussian kernels.

This module is the independent judge of the symbolic closed forms derived by
:mod:`meanfield_sym.kernels.engine`.  It never imports that module: it reads only the activation
(:mod:`meanfield_sym.activation.function`) and integrates the defining expectations numerically, to a
requested number of significant digits, with mpmath.

Definitions (Karakida, Akaho & Amari, *Universal statistics of Fisher information in deep
neural networks*, supplement App. B, the integrals :math:`\hat q`, :math:`I_\phi[a, b]`,
:math:`I_{\phi'}[a, b]` entering Eqs. (B.1)--(B.16)); with :math:`u \sim N(0, 1)` and
:math:`(u_1, u_2) \sim N(0, [[a, b], [b, a]])`, :math:`a > 0`, :math:`|b| \le a`:

.. math::

    \mathrm{one\_point}(q) = E[\phi(\sqrt q\,u)^2],\qquad
    \mathrm{one\_point\_prime}(q) = E[\phi'(\sqrt q\,u)^2],

    \mathrm{two\_point}(a, b) = E[\phi(u_1)\phi(u_2)],\qquad
    \mathrm{two\_point\_prime}(a, b) = E[\phi'(u_1)\phi'(u_2)].

Method
------
* **Exact input.**  Arguments are read exactly: ``"0.3"`` is 3/10, a SymPy ``Rational`` is
  itself, a Python float is read by its shortest decimal ``repr`` (0.1 means 1/10, the same
  convention as :func:`~meanfield_sym.activation.function.get_activation`), an mpmath ``mpf`` is its
  binary value.  The checks :math:`a > 0`, :math:`|b| \le a` and the correlation
  :math:`c = b/a`, :math:`s = \sqrt{1-c^2} = \sqrt{(a-b)(a+b)}/a` are done in exact arithmetic
  before rounding to the working precision, so :math:`|c| \to 1` loses nothing.
* **Evaluation of φ.**  ``sympy.lambdify(x, expr, modules="mpmath")`` with ``Heaviside``
  mapped to an mpmath step with :math:`H(0) = 1/2`; compiled once per expression (cached by
  the activation fingerprint / expression hash).
* **One-dimensional Gaussian means** :math:`E[f(m + \sigma z)]` are integrals over
  :math:`z \in \mathbb R` against the standard normal density, cut into pieces at

  - every kink :math:`k` of :math:`f` (at :math:`z = (k - m)/\sigma`): each piece is analytic;
  - a geometric grid :math:`z_0 \pm w 2^j` around points where the integrand is steep (for a
    non-polynomial φ, :math:`x = 0` with width one unit of :math:`x`, e.g. ``tanh`` at
    :math:`q = 100`; in the two-point outer integral also the smoothed kinks, see below);
  - a window :math:`|z| \le Z_0 = \sqrt{2 \ln 10\,(d + 2)}` (the normal density is below
    :math:`10^{-d-2}` outside, *d* the working digits) followed by tail pieces
    :math:`[Z, 2Z]` added while they contribute (an integrand such as :math:`e^{2\sqrt q u}`
    has its mass far out) and stopped by probing when the integrand is negligible and
    decreasing.

  Each piece is integrated by Gauss--Legendre rules of :math:`3\cdot 2^{d-1}` nodes (mpmath's
  nodes, computed once per precision), degree raised 3, 4, 5, ...; the error estimate is the
  difference of the last two degrees, reduced to :math:`\delta_2^2/\delta_1` only when the
  differences shrink geometrically (analytic convergence).  A global adaptive loop refines the
  piece with the largest estimate (raise the degree up to 192 nodes, then bisect) until the
  total estimate is below :math:`10^{-(\mathrm{dps}+2)}\,E|\text{integrand}|`.  Gauss--Legendre
  was chosen over tanh--sinh because every piece is analytic up to its end points, where
  Gauss--Legendre needs several times fewer nodes, which matters inside a nested quadrature.
* **Two-point kernels** use the conditional representation
  :math:`u_1 = \sqrt a z_1`, :math:`u_2 = \sqrt a (c z_1 + s z_2)`:

  .. math:: E[f(u_1) g(u_2)] = \int p(z_1) f(\sqrt a z_1)\,
            \underbrace{\int p(z_2)\, g(\sqrt a c z_1 + \sqrt a s z_2)\,dz_2}_{G(z_1)}\,dz_1,

  a nested 1-D quadrature.  The inner integral is split where :math:`u_2` crosses a kink of
  :math:`g`; the outer one at the kinks of :math:`f`, and with a geometric grid of width
  :math:`s/|c|` around :math:`z_1 = k/(\sqrt a c)`, where :math:`G` is a kink smoothed over
  that width.  Nothing is singular as :math:`|c| \to 1`.  Exactly at :math:`c = 1` the
  one-point mean :math:`E[f(u) g(u)]` is used, at :math:`c = -1` :math:`E[f(u) g(-u)]`, and
  at :math:`c = 0` the product :math:`E[f]\,E[g]` (independence).
* **Dirac atoms** of φ' (:attr:`~meanfield_sym.activation.function.Activation.prime_atoms`, e.g. the
  step function, :math:`\phi' = \delta`) are integrated analytically from the definition:
  :math:`E[\delta(u_1 - k) g(u_2)] = p_a(k)\,E[g(u_2) \mid u_1 = k]` with the conditional law
  :math:`N(c k, a s^2)`, and :math:`E[\delta(u_1 - k_1)\delta(u_2 - k_2)]` is the bivariate
  normal density at :math:`(k_1, k_2)`; the remaining 1-D mean is done by quadrature.
  ``one_point_prime`` with an atom is :math:`+\infty` (:math:`E[\delta(u)^2]` diverges), and so
  is ``two_point_prime`` at :math:`|c| = 1` when two atoms meet.
* **Precision.**  Work with ``dps + 10`` digits; results are returned as ``mpf`` rounded to
  ``dps`` digits.  The quadrature error is controlled relative to :math:`E|f g|`; when the
  value is more than :data:`CANCEL_RATIO` times smaller than that (cancellation, e.g.
  :math:`E[\sin u_1 \sin u_2] = e^{-a}\sinh b` at :math:`a = 100`, or an odd φ at small
  :math:`c`) the computation is repeated once with as many extra digits as were lost (at
  most :data:`MAX_EXTRA_DPS`), so the result keeps ``dps`` *relative* digits.
  A value that is zero by symmetry comes back as a number of size
  :math:`\lesssim 10^{-\mathrm{dps}-\mathrm{MAX\_EXTRA\_DPS}} E|fg|`.
  mpmath's precision is changed only inside ``mpmath.workdps`` blocks (restored on exit).
* **Accuracy contract.**  With :math:`S = E|f g|` (:math:`E|f|` for a one-point mean),
  computed alongside the value :math:`I`, the returned value :math:`V` satisfies

  .. math:: |V - I| \lesssim 2 \cdot 10^{-\mathrm{dps}}\,
            \max\bigl(|I|,\ 10^{-\mathrm{MAX\_EXTRA\_DPS}}\,S\bigr)

  besides the final rounding to ``dps`` digits, "≲" because the error estimates are the
  a-posteriori ones above (differences of successive rules), not rigorous bounds.  Inside:
  the (outer) quadrature is converged to :math:`\varepsilon S`,
  :math:`\varepsilon = 10^{-(\mathrm{dps}+2+\mathrm{extra})}`; for the two-point kernels
  the inner conditional mean :math:`G(z_1)` at each outer node is converged to the
  *absolute* error

  .. math:: \tfrac{\varepsilon}{10}\,\max\bigl(E[|g(u_2)| \mid z_1],\
            \tilde S / |f(\sqrt a z_1)|\bigr),

  so the inner errors, weighted by :math:`|f| p(z_1)` in the outer integral, add at most
  :math:`\tfrac{\varepsilon}{10}(S + \tilde S)`.  The floor :math:`\tilde S` starts as
  :math:`10^{-3}\sqrt{E f^2\,E g^2}` (a thousandth of the Cauchy--Schwarz bound on
  :math:`S`, computed to 6 digits first); if it was the operative target of some inner mean
  and turns out larger than :math:`10\,S`, the value is recomputed once with
  :math:`\tilde S = S` as measured, so :math:`\tilde S \le 10 S` always holds and the total
  stays :math:`\lesssim 2.1\,\varepsilon S`.  With :data:`CANCEL_RATIO` this gives the bound
  above.  Without the floor, an inner mean of negligible
  weight would have to be converged *relative to itself*: for GELU at :math:`a = 100,
  c = 0.9999` it is ~1e-38 of its integrand's natural size where :math:`1 + \mathrm{erf}(x)`
  cancels (rounding noise ~1e-40), for :math:`\tanh'` ~1e-22 where :math:`1 - \tanh^2`
  cancels, and the quadrature could never converge (``HighPrecisionError``).  Atoms'
  conditional means (``two_point_prime``) get the same floor.

Cost (CPU time, dps = 30, pure-Python mpmath backend): a one-point value 10--100 ms; a
two-point value 0.2--2 s for smooth moderate cases (linear, erf, sin, tanh at a <= 1: the
trapezoidal rule), 1--5 s with kinks (ReLU, step, abs), up to ~10 s at |c| = 0.9999, and
tens of seconds for steep smooth activations at a = 100 (tanh, erf, sin: structure on the
scale 1/√a in both variables).  A value that must be recomputed (cancellation beyond
:data:`CANCEL_RATIO`, or :math:`E|fg| < 10^{-4}\sqrt{E f^2 E g^2}`, e.g. ReLU at :math:`c \to
-1`, with the floor of the inner means operative) costs up to twice as much.  Installing
``gmpy2`` (mpmath's fast backend) helps.

Examples
--------
The two-point kernel on the diagonal is the one-point moment:

>>> from meanfield_sym.witnesses.highprec import one_point, two_point
>>> two_point("erf", 1, 1) == one_point("erf", 1)
True

ReLU against the arc-cosine kernel (Cho & Saul 2009) at c = 1/2, :math:`a/(2\pi)\,(s + c(\pi -
\arccos c))`:

>>> import mpmath
>>> v = two_point("relu", 1, "0.5")
>>> with mpmath.workdps(40):
...     ref = (mpmath.sqrt(3)/2 + (mpmath.pi - mpmath.acos(0.5))/2) / (2*mpmath.pi)
...     print(abs(v - ref) / ref < mpmath.mpf(10) ** -29)
True
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable

import mpmath
import numpy as np
import sympy as sp
from mpmath.calculus.quadrature import GaussLegendre

from meanfield_sym.activation.function import Activation, X, get_activation, normalize_distributions, split_atoms

__all__ = ["one_point", "one_point_prime", "two_point", "two_point_prime", "gaussian_mean",
           "HighPrecisionError", "GUARD_DPS", "MAX_EXTRA_DPS", "CANCEL_RATIO"]

#: Extra working digits beyond the requested ``dps`` (rounding in long sums, nested errors).
GUARD_DPS = 10
#: At most this many further digits are added when the value is much smaller than E|integrand|.
MAX_EXTRA_DPS = 60
#: The value is recomputed with extra digits when E|integrand| exceeds |value| by this factor
#: (the quadrature error is controlled to 10**-(dps+2) E|integrand|: this keeps dps digits).
CANCEL_RATIO = 100
#: Largest ``dps`` accepted (node computation cost grows quickly beyond).
MAX_DPS = 300

_MIN_DEGREE = 3  # first Gauss-Legendre rule: 3*2**(3-1) = 12 nodes
_MAX_DEGREE = 7  # largest rule before a piece is bisected: 192 nodes
_MAX_PIECES = 4000  # refinement budget per 1-D integral before giving up
_TAIL_DOUBLINGS = 14  # tails extended to at most 2**14 * Z0 before giving up
_MAX_TRAPEZOID_HALVINGS = 7  # trapezoid steps 1/2 ... 1/128, then fall back to pieces


class HighPrecisionError(ArithmeticError):
    """The quadrature could not reach the requested accuracy (divergent or pathological
    integrand), or the integrand is not real and finite."""


# ---------------------------------------------------------------------------------------------
# Exact input handling
# ---------------------------------------------------------------------------------------------
def _exact(value, name: str) -> sp.Expr:
    """Read a number exactly as a SymPy real number (Rational where possible)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if isinstance(value, mpmath.mpf):
        if not mpmath.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
        man, exp = value.man_exp
        return sp.Integer(man) * sp.Integer(2) ** exp if value else sp.S.Zero
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise ValueError(f"{name} must be finite, got {value!r}")
        return sp.Rational(repr(float(value)))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, str):
        text = value.strip()
        try:
            out = sp.Rational(text)
        except (TypeError, ValueError, SyntaxError):
            raise ValueError(f"{name} must be a number such as '0.3' or '1/3', "
                             f"got {value!r}") from None
        return out
    if isinstance(value, sp.Basic):
        if isinstance(value, sp.Float):
            if not value.is_finite:
                raise ValueError(f"{name} must be finite, got {value}")
            return sp.Rational(value)  # the Float's exact binary value
        if value.is_number and value.is_extended_real:
            if not value.is_finite:
                raise ValueError(f"{name} must be finite, got {value}")
            return value
        raise ValueError(f"{name} must be a real number, got {value}")
    raise ValueError(f"{name} must be a real number, not {type(value).__name__}")


def _check_dps(dps) -> int:
    if isinstance(dps, (bool, np.bool_)) or not isinstance(dps, (int, np.integer)):
        raise ValueError(f"dps must be a positive integer, got {dps!r}")
    if not 1 <= int(dps) <= MAX_DPS:
        raise ValueError(f"dps must be between 1 and {MAX_DPS}, got {dps}")
    return int(dps)


def _positive(value, name: str) -> sp.Expr:
    v = _exact(value, name)
    if not v.is_positive:
        raise ValueError(f"{name} must be > 0 (a variance), got {value!r}")
    return v


def _mp(value: sp.Expr) -> mpmath.mpf:
    """An exact SymPy number rounded to the current mpmath precision."""
    if isinstance(value, sp.Rational):
        return mpmath.mpf(int(value.p)) / int(value.q)
    return mpmath.mpf(sp.N(value, mpmath.mp.dps + 5)._mpf_)  # sp.N: symbolic constants such as 4/pi


def _check_pair(a, b) -> tuple[sp.Expr, sp.Expr]:
    a_ = _positive(a, "a")
    b_ = _exact(b, "b")
    if bool(sp.Abs(b_) > a_):
        raise ValueError(f"need |b| <= a for a covariance matrix [[a, b], [b, a]], "
                         f"got a={a!r}, b={b!r}")
    return a_, b_


# ---------------------------------------------------------------------------------------------
# Compiled functions (mpmath), cached
# ---------------------------------------------------------------------------------------------
_H = sp.Function("_mp_heaviside_half")  # Heaviside with H(0) = 1/2, one argument


def _mp_heaviside(z):
    if z > 0:
        return _ONE
    if z < 0:
        return _ZERO
    return mpmath.mpf(1) / 2


_ONE, _ZERO = mpmath.mpf(1), mpmath.mpf(0)
_MODULES = [{"_mp_heaviside_half": _mp_heaviside}, "mpmath"]
_COMPILED: dict[str, "_Fn"] = {}


def _hoist_constants(expr: sp.Expr, consts: dict) -> sp.Expr:
    """Replace numeric sub-expressions (other than integers) by symbols, so that they are
    evaluated once per precision instead of at every call (``mpf(99)/mpf(100)``, ``sqrt(2)``)."""
    if expr.is_number:
        if expr.is_Integer:
            return expr
        return consts.setdefault(expr, sp.Symbol(f"_c{len(consts)}"))
    if not expr.args:
        return expr
    if isinstance(expr, (sp.Add, sp.Mul)):
        num = [t for t in expr.args if t.is_number]
        rest = [_hoist_constants(t, consts) for t in expr.args if not t.is_number]
        if num:
            rest.insert(0, _hoist_constants(expr.func(*num), consts))
        return expr.func(*rest, evaluate=False)
    return expr.func(*[_hoist_constants(t, consts) for t in expr.args])


class _Fn:
    """An mpmath-callable real function of x with its kinks and a smoothness flag."""

    def __init__(self, expr: sp.Expr):
        if expr.has(sp.DiracDelta):
            raise ValueError(f"internal: Dirac deltas must be split off before compiling {expr}")
        if expr.has(sp.Piecewise):
            raise ValueError(f"{expr}: write kinks with Heaviside/Max/Abs, not Piecewise")
        self.expr = expr
        heav = [h for h in expr.atoms(sp.Heaviside) if h.args[0].has(X)]
        for h in heav:
            if len(h.args) > 1 and h.args[1] != sp.S.Half:
                raise ValueError(f"{h}: only the convention Heaviside(0) = 1/2 is supported")
        self.kinks = tuple(sorted({X - h.args[0] for h in heav}, key=float))
        dummies = {h: sp.Dummy() for h in expr.atoms(sp.Heaviside)}
        self.piecewise_polynomial = bool(expr.xreplace(dummies).is_polynomial(X))
        self.is_zero = expr == 0
        self.entire = _is_entire(expr)
        body = expr.replace(lambda t: isinstance(t, sp.Heaviside), lambda t: _H(t.args[0]))
        consts: dict = {}
        body = _hoist_constants(body, consts)
        self._const_exprs = list(consts)
        self._raw = sp.lambdify([X, *consts.values()], body, modules=_MODULES)
        self._by_prec: dict[int, tuple] = {}

    def _bound(self):
        prec = mpmath.mp.prec
        out = self._by_prec.get(prec)
        if out is None:
            consts = [_mp(c) for c in self._const_exprs]
            raw = self._raw
            fn = (lambda x: raw(x, *consts)) if consts else raw
            out = self._by_prec[prec] = (fn, tuple(_mp(k) for k in self.kinks))
        return out

    def kinks_mp(self):
        return self._bound()[1]

    def evaluator(self) -> Callable:
        """The function at the current precision (raw mpmath values; checked by the caller)."""
        return self._bound()[0]

    def __call__(self, x):
        return _real(self.evaluator()(x), self.expr)


_ENTIRE_FUNCS = (sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.erf, sp.erfc)


def _is_entire(expr: sp.Expr) -> bool:
    """True when expr is built from x, numbers, +, ×, non-negative integer powers and entire
    functions (exp, sin, cos, sinh, cosh, erf, erfc): the trapezoidal rule then converges
    super-geometrically (error exp(-c/h²))."""
    if expr.is_number or expr == X:
        return True
    if isinstance(expr, (sp.Add, sp.Mul)):
        return all(_is_entire(t) for t in expr.args)
    if isinstance(expr, sp.Pow):
        e = expr.exp
        return bool(e.is_Integer and e >= 0) and _is_entire(expr.base)
    if isinstance(expr, _ENTIRE_FUNCS):
        return all(_is_entire(t) for t in expr.args)
    return False


def _real(v, what):
    """Check a computed value (or a quadrature sum) is real and finite."""
    if isinstance(v, mpmath.mpc):
        if v.imag:
            raise HighPrecisionError(f"{what} is not real on the integration range")
        v = v.real
    elif not isinstance(v, mpmath.mpf):
        v = mpmath.mpf(v)
    if not mpmath.isfinite(v):
        raise HighPrecisionError(f"{what} is not finite on the integration range")
    return v


def _compile(expr: sp.Expr) -> _Fn:
    key = sp.srepr(expr)
    fn = _COMPILED.get(key)
    if fn is None:
        fn = _COMPILED[key] = _Fn(expr)
    return fn


def _as_activation(act) -> Activation:
    return act if isinstance(act, Activation) else get_activation(act)


# ---------------------------------------------------------------------------------------------
# One-dimensional quadrature against the standard normal density
# ---------------------------------------------------------------------------------------------
_NODES: dict[tuple[int, int], tuple[list, list]] = {}
_WEIGHTS: dict[tuple, tuple[list, list]] = {}
_WEIGHT_CACHE_SIZE = 20000


def _gl_nodes(degree: int):
    key = (degree, mpmath.mp.prec)
    out = _NODES.get(key)
    if out is None:
        nodes = sorted(GaussLegendre(mpmath.mp).calc_nodes(degree, mpmath.mp.prec))
        out = _NODES[key] = ([x for x, _ in nodes], [w for _, w in nodes])
    return out


def _gauss_rule(lo, hi, degree: int):
    """Nodes z_i on [lo, hi] and weights W_i = (GL weight) * p(z_i), p the N(0,1) density."""
    key = (lo, hi, degree, mpmath.mp.prec)
    out = _WEIGHTS.get(key)
    if out is None:
        xs, ws = _gl_nodes(degree)
        half = (hi - lo) / 2
        mid = (hi + lo) / 2
        scale = half / mpmath.sqrt(2 * mpmath.pi)
        zs = [mid + half * x for x in xs]
        out = (zs, [w * scale * mpmath.exp(-(z * z) / 2) for z, w in zip(zs, ws)])
        if len(_WEIGHTS) > _WEIGHT_CACHE_SIZE:
            _WEIGHTS.clear()
        _WEIGHTS[key] = out
    return out


class _Piece:
    __slots__ = ("lo", "hi", "deg", "vals", "l1", "err")

    def __init__(self, lo, hi):
        self.lo, self.hi, self.deg, self.vals, self.l1, self.err = lo, hi, 0, [], 0, 0


class _Line:
    """Global adaptive Gauss-Legendre integration of ∫ F(z) p(z) dz, p the N(0, 1) density.

    ``F(z)`` returns the value; with ``nested=True`` it returns ``(value, bound)`` with
    ``bound >= |value|`` (a nested integral's inner E|.|).  The accuracy target is
    ``max(eps * E[bound], atol)``: relative to the integral's own L1 scale, or the absolute
    ``atol`` when that is larger (an inner integral whose weight in the outer one is tiny).
    """

    def __init__(self, F: Callable, eps, what, nested: bool = False, atol=0):
        self.F, self.eps, self.what, self.nested, self.pieces = F, eps, what, nested, []
        self.atol = atol
        self.noise = mpmath.mpf(10) ** (-mpmath.mp.dps + 3)

    def target(self, l1=None):
        """The error allowed: max(eps * l1, atol)."""
        return max(self.eps * (self.l1 if l1 is None else l1), self.atol)

    def _rule(self, p: _Piece, degree: int):
        zs, ws = _gauss_rule(p.lo, p.hi, degree)
        F = self.F
        if self.nested:
            pairs = [F(z) for z in zs]
            vals = [v for v, _ in pairs]
            bounds = [b for _, b in pairs]
        else:
            vals = [F(z) for z in zs]
            bounds = [abs(v) for v in vals]
        p.vals.append(_real(mpmath.fdot(ws, vals), self.what))
        p.l1 = _real(mpmath.fdot(ws, bounds), self.what)
        p.deg = degree
        self._estimate(p)

    def _estimate(self, p: _Piece):
        """Error of the last rule.  With the last two differences d1 (older) and d2, the
        reduction factor d2/d1 of the previous doubling is assumed to repeat: est = d2²/d1.
        For analytic integrands the factor improves at each doubling, so this is safe; it is
        used only when d2 < d1/10 (visible convergence), otherwise est = d2."""
        floor = self.noise * p.l1
        if len(p.vals) < 2:
            p.err = p.l1 + floor
            return
        d2 = abs(p.vals[-1] - p.vals[-2])  # ~ error of the previous rule
        est = d2
        if len(p.vals) >= 3:
            d1 = abs(p.vals[-2] - p.vals[-3])
            if d2 <= d1 / 10:
                est = d2 * d2 / d1 if d1 else d2
        p.err = est + floor

    def add(self, lo, hi):
        p = _Piece(lo, hi)
        self._rule(p, _MIN_DEGREE)
        self._rule(p, _MIN_DEGREE + 1)
        self.pieces.append(p)
        return p

    @property
    def value(self):
        return mpmath.fsum(p.vals[-1] for p in self.pieces)

    @property
    def l1(self):
        return mpmath.fsum(p.l1 for p in self.pieces)

    @property
    def err(self):
        return mpmath.fsum(p.err for p in self.pieces)

    def converge(self):
        while True:
            l1 = self.l1
            total = self.err
            if total <= self.target(l1) or l1 == 0:
                return
            worst = max(self.pieces, key=lambda q: q.err)
            if worst.deg < _MAX_DEGREE:
                self._rule(worst, worst.deg + 1)
                continue
            if len(self.pieces) >= _MAX_PIECES:
                raise HighPrecisionError(
                    f"quadrature of {self.what} did not converge: estimated error "
                    f"{mpmath.nstr(total, 3)} vs scale {mpmath.nstr(l1, 3)} (allowed "
                    f"{mpmath.nstr(self.target(l1), 3)}) after {len(self.pieces)} pieces "
                    "(divergent or non-smooth integrand, or rounding noise in it?)")
            self.pieces.remove(worst)
            mid = (worst.lo + worst.hi) / 2
            self.add(worst.lo, mid)
            self.add(mid, worst.hi)


def _window() -> mpmath.mpf:
    """Half-width of the first window: the N(0,1) density is 10**-(0.75 * dps) there; what lies
    beyond is added as tail pieces while it matters."""
    return mpmath.sqrt(2 * mpmath.log(10) * (3 * mpmath.mp.dps // 4))


def _geometric(center, width, points: list):
    """Append center and center ± width*2**j for width/2 <= width*2**j <= 1 (the Gaussian's own
    scale takes over beyond); nothing when width >= 1/2."""
    if not width < 1 / mpmath.mpf(2):
        return
    points.append(center)
    step = width / 2
    while step <= 1:
        points.append(center + step)
        points.append(center - step)
        step *= 2


def _trapezoid_line(F: Callable, eps, what, nested=False, entire=False,
                    atol=0) -> tuple | None:
    """∫ F(z) p(z) dz by the trapezoidal rule on the whole line, step halved until converged.

    For an integrand analytic in a strip around the real axis and decaying like a Gaussian the
    error of step h is ~exp(-2π d/h) (d the strip half-width; exp(-2π²/h²) for entire F), so
    each halving squares the error or better; the levels are nested (every value is reused).
    Returns None if it has not converged at the finest step (the caller falls back to pieces).
    The accuracy target is ``max(eps * l1, atol)`` as in :class:`_Line`.
    """
    def term(z):
        v = F(z)
        w = mpmath.exp(-(z * z) / 2)
        return (v[0] * w, v[1] * w) if nested else (v * w, abs(v) * w)

    z0 = _window()
    h = mpmath.mpf(1)
    kmax = int(mpmath.ceil(z0))
    sv, sa = [], []
    for k in range(-kmax, kmax + 1):
        v, b = term(mpmath.mpf(k))
        sv.append(v)
        sa.append(b)
    total_abs = mpmath.fsum(sa)
    norm = 1 / mpmath.sqrt(2 * mpmath.pi)
    atol_terms = atol / norm  # atol in units of the (h = 1) terms
    lo, hi = -kmax, kmax
    for sign in (1, -1):  # extend while the terms matter
        k = kmax
        small = 0
        prev = None
        while small < 3:
            k += 1
            if k > 8 * kmax:  # mass far out: let the piecewise rule (doubling tails) handle it
                return None
            v, b = term(mpmath.mpf(sign * k))
            sv.append(v)
            sa.append(b)
            total_abs += b
            negligible = b <= max(eps * total_abs, atol_terms) * mpmath.mpf(10) ** -3
            small = small + 1 if (negligible and (prev is None or b <= prev)) else 0
            prev = b
        if sign > 0:
            hi = k
        else:
            lo = -k
    piece = _Piece(mpmath.mpf(lo), mpmath.mpf(hi))
    sum_v, sum_a = mpmath.fsum(sv), total_abs
    piece.vals.append(_real(sum_v * h * norm, what))
    piece.l1 = sum_a * h * norm
    line = _Line(F, eps, what, nested, atol)
    for _ in range(_MAX_TRAPEZOID_HALVINGS):
        h /= 2
        n = (hi - lo)
        new_v, new_a = [], []
        for j in range(n):
            z = lo * 2 * h + (2 * j + 1) * h  # midpoints between the previous nodes
            v, b = term(z)
            new_v.append(v)
            new_a.append(b)
        sum_v += mpmath.fsum(new_v)
        sum_a += mpmath.fsum(new_a)
        lo, hi = 2 * lo, 2 * hi
        piece.vals.append(_real(sum_v * h * norm, what))
        piece.l1 = sum_a * h * norm
        if len(piece.vals) < 3:
            continue
        # trapezoid theory: error(h) ~ M exp(-2π d/h) with M >= E|F| for F analytic in the
        # strip |Im z| < d, so halving h squares the relative error; ~exp(-c/h²) for entire F
        # (halving raises it to the 4th power; the cube is used).  d2 ~ error(2h).
        d1 = abs(piece.vals[-2] - piece.vals[-3])
        d2 = abs(piece.vals[-1] - piece.vals[-2])
        rel = d2 / piece.l1 if piece.l1 else mpmath.mpf(0)
        if d2 <= d1 / 10:
            est = 10 * piece.l1 * rel ** (3 if entire else 2)
        else:
            est = d2
        est += line.noise * piece.l1
        if est <= line.target(piece.l1):
            return piece.vals[-1], piece.l1, est
    return None


def _integrate_line(F: Callable, points: list, eps, what, nested=False, entire=False,
                    atol=0) -> tuple:
    """∫ F(z) p(z) dz over the real line; returns (value, l1, err), err <= max(eps*l1, atol).

    ``points`` are break points (kinks, grids); the window |z| <= Z0 is integrated first, then
    tails [Z, 2Z] are added while they matter.
    """
    z0 = _window()
    pts = sorted({p for p in points if mpmath.isfinite(p)})
    if not pts:  # smooth, no steep region: the trapezoidal rule is the efficient choice
        out = _trapezoid_line(F, eps, what, nested, entire, atol)
        if out is not None:
            return out
    grid = [-z0] + [p for p in pts if -z0 < p < z0] + [z0]
    line = _Line(F, eps, what, nested, atol)
    for lo, hi in zip(grid[:-1], grid[1:]):
        if hi > lo:
            line.add(lo, hi)
    line.converge()
    for sign in (1, -1):
        z = z0
        for _ in range(_TAIL_DOUBLINGS):
            # probe: is the integrand negligible and decreasing on [z, 2z]?
            probes = []
            for t in (1, mpmath.mpf(3) / 2, 2):
                zt = sign * z * t
                v = F(zt)
                probes.append(abs(v[1] if nested else v) * mpmath.exp(-(zt * zt) / 2))
            if (max(probes) * z <= line.target() * mpmath.mpf(10) ** -3
                    and probes[2] <= probes[0]):
                break
            inner = sorted(sign * p for p in pts if z < sign * p < 2 * z)
            seg = [z] + inner + [2 * z]
            for lo, hi in zip(seg[:-1], seg[1:]):
                if hi > lo:
                    if sign > 0:
                        line.add(lo, hi)
                    else:
                        line.add(-hi, -lo)
            line.converge()
            z *= 2
        else:
            raise HighPrecisionError(f"the Gaussian mean of {what} does not converge: the "
                                     "integrand's tail does not decay by "
                                     f"|z| = {mpmath.nstr(z, 5)} standard deviations")
    return line.value, line.l1, line.err


def _normal_mean(fn: _Fn, mean, sd, eps, atol=0) -> tuple:
    """E[fn(mean + sd z)], z ~ N(0, 1), sd > 0: (value, E|fn|, error estimate), the error
    controlled to max(eps * E|fn|, atol)."""
    if fn.is_zero:
        return mpmath.mpf(0), mpmath.mpf(0), mpmath.mpf(0)
    inv = 1 / sd
    g = fn.evaluator()
    if mean:
        def F(z):
            return g(mean + sd * z)
    else:
        def F(z):
            return g(sd * z)

    pts = [(k - mean) * inv for k in fn.kinks_mp()]
    if not fn.piecewise_polynomial:
        _geometric(-mean * inv, inv, pts)
    return _integrate_line(F, pts, eps, fn.expr, entire=fn.entire, atol=atol)


# ---------------------------------------------------------------------------------------------
# Two-point expectation E[f(u1) g(u2)]
# ---------------------------------------------------------------------------------------------
class _Square:
    """fn², for :func:`_normal_mean` (same kinks and smoothness), without building SymPy."""

    def __init__(self, fn: _Fn):
        self.fn, self.is_zero, self.entire = fn, fn.is_zero, fn.entire
        self.piecewise_polynomial = fn.piecewise_polynomial
        self.expr = f"({fn.expr})**2"

    def kinks_mp(self):
        return self.fn.kinks_mp()

    def evaluator(self):
        e = self.fn.evaluator()
        return lambda x: e(x) ** 2


#: First guess of the absolute floor S of the inner integrals, as a fraction of the
#: Cauchy-Schwarz bound sqrt(E f² E g²) >= E|f g| (see :func:`_two_point_core`).
_SCALE_FRACTION = 3  # S = 10**-3 * sqrt(E f^2 E g^2)
#: S is accepted when S <= _SCALE_SLACK * E|f g| (measured); otherwise the value is recomputed
#: with S = E|f g|.
_SCALE_SLACK = 10


def _scale_guess(f: _Fn, g: _Fn, a_: sp.Expr):
    """10**-3 sqrt(E f(√a u)² E g(√a u)²), a cheap first guess of the scale of E|f(u1) g(u2)|
    (Cauchy-Schwarz: an upper bound divided by 1000); 0 when it cannot be computed."""
    sa = mpmath.sqrt(_mp(a_))
    loose = mpmath.mpf(10) ** -6
    try:
        mf = _normal_mean(_Square(f), 0, sa, loose)[0]
        mg = mf if g is f else _normal_mean(_Square(g), 0, sa, loose)[0]
    except HighPrecisionError:  # E f² infinite: no finite bound, relative control only
        return mpmath.mpf(0)
    return mpmath.sqrt(abs(mf * mg)) * mpmath.mpf(10) ** -_SCALE_FRACTION


def _two_point_core(f: _Fn, g: _Fn, a_: sp.Expr, b_: sp.Expr, eps, scale=0) -> tuple:
    """E[f(u1) g(u2)] for (u1, u2) ~ N(0, [[a, b], [b, a]]); returns (value, E|f g|, err,
    scale_used), ``scale_used`` being ``scale`` when the floor set by ``scale`` exceeded the
    relative target ``eps/10 * E[|g| | z1]`` of some inner mean, else 0.

    Error control.  The outer integral over z1 is converged to ``eps * E|f g|`` (its own L1
    scale, the sum of |f(√a z1)| E[|g(u2)| | z1] over the nodes).  The inner conditional mean
    G(z1) at an outer node is converged to the absolute error

        eps/10 * max(E[|g(u2)| | z1],  scale / |f(√a z1)|),

    so the inner errors add at most ``eps/10 * (E|f g| + scale)`` to the result: with
    ``scale <= 10 E|f g|`` (the caller checks this after the fact, see :func:`_run`) the total
    stays ``<~ 2 eps E|f g|``.  Without the ``scale`` term an inner mean whose weight
    |f(√a z1)| p(z1) is negligible would still be demanded to full *relative* accuracy; where
    G(z1) is ~1e-22 (tanh') or ~1e-38 (gelu) of its integrand's natural size that is below the
    rounding noise of evaluating φ (1 - tanh², 1 + erf cancel) and could never converge.
    """
    c_ = b_ / a_
    a = _mp(a_)
    sa = mpmath.sqrt(a)
    zero = mpmath.mpf(0)
    if f.is_zero or g.is_zero:
        return zero, zero, zero, zero
    if c_ == 0:
        vf, lf, ef = _normal_mean(f, 0, sa, eps)
        vg, lg, eg = _normal_mean(g, 0, sa, eps)
        return vf * vg, lf * lg, ef * lg + eg * lf, zero
    if c_ == 1 or c_ == -1:
        h = _compile(normalize_distributions(
            f.expr * (g.expr if c_ == 1 else g.expr.subs(X, -X))))
        return (*_normal_mean(h, 0, sa, eps), zero)
    c = _mp(c_)
    s = mpmath.sqrt(_mp((a_ - b_) * (a_ + b_))) / a  # exact before rounding
    sigma = sa * s
    cs = sa * c
    fe = f.evaluator()
    eps_inner = eps / 10  # inner errors stay below what the outer rule resolves

    atol_num = eps_inner * scale
    floor_used = [False]  # was the absolute floor above eps_inner * E[|g| | z1] anywhere?

    def F(z1):
        fv = fe(sa * z1)
        if not fv:
            return fv, fv
        afv = abs(fv)
        atol = atol_num / afv
        gv, gl1, _ = _normal_mean(g, cs * z1, sigma, eps_inner, atol)
        if atol > eps_inner * gl1:  # the floor was the operative target (its stopping
            floor_used[0] = True    # decisions, tails included, were made against it)
        return fv * gv, afv * gl1

    pts = [k / sa for k in f.kinks_mp()]
    if not f.piecewise_polynomial:
        _geometric(mpmath.mpf(0), 1 / sa, pts)
    width = s / abs(c)
    for k in g.kinks_mp():  # G(z1) is a kink of g smoothed over s/|c| in z1
        pts.append(k / cs)
        _geometric(k / cs, width, pts)
    if not g.piecewise_polynomial:
        _geometric(mpmath.mpf(0), 1 / abs(cs), pts)
    out = _integrate_line(F, pts, eps, f"{f.expr} * {g.expr}", nested=True,
                          entire=f.entire and g.entire)
    return (*out, scale if floor_used[0] else zero)


# ---------------------------------------------------------------------------------------------
# Precision management
# ---------------------------------------------------------------------------------------------
def _run(compute: Callable, dps: int) -> mpmath.mpf:
    """Run ``compute(eps, scale) -> (value, l1, err, scale_used)`` at dps + GUARD_DPS digits.

    ``scale`` is the absolute floor of nested inner integrals (:func:`_two_point_core`);
    ``None`` on the first attempt lets ``compute`` guess it.  Repeat once, with ``scale = l1``
    measured by the first attempt, when the value is much smaller than its scale l1
    (cancellation: also with more digits) or when the floor used exceeded ``_SCALE_SLACK * l1``
    (the guess was too coarse for this integrand)."""
    extra = 0
    scale = None
    for attempt in range(2):
        with mpmath.workdps(dps + GUARD_DPS + extra):
            eps = mpmath.mpf(10) ** -(dps + 2 + extra)
            value, l1, err, used = compute(eps, scale)
            if not mpmath.isfinite(value):
                return value
            if attempt == 0 and (l1 > 0 or used):
                cancel = l1 > 0 and abs(value) * CANCEL_RATIO < l1
                if cancel:
                    lost = (int(mpmath.ceil(mpmath.log10(l1 / abs(value)))) if value
                            else MAX_EXTRA_DPS)
                    extra = min(lost + 3, MAX_EXTRA_DPS)
                if cancel or used > _SCALE_SLACK * l1:
                    scale = l1
                    continue
            break
    with mpmath.workdps(dps):
        return +value


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------
def gaussian_mean(f, q, dps: int = 30) -> mpmath.mpf:
    r"""Gaussian mean :math:`E[f(\sqrt q\,u)]`, :math:`u \sim N(0, 1)`, by quadrature.

    Parameters
    ----------
    f : sympy.Expr, Activation or str
        A real function of the symbol :data:`meanfield_sym.activation.function.X`; kinks written with
        ``Heaviside``, ``Max``, ``Abs`` or ``sign``; ``DiracDelta(x - k)`` terms are
        integrated exactly (:math:`E[\delta(\sqrt q u - k)] = e^{-k^2/2q}/\sqrt{2\pi q}`).
        A string goes through :func:`~meanfield_sym.activation.function.get_activation`.
    q : number
        The variance, > 0 (int, str such as ``"0.3"``, float, SymPy or mpmath number; read
        exactly).
    dps : int
        Significant decimal digits wanted.

    Returns
    -------
    mpmath.mpf
        The value, accurate to ``dps`` significant digits (see the module notes on values
        that vanish by symmetry).

    Raises
    ------
    ValueError
        q not positive and finite, f not a function of x alone, or a product of deltas.
    HighPrecisionError
        The expectation diverges or the quadrature cannot reach the accuracy.

    Examples
    --------
    Fourth moment :math:`E[(\sqrt 2 u)^4] = 3\cdot 2^2`:

    >>> from meanfield_sym.activation.function import X
    >>> gaussian_mean(X**4, 2)
    mpf('12.0')
    """
    dps = _check_dps(dps)
    q_ = _positive(q, "q")
    if isinstance(f, Activation):
        expr = f.expr
    elif isinstance(f, str):
        expr = get_activation(f).expr
    else:
        expr = sp.sympify(f) if isinstance(f, (int, float)) else f
        if not isinstance(expr, sp.Basic):
            raise ValueError(f"f must be a SymPy expression in x, not {type(f).__name__}")
        bad = expr.free_symbols - {X}
        if bad:
            raise ValueError(f"f must be a function of x alone; also found "
                             f"{', '.join(sorted(map(str, bad)))}")
        expr = normalize_distributions(expr)
    regular, atoms = split_atoms(expr)
    for k, w in atoms:
        if w.has(sp.DiracDelta) or w.has(X):
            raise ValueError(f"{f}: products of Dirac deltas have no finite Gaussian mean")
    fn = _compile(regular)

    def compute(eps, scale):
        sq = mpmath.sqrt(_mp(q_))
        v, l1, err = _normal_mean(fn, 0, sq, eps)
        for k, w in atoms:
            km = _mp(k)
            t = _mp(w) * mpmath.exp(-km * km / (2 * sq * sq)) / (sq * mpmath.sqrt(2 * mpmath.pi))
            v += t
            l1 += abs(t)
        return v, l1, err, 0

    return _run(compute, dps)


def one_point(act, q, dps: int = 30) -> mpmath.mpf:
    r"""One-point moment :math:`E[\phi(\sqrt q\,u)^2]`, :math:`u \sim N(0, 1)`.

    The forward order-parameter map :math:`\hat q \mapsto` of the mean-field recursion
    (supplement App. B, the integral under Eq. (B.1)), computed from the definition.

    Parameters
    ----------
    act : Activation or str
        The activation φ (anything :func:`~meanfield_sym.activation.function.get_activation` accepts).
    q : number
        The variance, > 0, read exactly (``"0.3"`` is 3/10).
    dps : int
        Significant decimal digits wanted.

    Returns
    -------
    mpmath.mpf

    Examples
    --------
    >>> one_point("relu", 2)          # E[max(√2 u, 0)²] = q/2
    mpf('1.0')
    """
    act = _as_activation(act)
    return gaussian_mean(normalize_distributions(act.expr ** 2), q, dps)


def one_point_prime(act, q, dps: int = 30) -> mpmath.mpf:
    r"""One-point moment of the derivative :math:`E[\phi'(\sqrt q\,u)^2]`.

    Returns ``mpmath.inf`` when φ' has a Dirac atom (:math:`E[\delta(u)^2]` diverges).

    Examples
    --------
    >>> one_point_prime("relu", 5)    # E[H(u)²] = 1/2
    mpf('0.5')
    >>> one_point_prime("step", 1)
    mpf('+inf')
    """
    act = _as_activation(act)
    dps = _check_dps(dps)
    _positive(q, "q")
    if act.prime_atoms:
        return mpmath.inf
    return gaussian_mean(normalize_distributions(act.prime_regular ** 2), q, dps)


def two_point(act, a, b, dps: int = 30) -> mpmath.mpf:
    r"""Two-point kernel :math:`I_\phi[a, b] = E[\phi(u_1)\phi(u_2)]`,
    :math:`(u_1, u_2) \sim N(0, [[a, b], [b, a]])`.

    Supplement App. B, definition of :math:`I_\phi` used in Eqs. (B.2)--(B.16); computed by the
    nested conditional quadrature described in the module notes.

    Parameters
    ----------
    act : Activation or str
    a : number
        Variance, > 0.
    b : number
        Covariance, :math:`|b| \le a`.
    dps : int
        Significant decimal digits wanted.

    Examples
    --------
    Sheppard's formula for the step function, :math:`1/4 + \arcsin(c)/(2\pi)`, at c = -1/2:

    >>> import mpmath
    >>> mpmath.nstr(two_point("step", 2, -1), 25)
    '0.1666666666666666666666667'
    """
    act = _as_activation(act)
    dps = _check_dps(dps)
    a_, b_ = _check_pair(a, b)
    f = _compile(act.expr)

    def compute(eps, scale):
        if scale is None:
            scale = _scale_guess(f, f, a_) if bool(0 < abs(b_) < a_) else 0
        return _two_point_core(f, f, a_, b_, eps, scale)

    return _run(compute, dps)


def two_point_prime(act, a, b, dps: int = 30) -> mpmath.mpf:
    r"""Two-point kernel of the derivative :math:`I_{\phi'}[a, b] = E[\phi'(u_1)\phi'(u_2)]`.

    Dirac atoms :math:`\phi' \ni w\,\delta(x - k)` are integrated analytically (conditional
    normal law, bivariate density); ``mpmath.inf`` at :math:`|c| = 1` when two atoms coincide.

    Examples
    --------
    Step function: the bivariate density at the origin, :math:`1/(2\pi\sqrt{a^2 - b^2})`:

    >>> import mpmath
    >>> mpmath.nstr(two_point_prime("step", 1, "0.6"), 25)  # 1/(2π · 0.8)
    '0.1989436788648691697111047'
    """
    act = _as_activation(act)
    dps = _check_dps(dps)
    a_, b_ = _check_pair(a, b)
    reg = _compile(act.prime_regular)
    atoms = act.prime_atoms
    c_ = b_ / a_
    degenerate = bool(sp.Abs(c_) == 1)
    if atoms and degenerate:
        signs = {sp.sign(wi * wj) for ki, wi in atoms for kj, wj in atoms if kj == c_ * ki}
        if signs == {1}:
            return mpmath.inf
        if signs == {-1}:
            return -mpmath.inf
        if signs:
            raise ValueError(f"E[φ'(u1)φ'(u2)] is undefined (∞ - ∞) for {act} at |b| = a")

    def compute(eps, scale):
        if scale is None:  # the floor is needed for nested means and atoms' conditional means
            nested = bool(0 < abs(b_) < a_)
            scale = _scale_guess(reg, reg, a_) if (nested or atoms) else 0
        v, l1, err, used = _two_point_core(reg, reg, a_, b_, eps, scale)
        if not atoms:
            return v, l1, err, used
        a = _mp(a_)
        c = _mp(c_)
        s2 = _mp((a_ - b_) * (a_ + b_) / a_ ** 2)
        norm = 1 / mpmath.sqrt(2 * mpmath.pi * a)
        for k, w in atoms:
            km, wm = _mp(k), _mp(w)
            pk = norm * mpmath.exp(-km * km / (2 * a))
            if degenerate:  # u2 = c u1 exactly
                cond, cl1 = reg(c * km), abs(reg(c * km))
            else:
                # absolute floor as for inner means (_two_point_core): this conditional mean
                # enters with weight wk, the atoms together add at most eps/10 * scale
                wk = 2 * abs(wm) * pk * 10 * len(atoms)
                atol = eps * scale / wk if wk else 0
                cond, cl1, cerr = _normal_mean(reg, c * km, mpmath.sqrt(a * s2), eps, atol)
                if atol > eps * cl1:
                    used = scale
                err += 2 * abs(wm) * pk * cerr
            # E[w δ(u1 - k) reg(u2)] + E[reg(u1) w δ(u2 - k)], equal by exchangeability
            v += 2 * wm * pk * cond
            l1 += 2 * abs(wm) * pk * cl1
        if not degenerate:
            for ki, wi in atoms:
                for kj, wj in atoms:
                    x, y = _mp(ki), _mp(kj)
                    dens = (mpmath.exp(-(x * x - 2 * c * x * y + y * y) / (2 * a * s2))
                            / (2 * mpmath.pi * a * mpmath.sqrt(s2)))
                    t = _mp(wi) * _mp(wj) * dens
                    v += t
                    l1 += abs(t)
        return v, l1, err, used

    return _run(compute, dps)
