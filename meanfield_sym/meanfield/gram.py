r"""Gram matrices of a dataset: the mean-field recursions for every pair of inputs.

For inputs :math:`x_1, \dots, x_N \in \mathbb R^d` (any norms) the input order parameters are
the matrix :math:`\hat q^0(n, m) = x_n \cdot x_m / d`, and the recursions of *Pathological
spectra* Eqs. (15)–(18) (*Universal statistics* Eqs. (9)–(12)) run entry by entry with the
kernels of two variances (:mod:`meanfield_sym.kernels.pair`):

.. math::

    q^l(n, m) &= \sigma_{w,l}^2\, \hat q^{l-1}(n, m) + \sigma_{b,l}^2 \qquad (l = 1..L),\\
    \hat q^l(n, m) &= I_{\phi}[q^l(n,n), q^l(m,m), q^l(n,m)] \qquad (l = 1..L-1),\\
    \tilde q^L(n, m) &= 1, \qquad
    \tilde q^l(n, m) = \sigma_{w,l+1}^2\, \tilde q^{l+1}(n, m)\,
        I_{\phi'}[q^l(n,n), q^l(m,m), q^l(n,m)] \qquad (l = L-1..1),

with the one-point kernels on the diagonals (:math:`\hat q^l(n,n) = E[\phi(\sqrt{q^l(n,n)}u)^2]`,
likewise :math:`\tilde q`).  The papers' order parameters are the special case of equal norms
and one overlap for all pairs: then :math:`q^l(n,n) = q_1^l` and :math:`q^l(n,m) = q_2^l`
(n ≠ m), and so on — :func:`gram` reproduces
:func:`~meanfield_sym.meanfield.recursions.order_parameters` exactly there.

From these (to leading order in the width M, biases' O(1/M) share dropped where the papers
drop it):

* the **NNGP** kernel of the outputs, :math:`q^L`;
* the **NTK** in the NTK parameterisation (*Pathological spectra* Sec. 4.1, App. C),
  :math:`\Theta(n, m) = \sum_{l=1}^L \tilde q^l(n, m)\, q^l(n, m)` (= Σ_l q̃^l (σ_w² q̂^{l−1} + σ_b²));
* the NTK in the standard parameterisation per unit width,
  :math:`\Theta_{std}/M = \sum_l \alpha_{l-1} \tilde q^l \hat q^{l-1} = \alpha K`
  (plus :math:`\sum_l \tilde q^l / M` from the biases when the width M is given);
* the **Fisher dual** :math:`K(n, m) = \sum_{l=1}^L (\alpha_{l-1}/\alpha)\, \tilde q^l(n, m)\,
  \hat q^{l-1}(n, m)`, whose C copies scaled by :math:`\alpha M/N` are the dual matrix
  :math:`F^* = R^T R` of the Fisher information (*Pathological spectra* App. A.1, Eq. (A.3);
  *Universal statistics* supplement A.1): the matrix :math:`(\kappa_1 - \kappa_2) I + \kappa_2
  1 1^T` of the papers with κ₁, κ₂ replaced by the entries of K.

Memory: the result holds the 3L matrices q, q̂, q̃ and three more (N × N float64 each); the
peak is about :func:`peak_bytes` = (3L + 6)·8N² bytes plus the kernels' row blocks of
:data:`~meanfield_sym.kernels.pair.MATRIX_CHUNK` entries (only the upper triangle of each
kernel matrix is evaluated).
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np

from meanfield_sym import checks

__all__ = ["GramResult", "gram", "input_overlaps", "load_inputs", "check_overlaps",
           "peak_bytes", "PARAMETERIZATIONS"]

PARAMETERIZATIONS = ("standard", "ntk")


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------
def load_inputs(path: str) -> np.ndarray:
    """An N × d array of inputs from a ``.npy`` or ``.csv`` file (one input per row), checked
    by :func:`check_inputs`; every problem is one line (ValueError)."""
    arr = checks.read_array(path, "--inputs")
    return check_inputs(arr, path)


def check_inputs(x, what: str = "inputs") -> np.ndarray:
    """``x`` as a float N × d array with N >= 2, d >= 1, real finite rows and squared norms
    |x|²/d representable in float64 (neither overflowing nor underflowing to 0); one line
    for each problem (ValueError)."""
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                   or arr.dtype == bool):
        raise ValueError(f"{what}: the inputs must be numbers, got an array of {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{what}: the inputs must be real numbers, got an array of "
                         f"{arr.dtype}")
    arr = arr.astype(float)
    if arr.ndim != 2:
        raise ValueError(f"{what}: the inputs must be a 2-d array (N inputs × d features), got "
                         f"shape {arr.shape}")
    N, d = arr.shape
    if N < 2:
        raise ValueError(f"{what}: need at least 2 inputs (rows), got {N}")
    if d < 1:
        raise ValueError(f"{what}: the inputs have no features (d = 0)")
    bad = ~np.all(np.isfinite(arr), axis=1)
    if np.any(bad):
        rows = np.flatnonzero(bad)
        more = f" (and {rows.size - 1} more)" if rows.size > 1 else ""
        raise ValueError(f"{what}: row {int(rows[0])}{more} holds NaN or infinite values")
    if np.any(~np.any(arr != 0, axis=1)):
        i = int(np.flatnonzero(~np.any(arr != 0, axis=1))[0])
        raise ValueError(f"{what}: row {i} is zero (an input of norm 0 has no direction); "
                         "remove it")
    with np.errstate(over="ignore", under="ignore"):
        sq = np.einsum("nd,nd->n", arr, arr) / d
    if not np.all(np.isfinite(sq)):
        i = int(np.flatnonzero(~np.isfinite(sq))[0])
        raise ValueError(f"{what}: row {i} is too large: |x|²/d overflows float64 (largest "
                         f"|entry| {float(np.max(np.abs(arr[i]))):.3g}); rescale the inputs")
    if np.any(sq == 0):
        i = int(np.flatnonzero(sq == 0)[0])
        raise ValueError(f"{what}: row {i} is too small: |x|²/d underflows to 0 in float64 "
                         f"(largest |entry| {float(np.max(np.abs(arr[i]))):.3g}); rescale the "
                         "inputs")
    return arr


def input_overlaps(x) -> np.ndarray:
    r""":math:`\hat q^0 = X X^T / d` (symmetrised exactly) for N × d inputs X."""
    x = check_inputs(x)
    g = (x @ x.T) / x.shape[1]
    return 0.5 * (g + g.T)


def check_overlaps(qhat0, what: str = "qhat0") -> np.ndarray:
    r"""A symmetric N × N matrix with a positive diagonal and
    :math:`\hat q(n,m)^2 \le \hat q(n,n)\hat q(m,m)` (an excess of at most
    :data:`meanfield_sym.checks.ROUNDING_SLACK` relative is rounding and clipped)."""
    g = checks.real_array(qhat0, what)
    if g.ndim != 2 or g.shape[0] != g.shape[1]:
        raise ValueError(f"{what} must be a square N × N matrix, got shape {g.shape}")
    if g.shape[0] < 2:
        raise ValueError(f"{what}: need at least 2 inputs, got {g.shape[0]}")
    asym = np.max(np.abs(g - g.T))
    if asym > checks.ROUNDING_SLACK * np.max(np.abs(g)):
        raise ValueError(f"{what} must be symmetric (largest |q(n,m) - q(m,n)| = {asym:.3g})")
    g = 0.5 * (g + g.T)
    d = np.diag(g)
    if np.any(d <= 0):
        raise ValueError(f"{what}: the diagonal (the inputs' squared norms / d) must be > 0, got "
                         f"{float(d.min())!r} at input {int(np.argmin(d))}")
    s = np.sqrt(d)
    bound = s[:, None] * s[None, :]
    excess = np.abs(g) - bound
    bad = excess > checks.ROUNDING_SLACK * bound
    if np.any(bad):
        n, m = np.unravel_index(np.argmax(np.where(bad, excess / bound, -np.inf)), g.shape)
        raise ValueError(f"{what}: q(n,m)^2 > q(n,n) q(m,m) beyond rounding at inputs n={n}, "
                         f"m={m} (not a Gram matrix of real inputs)")
    return np.clip(g, -bound, bound)


def peak_bytes(N: int, depth: int) -> int:
    """Peak memory of :func:`gram` in bytes, apart from the kernels' row blocks:
    (3L + 6) N × N float64 matrices."""
    return (3 * depth + 6) * 8 * N * N


# ---------------------------------------------------------------------------------------------
# The recursion
# ---------------------------------------------------------------------------------------------
@dataclass
class GramResult:
    """Per-layer Gram matrices of one network on N inputs.

    The per-layer lists are indexed by layer l, ``None`` where undefined, as in
    :class:`~meanfield_sym.meanfield.recursions.OrderParameters`.

    Attributes
    ----------
    q : list
        ``q[l]``, l = 1..L: pre-activation covariances (N × N).
    qhat : list
        ``qhat[l]``, l = 0..L−1: activation overlaps (``qhat[0]`` = X Xᵀ/d).
    qtilde : list
        ``qtilde[l]``, l = 1..L: backward overlaps (``qtilde[L]`` = 1).
    sigma_w2, sigma_b2 : list
        Per-layer variances, index 1..L.
    widths : ndarray
        α_0..α_{L−1}.
    """

    depth: int
    q: list
    qhat: list
    qtilde: list
    sigma_w2: list
    sigma_b2: list
    widths: np.ndarray
    meta: dict = field(default_factory=dict)

    @property
    def N(self) -> int:
        return self.qhat[0].shape[0]

    @property
    def alpha(self) -> float:
        """α = Σ_{l=1}^{L−1} α_l α_{l−1} (0 for depth 1)."""
        a = self.widths
        return float(np.sum(a[1:] * a[:-1]))

    @property
    def nngp(self) -> np.ndarray:
        """q^L: the outputs' covariance (NNGP kernel)."""
        return self.q[self.depth]

    def ntk(self, parameterization: str = "ntk", width=None) -> np.ndarray:
        r"""The NTK :math:`\Theta = \nabla_\theta f^T \nabla_\theta f` (one output).

        ``'ntk'``: :math:`\sum_l \tilde q^l\,(\sigma_{w,l}^2 \hat q^{l-1} + \sigma_{b,l}^2)`
        (*Pathological spectra* Sec. 4.1).  ``'standard'``: without ``width``, the leading
        order per unit width :math:`\Theta/M = \sum_l \alpha_{l-1} \tilde q^l \hat q^{l-1}`;
        with ``width`` M, :math:`\Theta = \sum_l \tilde q^l (\alpha_{l-1} M \hat q^{l-1} + 1)`
        (weights and biases).
        """
        if parameterization not in PARAMETERIZATIONS:
            raise ValueError(f"parameterization must be one of {PARAMETERIZATIONS}, got "
                             f"{parameterization!r}")
        L = self.depth
        out = np.zeros((self.N, self.N))
        for l in range(1, L + 1):
            if parameterization == "ntk":
                out += self.qtilde[l] * self.q[l]
            elif width is None:
                out += self.widths[l - 1] * (self.qtilde[l] * self.qhat[l - 1])
            else:
                M = checks.positive_number(width, "width M")
                out += self.qtilde[l] * (self.widths[l - 1] * M * self.qhat[l - 1] + 1.0)
        return out

    def fisher_dual(self) -> np.ndarray:
        r""":math:`K(n, m) = \sum_l (\alpha_{l-1}/\alpha)\, \tilde q^l(n, m)\, \hat q^{l-1}(n, m)`
        (the dual of the Fisher information is C copies of :math:`(\alpha M/N) K`); needs
        depth >= 2 (α > 0)."""
        a = self.alpha
        if a <= 0:
            raise ValueError("depth 1 has no hidden layer (alpha = 0): the Fisher dual of the "
                             "papers needs depth >= 2")
        out = np.zeros((self.N, self.N))
        for l in range(1, self.depth + 1):
            out += (self.widths[l - 1] / a) * (self.qtilde[l] * self.qhat[l - 1])
        return out

    def stacks(self) -> dict:
        """``q``, ``qhat``, ``qtilde`` as L × N × N arrays (layers 1..L, 0..L−1, 1..L)."""
        L = self.depth
        return {"q": np.stack([self.q[l] for l in range(1, L + 1)]),
                "qhat": np.stack([self.qhat[l] for l in range(L)]),
                "qtilde": np.stack([self.qtilde[l] for l in range(1, L + 1)])}


def _progress(enabled, start, text):
    if enabled and time.perf_counter() - start > 2.0:
        print(f"meanfield-sym gram: {text} ({time.perf_counter() - start:.1f} s)",
              file=sys.stderr, flush=True)


def gram(activation, inputs=None, sigma_w2=1.0, sigma_b2=0.0, depth: int = 2, *, qhat0=None,
         widths=None, progress: bool = False, chunk: int | None = None) -> GramResult:
    r"""Per-layer NNGP, backward and Fisher-dual Gram matrices of N inputs.

    Generalises :func:`meanfield_sym.meanfield.recursions.order_parameters` (*Pathological
    spectra* Eqs. (15)–(18)) from one diagonal value and one overlap shared by all inputs to the
    full matrix :math:`\hat q^0(n, m) = x_n\cdot x_m/d` (see the module docstring).

    Parameters
    ----------
    activation : activation spec or :class:`~meanfield_sym.kernels.pair.PairKernels`
        φ of the hidden layers (anything :func:`~meanfield_sym.activation.function.get_activation`
        accepts).
    inputs : (N, d) array, optional
        The inputs (any norms); or give ``qhat0``.
    sigma_w2, sigma_b2 : float or list of L floats
    depth : int
        L >= 1 weight layers.
    qhat0 : (N, N) array, optional
        The input overlaps directly (checked by :func:`check_overlaps`).
    widths : sequence of L floats, optional
        α_0..α_{L−1} (default all ones), used by :meth:`GramResult.fisher_dual` and the
        standard-parameterisation NTK.
    progress : bool
        Progress lines on stderr once the work takes more than 2 s.
    chunk : int, optional
        Entries per block of the kernel evaluation
        (default :data:`~meanfield_sym.kernels.pair.MATRIX_CHUNK`).

    Returns
    -------
    GramResult

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 3.0]])
    >>> g = gram("relu", X, 2.0, 0.1, depth=3)
    >>> g.nngp.shape, bool(np.allclose(g.nngp, g.nngp.T))
    ((3, 3), True)
    """
    from meanfield_sym.kernels.pair import MATRIX_CHUNK, PairKernels, pair_kernels
    from meanfield_sym.meanfield.fisher import width_ratios
    start = time.perf_counter()
    L = checks.depth(depth)
    sw = [float(v) for v in checks.layer_values(sigma_w2, L, "sigma_w2")]
    sb = [float(v) for v in checks.layer_values(sigma_b2, L, "sigma_b2")]
    al = width_ratios(widths, L)
    if (inputs is None) == (qhat0 is None):
        raise ValueError("give the inputs X (N × d) or the input overlaps qhat0 (N × N), not "
                         "both")
    g0 = input_overlaps(inputs) if inputs is not None else check_overlaps(qhat0)
    pk = activation if isinstance(activation, PairKernels) else pair_kernels(activation)
    chunk = MATRIX_CHUNK if chunk is None else checks.positive_int(chunk, "chunk")
    q = [None] * (L + 1)
    qhat = [None] * (L + 1)
    qtilde = [None] * (L + 1)
    primes = [None] * (L + 1)
    qhat[0] = g0
    for l in range(1, L + 1):
        q[l] = sw[l - 1] * qhat[l - 1] + sb[l - 1]
        if l == L:
            break
        qhat[l], primes[l] = pk.layer_matrices(q[l], chunk=chunk)
        _progress(progress, start, f"layer {l} of {L}")
    qtilde[L] = np.ones_like(g0)
    for l in range(L - 1, 0, -1):
        qtilde[l] = sw[l] * qtilde[l + 1] * primes[l]
        primes[l] = None
    _progress(progress, start, "done")
    return GramResult(depth=L, q=q, qhat=qhat, qtilde=qtilde, sigma_w2=[None] + sw,
                      sigma_b2=[None] + sb, widths=al,
                      meta={"seconds": time.perf_counter() - start,
                            "activation": pk.activation.name or str(pk.activation.expr),
                            "routes": dict(pk.route)})
