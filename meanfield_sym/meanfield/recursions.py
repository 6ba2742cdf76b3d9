"""Mean-field order parameters: the forward and backward recursions, fixed points, χ₁.

The network of the papers has L layers of weights, hidden widths ``M_l = α_l M``
(l = 1..L−1), input width ``α_0 M`` and C linear outputs ``f = u^L``;
``W^l ~ N(0, σ_w,l²/M_{l−1})``, ``b^l ~ N(0, σ_b,l²)``.  In the wide limit
(Karakida, Akaho & Amari, *Pathological spectra of the Fisher information metric*, Eqs. 15–18;
*Universal statistics*, main text Eqs. 9–12):

.. math::

    q_i^l &= σ_{w,l}^2\\, \\hat q_i^{l-1} + σ_{b,l}^2 \\qquad (l = 1..L),\\\\
    \\hat q_1^l &= E[φ_l(\\sqrt{q_1^l} u)^2], \\qquad \\hat q_2^l = I_{φ_l}[q_1^l, q_2^l]
        \\qquad (l = 1..L-1),\\\\
    \\tilde q_1^L &= \\tilde q_2^L = 1,\\\\
    \\tilde q_1^l &= σ_{w,l+1}^2\\, \\tilde q_1^{l+1} E[φ_l'(\\sqrt{q_1^l} u)^2], \\qquad
    \\tilde q_2^l = σ_{w,l+1}^2\\, \\tilde q_2^{l+1} I_{φ_l'}[q_1^l, q_2^l] \\qquad (l = L-1..1),

with ``q̂_1^0 = 1`` and ``q̂_2^0 = 0`` for standard Gaussian inputs (both settable).  Index 1
is the one-sample (diagonal) order parameter, index 2 the two-sample overlap.

The Gaussian integrals come from a *kernel provider*: any object with the vectorised methods
``one_point(q)``, ``one_point_prime(q)``, ``two_point(a, b)``, ``two_point_prime(a, b)``.  In
production it is :func:`meanfield_sym.kernels.kernel_set.kernels_for`; an activation name, SymPy
expression or :class:`~meanfield_sym.activation.function.Activation` is resolved through it lazily.

Everything is vectorised: ``sigma_w2`` / ``sigma_b2`` (and the input order parameters) may be
any broadcastable arrays, e.g. a (σ_w², σ_b²) grid.  Per-layer values are given as a Python
``list``/``tuple`` of length L (one broadcastable array per layer); a NumPy array always means
"the same value in every layer, over a grid".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from meanfield_sym import checks
from meanfield_sym.kernels.provider import resolve as resolve_kernels

__all__ = ["OrderParameters", "FixedPoint", "resolve_kernels", "forward", "backward",
           "order_parameters", "fixed_point", "chi1"]


def _layer_kernels(activation, depth: int) -> list:
    """Providers for the hidden layers 1..L−1 (one spec, or a list of L−1 specs)."""
    if isinstance(activation, (list, tuple)):
        if len(activation) != depth - 1:
            raise ValueError(f"{len(activation)} per-layer activations given for depth {depth} "
                             f"(need one per hidden layer l = 1..{depth - 1})")
        cache: dict[int, Any] = {}
        out = []
        for a in activation:
            if id(a) not in cache:
                cache[id(a)] = resolve_kernels(a)
            out.append(cache[id(a)])
        return out
    if depth == 1:
        return []
    return [resolve_kernels(activation)] * (depth - 1)


def _clip_overlap(q1: np.ndarray, q2: np.ndarray, where: str) -> np.ndarray:
    """Clip |q2| <= q1 where the excess is rounding; raise if it is more than that."""
    over = np.abs(q2) > q1
    if not np.any(over):                 # the usual case: one pass, no copy
        return q2
    excess = np.abs(q2) - q1
    bad = excess > checks.ROUNDING_SLACK * np.maximum(q1, np.finfo(float).tiny)
    if np.any(bad):
        raise ValueError(f"{where}: overlap exceeds the variance (|q2| > q1) beyond rounding; "
                         "check the input order parameters")
    return np.clip(q2, -q1, q1)


def _full(value, shape) -> np.ndarray:
    """``value`` as a float array of ``shape`` (a copy only when broadcasting needs one)."""
    arr = np.asarray(value, dtype=float)
    return arr if arr.shape == shape else np.broadcast_to(arr, shape).astype(float)


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------
@dataclass
class OrderParameters:
    """Order parameters of one network, each a list indexed by layer 0..L.

    ``q1[l]``, ``q2[l]`` (pre-activation variance / overlap) exist for l = 1..L;
    ``qhat1[l]``, ``qhat2[l]`` (activation second moment / overlap) for l = 0..L−1;
    ``qtilde1[l]``, ``qtilde2[l]`` (backward order parameters) for l = 1..L.  Undefined
    entries are ``None``.  Values are float arrays of the common broadcast shape ``shape``.
    """

    depth: int
    q1: list
    q2: list
    qhat1: list
    qhat2: list
    qtilde1: list
    qtilde2: list
    sigma_w2: list  # index 1..L (index 0 is None)
    sigma_b2: list
    shape: tuple = ()
    meta: dict = field(default_factory=dict)

    def as_lists(self) -> dict:
        """The six order parameters as ``{name: [value or None for l in 0..L]}``."""
        return {k: list(getattr(self, k)) for k in
                ("q1", "q2", "qhat1", "qhat2", "qtilde1", "qtilde2")}


@dataclass
class FixedPoint:
    """Fixed point ``q*`` of the forward variance map and ``χ₁ = σ_w² E[φ'(√q* u)²]``.

    ``converged`` is False where no fixed point was reached within ``maxiter`` steps;
    ``diverged`` is True where q grew past ``1e100`` (no finite fixed point; ``q_star`` is
    ``inf`` there, and ``chi1`` the limit q → ∞ of σ_w² E[φ'(√q u)²] when it is reached — a
    positively homogeneous φ, e.g. σ_w²/2 for ReLU — else ``inf``).  ``steps`` counts the steps taken at each point,
    ``iterations`` the largest of them.  ``q_star = 0`` (the ordered phase without biases, e.g.
    tanh with σ_b² = 0 and σ_w² <= 1) is a converged fixed point; ``chi1`` is then the limit
    q → 0⁺.
    """

    q_star: np.ndarray
    chi1: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    iterations: int
    steps: np.ndarray = None


# ---------------------------------------------------------------------------------------------
# Recursions
# ---------------------------------------------------------------------------------------------
def _forward(provs, sw, sb, depth, h1, h2, correlations):
    """The forward pass; also returns the derivative kernels of each hidden layer (the fused
    ``layer(a, b)`` of a provider gives all four at once), which the backward pass reuses."""
    shape = np.broadcast_shapes(h1.shape, h2.shape, *(a.shape for a in sw + sb))
    q1: list = [None] * (depth + 1)
    q2: list = [None] * (depth + 1)
    qh1: list = [None] * (depth + 1)
    qh2: list = [None] * (depth + 1)
    primes: list = [None] * (depth + 1)
    qh1[0] = np.broadcast_to(h1, shape).astype(float)
    qh2[0] = np.broadcast_to(h2, shape).astype(float) if correlations else None
    for l in range(1, depth + 1):
        q1[l] = _full(sw[l - 1] * qh1[l - 1] + sb[l - 1], shape)
        if correlations:
            q2[l] = _full(sw[l - 1] * qh2[l - 1] + sb[l - 1], shape)
            q2[l] = _clip_overlap(q1[l], q2[l], f"layer {l}")
        if l == depth:
            break  # the output u^L is linear: no activation moments at layer L
        prov = provs[l - 1]
        fast = getattr(prov, "layer_unchecked", None) if correlations else None
        if fast is not None:
            if not np.all(q1[l] > 0):
                raise ValueError(f"layer {l}: the variance q_1 must be > 0 (a variance), got "
                                 f"{float(np.min(q1[l]))!r}")
            qh1[l], d1, qh2[l], d2 = fast(q1[l], q2[l])
            primes[l] = (d1, d2)
        elif correlations and getattr(prov, "layer", None) is not None:
            qh1[l], d1, qh2[l], d2 = prov.layer(q1[l], q2[l])
            primes[l] = (d1, d2)
        else:
            qh1[l] = np.asarray(prov.one_point(q1[l]), dtype=float)
            if correlations:
                qh2[l] = np.asarray(prov.two_point(q1[l], q2[l]), dtype=float)
        if correlations:
            qh2[l] = _clip_overlap(qh1[l], qh2[l], f"layer {l} (activation overlap)")
    return q1, q2, qh1, qh2, primes


def _inputs(sigma_w2, sigma_b2, depth, qhat1_0, qhat2_0):
    depth = checks.depth(depth)
    sw = checks.layer_values(sigma_w2, depth, "sigma_w2")
    sb = checks.layer_values(sigma_b2, depth, "sigma_b2")
    h1 = checks.variance_array(qhat1_0, "qhat1_0")
    h2 = checks.real_array(qhat2_0, "qhat2_0")
    if np.any(np.abs(h2) > h1):
        raise ValueError("input overlap qhat2_0 must satisfy |qhat2_0| <= qhat1_0")
    return depth, sw, sb, h1, h2


def forward(kernels, sigma_w2, sigma_b2, depth: int, qhat1_0=1.0, qhat2_0=0.0,
            correlations: bool = True):
    """Forward order parameters (Pathological spectra Eq. 15; Universal statistics Eqs. 9–10).

    Parameters
    ----------
    kernels : provider, activation, or list of L−1 of them (one per hidden layer)
    sigma_w2, sigma_b2 : array_like or list of L array_likes
        Weight and bias variances (per layer when given as a list).
    depth : int
        L >= 1, the number of weight layers (L − 1 hidden layers).
    qhat1_0, qhat2_0 : array_like
        Input order parameters ``q̂_1^0`` (default 1) and ``q̂_2^0`` (default 0),
        with ``|q̂_2^0| <= q̂_1^0``.
    correlations : bool
        Also run the two-sample overlap recursion (``q_2``, ``q̂_2``).

    Returns
    -------
    q1, q2, qhat1, qhat2 : lists indexed 0..L (None where undefined, see OrderParameters)
    """
    depth, sw, sb, h1, h2 = _inputs(sigma_w2, sigma_b2, depth, qhat1_0, qhat2_0)
    provs = _layer_kernels(kernels, depth)
    return _forward(provs, sw, sb, depth, h1, h2, correlations)[:4]


def _backward(provs, sw, q1, q2, depth, correlations, primes=None):
    shape = np.shape(q1[depth])
    qt1: list = [None] * (depth + 1)
    qt2: list = [None] * (depth + 1)
    qt1[depth] = np.ones(shape)
    qt2[depth] = np.ones(shape) if correlations else None
    for l in range(depth - 1, 0, -1):
        prov = provs[l - 1]
        if primes is not None and primes[l] is not None:
            d1, d2 = primes[l]
        else:
            d1 = np.asarray(prov.one_point_prime(q1[l]), dtype=float)
            d2 = np.asarray(prov.two_point_prime(q1[l], q2[l]), dtype=float) \
                if correlations else None
        with np.errstate(invalid="ignore"):
            qt1[l] = _full(sw[l] * qt1[l + 1] * d1, shape)
            if correlations:
                qt2[l] = _full(sw[l] * qt2[l + 1] * d2, shape)
        if np.any(np.isnan(qt1[l])) or (correlations and np.any(np.isnan(qt2[l]))):
            raise ValueError(f"layer {l}: the backward order parameter is 0·∞ (a zero weight "
                             "variance next to an infinite E[φ'²], e.g. the step function): "
                             "it is undefined there")
    return qt1, qt2


def backward(kernels, sigma_w2, q1, q2, depth: int, correlations: bool = True):
    """Backward order parameters (Pathological spectra Eq. 18; Universal statistics Eqs. 11–12).

    ``q̃_1^L = q̃_2^L = 1`` (linear outputs), then for l = L−1..1
    ``q̃_1^l = σ_{w,l+1}² q̃_1^{l+1} E[φ_l'(√q_1^l u)²]`` and
    ``q̃_2^l = σ_{w,l+1}² q̃_2^{l+1} I_{φ_l'}[q_1^l, q_2^l]``.

    Returns
    -------
    qtilde1, qtilde2 : lists indexed 0..L (index 0 is None)
    """
    depth = checks.depth(depth)
    sw = checks.layer_values(sigma_w2, depth, "sigma_w2")
    return _backward(_layer_kernels(kernels, depth), sw, q1, q2, depth, correlations)


def order_parameters(kernels, sigma_w2, sigma_b2, depth: int, qhat1_0=1.0, qhat2_0=0.0,
                     correlations: bool = True) -> OrderParameters:
    """All six order parameters of a depth-L network (forward then backward recursion).

    See :func:`forward` and :func:`backward` for the parameters.

    Examples
    --------
    A linear network has affine recursions (Universal statistics, supplement Eqs. B.13–B.16):
    ``q̂^l = σ_w² q̂^{l−1} + σ_b²`` and ``q̃^l = σ_w² q̃^{l+1}``.

    >>> class Linear:  # E[φ(√q u)²] = q, I_φ[a, b] = b, φ' = 1
    ...     one_point = staticmethod(lambda q: q)
    ...     one_point_prime = staticmethod(lambda q: 1.0 + 0 * q)
    ...     two_point = staticmethod(lambda a, b: b)
    ...     two_point_prime = staticmethod(lambda a, b: 1.0 + 0 * a)
    >>> op = order_parameters(Linear(), 2.0, 0.5, depth=3)
    >>> [float(v) for v in op.qhat1[:3]], [float(v) for v in op.qtilde1[1:]]
    ([1.0, 2.5, 5.5], [4.0, 2.0, 1.0])
    """
    depth, sw, sb, h1, h2 = _inputs(sigma_w2, sigma_b2, depth, qhat1_0, qhat2_0)
    provs = _layer_kernels(kernels, depth)
    q1, q2, qh1, qh2, primes = _forward(provs, sw, sb, depth, h1, h2, correlations)
    qt1, qt2 = _backward(provs, sw, q1, q2, depth, correlations, primes)
    return OrderParameters(
        depth=depth, q1=q1, q2=q2, qhat1=qh1, qhat2=qh2, qtilde1=qt1, qtilde2=qt2,
        sigma_w2=[None] + sw, sigma_b2=[None] + sb,
        shape=np.shape(q1[depth]))


#: Below this variance (relative to the starting one) an iterate of the bias-free map counts as
#: the fixed point q* = 0: the map is then q ↦ χ q + O(q²) with χ <= 1, so the iterates only
#: keep shrinking.
ZERO_VARIANCE = 1e-200
#: Relative step of the central difference for the slope of the variance map (Newton steps):
#: truncation ~1e-12, rounding ~1e-10 relative — ample for a root finder that checks |F(q) − q|.
_SLOPE_STEP = 1e-6
#: A converged iterate's Newton step is below this fraction of q.
_STEP_GUARD = 1e-6
#: |F(q) − q| at rounding level (a few ulps of q).
_ROUNDING = 8 * np.finfo(float).eps


def _bias_free(F, q, sw, free, start, tol, maxiter, done, steps):
    """Fixed points without biases, in place on the ``free`` points of q/done/steps.

    q = 0 is always a fixed point; the others are the roots of the ratio
    ``g(q) = F(q)/q − 1`` (simple even where F(q) − q has a double root at 0, χ₁ = 1).
    Where the iteration from ``start`` moves down (g(start) < 0) it ends at the largest root
    below ``start``: bracketed between ``ZERO_VARIANCE·start`` and ``start`` and found by the
    Illinois variant of regula falsi, or q* = 0 when g keeps its sign down to the bracket's
    lower end.  Where it moves up (g(start) > 0) the general iteration takes over.
    """
    idx = np.flatnonzero(free)
    w, hi = sw.flat[idx], start.flat[idx].copy()
    lo = ZERO_VARIANCE * hi
    with np.errstate(all="ignore"):
        g_hi = F(hi, w, 0.0) / hi - 1
        g_lo = F(lo, w, 0.0) / lo - 1
    exact = g_hi == 0
    to_zero = (g_hi < 0) & (g_lo <= 0)
    bracket = (g_hi < 0) & (g_lo > 0)
    np.put(q, idx[to_zero], 0.0)
    np.put(done, idx[to_zero | exact], True)
    b_idx = np.flatnonzero(bracket)
    a, fa, c, fc = lo[b_idx], g_lo[b_idx], hi[b_idx], g_hi[b_idx]
    ww = w[b_idx]
    found = np.zeros(a.shape, dtype=bool)
    root = np.array(c, copy=True)
    side = np.zeros(a.shape, dtype=int)
    for n in range(maxiter):
        with np.errstate(all="ignore"):
            m = (a * fc - c * fa) / (fc - fa)
        m = np.where(np.isfinite(m) & (m > a) & (m < c), m, 0.5 * (a + c))
        with np.errstate(all="ignore"):
            fm = F(m, ww, 0.0) / m - 1
        ok = ~found & ((np.abs(fm) <= tol) | (c - a <= tol * m))
        root = np.where(ok, m, root)
        found |= ok
        steps.flat[idx[b_idx[~found]]] += 1
        if np.all(found):
            break
        left = fm > 0                                   # the root lies in (m, c)
        a, fa = np.where(left, m, a), np.where(left, fm, fa)
        c, fc = np.where(left, c, m), np.where(left, fc, fm)
        fc = np.where(left & (side == 1), fc / 2, fc)        # Illinois: halve a stale end
        fa = np.where(~left & (side == -1), fa / 2, fa)
        side = np.where(left, 1, -1)
    np.put(q, idx[b_idx], root)
    np.put(done, idx[b_idx[found]], True)


def fixed_point(kernels, sigma_w2, sigma_b2, q_init=None, tol: float = 1e-13,
                maxiter: int = 2000) -> FixedPoint:
    """Fixed point q* of ``F(q) = σ_w² E[φ(√q u)²] + σ_b²`` and ``χ₁ = σ_w² E[φ'(√q* u)²]``.

    Poole et al. 2016 and Schoenholz et al. 2017 (cited in Pathological spectra): χ₁ = 1 is
    the order-to-chaos boundary.  Safeguarded Newton iteration on ``F(q) − q`` from ``q_init``
    (default: the first-layer variance ``σ_w² + σ_b²`` of unit-variance inputs), vectorised over
    the grid: a Newton step (slope of F by a central difference) where F' < 1 and the step stays
    positive, else the plain step ``q ← F(q)``.  Near χ₁ = 1, where the plain iteration slows to
    a crawl, Newton keeps converging; with σ_b² = 0 an iterate below ``ZERO_VARIANCE`` times the
    start is the fixed point q* = 0.  Converged where ``|F(q) − q| <= tol·q``.

    Parameters
    ----------
    kernels : provider or activation
    sigma_w2, sigma_b2 : array_like (broadcastable, >= 0)
    q_init : array_like, optional (> 0)
    tol : float, 0 < tol < 1
    maxiter : int >= 1

    Returns
    -------
    FixedPoint

    Examples
    --------
    ReLU: F(q) = σ_w² q/2 + σ_b², so q* = σ_b²/(1 − σ_w²/2) and χ₁ = σ_w²/2.

    >>> import meanfield_sym.generated.relu as relu
    >>> fp = fixed_point(relu, 1.5, 0.1)
    >>> round(float(fp.q_star), 12), float(fp.chi1), bool(fp.converged)
    (0.4, 0.75, True)
    """
    prov = resolve_kernels(kernels)
    tol = checks.positive_number(tol, "tol")
    if tol >= 1:
        raise ValueError(f"tol must be < 1 (a relative tolerance), got {tol!r}")
    maxiter = checks.positive_int(maxiter, "maxiter")
    sw = checks.variance_array(sigma_w2, "sigma_w2")
    sb = checks.variance_array(sigma_b2, "sigma_b2")
    shape = np.broadcast_shapes(sw.shape, sb.shape)
    sw = np.broadcast_to(sw, shape).astype(float)
    sb = np.broadcast_to(sb, shape).astype(float)
    start = (sw + sb) if q_init is None else np.broadcast_to(
        checks.variance_array(q_init, "q_init"), shape).astype(float)
    if np.any(start <= 0):
        raise ValueError("q_init must be > 0 (with sigma_w2 = sigma_b2 = 0 the variance is 0 "
                         "from the first layer on)")
    q = np.array(start, dtype=float, copy=True)
    done = np.zeros(shape, dtype=bool)
    diverged = np.zeros(shape, dtype=bool)
    steps = np.zeros(shape, dtype=int)
    residual = np.full(shape, np.nan)        # F(q) − q at the previous step
    last = np.full(shape, np.nan)            # the last finite iterate where q diverged
    mapping = getattr(prov, "variance_map", None)

    def F(qa, w, b):
        if callable(mapping):
            return np.asarray(mapping(qa, w, b), dtype=float)
        return w * np.asarray(prov.one_point(qa), dtype=float) + b

    free = (sb == 0) & (sw > 0)
    if np.any(free):
        _bias_free(F, q, sw, free, start, tol, maxiter, done, steps)

    for _ in range(maxiter):
        active = ~(done | diverged)
        if not np.any(active):
            break
        idx = np.flatnonzero(active)
        qa, w, b = q.flat[idx], sw.flat[idx], sb.flat[idx]
        f = F(qa, w, b)
        with np.errstate(all="ignore"):
            slope = (F(qa * (1 + _SLOPE_STEP), w, b) - F(qa * (1 - _SLOPE_STEP), w, b)) \
                / (2 * _SLOPE_STEP * qa)
            newton = qa - (f - qa) / (slope - 1)
        use = (slope < 1) & np.isfinite(newton) & (newton > 0)
        new = np.where(use, newton, f)
        # converged on the residual; the step guard keeps a flat stretch of F from passing for
        # a root (near χ₁ = 1 the residual's rounding moves Newton by ~tol/(1 − F'), which is
        # the conditioning of q*, not a failure to converge)
        conv = (np.abs(f - qa) <= tol * qa) & (np.abs(new - qa) <= _STEP_GUARD * qa) \
            & (use | (np.abs(f - qa) <= _ROUNDING * qa))  # no Newton step: F' >= 1, not a root
        #                                                   unless F(q) = q to rounding
        zero = np.zeros(qa.shape, dtype=bool)
        # F' >= 1 with a constant positive residual: F(q) = q + const, growing without bound
        h = f - qa
        linear = (~use) & (h > 0) & (np.abs(h - residual.flat[idx]) <= _ROUNDING * np.abs(h))
        residual.flat[idx] = h
        div = ~np.isfinite(new) | (new > 1e100) | linear
        stop = conv | zero
        steps.flat[idx] += ~stop
        q.flat[idx] = np.where(zero, 0.0, np.where(conv, qa, np.where(div, np.inf, new)))
        np.put(done, idx[stop], True)
        np.put(diverged, idx[div & ~stop], True)
        np.put(last, idx[div & ~stop], qa[div & ~stop])
    chi = np.full(shape, np.inf)
    fin = ~diverged
    if np.any(fin):
        at = np.where(q[fin] > 0, q[fin], ZERO_VARIANCE * start[fin])  # q* = 0: the limit
        chi[fin] = sw[fin] * np.asarray(prov.one_point_prime(at), dtype=float)
    chi[diverged] = _chi1_at_infinity(prov, sw[diverged], last[diverged])
    return FixedPoint(q_star=q, chi1=chi, converged=done, diverged=diverged,
                      iterations=int(steps.max(initial=0)), steps=steps)


def _chi1_at_infinity(prov, sw, q_last):
    """lim_{q→∞} σ_w² E[φ'(√q u)²] where the variance diverges: the value at the last finite
    iterate when E[φ'²] no longer changes there (to 1e-12 over a factor 10 in q: positively
    homogeneous φ, e.g. σ_w²/2 for ReLU on its critical line χ₁ = 1 with σ_b² > 0), else ∞."""
    out = np.full(sw.shape, np.inf)
    ok = np.isfinite(q_last) & (q_last > 0)
    if not np.any(ok):
        return out
    try:
        with np.errstate(all="ignore"):
            v1 = np.asarray(prov.one_point_prime(q_last[ok]), dtype=float)
            v2 = np.asarray(prov.one_point_prime(10 * q_last[ok]), dtype=float)
    except ValueError:            # outside the kernel's domain, or not representable
        return out
    flat = np.isfinite(v2) & (np.abs(v2 - v1) <= 1e-12 * np.abs(v2))
    out[ok] = np.where(flat, sw[ok] * v2, np.inf)
    return out


def chi1(kernels, sigma_w2, q) -> np.ndarray:
    """``χ₁ = σ_w² E[φ'(√q u)²]`` at a given variance q (usually the fixed point q*)."""
    prov = resolve_kernels(kernels)
    sw = checks.variance_array(sigma_w2, "sigma_w2")
    qq = checks.variance_array(q, "q")
    return sw * np.asarray(prov.one_point_prime(qq), dtype=float)
