"""The finite-width witness: random networks and the exact matrices of their Fisher geometry.

This module samples finite networks and computes, *exactly at finite width*, the matrices whose
wide-network statistics the three papers predict.  It uses only :mod:`meanfield_sym.activation.function`
(the activation's NumPy evaluation) and the definitions -- never a closed-form kernel or a
mean-field recursion -- so that it can judge them.

Network (Karakida, Akaho & Amari, *Pathological spectra of the Fisher information metric and its
variants in deep neural networks* [PS], Eqs. (1)-(7); *Universal statistics of Fisher
information in deep neural networks* [US], Sec. 2.2-2.3)::

    h^0 = x,   u^l = W^l h^{l-1} + b^l,   h^l = φ_l(u^l)   (l = 1..L-1),   f = u^L  (C outputs)

with widths M_0 (input), M_1..M_{L-1} (hidden), M_L = C, and either

* the **standard** parameterisation, θ = {W^l, b^l}, W^l_ij ~ N(0, σ_w²/M_{l-1}),
  b^l_i ~ N(0, σ_b²) ([PS] Eq. (6)), or
* the **NTK** parameterisation, θ = {ω^l, β^l}, W^l = σ_w ω^l/√M_{l-1}, b^l = σ_b β^l with
  ω, β ~ N(0, 1) ([PS] Eq. (31)).

Both sample the same weights from the same seed; they differ in which coordinates the gradients
are taken against.  Inputs are x_j(n) ~ N(0, 1) ([PS] Eq. (7)), so that
q̂_1^0 = Σ_j x_j(n)²/M_0 → 1 and q̂_2^0 → 0.

Backward signals δ^l_{k,i}(n) = ∂f_k(n)/∂u^l_i ([PS] Eq. (5)) give every gradient:
∂f_k/∂W^l_ij = δ^l_{k,i} h^{l-1}_j, ∂f_k/∂b^l_i = δ^l_{k,i}.  With R the P × CN Jacobian
(columns ∇_θ f_k(n), ordered k-major: column index k·N + n), the empirical Fisher information
matrix is F = R Rᵀ/N ([PS] Eq. (10)) and its CN × CN dual is ([PS] App. A.1, Eq. (A.3))

    F*[(k,n),(k',m)] = ∇f_k(n)·∇f_k'(m)/N
                     = Σ_l (δ^l_k(n)·δ^l_k'(m)) (s_w^l h^{l-1}(n)·h^{l-1}(m) + s_b^l) / N,

s_w^l = s_b^l = 1 (standard) or s_w^l = σ_w,l²/M_{l-1}, s_b^l = σ_b,l² (NTK).  The witness
builds F* from these Gram matrices, layer by layer, never forming a P-dimensional vector;
F and F* share their non-zero eigenvalues, so m_λ = tr F*/P, s_λ = ‖F*‖_F²/P and
λ_max = λ_max(F*) are exact statistics of F.

Likewise: the diagonal blocks F^{ll} ([PS] Sec. 3.2, App. A.2: one layer's terms), the NTK
Θ = N F* under the NTK parameterisation ([PS] Eq. (29), App. C), the softmax cross-entropy
Fisher F_cross = R Q Rᵀ whose non-zero eigenvalues are those of Q^{1/2} F* Q^{1/2}
([PS] Eqs. (25)-(26), App. B.1, Eq. (B.3)), the feature-space metric A = Σ_k ∇_h f_k ∇_h f_kᵀ/N
through its dual ([PS] Sec. 5, App. D, Eqs. (D.1), (D.5)), and the natural-gradient coefficient
matrices J G⁺ Jᵀ/N of the exact, layer-wise (block-diagonal, block tri-diagonal, K-FAC),
unit-wise and entry-wise diagonal Fishers (Karakida & Osawa, *Understanding approximate Fisher
information for fast convergence of natural gradient descent in wide neural networks* [NGD],
Eqs. (11)-(12), (15), (19)-(20), (23)).

Examples
--------
>>> w = simulate("relu", depth=2, width=30, samples=5, classes=2, sigma_w2=2.0,
...              sigma_b2=0.1, seed=0)
>>> w.n_params() == 30 * 30 + 30 + 2 * 30 + 2
True
>>> s = w.fisher_stats()
>>> bool(abs(s.trace - np.trace(w.fisher_dual())) < 1e-9)
True
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import scipy.linalg

from meanfield_sym import checks
from meanfield_sym.activation.function import Activation, get_activation

__all__ = [
    "PARAMETERIZATIONS", "NGD_KINDS", "Network", "ForwardPass", "Witness", "SpectralStats",
    "NGDResult", "sample_network", "gaussian_inputs", "simulate", "spectral_stats",
    "explicit_jacobian", "range_projector", "layer_widths",
]

#: accepted values of ``parameterization``
PARAMETERIZATIONS = ("standard", "ntk")
#: accepted values of ``kind`` in :meth:`Witness.ngd`
NGD_KINDS = ("exact", "block_diagonal", "tri_diagonal", "kfac", "unit_wise", "diagonal")

#: Eigenvalues of a Gram matrix below RANK_RTOL_FACTOR · n · eps · λ_max count as zero when a
#: pseudo-inverse or range projector is formed (n the Gram size): float64 eigenvalues of a
#: symmetric matrix carry absolute errors of order n · eps · λ_max, so smaller ones are noise.
RANK_RTOL_FACTOR = 10.0
#: temporaries of the unit-wise and diagonal NGD routes are batched to about this many floats
#: (8 · 2e6 bytes = 16 MB)
_CHUNK_ELEMENTS = 2_000_000


# ---------------------------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------------------------
def _per_layer_variance(name: str, value, depth: int) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a number or a sequence of {depth} numbers")
    if np.ndim(value) == 0:
        return (checks.variance(value, name),) * depth
    vals = list(value)
    if len(vals) != depth:
        raise ValueError(f"{name} needs one value per layer 1..L = {depth} values, "
                         f"got {len(vals)}")
    return tuple(checks.variance(v, f"{name}[{i + 1}]") for i, v in enumerate(vals))


def _activations(activation, depth: int, params: dict) -> tuple[Activation, ...]:
    """One Activation per hidden layer 1..L-1 (the output layer is linear)."""
    n_hidden = depth - 1
    if isinstance(activation, (list, tuple)):
        if params:
            raise ValueError("activation parameters apply to a single activation name; give "
                             "Activation objects when activations differ per layer")
        if len(activation) != n_hidden:
            raise ValueError(f"per-layer activations: need one per hidden layer "
                             f"(L - 1 = {n_hidden}), got {len(activation)}")
        return tuple(get_activation(a) for a in activation)
    act = get_activation(activation, **params)
    return (act,) * n_hidden


def _parameterization(value: str) -> str:
    if value not in PARAMETERIZATIONS:
        raise ValueError(f"parameterization must be one of {PARAMETERIZATIONS}, got {value!r}")
    return value


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(seed, (bool, np.bool_)):
            raise ValueError(f"seed must be an integer or a numpy Generator, got {seed!r}")
        return np.random.default_rng(seed)
    raise ValueError(f"seed must be an integer, a SeedSequence or a numpy Generator, "
                     f"got {seed!r}")


def layer_widths(depth, width, alphas=None) -> tuple[int, ...]:
    """Widths (M_0, ..., M_{L-1}) = round(α_l M) of [PS] Eq. (2) (α_l = 1 by default).

    Parameters
    ----------
    depth : int
        L >= 1, the number of weight layers.
    width : int
        M >= 1.
    alphas : sequence of L positive floats, optional
        α_0 (input) .. α_{L-1}.

    Examples
    --------
    >>> layer_widths(3, 100, alphas=[1, 2, 0.5])
    (100, 200, 50)
    """
    depth = checks.positive_int(depth, "depth")
    width = checks.positive_int(width, "width")
    if alphas is None:
        return (width,) * depth
    alphas = [float(a) for a in alphas]
    if len(alphas) != depth:
        raise ValueError(f"alphas needs L = {depth} values (α_0..α_(L-1)), got {len(alphas)}")
    if not all(np.isfinite(a) and a > 0 for a in alphas):
        raise ValueError(f"alphas must be positive and finite, got {alphas}")
    out = tuple(int(round(a * width)) for a in alphas)
    if min(out) < 1:
        raise ValueError(f"alphas × width gives a width below 1: {out}")
    return out


# ---------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------
def _apply(fn, u: np.ndarray, what: str, act: Activation) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        out = fn(u)
    out = np.broadcast_to(np.asarray(out, dtype=float), u.shape)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"activation {act.name!r}: its {what} is not finite at some "
                         f"pre-activation (max |u| = {np.max(np.abs(u)):.3g}); choose "
                         "smaller variances or another activation")
    return out


@dataclass(frozen=True)
class ForwardPass:
    """Signals of one forward pass over N inputs ([PS] Eq. (1)).

    Attributes
    ----------
    h : tuple of arrays
        h[l] = h^l, shape (N, M_l), for l = 0..L-1 (h[0] = x).
    dphi : tuple of arrays
        dphi[l] = φ_l'(u^l), shape (N, M_l), for l = 1..L-1 (dphi[0] is None).  The regular
        part of φ' (a point mass at a kink is hit with probability 0).
    f : array
        The outputs f = u^L, shape (N, C).
    """

    h: tuple
    dphi: tuple
    f: np.ndarray


@dataclass(frozen=True)
class Network:
    """A sampled fully connected network ([PS] Eqs. (1), (6), (31)).

    Attributes
    ----------
    weights : tuple of arrays
        W^l, shape (M_l, M_{l-1}), l = 1..L (index l-1).  These are the actual weights in both
        parameterisations (W = σ_w ω/√M_{l-1} in the NTK one).
    biases : tuple of arrays
        b^l, shape (M_l,) (zeros and not parameters when ``bias`` is False).
    activations : tuple of Activation
        φ_l for the hidden layers l = 1..L-1.
    sigma_w2, sigma_b2 : tuple of float
        Per-layer variances, l = 1..L.
    parameterization : {'standard', 'ntk'}
        Which coordinates θ the gradients (Fisher, NGD) are taken against.
    bias : bool
        Whether the layers have bias parameters (counted in P).
    """

    weights: tuple
    biases: tuple
    activations: tuple
    sigma_w2: tuple
    sigma_b2: tuple
    parameterization: str = "standard"
    bias: bool = True

    @property
    def depth(self) -> int:
        """L, the number of weight layers."""
        return len(self.weights)

    @property
    def widths(self) -> tuple[int, ...]:
        """(M_0, M_1, ..., M_{L-1}, M_L = C)."""
        return (self.weights[0].shape[1],) + tuple(w.shape[0] for w in self.weights)

    @property
    def classes(self) -> int:
        """C, the number of (linear) outputs."""
        return self.weights[-1].shape[0]

    def layer_params(self, layer: int) -> int:
        """P_l = M_l M_{l-1} (+ M_l biases): the exact parameter count of layer l (1..L)."""
        m_out, m_in = self.weights[layer - 1].shape
        return m_out * m_in + (m_out if self.bias else 0)

    @property
    def n_params(self) -> int:
        """P, the exact number of parameters including biases."""
        return sum(self.layer_params(l) for l in range(1, self.depth + 1))

    def gradient_scales(self, parameterization: str | None = None) -> list[tuple[float, float]]:
        """(s_w^l, s_b^l) per layer: ∇_θ f · ∇_θ f = Σ_l δ·δ (s_w h·h + s_b).

        Standard: (1, 1) (0 for the bias when ``bias`` is False); NTK: (σ_w²/M_{l-1}, σ_b²),
        since ∂f/∂ω_ij = σ_w/√M_{l-1} ∂f/∂W_ij and ∂f/∂β_i = σ_b ∂f/∂b_i ([PS] Sec. 4.1).
        """
        p = _parameterization(parameterization or self.parameterization)
        out = []
        for l, w in enumerate(self.weights):
            if p == "standard":
                sw, sb = 1.0, 1.0
            else:
                sw, sb = self.sigma_w2[l] / w.shape[1], self.sigma_b2[l]
            out.append((sw, sb if self.bias else 0.0))
        return out

    def forward(self, x) -> ForwardPass:
        """The forward pass over the rows of ``x`` (shape (N, M_0), finite)."""
        x = _check_inputs(x, self.widths[0])
        h, dphi = [x], [None]
        for l in range(1, self.depth):
            u = h[-1] @ self.weights[l - 1].T + self.biases[l - 1]
            act = self.activations[l - 1]
            h.append(_apply(act.numpy_function, u, "value", act))
            dphi.append(_apply(act.numpy_prime, u, "derivative", act))
        f = h[-1] @ self.weights[-1].T + self.biases[-1]
        return ForwardPass(h=tuple(h), dphi=tuple(dphi), f=f)

    def loss_gradient(self, x, y) -> tuple[float, list, list | None]:
        """The squared loss E = ‖f(x) − y‖²/(2N) ([US] Eq. (4)) and its gradient.

        One forward pass (:meth:`forward`) and one back-propagation of the error signal
        g^L = (f − y)/N = ∂E/∂u^L through g^{l-1} = (g^l W^l) ∘ φ'(u^{l-1}), which gives
        ∂E/∂W^l = g^lᵀ h^{l-1} and ∂E/∂b^l = Σ_n g^l(n).  The gradients are taken against the
        actual weights W^l, b^l in both parameterisations.

        Parameters
        ----------
        x : (N, M_0) array
            Inputs.
        y : (N, C) array
            Targets.

        Returns
        -------
        loss : float
        grad_w : list of arrays
            ∂E/∂W^l, shape (M_l, M_{l-1}), l = 1..L (index l-1).
        grad_b : list of arrays, or None
            ∂E/∂b^l, shape (M_l,); None when the network has no bias parameters.

        Examples
        --------
        >>> net = sample_network("tanh", [3, 4], classes=2, sigma_w2=1.0, sigma_b2=0.1, seed=0)
        >>> x = gaussian_inputs(5, 3, seed=1)
        >>> loss, gw, gb = net.loss_gradient(x, net.forward(x).f)
        >>> loss, float(max(abs(g).max() for g in gw))
        (0.0, 0.0)
        """
        fw = self.forward(x)
        N = fw.h[0].shape[0]
        y = np.asarray(y, dtype=float)
        if y.shape != fw.f.shape:
            raise ValueError(f"targets must have shape (N, C) = {fw.f.shape}, got {y.shape}")
        if not np.all(np.isfinite(y)):
            raise ValueError("targets contain non-finite values")
        err = fw.f - y
        loss = 0.5 * float(np.sum(err * err)) / N
        g = err / N  # ∂E/∂u^L
        L = self.depth
        grad_w, grad_b = [None] * L, [None] * L
        for l in range(L, 0, -1):
            grad_w[l - 1] = g.T @ fw.h[l - 1]
            grad_b[l - 1] = g.sum(axis=0)
            if l > 1:
                g = (g @ self.weights[l - 1]) * fw.dphi[l - 1]
        return loss, grad_w, (grad_b if self.bias else None)


def _check_inputs(x, m0: int) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"inputs must be a 2-d array (N samples × M_0 = {m0}), got shape "
                         f"{x.shape}")
    if x.shape[0] < 1:
        raise ValueError("need at least one input sample (N >= 1)")
    if x.shape[1] != m0:
        raise ValueError(f"inputs have {x.shape[1]} features, the network expects M_0 = {m0}")
    if not np.all(np.isfinite(x)):
        raise ValueError("inputs contain non-finite values")
    return x


def sample_network(activation, widths: Sequence[int], classes: int = 1, sigma_w2=1.0,
                   sigma_b2=0.0, *, parameterization: str = "standard", bias: bool = True,
                   seed=None, **activation_params) -> Network:
    """Sample a random network of [PS] Eqs. (1), (6) (or (31) for the NTK parameterisation).

    Parameters
    ----------
    activation : str, sympy.Expr, Activation, or a sequence of L-1 of them
        φ for the hidden layers (the same one, or one per hidden layer 1..L-1).
    widths : sequence of int
        (M_0, M_1, ..., M_{L-1}): the input width and the hidden widths; L = len(widths).
    classes : int
        C, the number of linear outputs.
    sigma_w2, sigma_b2 : float or sequence of L floats
        Weight and bias variances (per layer l = 1..L if a sequence), non-negative.
    parameterization : {'standard', 'ntk'}
        Gradients against (W, b) or against (ω, β) with W = σ_w ω/√M_{l-1}, b = σ_b β.  The
        sampled weights are identical for the same seed.
    bias : bool
        Include bias parameters (default True; False gives the bias-free networks of some
        [NGD] results).
    seed : int, SeedSequence or numpy Generator
        Source of randomness (weights are drawn layer by layer: ω^l then β^l).
    **activation_params
        Parameters of a built-in activation (e.g. ``shift=1`` for ``shifted_relu``).

    Raises
    ------
    ValueError
        Depth < 1, non-positive or non-integer widths or classes, negative or non-finite
        variances, unknown parameterisation or activation.

    Examples
    --------
    >>> net = sample_network("tanh", [4, 3], classes=2, sigma_w2=3.0, sigma_b2=0.64, seed=1)
    >>> net.widths, net.n_params
    ((4, 3, 2), 23)
    """
    if isinstance(widths, (str, bytes)) or np.ndim(widths) != 1:
        raise ValueError(f"widths must be a sequence (M_0, ..., M_(L-1)), got {widths!r}")
    widths = [checks.positive_int(m, f"width M_{i}") for i, m in enumerate(widths)]
    depth = len(widths)
    if depth < 1:
        raise ValueError("depth must be at least 1: give at least the input width M_0")
    classes = checks.positive_int(classes, "classes")
    sw2 = _per_layer_variance("sigma_w2", sigma_w2, depth)
    sb2 = _per_layer_variance("sigma_b2", sigma_b2, depth)
    acts = _activations(activation, depth, activation_params)
    parameterization = _parameterization(parameterization)
    rng = _rng(seed)
    dims = widths + [classes]
    weights, biases = [], []
    for l in range(1, depth + 1):
        m_in, m_out = dims[l - 1], dims[l]
        omega = rng.standard_normal((m_out, m_in))
        weights.append(np.sqrt(sw2[l - 1] / m_in) * omega)
        if bias:
            biases.append(np.sqrt(sb2[l - 1]) * rng.standard_normal(m_out))
        else:
            biases.append(np.zeros(m_out))
    return Network(weights=tuple(weights), biases=tuple(biases), activations=acts,
                   sigma_w2=sw2, sigma_b2=sb2, parameterization=parameterization,
                   bias=bool(bias))


def gaussian_inputs(samples: int, input_width: int, seed=None) -> np.ndarray:
    """N inputs x_j(n) ~ N(0, 1) i.i.d. ([PS] Eq. (7)), shape (N, M_0).

    With this normalisation q̂_1^0 = Σ_j x_j(n)²/M_0 has mean 1 and q̂_2^0 mean 0.

    Examples
    --------
    >>> gaussian_inputs(3, 2, seed=0).shape
    (3, 2)
    """
    samples = checks.positive_int(samples, "samples N")
    input_width = checks.positive_int(input_width, "input width M_0")
    return _rng(seed).standard_normal((samples, input_width))


# ---------------------------------------------------------------------------------------------
# Spectral statistics
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpectralStats:
    """Exact eigenvalue statistics of a Gram matrix computed from its (small) dual.

    A primal matrix of size ``dimension`` and its dual share their non-zero eigenvalues, so
    ``mean = trace/dimension`` and ``second_moment = frobenius_sq/dimension`` are the primal's
    m_λ and s_λ ([US] Theorems 1, 3; [PS] Theorem 3.1), and ``top`` its largest eigenvalues.
    """

    mean: float
    second_moment: float
    lambda_max: float
    top: np.ndarray = field(repr=False)
    trace: float = 0.0
    frobenius_sq: float = 0.0
    dimension: int = 0


def spectral_stats(dual, dimension: int, top: int = 1) -> SpectralStats:
    """m_λ = tr/P, s_λ = ‖·‖_F²/P and the ``top`` largest eigenvalues of a symmetric dual.

    Parameters
    ----------
    dual : (n, n) array
        Symmetric positive semi-definite dual matrix.
    dimension : int
        The primal dimension P (the number of eigenvalues averaged over).
    top : int
        How many of the largest eigenvalues to return (descending).

    Examples
    --------
    >>> s = spectral_stats(np.diag([3.0, 1.0]), dimension=4, top=2)
    >>> s.mean, s.second_moment, s.lambda_max, s.top.tolist()
    (1.0, 2.5, 3.0, [3.0, 1.0])
    """
    dual = np.asarray(dual, dtype=float)
    if dual.ndim != 2 or dual.shape[0] != dual.shape[1]:
        raise ValueError(f"dual must be a square matrix, got shape {dual.shape}")
    if not np.all(np.isfinite(dual)):
        raise ValueError("dual matrix contains non-finite values")
    dimension = checks.positive_int(dimension, "dimension")
    n = dual.shape[0]
    top = min(checks.positive_int(top, "top"), n)
    sym = 0.5 * (dual + dual.T)
    eig = scipy.linalg.eigh(sym, eigvals_only=True, subset_by_index=[n - top, n - 1])
    eig = eig[::-1].copy()
    tr = float(np.trace(sym))
    fro = float(np.sum(sym * sym))
    return SpectralStats(mean=tr / dimension, second_moment=fro / dimension,
                         lambda_max=float(eig[0]), top=eig, trace=tr, frobenius_sq=fro,
                         dimension=dimension)


def range_projector(gram, rtol: float | None = None) -> np.ndarray:
    """Orthogonal projector onto the range of symmetric PSD ``gram`` (stacks allowed).

    For any matrix A, A (AᵀA)⁺ Aᵀ = A A⁺ is the projector onto range(A) = range(A Aᵀ); this
    computes it from the Gram matrix A Aᵀ by eigendecomposition, counting eigenvalues below
    ``rtol · λ_max`` as zero (default rtol = RANK_RTOL_FACTOR · n · eps).

    Examples
    --------
    >>> range_projector(np.array([[1.0, 1.0], [1.0, 1.0]])).round(12).tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    gram = np.asarray(gram, dtype=float)
    n = gram.shape[-1]
    if rtol is None:
        rtol = RANK_RTOL_FACTOR * n * np.finfo(float).eps
    lam, vec = np.linalg.eigh(0.5 * (gram + np.swapaxes(gram, -1, -2)))
    top = np.max(np.abs(lam), axis=-1, keepdims=True)
    keep = lam > rtol * np.where(top > 0, top, 1.0)
    v = vec * keep[..., None, :]
    return v @ np.swapaxes(v, -1, -2)


def _pinv_sym(mat, rtol: float | None = None) -> np.ndarray:
    """Moore-Penrose pseudo-inverse of a symmetric matrix (eigenvalues |λ| < rtol·max|λ| → 0)."""
    n = mat.shape[-1]
    if rtol is None:
        rtol = RANK_RTOL_FACTOR * n * np.finfo(float).eps
    lam, vec = np.linalg.eigh(0.5 * (mat + mat.T))
    top = np.max(np.abs(lam)) if n else 0.0
    inv = np.zeros_like(lam)
    keep = np.abs(lam) > rtol * (top if top > 0 else 1.0)
    inv[keep] = 1.0 / lam[keep]
    return (vec * inv) @ vec.T


# ---------------------------------------------------------------------------------------------
# The witness: Gram matrices of one network on one input set
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NGDResult:
    """The coefficient matrix Θ̄ = J G⁺ Jᵀ/N of NGD with Fisher ``kind`` ([NGD] Eq. (11)).

    Attributes
    ----------
    kind : str
        One of :data:`NGD_KINDS`.
    matrix : (CN, CN) array
        Θ̄ on the training inputs; the isotropic condition ([NGD] Eq. (12)) says Θ̄ = α I.
    eigenvalues : array
        Ascending eigenvalues of Θ̄.
    constant : float
        tr Θ̄/(CN), the best multiple α of the identity.
    condition_number : float
        λ_max/λ_min (inf when singular), 1 when isotropic ([NGD] Fig. 3).
    isotropy_error : float
        ‖Θ̄ − α I‖_F/‖α I‖_F.
    """

    kind: str
    matrix: np.ndarray = field(repr=False)
    eigenvalues: np.ndarray = field(repr=False)
    constant: float
    condition_number: float
    isotropy_error: float

    @classmethod
    def from_matrix(cls, kind: str, mat: np.ndarray) -> "NGDResult":
        mat = 0.5 * (mat + mat.T)
        eig = np.linalg.eigvalsh(mat)
        n = mat.shape[0]
        alpha = float(np.trace(mat)) / n
        cond = float(eig[-1] / eig[0]) if eig[0] > 0 else float("inf")
        err = (float(np.linalg.norm(mat - alpha * np.eye(n)) / (abs(alpha) * np.sqrt(n)))
               if alpha != 0 else float("inf"))
        return cls(kind=kind, matrix=mat, eigenvalues=eig, constant=alpha,
                   condition_number=cond, isotropy_error=err)


class Witness:
    """Exact finite-width Gram matrices of one sampled network on N inputs.

    Construction runs one forward pass and one backward pass (over all C outputs at once) and
    keeps, per layer, only the Gram matrices

    * ``hgram[l-1]`` = h^{l-1}(n)·h^{l-1}(m), N × N, for l = 1..L;
    * ``dgram[l-1]`` = δ^l_k(n)·δ^l_k'(m), CN × CN (index k·N + n), for l = 1..L;
    * ``ggram[l]`` = ∇_{h^l} f_k(n)·∇_{h^l} f_k'(m), CN × CN, for l = 0..L-1
      (∇_{h^l} f_k = W^{l+1}ᵀ δ^{l+1}_k, [PS] Eq. (D.1)),

    plus the forward signals (N × M_l each) and the outputs.  Memory is O((CN)² + C N M) per
    layer; nothing P-dimensional is formed.

    Parameters
    ----------
    network : Network
    x : (N, M_0) array
        The inputs (e.g. from :func:`gaussian_inputs`).
    """

    def __init__(self, network: Network, x):
        self.network = network
        self.x = _check_inputs(x, network.widths[0])
        self.forward = network.forward(self.x)
        self.samples = self.x.shape[0]
        L = network.depth
        hgram = [None] * L
        dgram = [None] * L
        ggram = [None] * L
        for l, h_prev, delta, grad_h in self._backward():
            cn = delta.shape[0] * delta.shape[1]
            hgram[l - 1] = h_prev @ h_prev.T
            d2 = delta.reshape(cn, -1)
            dgram[l - 1] = d2 @ d2.T
            g2 = grad_h.reshape(cn, -1)
            ggram[l - 1] = g2 @ g2.T
        self.hgram, self.dgram, self.ggram = tuple(hgram), tuple(dgram), tuple(ggram)

    # -- signals -------------------------------------------------------------------------------
    def _backward(self):
        """Yield (l, h^{l-1}, δ^l, ∇_{h^{l-1}} f) for l = L..1.

        δ^l has shape (C, N, M_l): δ^l_{k,i}(n) = ∂f_k(n)/∂u^l_i ([PS] Eq. (5));
        ∇_{h^{l-1}} f has shape (C, N, M_{l-1}) and equals δ^l W^l.  The yielded arrays are
        reused (δ^{l-1} is formed in place of ∇_{h^{l-1}} f): copy them to keep them.
        """
        net, fw = self.network, self.forward
        C, N = net.classes, self.samples
        # rows k·N + n throughout (contiguous 2-d arrays, so every product is one BLAS call)
        delta = np.repeat(np.eye(C), N, axis=0)  # δ^L_k(n) = e_k
        for l in range(net.depth, 0, -1):
            grad_h = delta @ net.weights[l - 1]  # (CN, M_{l-1})
            yield (l, fw.h[l - 1], delta.reshape(C, N, -1), grad_h.reshape(C, N, -1))
            if l > 1:
                grad_h.reshape(C, N, -1)[...] *= fw.dphi[l - 1][None]  # in place: δ^{l-1}
                delta = grad_h

    def deltas(self) -> list[np.ndarray]:
        """δ^l for l = 1..L (index l-1), each of shape (C, N, M_l) (recomputed on demand)."""
        out = [None] * self.network.depth
        for l, _, delta, _ in self._backward():
            out[l - 1] = np.array(delta)
        return out

    @property
    def classes(self) -> int:
        return self.network.classes

    @property
    def outputs(self) -> np.ndarray:
        """f(n), shape (N, C)."""
        return self.forward.f

    def _layers(self, layers, lo: int, hi: int, what: str) -> list[int]:
        if layers is None:
            return list(range(lo, hi + 1))
        if isinstance(layers, numbers.Integral):
            layers = [layers]
        out = []
        for l in layers:
            if isinstance(l, (bool, np.bool_)) or not isinstance(l, numbers.Integral) \
                    or not lo <= l <= hi:
                raise ValueError(f"{what} layer indices run from {lo} to {hi}, got {l!r}")
            out.append(int(l))
        if len(set(out)) != len(out):
            raise ValueError(f"repeated layer index in {layers!r}")
        return out

    # -- order parameters -----------------------------------------------------------------------
    def order_parameters(self) -> dict[str, list]:
        """Finite-width order parameters from their definitions ([PS] Eqs. (14), (17)).

        Returns lists indexed by layer l = 0..L (None where undefined):

        * ``qhat1[l]`` = mean over n of Σ_i h^l_i(n)²/M_l, ``qhat2[l]`` = mean over n ≠ m of
          Σ_i h^l_i(n) h^l_i(m)/M_l, for l = 0..L-1;
        * ``qtilde1[l]`` = mean over (k, n) of Σ_i δ^l_{k,i}(n)², ``qtilde2[l]`` = mean over
          k and n ≠ m of Σ_i δ^l_{k,i}(n) δ^l_{k,i}(m), for l = 1..L (q̃^L = 1 exactly).

        Off-diagonal means need N >= 2 (None otherwise).
        """
        L, N, C = self.network.depth, self.samples, self.classes
        widths = self.network.widths
        off = ~np.eye(N, dtype=bool)
        out = {k: [None] * (L + 1) for k in ("qhat1", "qhat2", "qtilde1", "qtilde2")}
        for l in range(L):
            g = self.hgram[l] / widths[l]
            out["qhat1"][l] = float(np.mean(np.diag(g)))
            out["qhat2"][l] = float(np.mean(g[off])) if N > 1 else None
        for l in range(1, L + 1):
            d = self.dgram[l - 1].reshape(C, N, C, N)
            same_k = np.stack([d[k, :, k, :] for k in range(C)])  # (C, N, N)
            out["qtilde1"][l] = float(np.mean(np.diagonal(same_k, axis1=1, axis2=2)))
            out["qtilde2"][l] = float(np.mean(same_k[:, off])) if N > 1 else None
        return out

    # -- parameter-space metrics ---------------------------------------------------------------
    def n_params(self, layers: Iterable[int] | int | None = None) -> int:
        """P (or Σ P_l over ``layers`` in 1..L): exact counts including biases."""
        return sum(self.network.layer_params(l)
                   for l in self._layers(layers, 1, self.network.depth, "Fisher"))

    def layer_kernel(self, layer: int, parameterization: str | None = None) -> np.ndarray:
        """J_l J_lᵀ (CN × CN): the unnormalised dual of layer ``layer``'s parameters,
        δ^l·δ^l (s_w h^{l-1}·h^{l-1} + s_b) ([PS] Eq. (A.9) times N)."""
        (l,) = self._layers(layer, 1, self.network.depth, "Fisher")
        sw, sb = self.network.gradient_scales(parameterization)[l - 1]
        C, N = self.classes, self.samples
        kern = sw * self.hgram[l - 1] + sb
        out = self.dgram[l - 1].reshape(C, N, C, N) * kern[None, :, None, :]
        return out.reshape(C * N, C * N)

    def fisher_dual(self, layers=None, parameterization: str | None = None) -> np.ndarray:
        """F* = Rᵀ R = Jᵀ-Gram / N (CN × CN) of the empirical FIM ([PS] Eqs. (10), (A.3)).

        ``layers`` (subset of 1..L) restricts θ to those layers: ``layers=[l]`` gives the dual
        F^{ll*} of the diagonal block F^{ll} ([PS] Eq. (A.8)); F* = Σ_l F^{ll*}.
        """
        ls = self._layers(layers, 1, self.network.depth, "Fisher")
        out = sum(self.layer_kernel(l, parameterization) for l in ls)
        return out / self.samples

    def fisher_stats(self, layers=None, parameterization: str | None = None,
                     top: int = 1) -> SpectralStats:
        """m_λ, s_λ, λ_max of F (or of the block over ``layers``), dimension P (or Σ P_l)."""
        return spectral_stats(self.fisher_dual(layers, parameterization),
                              self.n_params(layers), top)

    def ntk(self, layers=None, parameterization: str = "ntk") -> np.ndarray:
        """Θ = ∇_θ fᵀ ∇_θ f (CN × CN, [PS] Eq. (29)) under the NTK parameterisation
        (the default), i.e. Θ = N F*."""
        ls = self._layers(layers, 1, self.network.depth, "Fisher")
        return sum(self.layer_kernel(l, parameterization) for l in ls)

    def ntk_stats(self, layers=None, dimension: int | None = None,
                  top: int = 1) -> SpectralStats:
        """Eigenvalue statistics of Θ (NTK parameterisation).

        ``dimension`` defaults to CN, Θ's own size (mean = tr Θ/(CN)).  Note: [PS] Sec. 4.1
        prints m_λ ~ α κ_1' C and s_λ ~ α²((N−1)κ_2'² + κ_1'²) C, which are tr Θ/N and
        ‖Θ‖_F²/N; pass ``dimension=N`` for that normalisation.
        """
        dim = self.classes * self.samples if dimension is None else dimension
        return spectral_stats(self.ntk(layers), dim, top)

    # -- softmax (cross-entropy) Fisher ----------------------------------------------------------
    def softmax_probs(self) -> np.ndarray:
        """g_k(n) = exp f_k(n) / Σ_k' exp f_k'(n) ([PS] Eq. (4)), shape (N, C)."""
        z = self.outputs - self.outputs.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def softmax_q(self, probs=None) -> np.ndarray:
        """Q (CN × CN, index k·N + n): Q[(k,n),(k',m)] = (g_k(n) δ_kk' − g_k(n) g_k'(n)) δ_nm
        ([PS] Eqs. (26), (B.2))."""
        g = self._probs(probs)
        N, C = g.shape
        qn = np.einsum("nk,kj->nkj", g, np.eye(C)) - g[:, :, None] * g[:, None, :]
        return self._expand_sample_blocks(qn)

    def softmax_q_sqrt(self, probs=None) -> np.ndarray:
        """Q^{1/2}: the PSD square root, taken block by block on the C × C matrices Q_n."""
        g = self._probs(probs)
        C = g.shape[1]
        qn = np.einsum("nk,kj->nkj", g, np.eye(C)) - g[:, :, None] * g[:, None, :]
        lam, vec = np.linalg.eigh(qn)
        root = np.sqrt(np.clip(lam, 0.0, None))
        sq = (vec * root[:, None, :]) @ np.swapaxes(vec, 1, 2)
        return self._expand_sample_blocks(sq)

    def _probs(self, probs) -> np.ndarray:
        if probs is None:
            return self.softmax_probs()
        g = np.asarray(probs, dtype=float)
        if g.shape != (self.samples, self.classes):
            raise ValueError(f"probs must have shape (N, C) = {(self.samples, self.classes)}, "
                             f"got {g.shape}")
        if not np.all(np.isfinite(g)) or np.any(g < 0) or \
                np.any(np.abs(g.sum(axis=1) - 1) > 1e-9):
            raise ValueError("probs must be finite, non-negative, and each row must sum to 1 "
                             "(within 1e-9)")
        return g

    def _expand_sample_blocks(self, blocks: np.ndarray) -> np.ndarray:
        """(N, C, C) per-sample blocks → CN × CN matrix, block-diagonal in n, index k·N + n."""
        N, C, _ = blocks.shape
        out = np.zeros((C, N, C, N))
        n = np.arange(N)
        out[:, n, :, n] = blocks  # advanced indices first: shape (N, C, C)
        return out.reshape(C * N, C * N)

    def softmax_fisher_dual(self, layers=None, probs=None,
                            parameterization: str | None = None) -> np.ndarray:
        """Q^{1/2} F* Q^{1/2}: shares its non-zero eigenvalues with F_cross = R Q Rᵀ
        ([PS] Eq. (25), (B.1), (B.3)).  ``probs`` overrides the network's own softmax."""
        s = self.softmax_q_sqrt(probs)
        return s @ self.fisher_dual(layers, parameterization) @ s

    def softmax_stats(self, layers=None, probs=None, top: int | None = None,
                      parameterization: str | None = None) -> SpectralStats:
        """m_λ, s_λ and the top C eigenvalues of F_cross ([PS] Theorems 3.3, 3.4)."""
        return spectral_stats(self.softmax_fisher_dual(layers, probs, parameterization),
                              self.n_params(layers), self.classes if top is None else top)

    # -- input / feature-space metric --------------------------------------------------------
    def feature_dimension(self, layers=None) -> int:
        """M_h = Σ_{l} M_l over ``layers`` in 0..L-1 (all by default)."""
        ls = self._layers(layers, 0, self.network.depth - 1, "feature-metric")
        return sum(self.network.widths[l] for l in ls)

    def feature_metric_dual(self, layers=None, output: int | None = None) -> np.ndarray:
        """R̃ᵀR̃ (CN × CN) with R̃ = [∇_h f_1 … ∇_h f_C]/√N ([PS] Eqs. (12), (D.1), (D.5)).

        h = (h^0, …, h^{L-1}) with ∇_{h^l} f_k = W^{l+1}ᵀ δ^{l+1}_k; ``layers`` (0..L-1)
        selects blocks: ``layers=[0]`` is the dual of the input metric A^{00} ([PS] Eq. (13)).
        ``output=k`` (0-based) returns the N × N dual A_k* of A_k = ∇_h f_k ∇_h f_kᵀ/N alone
        ([PS] Eq. (D.1), Theorem 5.1): the k-th diagonal block.
        """
        ls = self._layers(layers, 0, self.network.depth - 1, "feature-metric")
        dual = sum(self.ggram[l] for l in ls) / self.samples
        if output is None:
            return dual
        if isinstance(output, (bool, np.bool_)) or not isinstance(output, numbers.Integral) \
                or not 0 <= output < self.classes:
            raise ValueError(f"output must be an index in 0..{self.classes - 1}, got {output!r}")
        N = self.samples
        return dual[output * N:(output + 1) * N, output * N:(output + 1) * N]

    def feature_metric_stats(self, layers=None, output: int | None = None,
                             top: int = 1) -> SpectralStats:
        """m_λ, s_λ, λ_max of A, or of A_k with ``output=k`` (dimension M_h;
        [PS] Theorem 5.1, Eq. (D.6))."""
        return spectral_stats(self.feature_metric_dual(layers, output),
                              self.feature_dimension(layers), top)

    # -- natural gradient ---------------------------------------------------------------------
    def ngd(self, kind: str, rtol: float | None = None) -> NGDResult:
        """Θ̄ = J G⁺ Jᵀ/N for the Fisher approximation ``kind`` ([NGD] Eq. (11)).

        J is the CN × P Jacobian in the network's parameterisation and G one of

        * ``'exact'``: F = Jᵀ J/N ([NGD] Eq. (8)); Θ̄ = projector onto range(J).
        * ``'block_diagonal'``: blocks F^{ll} only ([NGD] Eq. (15) with Ω = I).
        * ``'tri_diagonal'``: blocks F^{ll'} with |l − l'| ≤ 1 ([NGD] Eq. (19)).
        * ``'kfac'``: blocks B_l ⊗ Ā_{l-1}, B_l = Σ_{n,k} δ^l_k δ^l_kᵀ/N,
          Ā_{l-1} = Σ_n h̄ h̄ᵀ/N with h̄ = (h^{l-1}, 1) (no 1 without biases)
          ([NGD] Eq. (20), Sec. B.3.3; Martens & Grosse's averaging of both factors).
        * ``'unit_wise'``: one block per unit (its incoming weights and bias), [NGD] Eq. (23).
        * ``'diagonal'``: the entry-wise diagonal diag(F) ([NGD] Fig. 3).

        The pseudo-inverses are exact identities evaluated in the small dual spaces:
        for G = Jᵢᵀ S Jᵢ/N with Jᵢ = U Σ Vᵀ, J G⁺ Jᵀ/N = E U Σ (Σ Uᵀ S U Σ)⁺ Σ Uᵀ Eᵀ (layer-wise,
        U Σ² Uᵀ = blockdiag(J_l J_lᵀ)); A (AᵀA)⁺ Aᵀ = projector onto range(A A ᵀ) (blocks);
        (B ⊗ A)⁺ = B⁺ ⊗ A⁺ (K-FAC).  Eigenvalues below ``rtol``·λ_max count as zero.
        Cost: 'exact', layer-wise and K-FAC are O(L (CN)³); 'unit_wise' O(Σ_l M_l (CN)³);
        'diagonal' O(P (CN)²) — use modest widths for the last two.
        """
        if kind not in NGD_KINDS:
            raise ValueError(f"kind must be one of {NGD_KINDS}, got {kind!r}")
        mat = getattr(self, f"_ngd_{kind}")(rtol)
        return NGDResult.from_matrix(kind, mat)

    def _ngd_exact(self, rtol):
        return range_projector(self.ntk(parameterization=self.network.parameterization), rtol)

    def _layerwise(self, omega: np.ndarray, rtol) -> np.ndarray:
        """J G⁺ Jᵀ/N for G = Σ_{l,l'} Ω_{ll'} J_lᵀ J_l'/N (all from the layer Grams)."""
        L, CN = self.network.depth, self.classes * self.samples
        cols = []  # U_l Σ_l per layer (CN × r_l), embedded in the stacked LCN space
        for l in range(1, L + 1):
            k_l = self.layer_kernel(l, self.network.parameterization)
            lam, vec = np.linalg.eigh(0.5 * (k_l + k_l.T))
            tol = (RANK_RTOL_FACTOR * CN * np.finfo(float).eps if rtol is None else rtol)
            keep = lam > tol * max(lam[-1], 0.0) if lam[-1] > 0 else np.zeros_like(lam, bool)
            cols.append(vec[:, keep] * np.sqrt(lam[keep]))
        # Σ Uᵀ S U Σ with S = Ω ⊗ I_CN: block (l, l') = Ω_ll' (U_lΣ_l)ᵀ (U_l'Σ_l')
        blocks = [[omega[a, b] * (cols[a].T @ cols[b]) for b in range(L)] for a in range(L)]
        m = np.block(blocks) if sum(c.shape[1] for c in cols) else np.zeros((0, 0))
        e_us = np.hstack(cols)  # E U Σ: the stacked layers summed into the CN space
        if e_us.shape[1] == 0:
            return np.zeros((CN, CN))
        return e_us @ _pinv_sym(m, rtol) @ e_us.T

    def _ngd_block_diagonal(self, rtol):
        return self._layerwise(np.eye(self.network.depth), rtol)

    def _ngd_tri_diagonal(self, rtol):
        L = self.network.depth
        idx = np.arange(L)
        omega = (np.abs(idx[:, None] - idx[None, :]) <= 1).astype(float)
        return self._layerwise(omega, rtol)

    def _ngd_kfac(self, rtol):
        net, C, N = self.network, self.classes, self.samples
        out = np.zeros((C * N, C * N))
        for l in range(1, net.depth + 1):
            sw, sb = net.gradient_scales()[l - 1]
            hbar = sw * self.hgram[l - 1] + sb  # h̄(n)·h̄(m) in the parameterisation
            proj_h = range_projector(hbar, rtol)  # H̄ (H̄ᵀH̄)⁺ H̄ᵀ
            proj_d = range_projector(self.dgram[l - 1], rtol)  # Δ (ΔᵀΔ)⁺ Δᵀ
            # J_l G_l⁺ J_lᵀ/N = (N proj_d) ∘ (N proj_h) / N; scale factors of the NTK
            # parameterisation cancel between J_l and G_l⁺ (both factors are full blocks).
            out += N * (proj_d.reshape(C, N, C, N) * proj_h[None, :, None, :]).reshape(
                C * N, C * N)
        return out

    def _ngd_unit_wise(self, rtol):
        net, C, N = self.network, self.classes, self.samples
        CN = C * N
        chunk = max(1, _CHUNK_ELEMENTS // (CN * CN))  # units per batch of CN × CN Grams
        out = np.zeros((CN, CN))
        for l, h_prev, delta, _ in self._backward():
            sw, sb = net.gradient_scales()[l - 1]
            kern = sw * (h_prev @ h_prev.T) + sb  # h̄(n)·h̄(m) in the parameterisation
            kern_cn = np.tile(kern, (C, C))
            d = np.ascontiguousarray(delta.reshape(CN, -1).T)  # (M_l, CN): unit i's δ_·,i
            for start in range(0, d.shape[0], chunk):
                di = d[start:start + chunk]
                grams = di[:, :, None] * kern_cn[None] * di[:, None, :]  # J_u J_uᵀ
                out += range_projector(grams, rtol).sum(axis=0)
        return out

    def _ngd_diagonal(self, rtol):
        net, C, N = self.network, self.classes, self.samples
        CN = C * N
        out = np.zeros((CN, CN))
        for l, h_prev, delta, _ in self._backward():
            chunk = max(1, _CHUNK_ELEMENTS // (CN * (h_prev.shape[1] + 1)))  # units per batch
            sw, sb = net.gradient_scales()[l - 1]
            feats = np.sqrt(sw) * h_prev
            if net.bias:
                feats = np.hstack([feats, np.full((N, 1), np.sqrt(sb))])
            d = np.ascontiguousarray(delta.reshape(C, N, -1))
            for start in range(0, d.shape[2], chunk):
                # columns J[:, (i, j)] = δ_{k,i}(n) h̄_j(n), over (k, n)
                cols = d[:, :, start:start + chunk, None] * feats[None, :, None, :]
                cols = cols.reshape(CN, -1)
                norm2 = np.sum(cols * cols, axis=0)
                scale = np.zeros_like(norm2)
                nz = norm2 > 0  # diag(F)⁺: zero diagonal entries stay zero
                scale[nz] = 1.0 / norm2[nz]
                out += (cols * scale) @ cols.T
        return out


# ---------------------------------------------------------------------------------------------
# Convenience and the naive route
# ---------------------------------------------------------------------------------------------
def simulate(activation, *, depth: int, width: int | None = None, samples: int,
             classes: int = 1,
             sigma_w2=1.0, sigma_b2=0.0, alphas=None, widths=None,
             parameterization: str = "standard", bias: bool = True, seed=None,
             **activation_params) -> Witness:
    """Sample one network and N Gaussian inputs, and return their :class:`Witness`.

    Widths are (α_0 M, …, α_{L-1} M) ([PS] Eq. (2); α_l = 1 by default) unless ``widths``
    (M_0, …, M_{L-1}) is given.  ``seed`` is split into independent streams for the network
    and the inputs, so the same seed gives the same network in both parameterisations.

    Examples
    --------
    >>> w = simulate("tanh", depth=3, width=20, samples=4, classes=3, sigma_w2=3.0,
    ...              sigma_b2=0.64, seed=7)
    >>> w.fisher_dual().shape, w.n_params()
    ((12, 12), 903)
    """
    depth = checks.positive_int(depth, "depth")
    if widths is None:
        if width is None:
            raise ValueError("give the width M (with optional alphas) or the widths list")
        widths = layer_widths(depth, width, alphas)
    elif len(widths) != depth:
        raise ValueError(f"widths needs L = {depth} entries (M_0..M_(L-1)), got {len(widths)}")
    samples = checks.positive_int(samples, "samples N")
    ss = seed if isinstance(seed, np.random.SeedSequence) else None
    if isinstance(seed, np.random.Generator):
        net_rng, x_rng = seed, seed
    else:
        _rng(seed)  # validate
        ss = ss or np.random.SeedSequence(seed)
        net_ss, x_ss = ss.spawn(2)
        net_rng, x_rng = np.random.default_rng(net_ss), np.random.default_rng(x_ss)
    net = sample_network(activation, widths, classes, sigma_w2, sigma_b2,
                         parameterization=parameterization, bias=bias, seed=net_rng,
                         **activation_params)
    x = gaussian_inputs(samples, net.widths[0], seed=x_rng)
    return Witness(net, x)


def explicit_jacobian(network: Network, x, parameterization: str | None = None) -> np.ndarray:
    """The naive route: the explicit P × CN Jacobian R' = [∇_θ f_k(n)] (column k·N + n).

    Rows run over layers 1..L, within a layer over W^l row-major then b^l (or ω^l, β^l for the
    NTK parameterisation).  Memory P·C·N: small networks only.  Implemented independently of
    :class:`Witness`: per-output backward passes and explicit outer products.
    """
    x = _check_inputs(x, network.widths[0])
    p = _parameterization(parameterization or network.parameterization)
    N, C, L = x.shape[0], network.classes, network.depth
    hs, us = [x], [None]
    for l in range(1, L + 1):
        u = hs[-1] @ network.weights[l - 1].T + network.biases[l - 1]
        us.append(u)
        if l < L:
            hs.append(np.asarray(np.broadcast_to(network.activations[l - 1].numpy_function(u),
                                                 u.shape), dtype=float))
    blocks = []
    for l in range(1, L + 1):
        m_out, m_in = network.weights[l - 1].shape
        if p == "ntk":
            sw = np.sqrt(network.sigma_w2[l - 1] / m_in)
            sb = np.sqrt(network.sigma_b2[l - 1])
        else:
            sw = sb = 1.0
        cols = []
        for k in range(C):
            # δ^l for output k, by backpropagating from the top
            d = np.zeros((N, C))
            d[:, k] = 1.0
            for j in range(L, l, -1):
                prime = network.activations[j - 2].numpy_prime(us[j - 1])
                d = (d @ network.weights[j - 1]) * np.broadcast_to(prime, us[j - 1].shape)
            gw = sw * np.einsum("ni,nj->nij", d, hs[l - 1]).reshape(N, m_out * m_in)
            parts = [gw] + ([sb * d] if network.bias else [])
            cols.append(np.hstack(parts).T)  # (P_l, N)
        blocks.append(np.hstack(cols))  # (P_l, C N)
    return np.vstack(blocks)
