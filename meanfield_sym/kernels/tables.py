r"""Piecewise Chebyshev tables of the Gaussian kernels that have no closed form (tanh, sigmoid, ...).

The mean-field recursions (*Universal statistics*, Eqs. (9)–(12); supplement App. B) evaluate
:math:`E[\phi(\sqrt q u)^2]`, :math:`E[\phi'(\sqrt q u)^2]`, :math:`I_\phi[a,b]` and
:math:`I_{\phi'}[a,b]` at many points (every layer, every grid point of an initialisation sweep).
Where the engine finds no closed form, :mod:`meanfield_sym.kernels.quadrature` computes them to 1e-12 by a
per-point quadrature (≈ 10 µs per two-point value).  This module builds, once per activation and
process, an interpolant of each kernel from such quadrature values and evaluates it in well under a
microsecond per point, at the same accuracy: cheaper than a 25 × 25 Gauss–Hermite rule
(which is wrong in the 2nd–4th digit for steep tanh) at 1e-12 accuracy.

Variables (chosen so that the tabulated functions are smooth and relative accuracy is natural)
-------------------------------------------------------------------------------------------------
``x = log10(a)`` (``log10(q)`` for the one-point kernels).

* one-point: the table holds :math:`\log E[f(\sqrt q u)^2]` (f = φ or φ'; positive, so the
  interpolation error is a *relative* error of the kernel);
* two-point, with :math:`c = b/a` and :math:`\theta = \arccos c`, normalised by the one-point
  kernel :math:`E[f(\sqrt a u)^2]` (Cauchy–Schwarz: the ratio ρ lies in [−1, 1], ρ = 1 at c = 1):

  - f **odd** (tanh): :math:`I(a, -b) = -I(a, b)`, so :math:`h = I / (c\,E[f^2])` is even in c and
    smooth; the table holds h over :math:`\theta = \arccos|c| \in [0, \pi/2]`, and
    :math:`I = c\,h\,E[f^2]` keeps its relative accuracy through c = 0 (where a quadrature of
    :math:`E[f(u_1) f(u_2)]` can only reach an absolute :math:`10^{-16} E|f f|`);
  - f **even** (tanh' = sech²): ρ over :math:`\theta = \arccos|c| \in [0, \pi/2]`;
  - neither (sigmoid, softplus, silu): ρ over :math:`\theta \in [0, \pi]`.

  In θ the sign limit :math:`(2/\pi)\arcsin c = 1 - 2\theta/\pi` of a steep odd φ is linear, so
  the √(1 − c) behaviour of steep activations near |c| = 1 costs nothing.

Cells and validation
--------------------
Columns of cells: decades of x (:data:`X_RANGE`; half decades for one-point tables), each column
cut in θ at 0.05, 0.15, 0.4 (and the mirror images): where I varies fastest when φ is steep.  On each cell a tensor Chebyshev
interpolant of degree (:data:`DEGREE_X`, :data:`DEGREE_THETA`) (:data:`DEGREE_1D` for one-point
tables) is fitted at Chebyshev–Gauss nodes (DCT-II, :func:`scipy.fft.dct`; the nodes avoid the
cell edges, so c = 0 and c = 1 are never sampled).  A cell is accepted when

1. its last two coefficients in each direction (the usual estimate of the interpolation error)
   and
2. the interpolant's deviation from fresh quadrature values at four fixed off-node points

are both within ``max(TABLE_RTOL × |value|, the quadrature's own error estimate)``, the value
scale being that of :func:`meanfield_sym.kernels.quadrature.target` in the tabulated variable.  A failing
cell splits its column in x (when its x tail is the larger) or itself in θ, up to
:data:`MAX_SPLITS` rounds and :data:`MAX_CELLS` cells; a cell that still fails is marked untabulated and its points are
computed by quadrature.  Points outside the tables (log10 a outside :data:`X_RANGE`) are
computed by quadrature as well.  Errors therefore stay within the 1e-12 target of
:mod:`meanfield_sym.kernels.quadrature`; ``tests/kernels/test_tables.py`` checks them against mpmath.

Cost: building the four tables of tanh takes ≈ 2 s (sigmoid ≈ 5 s), once per process, on first use
of each kernel (the shipped modules of tanh and sigmoid carry theirs in a table file,
:mod:`meanfield_sym.kernels.table_file`); evaluation costs 0.2–0.7 times a 25 × 25
Gauss–Hermite rule on the same points (``benchmarks/bench_quadrature.py`` measures both, with
the accuracy of each against mpmath).
Other smooth activations (softplus, silu, user expressions) use the per-point quadrature unless
tabulation is asked for (``kernels(act, tabulate=True)``): their quadrature is slower, so their
tables cost ≈ 25 s to build.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np

from meanfield_sym import checks
from meanfield_sym.kernels import quadrature

__all__ = ["ChebyshevTable1D", "ChebyshevTable2D", "TabulatedKernels", "kernels", "X_RANGE",
           "TABLE_RTOL", "code_digest"]

#: Tabulated range of log10(a); outside it the kernels are computed by quadrature.
X_RANGE = (-3.0, 2.5)
#: Initial x breakpoints: decades for two-point tables, half decades for one-point tables.
_X_BREAKS = tuple(np.unique(np.r_[np.arange(X_RANGE[0], X_RANGE[1], 1.0), X_RANGE[1]]))
_X_BREAKS_1D = tuple(np.unique(np.r_[np.arange(X_RANGE[0], X_RANGE[1], 0.5), X_RANGE[1]]))
#: Initial θ breakpoints on [0, π/2] (mirrored on (π/2, π] for activations without parity).
_THETA_BREAKS = (0.0, 0.05, 0.15, 0.4, math.pi / 2)
DEGREE_X = 16
DEGREE_THETA = 24
DEGREE_1D = 12
#: Interpolation tolerance relative to the value scale (the quadrature itself aims at 1e-12).
TABLE_RTOL = 1e-13
MAX_SPLITS = 5
#: At most this many two-point cells (a cell costs (DEGREE_X+1)(DEGREE_THETA+1) quadrature values).
MAX_CELLS = 120
#: Fixed off-node validation points in local cell coordinates [-1, 1]².
_CHECK_POINTS = np.array([[0.83, -0.41], [-0.67, 0.29], [0.13, 0.91], [-0.95, -0.77]])


# ---------------------------------------------------------------------------------------------
# Chebyshev interpolants on cells
# ---------------------------------------------------------------------------------------------
def _gauss_nodes(n):
    """Chebyshev–Gauss nodes cos(π(2k+1)/(2n)), k = 0..n-1 (decreasing; no end points)."""
    return np.cos(np.pi * (2 * np.arange(n) + 1) / (2 * n))


def _coefficients(values, axes):
    """Chebyshev coefficients of values at Chebyshev–Gauss nodes along `axes` (DCT-II)."""
    import scipy.fft             # building only: evaluating a table needs NumPy alone
    c = values
    for ax in axes:
        n = values.shape[ax]
        c = scipy.fft.dct(c, type=2, axis=ax) / n
        sl = [slice(None)] * c.ndim
        sl[ax] = 0
        c[tuple(sl)] *= 0.5
    return c


def _basis(t, degree):
    """T_0..T_degree at t (any shape) -> (..., degree+1), by the three-term recurrence."""
    out = np.empty(t.shape + (degree + 1,))
    out[..., 0] = 1.0
    if degree >= 1:
        out[..., 1] = t
    for k in range(2, degree + 1):
        np.multiply(2.0 * t, out[..., k - 1], out=out[..., k])
        out[..., k] -= out[..., k - 2]
    return out


def _locate(breaks, x):
    """Cell index and local coordinate in [-1, 1] of x within sorted breakpoints (x inside)."""
    i = np.clip(np.searchsorted(breaks, x, side="right") - 1, 0, breaks.size - 2)
    lo, hi = breaks[i], breaks[i + 1]
    t = np.clip((2.0 * x - (lo + hi)) / (hi - lo), -1.0, 1.0)
    return i, t


@dataclass
class ChebyshevTable1D:
    """Piecewise Chebyshev interpolant: ``coef[i]`` on ``[breaks[i], breaks[i+1]]``.

    ``ok[i]`` is False for a cell that failed validation; ``max_error`` is the largest validation
    deviation relative to the value scale.
    """

    breaks: np.ndarray
    coef: np.ndarray
    ok: np.ndarray
    max_error: float = 0.0

    def __post_init__(self):
        # cells are dyadic refinements of the initial ones, so a uniform grid of the smallest
        # width maps every bin into exactly one cell: locating x is a floor, not a search
        w = float(np.min(np.diff(self.breaks)))
        nbins = int(round((self.breaks[-1] - self.breaks[0]) / w))
        centres = self.breaks[0] + w * (np.arange(nbins) + 0.5)
        self._w, self._nbins = w, nbins
        self._bin_cell = np.searchsorted(self.breaks, centres, side="right") - 1
        self._coef_t = np.ascontiguousarray(self.coef.T)            # (degree+1, cells)

    def __call__(self, x):
        """Values at x (1-D array); NaN outside the table or in a cell that failed validation.

        Clenshaw's recurrence on the gathered coefficients (contiguous rows)."""
        x = np.asarray(x, float).ravel()
        k = np.floor((x - self.breaks[0]) / self._w)
        inside = (k >= 0) & (x <= self.breaks[-1])
        i = self._bin_cell[np.clip(k, 0, self._nbins - 1).astype(np.intp)]
        lo, hi = self.breaks[i], self.breaks[i + 1]
        t2 = 2.0 * (2.0 * x - (lo + hi)) / (hi - lo)                # 2t, t in [-1, 1]
        C = self._coef_t[:, i]
        b1 = C[-1].copy()
        b2 = np.zeros_like(b1)
        for row in C[-2:0:-1]:
            b1, b2 = row + t2 * b1 - b2, b1
        out = C[0] + 0.5 * t2 * b1 - b2
        out[~(inside & self.ok[i])] = np.nan
        return out


@dataclass
class ChebyshevTable2D:
    """Columns ``[xb[i], xb[i+1]]``, each cut into its own cells ``[yb[i][j], yb[i][j+1]]``, with
    tensor Chebyshev coefficients ``coef[i][j]`` of shape (degree_x+1, degree_y+1)."""

    xb: np.ndarray
    yb: list
    coef: list
    ok: list
    max_error: float = 0.0

    @property
    def cells(self) -> int:
        return sum(len(o) for o in self.ok)

    def __call__(self, x, y):
        """Values at (x, y), 1-D arrays of equal length; NaN outside the table or in a cell that
        failed validation."""
        x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
        out = np.full(x.size, np.nan)
        inside = (x >= self.xb[0]) & (x <= self.xb[-1])
        i, tx = _locate(self.xb, x)
        for col in np.unique(i[inside]):
            yb = self.yb[col]
            sel = np.flatnonzero(inside & (i == col) & (y >= yb[0]) & (y <= yb[-1]))
            if sel.size == 0:
                continue
            j, ty = _locate(yb, y[sel])
            coef, ok = self.coef[col], self.ok[col]
            Tx = _basis(tx[sel], coef.shape[1] - 1)
            Ty = _basis(ty, coef.shape[2] - 1)
            for jj in np.unique(j):
                if not ok[jj]:
                    continue
                loc = np.flatnonzero(j == jj)
                out[sel[loc]] = np.einsum("pj,pj->p", Tx[loc] @ coef[jj], Ty[loc])
        return out


# ---------------------------------------------------------------------------------------------
# Builders (adaptive, validated against the sampler)
# ---------------------------------------------------------------------------------------------
def build_1d(sample, breaks, degree=DEGREE_1D, rtol=TABLE_RTOL, max_splits=MAX_SPLITS):
    """Fit and validate a :class:`ChebyshevTable1D`.

    ``sample(x) -> (values, allowed)``: the function at x and the error allowed there (both
    arrays of x's shape).  Cells whose tail or check-point deviation exceeds ``allowed`` are
    halved up to ``max_splits`` times, then marked not ok.
    """
    nodes = _gauss_nodes(degree + 1)
    checks = _CHECK_POINTS[:, 0]
    cells = [(float(lo), float(hi)) for lo, hi in zip(breaks[:-1], breaks[1:])]
    done = []
    worst = 0.0
    for depth in range(max_splits + 1):
        nxt = []
        for lo, hi in cells:
            mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
            v, allowed = sample(mid + half * nodes)
            c = _coefficients(np.array(v, float), axes=(0,))
            cv, callowed = sample(mid + half * checks)
            got = np.polynomial.chebyshev.chebval(checks, c)
            dev = np.max(np.abs(got - cv) / callowed)
            tail = np.max(np.abs(c[-2:])) / np.min(allowed)
            if (dev <= 1 and tail <= 1) or depth == max_splits:
                done.append((lo, hi, c, bool(dev <= 1 and tail <= 1)))
                worst = max(worst, float(dev * rtol))
            else:
                nxt += [(lo, mid), (mid, hi)]
        cells = nxt
        if not cells:
            break
    done.sort()
    return ChebyshevTable1D(breaks=np.array([d[0] for d in done] + [done[-1][1]]),
                            coef=np.array([d[2] for d in done]),
                            ok=np.array([d[3] for d in done]), max_error=worst)


def build_2d(sample, xbreaks, ybreaks, degree_x=DEGREE_X, degree_y=DEGREE_THETA, rtol=TABLE_RTOL,
             max_splits=MAX_SPLITS, max_cells=MAX_CELLS):
    """Fit and validate a :class:`ChebyshevTable2D` (``sample(x, y) -> (values, allowed)``).

    A failing cell splits its column in x (when its coefficient tail in x is the larger) or
    itself in y, up to ``max_splits`` rounds and ``max_cells`` cells in all; cells still failing
    then are marked not ok (their points go to the quadrature).
    """
    nx_, ny_ = _gauss_nodes(degree_x + 1), _gauss_nodes(degree_y + 1)
    Tcx, Tcy = _basis(_CHECK_POINTS[:, 0], degree_x), _basis(_CHECK_POINTS[:, 1], degree_y)
    cache = {}

    def fit(xlo, xhi, ylo, yhi):
        key = (xlo, xhi, ylo, yhi)
        if key not in cache:
            xm, xh, ym, yh = 0.5 * (xlo + xhi), 0.5 * (xhi - xlo), 0.5 * (ylo + yhi), 0.5 * (yhi - ylo)
            X, Y = np.meshgrid(xm + xh * nx_, ym + yh * ny_, indexing="ij")
            v, allowed = sample(X, Y)
            c = _coefficients(np.array(v, float), axes=(0, 1))
            cv, callowed = sample(xm + xh * _CHECK_POINTS[:, 0], ym + yh * _CHECK_POINTS[:, 1])
            got = np.einsum("pi,ij,pj->p", Tcx, c, Tcy)
            dev = float(np.max(np.abs(got - cv) / callowed))
            amin = float(np.min(allowed))
            tx, ty = np.max(np.abs(c[-2:, :])) / amin, np.max(np.abs(c[:, -2:])) / amin
            cache[key] = (c, dev, float(tx), float(ty), dev <= 1 and tx <= 1 and ty <= 1)
        return cache[key]

    columns = [(float(lo), float(hi), [float(v) for v in ybreaks])
               for lo, hi in zip(xbreaks[:-1], xbreaks[1:])]
    for _ in range(max_splits):
        new, changed = [], False
        for xlo, xhi, yb in columns:
            fits = [fit(xlo, xhi, lo, hi) for lo, hi in zip(yb[:-1], yb[1:])]
            bad = [j for j, f in enumerate(fits) if not f[4]]
            ncells = sum(len(c[2]) - 1 for c in columns)
            if not bad or ncells + len(bad) > max_cells:
                new.append((xlo, xhi, yb))
                continue
            changed = True
            if any(fits[j][2] >= fits[j][3] for j in bad):       # x tail dominates: split column
                xm = 0.5 * (xlo + xhi)
                new += [(xlo, xm, yb), (xm, xhi, list(yb))]
            else:
                yb = sorted(set(yb) | {0.5 * (yb[j] + yb[j + 1]) for j in bad})
                new.append((xlo, xhi, yb))
        columns = new
        if not changed:
            break
    coef, ok, worst = [], [], 0.0
    for xlo, xhi, yb in columns:
        fits = [fit(xlo, xhi, lo, hi) for lo, hi in zip(yb[:-1], yb[1:])]
        coef.append(np.array([f[0] for f in fits]))
        ok.append(np.array([f[4] for f in fits]))
        worst = max([worst] + [f[1] * rtol for f in fits if f[4]])
    return ChebyshevTable2D(xb=np.array([c[0] for c in columns] + [columns[-1][1]]),
                            yb=[np.array(c[2]) for c in columns], coef=coef, ok=ok,
                            max_error=worst)


# ---------------------------------------------------------------------------------------------
# The four kernels of an activation, tabulated
# ---------------------------------------------------------------------------------------------
@dataclass
class TabulatedKernels:
    """The four kernels of a smooth activation without closed forms: tables where they cover
    the point, :class:`meanfield_sym.kernels.quadrature.QuadratureKernels` elsewhere.

    Parameters
    ----------
    activation : Activation or NumericActivation
        The activation (:class:`meanfield_sym.kernels.quadrature.NumericActivation`: float64
        φ and φ' with precomputed parities, no SymPy).
    tabulate : bool or None
        None (default): tabulate the activations whose quadrature is calibrated
        (:data:`meanfield_sym.kernels.quadrature._EXACT_SCALES`: tanh, sigmoid; first use of a kernel
        builds its table in ≈ 1–5 s).  True: tabulate any smooth activation (building is slower
        where the per-point quadrature is, e.g. ≈ 25 s for silu: worth it for large sweeps).
        False: per-point quadrature only.  Activations with kinks or Dirac atoms in φ' are never
        tabulated.  Tables are built on first use of each kernel (thread-safe) and kept.
    prebuilt : dict, optional
        Tables already built (``{kernel name: table}``, as :meth:`tables` returns them, e.g.
        read from a shipped table file by :mod:`meanfield_sym.kernels.table_file`): used as
        they are, and the on-disk cache is not consulted.  Kernels missing from it are built
        on first use.

    Examples
    --------
    >>> from meanfield_sym.activation.function import get_activation
    >>> ks = kernels(get_activation("tanh"))
    >>> v = ks.two_point(np.array([0.5, 2.0]), np.array([0.1, -1.9]))
    >>> v.shape, bool(v[0] > 0 > v[1])
    ((2,), True)
    """

    activation: object
    tabulate: bool | None = None
    prebuilt: dict | None = None
    quad: quadrature.QuadratureKernels = field(init=False)

    def __post_init__(self):
        self.quad = quadrature.kernels(self.activation)
        qk = self.quad
        smooth = not qk._kinks and not qk._atoms and not qk._dphi_is_zero
        wanted = qk._known_scale if self.tabulate is None else bool(self.tabulate)
        self.enabled = smooth and wanted
        self._tables = {}
        self._lock = threading.RLock()
        self._cache_key = None
        if self.prebuilt is not None:
            self._tables.update(self.prebuilt)
        elif self.enabled and not isinstance(self.activation, quadrature.NumericActivation):
            # tables built by an earlier process (meanfield_sym.kernels.cache)
            import sympy as sp
            from meanfield_sym.kernels import cache
            self._cache_key = cache.entry_key("tables", (sp.srepr(self.activation.expr),
                                                         code_digest()))
            stored = cache.load(self._cache_key)
            if isinstance(stored, dict):
                self._tables.update(stored)

    def _remember(self):
        if self._cache_key is not None:
            from meanfield_sym.kernels import cache
            cache.store(self._cache_key, dict(self._tables))

    # -- building -----------------------------------------------------------------------------
    def _x_to_a(self, x):
        return 10.0 ** np.asarray(x, float)

    def _one_sampler(self, prime):
        qk = self.quad
        f = qk._dsq if prime else qk._sq

        def sample(x):
            v, e, _ = quadrature.one_point(f, self._x_to_a(x), (), scale=qk._scale,
                                           rtol=qk.rtol, full_output=True)
            return np.log(v), np.maximum(TABLE_RTOL, e / v)
        return sample

    def _two_sampler(self, prime):
        qk = self.quad
        f = qk._dphi if prime else qk._phi
        par = qk._dpar if prime else qk._par
        one = self._one_table(prime)

        def sample(x, theta):
            a = self._x_to_a(x)
            c = np.cos(theta)
            v, e, l1 = quadrature.two_point(f, f, a, a * c, (), (), scale=qk._scale,
                                            parity=1 if par else 0, rtol=qk.rtol,
                                            known_scale=qk._known_scale, full_output=True)
            norm = np.exp(one(np.ravel(x))).reshape(np.shape(x))
            scale = np.maximum(TABLE_RTOL * quadrature.target(v, l1, 1.0), e)
            if par == -1:
                return v / (c * norm), scale / (np.abs(c) * norm)
            return v / norm, scale / norm
        return sample

    def _one_table(self, prime):
        key = "one_point_prime" if prime else "one_point"
        with self._lock:
            if key not in self._tables:
                self._tables[key] = build_1d(self._one_sampler(prime), np.array(_X_BREAKS_1D))
                self._remember()
            return self._tables[key]

    def _two_table(self, prime):
        key = "two_point_prime" if prime else "two_point"
        par = self.quad._dpar if prime else self.quad._par
        self._one_table(prime)
        with self._lock:
            if key not in self._tables:
                tb = np.array(_THETA_BREAKS)
                if not par:
                    tb = np.concatenate([tb, (np.pi - tb[::-1])[1:]])
                self._tables[key] = build_2d(self._two_sampler(prime), np.array(_X_BREAKS), tb)
                self._remember()
            return self._tables[key]

    def tables(self):
        """Build (if needed) and return the four tables, keyed by kernel name."""
        if self.enabled:
            for prime in (False, True):
                self._two_table(prime)
        return dict(self._tables)

    # -- evaluation ---------------------------------------------------------------------------
    def _one(self, q, prime):
        q = checks.positive_variance(q, "q")
        fallback = self.quad.one_point_prime if prime else self.quad.one_point
        if not self.enabled:
            return fallback(q)
        out = np.exp(self._one_table(prime)(np.log10(q.ravel())))
        miss = np.isnan(out)
        if np.any(miss):
            out[miss] = fallback(q.ravel()[miss])
        return out.reshape(q.shape)

    def _two(self, a, b, prime):
        a, b = checks.variance_pair(a, b)
        fallback = self.quad.two_point_prime if prime else self.quad.two_point
        if not self.enabled:
            return fallback(a, b)
        par = self.quad._dpar if prime else self.quad._par
        tab2, tab1 = self._two_table(prime), self._one_table(prime)
        af, bf = a.ravel(), b.ravel()
        x = np.log10(af)
        c = np.clip(bf / af, -1.0, 1.0)
        out = tab2(x, np.arccos(np.abs(c) if par else c)) * np.exp(tab1(x))
        if par == -1:
            out *= c
        miss = np.isnan(out)
        if np.any(miss):
            out[miss] = fallback(af[miss], bf[miss])
        return out.reshape(a.shape)

    def one_point(self, q):
        r"""E[φ(√q u)²] (*Universal statistics* Eq. (9)), vectorised."""
        return self._one(q, False)

    def one_point_prime(self, q):
        r"""E[φ'(√q u)²] (*Universal statistics* Eq. (11)), vectorised."""
        return self._one(q, True)

    def two_point(self, a, b):
        r"""I_φ[a, b] = E[φ(u1) φ(u2)] (*Universal statistics* Eq. (10)), vectorised with broadcasting."""
        return self._two(a, b, False)

    def two_point_prime(self, a, b):
        r"""I_φ'[a, b] = E[φ'(u1) φ'(u2)] (*Universal statistics* Eq. (12)), vectorised with broadcasting."""
        return self._two(a, b, True)


def code_digest() -> str:
    """SHA-256 (16 hex digits) of what the tables depend on besides the activation: this
    module and the quadrature (:mod:`meanfield_sym.kernels.quadrature`).  The on-disk cache
    keys its tables with it, and a shipped table file records it."""
    import hashlib
    from pathlib import Path
    here = Path(__file__).resolve().parent
    return hashlib.sha256(b"".join((here / f).read_bytes()
                                   for f in ("tables.py", "quadrature.py"))).hexdigest()[:16]


_CACHE: dict = {}
_CACHE_LOCK = threading.Lock()


def kernels(act, tabulate: bool | None = None) -> TabulatedKernels:
    """Tabulated (where possible) evaluators of the four kernels of an activation, cached by
    fingerprint; the float64 route :class:`meanfield_sym.kernels.engine.KernelSet` uses for kernels
    without a closed form.  ``tabulate``: see :class:`TabulatedKernels`."""
    from meanfield_sym.activation.function import get_activation
    act = get_activation(act)
    key = (act.fingerprint, tabulate)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = TabulatedKernels(act, tabulate)
        return _CACHE[key]
