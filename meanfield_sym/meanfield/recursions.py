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
production it is :func:`meanfield_sym.kernels.engine.kernels_for`; an activation name, SymPy
expression or :class:`~meanfield_sym.activation.function.Activation` is resolved through it lazily.

Everything is vectorised: ``sigma_w2`` / ``sigma_b2`` (and the input order parameters) may be
any broadcastable arrays, e.g. a (σ_w², σ_b²) grid.  Per-layer values are given as a Python
``list``/``tuple`` of length L (one broadcastable array per layer); a NumPy array always means
"the same value in every layer, over a grid".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

__all__ = ["OrderParameters", "FixedPoint", "resolve_kernels", "layer_values",
           "forward", "backward", "order_parameters", "fixed_point", "chi1"]

_KERNEL_METHODS = ("one_point", "one_point_prime", "two_point", "two_point_prime")

#: Relative excess of a computed overlap over its variance that is still read as rounding
#: (q_2 = q_1 when the two inputs coincide); larger excesses are reported as errors.
ROUNDING_SLACK = 1e-12


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------
def _is_provider(obj) -> bool:
    return all(callable(getattr(obj, m, None)) for m in _KERNEL_METHODS)


def resolve_kernels(spec):
    """A kernel provider from a provider, an Activation, a name or an expression.

    Parameters
    ----------
    spec : provider, Activation, str or sympy.Expr
        An object with the four kernel methods is returned unchanged; anything else is turned
        into an activation (:func:`meanfield_sym.activation.function.get_activation`) and resolved with
        :func:`meanfield_sym.kernels.engine.kernels_for` (imported only now).
    """
    if _is_provider(spec):
        return spec
    from meanfield_sym.activation.function import get_activation
    act = get_activation(spec)
    from meanfield_sym.kernels.engine import kernels_for  # lazy: the engine is only needed for real activations
    return kernels_for(act)


def _check_depth(depth) -> int:
    if isinstance(depth, (bool, np.bool_)) or not isinstance(depth, (int, np.integer)):
        raise ValueError(f"depth must be an integer >= 1, got {depth!r}")
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    return int(depth)


def _as_float_array(value, name: str, nonnegative: bool = True) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if nonnegative and np.any(arr < 0):
        raise ValueError(f"{name} is a variance and must be >= 0, got {np.min(arr)!r}")
    return arr


def layer_values(value, depth: int, name: str, nonnegative: bool = True) -> list[np.ndarray]:
    """Per-layer values ``[v_1, ..., v_L]`` from one broadcastable value or a list of L.

    A ``list``/``tuple`` is read as one entry per layer (its length must be ``depth``);
    anything else (a number or a NumPy array) is the same value in every layer.
    """
    depth = _check_depth(depth)
    if isinstance(value, (list, tuple)):
        if len(value) != depth:
            raise ValueError(f"{name}: {len(value)} per-layer values given for depth {depth} "
                             f"(need one per layer l = 1..{depth})")
        return [_as_float_array(v, f"{name}[layer {i + 1}]", nonnegative)
                for i, v in enumerate(value)]
    arr = _as_float_array(value, name, nonnegative)
    return [arr] * depth


def _layer_kernels(activation, depth: int) -> list:
    """Providers for the hidden layers 1..L−1 (one spec, or a list of L−1 specs)."""
    if isinstance(activation, (list, tuple)):
        if len(activation) != depth - 1:
            raise ValueError(f"{len(activation)} per-layer activations given for depth {depth} "
                             f"(need one per hidden layer l = 1..{depth - 1})")
        cache: dict[int, Any] = {}
        out = []
        for a in activation:
            key = id(a)
            if key not in cache:
                cache[key] = resolve_kernels(a)
            out.append(cache[key])
        return out
    if depth == 1:
        return []
    prov = resolve_kernels(activation)
    return [prov] * (depth - 1)


def _clip_overlap(q1: np.ndarray, q2: np.ndarray, where: str) -> np.ndarray:
    """Clip |q2| <= q1 where the excess is rounding; raise if it is more than that."""
    excess = np.abs(q2) - q1
    bad = excess > ROUNDING_SLACK * np.maximum(q1, np.finfo(float).tiny)
    if np.any(bad):
        raise ValueError(f"{where}: overlap exceeds the variance (|q2| > q1) beyond rounding; "
                         "check the input order parameters")
    return np.clip(q2, -q1, q1)


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

    ``converged`` is False where the iteration did not settle within ``maxiter`` steps;
    ``diverged`` is True where q grew past ``1e100`` (no finite fixed point; ``q_star`` and
    ``chi1`` are ``inf`` there).
    """

    q_star: np.ndarray
    chi1: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    iterations: int


# ---------------------------------------------------------------------------------------------
# Recursions
# ---------------------------------------------------------------------------------------------
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
    depth = _check_depth(depth)
    sw = layer_values(sigma_w2, depth, "sigma_w2")
    sb = layer_values(sigma_b2, depth, "sigma_b2")
    h1 = _as_float_array(qhat1_0, "qhat1_0")
    h2 = _as_float_array(qhat2_0, "qhat2_0", nonnegative=False)
    if np.any(np.abs(h2) > h1):
        raise ValueError("input overlap qhat2_0 must satisfy |qhat2_0| <= qhat1_0")
    provs = _layer_kernels(kernels, depth)
    shape = np.broadcast_shapes(h1.shape, h2.shape, *(a.shape for a in sw + sb))
    q1: list = [None] * (depth + 1)
    q2: list = [None] * (depth + 1)
    qh1: list = [None] * (depth + 1)
    qh2: list = [None] * (depth + 1)
    qh1[0] = np.broadcast_to(h1, shape).astype(float)
    qh2[0] = np.broadcast_to(h2, shape).astype(float) if correlations else None
    for l in range(1, depth + 1):
        q1[l] = sw[l - 1] * qh1[l - 1] + sb[l - 1]
        q1[l] = np.broadcast_to(q1[l], shape).astype(float)
        if correlations:
            q2[l] = np.broadcast_to(sw[l - 1] * qh2[l - 1] + sb[l - 1], shape).astype(float)
            q2[l] = _clip_overlap(q1[l], q2[l], f"layer {l}")
        if l == depth:
            break  # the output u^L is linear: no activation moments at layer L
        prov = provs[l - 1]
        qh1[l] = np.asarray(prov.one_point(q1[l]), dtype=float)
        if correlations:
            qh2[l] = np.asarray(prov.two_point(q1[l], q2[l]), dtype=float)
            qh2[l] = _clip_overlap(qh1[l], qh2[l], f"layer {l} (activation overlap)")
    return q1, q2, qh1, qh2


def backward(kernels, sigma_w2, q1, q2, depth: int, correlations: bool = True):
    """Backward order parameters (Pathological spectra Eq. 18; Universal statistics Eqs. 11–12).

    ``q̃_1^L = q̃_2^L = 1`` (linear outputs), then for l = L−1..1
    ``q̃_1^l = σ_{w,l+1}² q̃_1^{l+1} E[φ_l'(√q_1^l u)²]`` and
    ``q̃_2^l = σ_{w,l+1}² q̃_2^{l+1} I_{φ_l'}[q_1^l, q_2^l]``.

    Returns
    -------
    qtilde1, qtilde2 : lists indexed 0..L (index 0 is None)
    """
    depth = _check_depth(depth)
    sw = layer_values(sigma_w2, depth, "sigma_w2")
    provs = _layer_kernels(kernels, depth)
    shape = np.shape(q1[depth])
    qt1: list = [None] * (depth + 1)
    qt2: list = [None] * (depth + 1)
    qt1[depth] = np.ones(shape)
    qt2[depth] = np.ones(shape) if correlations else None
    for l in range(depth - 1, 0, -1):
        prov = provs[l - 1]
        qt1[l] = sw[l] * qt1[l + 1] * np.asarray(prov.one_point_prime(q1[l]), dtype=float)
        qt1[l] = np.broadcast_to(qt1[l], shape).astype(float)
        if correlations:
            qt2[l] = sw[l] * qt2[l + 1] * np.asarray(prov.two_point_prime(q1[l], q2[l]),
                                                     dtype=float)
            qt2[l] = np.broadcast_to(qt2[l], shape).astype(float)
    return qt1, qt2


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
    q1, q2, qh1, qh2 = forward(kernels, sigma_w2, sigma_b2, depth, qhat1_0, qhat2_0,
                               correlations)
    qt1, qt2 = backward(kernels, sigma_w2, q1, q2, depth, correlations)
    depth = int(depth)
    return OrderParameters(
        depth=depth, q1=q1, q2=q2, qhat1=qh1, qhat2=qh2, qtilde1=qt1, qtilde2=qt2,
        sigma_w2=[None] + layer_values(sigma_w2, depth, "sigma_w2"),
        sigma_b2=[None] + layer_values(sigma_b2, depth, "sigma_b2"),
        shape=np.shape(q1[depth]))


def fixed_point(kernels, sigma_w2, sigma_b2, q_init=None, tol: float = 1e-13,
                maxiter: int = 5000) -> FixedPoint:
    """Fixed point q* of ``q ↦ σ_w² E[φ(√q u)²] + σ_b²`` and ``χ₁ = σ_w² E[φ'(√q* u)²]``.

    Poole et al. / Schoenholz et al. (cited as [18, 19] in Pathological spectra): χ₁ = 1 is
    the order-to-chaos boundary.  Plain fixed-point iteration from ``q_init`` (default: the
    first-layer variance ``σ_w² + σ_b²`` of unit-variance inputs), vectorised over the grid;
    stops where successive iterates agree to ``tol`` (relative).

    Parameters
    ----------
    kernels : provider or activation
    sigma_w2, sigma_b2 : array_like (broadcastable, >= 0)
    q_init : array_like, optional
    tol : float
    maxiter : int

    Returns
    -------
    FixedPoint
    """
    prov = resolve_kernels(kernels)
    sw = _as_float_array(sigma_w2, "sigma_w2")
    sb = _as_float_array(sigma_b2, "sigma_b2")
    shape = np.broadcast_shapes(sw.shape, sb.shape)
    sw = np.broadcast_to(sw, shape).astype(float)
    sb = np.broadcast_to(sb, shape).astype(float)
    q = (sw + sb) if q_init is None else np.broadcast_to(
        _as_float_array(q_init, "q_init"), shape).astype(float)
    q = np.array(q, dtype=float, copy=True)
    done = np.zeros(shape, dtype=bool)
    diverged = np.zeros(shape, dtype=bool)
    it = 0
    for it in range(1, maxiter + 1):
        active = ~(done | diverged)
        if not np.any(active):
            break
        qa = q[active]
        new = sw[active] * np.asarray(prov.one_point(qa), dtype=float) + sb[active]
        conv = np.abs(new - qa) <= tol * np.maximum(np.abs(new), 1e-300)
        div = ~np.isfinite(new) | (new > 1e100)
        q[active] = np.where(div, np.inf, new)
        idx = np.flatnonzero(active)
        np.put(done, idx[conv & ~div], True)
        np.put(diverged, idx[div], True)
    chi = np.full(shape, np.inf)
    fin = ~diverged
    if np.any(fin):
        chi[fin] = sw[fin] * np.asarray(prov.one_point_prime(q[fin]), dtype=float)
    return FixedPoint(q_star=q, chi1=chi, converged=done, diverged=diverged, iterations=it)


def chi1(kernels, sigma_w2, q) -> np.ndarray:
    """``χ₁ = σ_w² E[φ'(√q u)²]`` at a given variance q (usually the fixed point q*)."""
    prov = resolve_kernels(kernels)
    sw = _as_float_array(sigma_w2, "sigma_w2")
    qq = _as_float_array(q, "q")
    return sw * np.asarray(prov.one_point_prime(qq), dtype=float)
