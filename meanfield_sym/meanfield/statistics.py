"""Eigenvalue statistics of the Fisher information and its variants in wide networks.

Every statistic here is read off a *dual matrix* built from the order parameters of
:mod:`meanfield_sym.meanfield.recursions`: for N samples, the dual of the metric is (to leading order in
the width M) C copies of ``c·K`` with ``K = (k₁ − k₂) I_N + k₂ 1 1ᵀ``, whose spectrum is
``c((N−1)k₂ + k₁)`` (once, eigenvector 1) and ``c(k₁ − k₂)`` (N − 1 times).  With D the
dimension of the metric,

.. math::

    m_λ = \\frac{C\\,c\\,N k_1}{D}, \\qquad
    s_λ = \\frac{C\\,c^2 (N k_1^2 + N(N-1) k_2^2)}{D}, \\qquad
    λ_{max} = c\\,((N-1)k_2 + k_1).

Sources (Karakida, Akaho & Amari):

* *Universal statistics of Fisher information in deep neural networks* (AISTATS 2019), main
  text and supplement (A.1–A.7): Theorems 1, 3, 4, Corollary 2, Theorem 5, Lemma 6,
  Theorem 7, Sec. 4.3 / A.5 (C = O(M)).
* *Pathological spectra of the Fisher information metric and its variants*: Theorem 3.1,
  Sec. 3.2 (diagonal blocks, App. A.2), Theorem 3.3 (softmax, App. B.1), Sec. 4.1 (NTK, App. C),
  Theorem 5.1 (feature metric, App. D).
* Karakida & Osawa, *Understanding approximate Fisher information for fast convergence of
  natural gradient descent in wide neural networks* (NeurIPS 2020): Theorem 4.1, Lemma 4.3,
  Sec. 4.3 (K-FAC), Theorem 5.1 (unit-wise).

Where a printed formula disagrees with the dual-matrix algebra, the functions implement the
derived form and say so; the verdicts are in ``derivations/stats_*.py``.  Three corrections
come from the finite-width witness (``derivations/mc_*.py``): the Fisher–Rao norm
(:func:`fisher_rao`: a forward tangent recursion replaces supplement Eq. A.50, kept as
:func:`fisher_rao_printed`), the C = O(M) statistics (:func:`large_classes_bounds`: the
output layer's C·M_{L−1} weights enter the parameter count) and the softmax outliers
(:func:`softmax_outliers`: C − 1 of order M, not C).

All functions take NumPy arrays (any broadcast shape, e.g. a (σ_w², σ_b²) grid) and return
plain dicts of arrays.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from meanfield_sym.meanfield.recursions import OrderParameters, _check_depth, layer_values, order_parameters

__all__ = [
    "width_ratios", "alpha", "alpha_tilde", "kappas", "kappas_ntk", "dual_statistics",
    "fim_statistics", "count_bound", "parameter_count", "large_classes_bounds",
    "tangent_moments", "fisher_rao_tangent", "fisher_rao", "fisher_rao_printed", "eta_critical",
    "fim_blocks", "ntk_statistics", "feature_metric_statistics", "feature_metric_blocks",
    "softmax_betas", "validate_probabilities", "softmax_fim_statistics", "softmax_outliers",
    "tri_diagonal_constant", "layer_wise_constant", "ngd_layer_wise",
    "nonzero_derivative_probability", "ngd_unit_wise", "network_statistics",
]

#: Row sums of a softmax probability array must equal 1 within this (issue 3 contract).
PROB_SUM_TOL = 1e-9


# ---------------------------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------------------------
def _positive_int(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    try:
        iv = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive integer, got {value!r}") from None
    if iv != value or iv < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return iv


def _positive_number(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return v


def width_ratios(widths, depth: int) -> np.ndarray:
    """``[α_0, ..., α_{L−1}]`` (input and hidden widths in units of M); default all ones.

    Pathological spectra Eq. (2): ``M_l = α_l M`` for l <= L − 1, ``M_L = C``.
    """
    depth = _check_depth(depth)
    if widths is None:
        return np.ones(depth)
    try:
        arr = np.asarray(widths, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"widths must be numbers, got {widths!r}") from None
    if arr.size != depth:
        raise ValueError(f"widths must list alpha_0..alpha_{depth - 1} ({depth} values for "
                         f"depth {depth}), got {arr.size}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"widths must be positive and finite, got {list(arr)}")
    return arr


def alpha(alphas) -> float:
    """``α = Σ_{l=1}^{L−1} α_l α_{l−1}`` so that ``P ≈ α M²`` (Pathological spectra Thm 3.1).

    Zero for depth 1 (no hidden layer), where the papers' O(M²) statistics do not apply.
    """
    a = np.asarray(alphas, dtype=float)
    return float(np.sum(a[1:] * a[:-1]))


def alpha_tilde(alphas) -> float:
    """``α̃ = Σ_{l=0}^{L−1} α_l`` so that ``M_h = α̃ M`` (Pathological spectra Thm 5.1)."""
    return float(np.sum(np.asarray(alphas, dtype=float)))


def _require_hidden(alphas) -> float:
    a = alpha(alphas)
    if a <= 0:
        raise ValueError("depth 1 has no hidden layer (alpha = 0): the Fisher statistics of the "
                         "papers need depth >= 2")
    return a


# ---------------------------------------------------------------------------------------------
# κ's
# ---------------------------------------------------------------------------------------------
def kappas(op: OrderParameters, alphas) -> tuple[np.ndarray, np.ndarray]:
    """``κ₁ = Σ_{l=1}^{L} (α_{l−1}/α) q̃_1^l q̂_1^{l−1}`` and the same with index 2.

    Universal statistics, supplement Eq. (A.6) and Theorem 3 (A.21–A.23); Pathological
    spectra Theorem 3.1.  (The Pathological-spectra copy prints ``q̂_1^l q̂_1^{l−1}``; the
    backward order parameter ``q̃`` is meant — see ``derivations/stats_fim.py``.)
    """
    a = _require_hidden(alphas)
    al = np.asarray(alphas, dtype=float)
    k1 = sum(al[l - 1] / a * op.qtilde1[l] * op.qhat1[l - 1] for l in range(1, op.depth + 1))
    k2 = None
    if op.qtilde2[op.depth] is not None and op.qhat2[0] is not None:
        k2 = sum(al[l - 1] / a * op.qtilde2[l] * op.qhat2[l - 1] for l in range(1, op.depth + 1))
    return np.asarray(k1, dtype=float), (None if k2 is None else np.asarray(k2, dtype=float))


def kappas_ntk(op: OrderParameters, alphas) -> tuple[np.ndarray, np.ndarray]:
    """NTK-parameterisation constants (Pathological spectra Sec. 4.1 and App. C):

    ``κ₁' = (1/α) Σ_{l=1}^{L} (σ_{w,l}² q̃_1^l q̂_1^{l−1} + σ_{b,l}² q̃_1^l)``, same with index 2.
    (Printed with hats on the backward order parameters; derived: ``‖∇_ω f‖² =
    σ_w² Σ_l q̃_1^l q̂_1^{l−1}``, ``‖∇_β f‖² = σ_b² Σ_l q̃_1^l``.)
    """
    a = _require_hidden(alphas)
    L = op.depth
    k1 = sum(op.sigma_w2[l] * op.qtilde1[l] * op.qhat1[l - 1] + op.sigma_b2[l] * op.qtilde1[l]
             for l in range(1, L + 1)) / a
    k2 = None
    if op.qtilde2[L] is not None and op.qhat2[0] is not None:
        k2 = sum(op.sigma_w2[l] * op.qtilde2[l] * op.qhat2[l - 1]
                 + op.sigma_b2[l] * op.qtilde2[l] for l in range(1, L + 1)) / a
    return np.asarray(k1, dtype=float), (None if k2 is None else np.asarray(k2, dtype=float))


# ---------------------------------------------------------------------------------------------
# The dual-matrix reading
# ---------------------------------------------------------------------------------------------
def dual_statistics(k1, k2, scale, N: int, C: int, dim) -> dict:
    """Mean, second moment and largest eigenvalue of a D × D Gram matrix whose dual is
    ``scale · K ⊗ I_C`` with ``K = (k₁ − k₂) I_N + k₂ 1 1ᵀ`` (k₁ > k₂ > 0 assumed, as for
    non-centred networks; Pathological spectra App. A.1, Eqs. A.4–A.6).

    Returns ``{"mean": C·scale·N·k₁/D, "second_moment": C·scale²·(N k₁² + N(N−1) k₂²)/D,
    "lambda_max": scale·((N−1) k₂ + k₁)}``.
    """
    k1 = np.asarray(k1, dtype=float)
    k2 = np.asarray(k2, dtype=float)
    return {
        "mean": C * scale * N * k1 / dim,
        "second_moment": C * scale ** 2 * (N * k1 ** 2 + N * (N - 1) * k2 ** 2) / dim,
        "lambda_max": scale * ((N - 1) * k2 + k1),
    }


def fim_statistics(kappa1, kappa2, alpha_, M, N: int, C: int = 1) -> dict:
    """Fisher information for regression (linear outputs, MSE): Theorems 1, 3, 4 of
    Universal statistics; Theorem 3.1 of Pathological spectra.

    .. math::

        m_λ = κ_1 C/M, \\quad s_λ = α\\left(\\tfrac{N-1}{N} κ_2^2 + \\tfrac{κ_1^2}{N}\\right) C,
        \\quad λ_{max} = α\\left(\\tfrac{N-1}{N} κ_2 + \\tfrac{κ_1}{N}\\right) M.

    N is the number of samples (T in Universal statistics).
    """
    M = _positive_number(M, "width M")
    N = _positive_int(N, "samples N")
    C = _positive_int(C, "classes C")
    return dual_statistics(kappa1, kappa2, alpha_ * M / N, N, C, alpha_ * M ** 2)


def count_bound(kappa1, alpha_, M, N: int, C: int, k) -> np.ndarray:
    """Corollary 2 (Universal statistics; supplement Eq. A.16 with the trivial rank bound):
    the number of eigenvalues ``λ >= k`` is at most ``min(α κ₁ C M / k, C N)``."""
    M = _positive_number(M, "width M")
    N = _positive_int(N, "samples N")
    C = _positive_int(C, "classes C")
    k = np.asarray(k, dtype=float)
    if np.any(~np.isfinite(k)) or np.any(k <= 0):
        raise ValueError("the eigenvalue threshold k must be positive and finite")
    return np.minimum(alpha_ * np.asarray(kappa1) * C * M / k, C * N)


def parameter_count(alphas, M, C: int, biases: bool = True) -> float:
    """Exact number of parameters ``P = Σ_{l=1}^{L} M_l M_{l−1} (+ Σ_l M_l)`` of the network
    with ``M_l = α_l M`` (l <= L − 1) and ``M_L = C`` linear outputs (Pathological spectra
    Eq. 2; the weights ``W^l`` are ``M_l × M_{l−1}``).

    .. math::

        P = αM^2 + C α_{L-1} M + \\Big[\\textstyle\\sum_{l=1}^{L-1} α_l M + C\\Big]_{\\text{biases}}.

    The papers keep only ``αM²``; with C = O(M) outputs the output layer's ``C α_{L−1} M``
    weights are O(M²) too (Universal statistics, supplement A.5, see
    :func:`large_classes_bounds`).

    >>> parameter_count([1, 1, 1], 30, 2)     # the empirical witness's count: 2·30² + 2·30 + 62
    1922.0
    """
    al = np.asarray(alphas, dtype=float)
    M = _positive_number(M, "width M")
    C = _positive_int(C, "classes C")
    widths = np.concatenate([al * M, [C]])
    P = float(np.sum(widths[1:] * widths[:-1]))
    if biases:
        P += float(np.sum(widths[1:]))
    return P


def large_classes_bounds(kappa1, kappa2, alpha_, M, N: int, C: int, *, alphas=None,
                         qtilde_sum=None, biases: bool = True) -> dict:
    """Statistics and bounds for C = O(M) outputs (Universal statistics, Sec. 4.3 and
    supplement A.5, Eqs. A.38–A.43), with the exact parameter count.

    With ``s₁ = α((N−1)/N κ₂² + κ₁²/N)`` (one output's second moment) and
    ``λ₁ = α((N−1)/N κ₂ + κ₁/N) M`` (one output's λ_max):

    * ``m'_λ = C(αMκ₁ + Σ_l q̃_1^l)/P`` (derived: ``tr F = Σ_k E_n‖∇_θ f_k‖²`` with
      ``‖∇_W f_k‖² → αMκ₁`` and ``‖∇_b f_k‖² → Σ_l q̃_1^l``), P from :func:`parameter_count`;
      to leading order ``C κ₁/M · α/(α + α_{L−1}C/M)``.  The printed ``m'_λ = Cκ₁/M``
      (``mean_printed``) divides by ``αM²``, but with C = O(M) the output layer holds
      ``C α_{L−1} M = O(M²)`` weights: P = (α + α_{L−1} C/M) M² + O(M).
    * ``C s₁ αM²/P <= s'_λ <= C² s₁ αM²/P`` (A.40, A.43 with ``‖F_k‖_F² = αM² s₁``; the
      printed ``C s₁``, ``C² s₁`` are ``second_moment_{lower,upper}_printed``).
    * ``λ₁ <= λ_max <= √(P s'_λ) <= C √(α s₁) M`` (A.37 as derived: the printed copy drops
      the factor α; P cancels in the upper bound, which is the printed one), and the tighter
      ``λ_max <= C λ₁`` from the triangle inequality on ``F = Σ_k F_k``
      (``lambda_max_upper_triangle``).

    Parameters
    ----------
    kappa1, kappa2 : array_like
        κ₁, κ₂ (:func:`kappas`).
    alpha_ : float
        α = Σ α_l α_{l−1}.
    M, N, C : width, samples, outputs.
    alphas : sequence of float, optional
        ``[α_0, ..., α_{L−1}]`` for the exact P.  Without it only the leading-order count
        ``P = (α + C/M) M²`` is used (α_{L−1} = 1, biases not counted).
    qtilde_sum : array_like, optional
        ``Σ_{l=1}^{L} q̃_1^l``, the bias part of ``‖∇_θ f_k‖²`` (an O(1/M) correction to the
        mean, counted only with ``biases`` and ``alphas``).
    biases : bool
        Whether the parameters include the biases (the empirical witness counts them).

    Returns
    -------
    dict
        ``mean``, ``second_moment_lower``, ``second_moment_upper``, ``lambda_max_lower``,
        ``lambda_max_upper``, ``lambda_max_upper_triangle``, ``parameter_count`` and the
        printed ``mean_printed``, ``second_moment_lower_printed``,
        ``second_moment_upper_printed``.
    """
    M = _positive_number(M, "width M")
    N = _positive_int(N, "samples N")
    C = _positive_int(C, "classes C")
    k1 = np.asarray(kappa1, dtype=float)
    k2 = np.asarray(kappa2, dtype=float)
    if alphas is None:
        P = (alpha_ + C / M) * M ** 2
        bias_trace = 0.0
    else:
        if not np.isclose(alpha(alphas), alpha_, rtol=1e-12, atol=0):
            raise ValueError(f"alpha = {alpha_!r} does not match the width ratios {alphas!r} "
                             f"(alpha = {alpha(alphas)!r})")
        P = parameter_count(alphas, M, C, biases)
        bias_trace = (np.asarray(qtilde_sum, dtype=float) if (biases and qtilde_sum is not None)
                      else 0.0)
    s1 = alpha_ * ((N - 1) / N * k2 ** 2 + k1 ** 2 / N)
    lam1 = alpha_ * ((N - 1) / N * k2 + k1 / N) * M
    share = alpha_ * M ** 2 / P                  # fraction of the parameters in αM²
    return {
        "mean": C * (alpha_ * M * k1 + bias_trace) / P,
        "second_moment_lower": C * s1 * share,
        "second_moment_upper": C ** 2 * s1 * share,
        "lambda_max_lower": lam1,
        "lambda_max_upper": np.sqrt(alpha_ * C ** 2 * s1) * M,
        "lambda_max_upper_triangle": C * lam1,
        "parameter_count": P,
        "mean_printed": C * k1 / M,
        "second_moment_lower_printed": C * s1,
        "second_moment_upper_printed": C ** 2 * s1,
    }


# ---------------------------------------------------------------------------------------------
# Fisher–Rao norm (Universal statistics Theorem 5)
# ---------------------------------------------------------------------------------------------
def _hidden_activations(activation, depth: int) -> list:
    """The L − 1 hidden-layer Activations from one spec or a list of L − 1 specs."""
    from meanfield_sym.activation.function import get_activation
    specs = list(activation) if isinstance(activation, (list, tuple)) else [activation] * (depth - 1)
    if len(specs) != depth - 1:
        raise ValueError(f"{len(specs)} per-layer activations given for depth {depth} "
                         f"(need one per hidden layer l = 1..{depth - 1})")
    try:
        return [get_activation(s) for s in specs]
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError("the Fisher–Rao norm needs the activation itself (a name, expression "
                         f"or Activation), not only its kernels: {exc}") from None


#: Quadrature error estimates of the tangent moments must be below this, relative to the
#: Cauchy–Schwarz scale of the moment (the kernels' own target is 1e-12; this leaves margin).
TANGENT_RTOL = 1e-10


def tangent_moments(activation, q) -> dict:
    """The one-point Gaussian moments of the tangent recursion, ``u ~ N(0, q)``:

    ``phi2 = E[φ(u)²]``, ``u_phi_dphi = E[u φ(u) φ'(u)]``, ``u2_dphi2 = E[u² φ'(u)²]``,
    ``dphi2 = E[φ'(u)²]`` (``phi2`` and ``dphi2`` are the mean-field kernels
    ``one_point``/``one_point_prime``; the other two by the package's float64 quadrature,
    split at the kinks, error-checked).  ``u2_dphi2`` and ``dphi2`` are ``inf`` when φ' has
    point masses (δ² is not integrable).

    Identity (differentiate ``E[φ(√q z)²]`` in q): ``u_phi_dphi = q · d phi2/dq``.
    """
    from meanfield_sym.kernels import quadrature
    from meanfield_sym.activation.function import get_activation
    from meanfield_sym.kernels.engine import kernels_for
    act = get_activation(activation)
    ks = kernels_for(act)
    q = np.asarray(q, dtype=float)
    out = {"phi2": np.asarray(ks.one_point(q), dtype=float),
           "dphi2": np.asarray(ks.one_point_prime(q), dtype=float)}
    phi, dphi = act.numpy_function, act.numpy_prime
    kinks = [float(k) for k in act.kinks]

    def call(f, x):
        return np.broadcast_to(np.asarray(f(x), dtype=float), np.shape(x))
    m1, e1 = quadrature.one_point(lambda x: x * call(phi, x) * call(dphi, x), q, kinks)
    m2, e2 = quadrature.one_point(lambda x: (x * call(dphi, x)) ** 2, q, kinks)
    scale = np.sqrt(np.abs(out["phi2"]) * np.abs(m2))          # |m1| <= scale (Cauchy–Schwarz)
    for val, err, ref, what in ((m1, e1, scale, "E[u φ φ']"), (m2, e2, np.abs(m2), "E[u² φ'²]")):
        if np.any(~np.isfinite(val)) or np.any(err > TANGENT_RTOL * np.maximum(ref, 1e-300)):
            raise ValueError(f"tangent moment {what} of {act.name}: quadrature did not reach "
                             f"{TANGENT_RTOL:g} relative accuracy")
    out["u_phi_dphi"] = m1
    out["u2_dphi2"] = m2
    if any(float(w) != 0 for _, w in act.prime_atoms):
        out["u2_dphi2"] = np.full(q.shape, np.inf)
    return out


def fisher_rao_tangent(activation, sigma_w2, sigma_b2, depth: int, qhat1_0=1.0,
                       op: OrderParameters | None = None) -> dict:
    """Forward *tangent* recursion for ``D = θ_Wᵀ ∇_{θ_W} f`` (the directional derivative of
    the output along the weights themselves), the building block of the Fisher–Rao norm
    (:func:`fisher_rao`).

    Scaling all weights, ``f_s = f(sW, b)``, gives ``D = ∂_s f_s |_{s=1} = Σ_{l,ij}
    W^l_ij ∂f/∂W^l_ij``.  Forward-mode differentiation of ``u^l = s W^l h^{l−1} + b^l``,
    ``h^l = φ_l(u^l)`` gives, with ``v^l = ∂_s u^l``,

    .. math::

        v^1 = W^1 x, \\qquad v^l = W^l z^{l-1}, \\qquad z^l = φ_l(u^l) + φ_l'(u^l)\\, v^l,
        \\qquad D = v^L .

    ``W^l`` is independent of the previous layer's ``(h, z)``, so in the wide limit each unit's
    ``(u^l_i, v^l_i)`` is a centred Gaussian pair (the same argument as for ``q^l``) with

    .. math::

        E[u^2] = q^l = σ_w^2 \\hat q^{l-1} + σ_b^2, \\quad
        c^l := E[u v] = σ_w^2 E[h z], \\quad r^l := E[v^2] = σ_w^2 E[z^2]

    (moments of layer l − 1), ``c^1 = r^1 = σ_{w,1}^2 \\hat q^0``.  Writing
    ``v = (c/q) u + \\sqrt{r − c²/q}\\, w`` with w independent,

    .. math::

        E[hz] &= E[φ^2] + \\tfrac{c}{q} E[uφφ'], \\\\
        E[z^2] &= E[φ^2] + 2\\tfrac{c}{q} E[uφφ'] + \\tfrac{c^2}{q^2} E[u^2φ'^2]
                  + \\big(r - \\tfrac{c^2}{q}\\big) E[φ'^2]

    (:func:`tangent_moments`).  Checks: for bias-free positively homogeneous φ (ReLU, leaky
    ReLU, linear) Euler's theorem gives ``D = L f`` and the recursion gives
    ``c^l = l q^l``, ``r^l = l² q^l``; for linear networks it is exact at any width.

    Returns
    -------
    dict
        ``c`` and ``r``: lists indexed by layer 0..L (index 0 is None), arrays of the
        broadcast shape of the inputs; ``op`` the order parameters used.
    """
    L = _check_depth(depth)
    sw = layer_values(sigma_w2, L, "sigma_w2")
    acts = _hidden_activations(activation, L)
    if op is None:
        op = order_parameters(acts, sigma_w2, sigma_b2, L, qhat1_0=qhat1_0, correlations=False)
    shape = op.shape
    c: list = [None] * (L + 1)
    r: list = [None] * (L + 1)
    c[1] = np.broadcast_to(sw[0] * op.qhat1[0], shape).astype(float)
    r[1] = c[1].copy()
    for l in range(1, L):
        q = np.asarray(op.q1[l], dtype=float)
        m = tangent_moments(acts[l - 1], q)
        rho = c[l] / q
        cond = np.maximum(r[l] - rho * c[l], 0.0)          # Var[v | u] >= 0 (rounding)
        e_hz = m["phi2"] + rho * m["u_phi_dphi"]
        with np.errstate(invalid="ignore"):
            dterm = np.where(cond > 0, cond * m["dphi2"], 0.0)
            e_z2 = (m["phi2"] + 2 * rho * m["u_phi_dphi"] + rho ** 2 * m["u2_dphi2"]
                    + dterm)
        c[l + 1] = np.broadcast_to(sw[l] * e_hz, shape).astype(float)
        r[l + 1] = np.broadcast_to(sw[l] * e_z2, shape).astype(float)
    return {"c": c, "r": r, "op": op}


def fisher_rao_printed(op: OrderParameters, alphas, C: int = 1) -> dict:
    """The Fisher–Rao norm *as printed*: Universal statistics supplement Eq. (A.50),
    ``⟨‖θ‖_FR⟩ = C Σ_{l=1}^{L} σ_{w,l}² q̃_1^l q̂_1^{l−1}``, and Theorem 5's bound
    ``(α/α_min) σ_w² C κ₁`` (with the largest σ_w² when it varies by layer; equality when all
    α_l are equal; the supplement prints the factor C twice, ``bound_printed``).

    (A.50) is **not** the wide-network value: steps (A.46)–(A.47) replace
    ``⟨F(θ) W W⟩`` by ``⟨F(θ*)⟩⟨W W⟩``, dropping the O(1) correlation between the Fisher and
    the weights it multiplies.  :func:`fisher_rao` gives the corrected value.
    """
    C = _positive_int(C, "classes C")
    L = op.depth
    value = C * sum(op.sigma_w2[l] * op.qtilde1[l] * op.qhat1[l - 1] for l in range(1, L + 1))
    out = {"value": np.asarray(value, dtype=float), "bound": None, "bound_printed": None}
    if alpha(alphas) > 0:
        k1, _ = kappas(op, alphas)
        amin = float(np.min(np.asarray(alphas, dtype=float)))
        smax = np.max(np.stack([np.broadcast_to(op.sigma_w2[l], op.shape)
                                for l in range(1, L + 1)]), axis=0)
        out["bound"] = alpha(alphas) / amin * smax * C * k1
        out["bound_printed"] = C * out["bound"]
    return out


def fisher_rao(activation, sigma_w2, sigma_b2, depth: int, widths=None, classes: int = 1,
               qhat1_0=1.0, op: OrderParameters | None = None) -> dict:
    """Average Fisher–Rao norm of the weights (Universal statistics Theorem 5; supplement
    Eqs. A.44–A.50), corrected.

    Definition (A.44) and Liang et al.: ``‖θ‖_FR = θ_Wᵀ F θ_W`` over the weights, with
    ``F = (1/T) Σ_t Σ_k ∇f_k(t) ∇f_k(t)ᵀ``, i.e.

    .. math::

        ‖θ‖_{FR} = \\frac{1}{T} \\sum_{t} \\sum_{k=1}^{C} \\big(θ_W^\\top ∇_{θ_W} f_k(t)\\big)^2
        \\;\\longrightarrow\\; ⟨‖θ‖_{FR}⟩ = C\\, r^L

    in the wide limit, with ``r^L = E[D_k²]`` from the forward tangent recursion
    (:func:`fisher_rao_tangent`).  The printed (A.50),
    ``σ_w² C Σ_l q̃^l q̂^{l−1}`` (``printed``; :func:`fisher_rao_printed`), takes F at
    ``W = 0`` and averages it separately from ``W W`` (A.46)–(A.47); but F depends on the
    weights it multiplies, and the cross terms ``(l, ij) ≠ (l', ab)`` add up to O(1).  E.g.
    for bias-free ReLU or linear nets ``D = L f`` (Euler), so the truth is ``C L² q^L``
    against (A.50)'s ``C L q^L``.  Finite networks agree with the tangent value and reject
    (A.50) (``derivations/mc_us_fisher_rao.py``: experiment/tangent 1.00 ± 0.05 tanh,
    1.08 ± 0.06 ReLU, 1.03 ± 0.06 linear; (A.50) off by 0.69, 3.18, 2.95).

    Theorem 5's bound ``⟨‖θ‖_FR⟩ <= (α/α_min) σ_w² C κ₁`` (one C, as derived from (A.50);
    ``bound``) is reported with ``bound_holds`` evaluated on the corrected value: it fails
    whenever ``r^L > σ_w² Σ_l q̃^l q̂^{l−1}`` at equal widths (ReLU, linear: by a factor ≈ L),
    and the printed copy with C twice (``bound_printed``) fails too when C is small.

    Parameters
    ----------
    activation : name, expression, Activation, or a list of L − 1 of them
        The activation itself (the recursion needs φ and φ', not only the kernels).
    sigma_w2, sigma_b2 : array_like or per-layer list
    depth : int
    widths : sequence of float, optional
        ``[α_0, ..., α_{L−1}]`` (only the bound depends on them).
    classes : int
        C.
    qhat1_0 : array_like
        ``q̂^0`` (input second moment).
    op : OrderParameters, optional
        Reuse computed order parameters (must match the other arguments).

    Returns
    -------
    dict
        ``value`` (C r^L), ``printed`` ((A.50)), ``ratio`` (value/printed), ``bound``,
        ``bound_printed``, ``bound_holds`` (None for depth 1), ``tangent_c``, ``tangent_r``.
        ``inf`` when some φ' has point masses.

    Examples
    --------
    Bias-free linear network, L = 3, σ_w² = 1, C = 2: ``D = 3f``, so ``2·9·q^3 = 18``,
    while (A.50) gives ``2·3 = 6``:

    >>> fr = fisher_rao("linear", 1.0, 0.0, 3, classes=2)
    >>> round(float(fr["value"]), 12), round(float(fr["printed"]), 12)
    (18.0, 6.0)
    """
    L = _check_depth(depth)
    C = _positive_int(classes, "classes C")
    al = width_ratios(widths, L)
    tan = fisher_rao_tangent(activation, sigma_w2, sigma_b2, L, qhat1_0=qhat1_0, op=op)
    op = tan["op"]
    value = C * tan["r"][L]
    pr = fisher_rao_printed(op, al, C)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = value / pr["value"]
    holds = None if pr["bound"] is None else value <= pr["bound"] * (1 + 1e-12)
    return {"value": np.asarray(value, dtype=float), "printed": pr["value"],
            "ratio": np.asarray(ratio, dtype=float), "bound": pr["bound"],
            "bound_printed": pr["bound_printed"], "bound_holds": holds,
            "tangent_c": tan["c"], "tangent_r": tan["r"]}


def eta_critical(lambda_max, momentum=0.0) -> np.ndarray:
    """Critical learning rate ``η_c = 2(1 + μ)/λ_max`` (Universal statistics Lemma 6,
    Theorem 7; supplement A.7).  Gradient descent with momentum μ (|μ| < 1) diverges from the
    minimum when ``η > η_c``."""
    mu = np.asarray(momentum, dtype=float)
    if np.any(~np.isfinite(mu)) or np.any(np.abs(mu) >= 1):
        raise ValueError(f"momentum must satisfy -1 < mu < 1, got {momentum!r}")
    lam = np.asarray(lambda_max, dtype=float)
    if np.any(lam <= 0):
        raise ValueError("lambda_max must be positive")
    return 2 * (1 + mu) / lam


def fim_blocks(op: OrderParameters, alphas, M, N: int, C: int = 1) -> list[dict]:
    """Diagonal blocks ``F^{ll}`` (Pathological spectra Sec. 3.2 and App. A.2), l = 1..L:

    ``m^l = q̃_1^l q̂_1^{l−1} C/(α_l M)``,
    ``s^l = (α_{l−1}/α_l)((N−1)/N (q̃_2^l q̂_2^{l−1})² + (q̃_1^l q̂_1^{l−1})²/N) C``,
    ``λ^l_max = α_{l−1}((N−1)/N q̃_2^l q̂_2^{l−1} + q̃_1^l q̂_1^{l−1}/N) M``,
    with ``α_L := C/M`` for the output layer (App. A.2).
    """
    M = _positive_number(M, "width M")
    N = _positive_int(N, "samples N")
    C = _positive_int(C, "classes C")
    al = np.asarray(alphas, dtype=float)
    out = []
    for l in range(1, op.depth + 1):
        a_out = al[l] if l < op.depth else C / M
        k1 = op.qtilde1[l] * op.qhat1[l - 1]
        k2 = op.qtilde2[l] * op.qhat2[l - 1]
        out.append(dual_statistics(k1, k2, al[l - 1] * M / N, N, C, a_out * al[l - 1] * M ** 2))
    return out


def ntk_statistics(kappa1_ntk, kappa2_ntk, alpha_, N: int, C: int = 1) -> dict:
    """NTK ``Θ = ∇_θ fᵀ ∇_θ f`` (CN × CN) in the NTK parameterisation (Pathological spectra
    Sec. 4.1, App. C): ``Θ(k, k') = α K' δ_{kk'}``.

    Mean and second moment are over the CN eigenvalues of Θ: ``m_λ = α κ₁'``,
    ``s_λ = α²((N−1) κ₂'² + κ₁'²)``; ``λ_max = α((N−1) κ₂' + κ₁')``.  The paper prints
    ``m_λ`` and ``s_λ`` with an extra factor C (they average over N, not CN; identical for
    C = 1) — see ``derivations/stats_pathological.py``.
    """
    N = _positive_int(N, "samples N")
    C = _positive_int(C, "classes C")
    return dual_statistics(kappa1_ntk, kappa2_ntk, alpha_, N, C, C * N)


def _kappa_tilde(op: OrderParameters, alphas):
    at = alpha_tilde(alphas)
    L = op.depth
    k1 = sum(op.sigma_w2[l] * op.qtilde1[l] for l in range(1, L + 1)) / at
    k2 = sum(op.sigma_w2[l] * op.qtilde2[l] for l in range(1, L + 1)) / at
    return np.asarray(k1, dtype=float), np.asarray(k2, dtype=float)


def feature_metric_statistics(op: OrderParameters, alphas, M, N: int, C: int = 1) -> dict:
    """Metric for the input and feature spaces ``A = Σ_k E[∇_h f_k ∇_h f_kᵀ]`` (Pathological
    spectra Sec. 5, Theorem 5.1 and App. D.1, Eq. D.6), ``h = (h^0, ..., h^{L−1})``,
    ``M_h = α̃ M``:

    ``m_λ = κ̃₁ C/M``, ``s_λ = α̃((N−1)/N κ̃₂² + κ̃₁²/N) C/M``,
    ``λ_max = α̃((N−1)/N κ̃₂ + κ̃₁/N)``, with ``κ̃_i = (1/α̃) Σ_{l=1}^{L} σ_{w,l}² q̃_i^l``.
    The printed ``s_λ`` lacks the factor 1/M (and Theorem 5.1 prints κ̃₂ unsquared);
    derived from ``‖A_k*‖_F² / M_h`` — see ``derivations/stats_pathological.py``.
    Returned with ``kappa1_tilde``, ``kappa2_tilde``, ``alpha_tilde``.
    """
    M = _positive_number(M, "width M")
    N = _positive_int(N, "samples N")
    C = _positive_int(C, "classes C")
    at = alpha_tilde(alphas)
    k1, k2 = _kappa_tilde(op, alphas)
    out = dual_statistics(k1, k2, at / N, N, C, at * M)
    out.update(kappa1_tilde=k1, kappa2_tilde=k2, alpha_tilde=at)
    return out


def feature_metric_blocks(op: OrderParameters, alphas, M, N: int, C: int = 1) -> list[dict]:
    """Diagonal blocks ``A^{ll}`` (l = 0..L−1) of the feature metric (Pathological spectra
    App. D.2, Eq. D.8): the dual is ``(σ_{w,l+1}²/N) K`` with ``K`` built from
    ``q̃_1^{l+1}, q̃_2^{l+1}``, dimension ``M_l = α_l M``:

    ``m = C σ_w² q̃_1^{l+1}/M_l``, ``s = C σ_w⁴((N−1)/N (q̃_2^{l+1})² + (q̃_1^{l+1})²/N)/M_l``,
    ``λ_max = σ_w²((N−1)/N q̃_2^{l+1} + q̃_1^{l+1}/N)``.  (Printed with hats and without the
    1/M_l in s.)
    """
    M = _positive_number(M, "width M")
    N = _positive_int(N, "samples N")
    C = _positive_int(C, "classes C")
    al = np.asarray(alphas, dtype=float)
    return [dual_statistics(op.qtilde1[l + 1], op.qtilde2[l + 1], op.sigma_w2[l + 1] / N, N, C,
                            al[l] * M) for l in range(op.depth)]


# ---------------------------------------------------------------------------------------------
# Softmax cross-entropy Fisher
# ---------------------------------------------------------------------------------------------
def validate_probabilities(probs) -> np.ndarray:
    """An N × C float array of softmax outputs: finite, >= 0, rows summing to 1 (±1e-9)."""
    try:
        g = np.asarray(probs, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("probabilities must be numbers") from None
    if g.ndim == 1:
        g = g[None, :]
    if g.ndim != 2:
        raise ValueError(f"probabilities must be an N x C array, got shape {g.shape}")
    if g.shape[0] < 1 or g.shape[1] < 1:
        raise ValueError(f"probabilities need N >= 1 rows and C >= 1 columns, got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("probabilities must be finite")
    if np.any(g < 0):
        raise ValueError(f"probabilities must be non-negative (found {g.min()!r})")
    dev = np.abs(g.sum(axis=1) - 1)
    if np.any(dev > PROB_SUM_TOL):
        n = int(np.argmax(dev))
        raise ValueError(f"each row of probabilities must sum to 1 within {PROB_SUM_TOL:g} "
                         f"(row {n} sums to {g[n].sum()!r})")
    return g


def softmax_betas(probs) -> dict:
    """β₁–β₄ of Theorem 3.3 (Pathological spectra) from the N × C softmax outputs g_k(n):

    * ``β₁ = 1 − (1/N) Σ_n Σ_k g_k(n)²``
    * ``β₂ = (1/N²) Σ_{n≠m} [Σ_k g_k(m) g_k(n) − 2 Σ_k g_k(m)² g_k(n) + (Σ_k g_k(m) g_k(n))²]``
      (ordered pairs; equal to ``(1/N²) Σ_{n≠m} Σ_{kk'} Q_n(k,k') Q_m(k,k')``)
    * ``β₃ = (1/N) Σ_n [Σ_k (1 − 2 g_k(n)) g_k(n)² + (Σ_k g_k(n)²)²]``
    * ``β₄ = max_k (1/N) Σ_n g_k(n)(1 − g_k(n))``

    Computed in O(N C²) without N × N matrices.
    """
    g = validate_probabilities(probs)
    N = g.shape[0]
    sq = np.sum(g ** 2, axis=1)                      # Σ_k g_k(n)²
    beta1 = 1 - np.mean(sq)
    colsum = g.sum(axis=0)                           # Σ_n g_k(n)
    colsq = (g ** 2).sum(axis=0)                     # Σ_n g_k(n)²
    gram = g.T @ g                                   # Σ_n g_k(n) g_k'(n)
    tot_s = colsum @ colsum                          # Σ_{n,m} S_nm
    tot_t = colsum @ colsq                           # Σ_{n,m} Σ_k g_k(n) g_k(m)²
    tot_s2 = np.sum(gram ** 2)                       # Σ_{n,m} S_nm²
    diag = np.sum(sq - 2 * np.sum(g ** 3, axis=1) + sq ** 2)
    beta2 = (tot_s - 2 * tot_t + tot_s2 - diag) / N ** 2
    beta3 = np.mean(np.sum((1 - 2 * g) * g ** 2, axis=1) + sq ** 2)
    beta4 = np.max(np.mean(g * (1 - g), axis=0))
    return {"beta1": float(beta1), "beta2": float(beta2), "beta3": float(beta3),
            "beta4": float(beta4), "N": N, "C": g.shape[1]}


def softmax_fim_statistics(betas: dict, kappa1, kappa2, alpha_, M) -> dict:
    """Cross-entropy Fisher ``F_cross`` (Pathological spectra Theorem 3.3, App. B.1):

    ``m_λ = β₁ κ₁/M`` (derived from Eq. B.4: the printed ``β₁ C κ₁/M`` — and B.4's
    ``C(1 − β₁) κ₁/M`` — do not follow; see ``derivations/stats_pathological.py``),
    ``s_λ = α(β₂ κ₂² + β₃ κ₁²/N)``,
    ``β₄ λ^lin_max <= λ_max <= √(α s_λ) M`` with ``λ^lin_max = α((N−1)/N κ₂ + κ₁/N) M``.

    Also returns the linear-output statistics and the comparison (28):
    ``m_λ <= m^lin``, ``s_λ <= s^lin``, ``λ_max <= λ^lin_max`` (as booleans on the derived
    values; the upper bound is also capped by ``λ^lin_max``, which (28) guarantees).
    """
    M = _positive_number(M, "width M")
    N, C = int(betas["N"]), int(betas["C"])
    k1 = np.asarray(kappa1, dtype=float)
    k2 = np.asarray(kappa2, dtype=float)
    lin = fim_statistics(k1, k2, alpha_, M, N, C)
    mean = betas["beta1"] * k1 / M
    second = alpha_ * (betas["beta2"] * k2 ** 2 + betas["beta3"] * k1 ** 2 / N)
    lower = betas["beta4"] * lin["lambda_max"]
    upper = np.sqrt(alpha_ * second) * M
    return {
        "mean": mean, "second_moment": second,
        "lambda_max_lower": lower, "lambda_max_upper": upper,
        "lambda_max_upper_28": np.minimum(upper, lin["lambda_max"]),
        "linear": lin,
        "comparison_28": {
            "mean": np.all(mean <= lin["mean"] * (1 + 1e-12)),
            "second_moment": np.all(second <= lin["second_moment"] * (1 + 1e-12)),
            "lambda_max_lower": np.all(lower <= lin["lambda_max"] * (1 + 1e-12)),
        },
    }


def softmax_outliers(probs, kappa1, kappa2, alpha_, M) -> dict:
    """The O(M) outliers of the cross-entropy Fisher (Pathological spectra Theorem 3.4 and
    App. B.2, corrected: **C − 1** of them, not C).

    ``F_cross = R Q Rᵀ`` shares its non-zero eigenvalues with ``Q^{1/2} F* Q^{1/2}``
    (``Q = ⊕_n Q_n``, ``Q_n = diag(g(n)) − g(n) g(n)ᵀ``).  To leading order
    ``F* = (αM/N) K ⊗ I_C = A + B`` with the rank-C part ``A = (αMκ₂/N) 1 1ᵀ ⊗ I_C`` and
    ``B = (αM/N)(κ₁ − κ₂) I``.  The non-zero eigenvalues of ``Q^{1/2} A Q^{1/2}`` are
    ``αMκ₂ μ_k`` with ``μ_k`` the eigenvalues of ``Q̄ = (1/N) Σ_n Q_n`` (C × C); since every
    ``Q_n 1 = g(n) − g(n) Σ_k g_k(n) = 0``, ``Q̄ 1 = 0`` and at most C − 1 of them are
    non-zero.  Weyl's inequalities with ``0 ⪯ Q^{1/2} B Q^{1/2} ⪯ b I``,
    ``b = (αM/N)(κ₁ − κ₂) max_n λ_max(Q_n)``, give, for the leading-order dual,

    .. math::

        αMκ_2 μ_k \\le λ_k \\le αMκ_2 μ_k + b \\quad (k \\le C - 1), \\qquad λ_C \\le b,

    so with N ∝ M only C − 1 eigenvalues are O(M) (b = O(1); the finite-width residual of F*
    adds O(√M)).  The printed proof (B.11) bounds λ_r by ``v_{i_1}ᵀQv_{i_1} λ_max(F)`` for a
    ``v_{i_1}`` that need not lie in the subspace ``S_r`` it maximises over: for r = C, ``S_C``
    can be spanned by ``Σ_k v_k``, on which ``Q`` vanishes.

    Returns
    -------
    dict
        ``outliers`` (shape ``κ.shape + (C − 1,)``, descending: ``αMκ₂μ_k``),
        ``outliers_upper`` (``+ b``), ``lambda_C_upper`` (``b``), ``qbar_eigenvalues``
        (all C, descending; the last is 0 up to rounding), ``count`` (C − 1).
    """
    g = validate_probabilities(probs)
    M = _positive_number(M, "width M")
    N, C = g.shape
    qbar = np.diag(g.mean(axis=0)) - g.T @ g / N
    mu = np.sort(np.linalg.eigvalsh(qbar))[::-1]
    lam_q = max(float(np.linalg.eigvalsh(np.diag(r) - np.outer(r, r)).max()) for r in g)
    k1 = np.asarray(kappa1, dtype=float)
    k2 = np.asarray(kappa2, dtype=float)
    b = alpha_ * M / N * (k1 - k2) * lam_q
    out = np.multiply.outer(alpha_ * M * k2, mu[:C - 1])
    return {"outliers": out, "outliers_upper": out + np.asarray(b)[..., None],
            "lambda_C_upper": b, "qbar_eigenvalues": mu, "count": C - 1}


# ---------------------------------------------------------------------------------------------
# Natural-gradient constants (Karakida & Osawa)
# ---------------------------------------------------------------------------------------------
def layer_wise_constant(sigma) -> float | None:
    """``α = 1ᵀ Σ⁻¹ 1`` for a layer-wise approximation ``G = J̃ᵀ (Σ ⊗ I) J̃ / N``
    (NGD paper Theorem 4.1, Eq. 15; derived: with each layer's Jacobian of full row rank,
    ``J G⁺ Jᵀ/N = (1ᵀΣ⁻¹1) I``).  ``None`` when Σ is singular."""
    s = np.asarray(sigma, dtype=float)
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise ValueError("Sigma must be a square matrix")
    if np.linalg.matrix_rank(s) < s.shape[0]:
        return None
    one = np.ones(s.shape[0])
    return float(one @ np.linalg.solve(s, one))


def tri_diagonal_constant(depth: int) -> int | None:
    """``1ᵀ Σ_tri⁻¹ 1`` for the L × L tri-diagonal all-ones Σ (NGD paper Sec. 4.2, Lemma 4.3):
    ``s`` for ``L = 3s``, ``s + 1`` for ``L = 3s + 1``, singular (``None``) for ``L = 3s + 2``.

    Derived (the printed lemma is lost in our copy): ``det Σ_L = det Σ_{L−1} − det Σ_{L−2}``
    cycles through 1, 0, −1, −1, 0, 1; the solution of ``Σ x = 1`` is ``x = (0,1,0, 0,1,0, …)``
    for L = 3s and ``(1,0,0, 1,0,0, …, 1)`` for L = 3s + 1 (``derivations/stats_ngd.py``).

    >>> [tri_diagonal_constant(L) for L in range(1, 8)]
    [1, None, 1, 2, None, 2, 3]
    """
    L = _check_depth(depth)
    s, r = divmod(L, 3)
    return {0: s, 1: s + 1, 2: None}[r]


def ngd_layer_wise(depth: int, samples: int | None = None) -> dict:
    """Layer-wise NGD constants α (dynamics ``f_t − y = (1 − ηα)^t (f_0 − y)``, optimal
    ``η = 1/α``; NGD paper Theorem 4.1, Corollary 4.2):

    * block-diagonal (Σ = I): ``α = L`` (Sec. 4.1);
    * block tri-diagonal: :func:`tri_diagonal_constant` (Sec. 4.2, Lemma 4.3);
    * K-FAC (Sec. 4.3; C = 1, N <= M_0 linearly independent inputs): ``α = L`` in the
      normalisation where each Kronecker block reproduces the exact block's scale
      (``A_{l−1} = H_{l−1}ᵀH_{l−1}/N``, ``B_l = D_lᵀD_l``, ``B_L = 1``); with the usual
      averaged factors (``A`` and ``B`` both divided by N) hidden layers contribute N each and
      ``α = (L − 1) N + 1`` (derived; reported as ``averaged_definition`` when N is given).
    """
    L = _check_depth(depth)
    tri = tri_diagonal_constant(L)
    out = {
        "block_diagonal": {"constant": float(L), "optimal_lr": 1.0 / L},
        "tri_diagonal": ({"constant": float(tri), "optimal_lr": 1.0 / tri} if tri is not None
                         else {"constant": None, "optimal_lr": None,
                               "reason": f"the tri-diagonal Sigma is singular for L = {L} = "
                                         f"3s + 2 (Lemma 4.3): no isotropic limit"}),
        "kfac": {"constant": float(L), "optimal_lr": 1.0 / L,
                 "assumes": "C = 1, N <= M_0 linearly independent inputs"},
    }
    if samples is not None:
        N = _positive_int(samples, "samples N")
        c = float((L - 1) * N + 1)
        out["kfac"]["averaged_definition"] = {"constant": c, "optimal_lr": 1.0 / c}
    return out


def _normal_cdf(x):
    from scipy.special import ndtr
    return ndtr(x)


def _derivative_support(act):
    """Intervals (a, b) (a, b may be ±inf) on which the regular part of φ' is not identically
    zero; the atoms of φ' have probability zero and do not count."""
    import sympy as sp
    from meanfield_sym.activation.function import X
    kinks = [float(k) for k in act.kinks]
    edges = [-np.inf] + kinks + [np.inf]
    support = []
    for a, b in zip(edges[:-1], edges[1:]):
        if np.isinf(a) and np.isinf(b):
            mid = 0.0
        elif np.isinf(a):
            mid = b - 1.0
        elif np.isinf(b):
            mid = a + 1.0
        else:
            mid = 0.5 * (a + b)
        piece = act.prime_regular
        repl = {h: (sp.Integer(1) if mid > float(X - h.args[0]) else sp.Integer(0))
                for h in piece.atoms(sp.Heaviside) if h.args[0].has(X)}
        piece = sp.simplify(piece.xreplace(repl))
        if piece == 0:
            continue
        support.append((a, b))
    return support


def nonzero_derivative_probability(activation, q) -> np.ndarray:
    """``γ = P[φ'(u) ≠ 0]`` for ``u ~ N(0, q)`` (issue 3's definition of the unit-wise constant;
    NGD paper Theorem 5.1: 1 for tanh, 1/2 for ReLU).

    Splits the line at the activation's kinks; an interval counts when the regular part of
    φ' is not identically zero there (an analytic function that is not identically zero
    vanishes on a null set).  ``q = 0`` is the limit q → 0⁺ (u = 0; a kink at 0 counts half
    for each side).

    >>> float(nonzero_derivative_probability("relu", 2.0))
    0.5
    >>> round(float(nonzero_derivative_probability("shifted_relu", 1.0)), 6)  # Φ(1)
    0.841345
    """
    from meanfield_sym.activation.function import get_activation
    act = get_activation(activation)
    qq = np.asarray(q, dtype=float)
    if np.any(~np.isfinite(qq)) or np.any(qq < 0):
        raise ValueError("q must be a non-negative finite variance")
    support = _derivative_support(act)
    sd = np.sqrt(qq)
    out = np.zeros(qq.shape)
    pos = sd > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        for a, b in support:
            hi = _normal_cdf(np.where(pos, b / np.where(pos, sd, 1), 0.0))
            lo = _normal_cdf(np.where(pos, a / np.where(pos, sd, 1), 0.0))
            out = out + np.where(pos, hi - lo, 0.0)
            # q = 0: u = 0 sits inside (a, b) -> 1, on an edge -> 1/2
            zero_val = np.where((a < 0) & (0 < b), 1.0, np.where((a == 0) | (b == 0), 0.5, 0.0))
            out = out + np.where(pos, 0.0, zero_val)
    return out


def ngd_unit_wise(activation, sigma_w2, sigma_b2, depth: int, widths=None,
                  qhat1_0=1.0, op: OrderParameters | None = None) -> dict:
    """Unit-wise NGD constant (NGD paper Sec. 5, Theorem 5.1; definition of issue 3).

    With C = 1 and N <= M_0 linearly independent inputs, the unit-wise Fisher is
    block-diagonal over units (incoming weights and bias of each unit), and
    ``J G_unit⁺ Jᵀ/N = Σ_units diag(1[δ_i(n) ≠ 0]) → (Σ_{l=1}^{L−1} γ_l M_l) I`` with
    ``γ_l = P[φ_l'(u^l) ≠ 0]``, ``u^l ~ N(0, q_1^l)``.  Returns ``gamma_per_layer``
    (l = 1..L−1), the width-weighted average ``gamma = Σ γ_l α_l / Σ α_l`` and
    ``optimal_lr_times_M = 1/(γ Σ_{l=1}^{L−1} α_l)`` (η_opt = 1/(Σ γ_l M_l); for equal
    widths ``f_t − y = (1 − γ(L−1)Mη)^t (f_0 − y)``).

    ``activation`` is one activation (name, expression, Activation) or a list of L − 1.
    Only the variances ``q_1^l`` are needed, so only the one-point kernels are evaluated
    (pass ``op`` to reuse computed order parameters).
    """
    L = _check_depth(depth)
    al = width_ratios(widths, L)
    acts = list(activation) if isinstance(activation, (list, tuple)) else [activation] * (L - 1)
    if len(acts) != L - 1:
        raise ValueError(f"{len(acts)} activations given for {L - 1} hidden layers")
    if L == 1:
        return {"gamma_per_layer": [], "gamma": None, "optimal_lr_times_M": None,
                "reason": "depth 1 has no hidden units"}
    if op is None:
        op = order_parameters(acts, sigma_w2, sigma_b2, L, qhat1_0=qhat1_0,
                              correlations=False)
    gammas = [nonzero_derivative_probability(acts[l - 1], op.q1[l]) for l in range(1, L)]
    hidden = al[1:]
    weighted = sum(g * a for g, a in zip(gammas, hidden))
    gamma = weighted / np.sum(hidden)
    with np.errstate(divide="ignore"):
        lr = np.where(weighted > 0, 1.0 / np.where(weighted > 0, weighted, 1.0), np.inf)
    return {"gamma_per_layer": gammas, "gamma": np.asarray(gamma, dtype=float),
            "optimal_lr_times_M": lr}


# ---------------------------------------------------------------------------------------------
# Everything at once
# ---------------------------------------------------------------------------------------------
def network_statistics(activation, sigma_w2, sigma_b2, depth: int, widths=None, width=1000,
                       samples: int = 100, classes: int = 1, momentum=0.0, qhat1_0=1.0,
                       qhat2_0=0.0, op: OrderParameters | None = None) -> dict:
    """Order parameters and every linear-output statistic of one network (the ``stats`` CLI).

    Returns a dict of NumPy arrays with keys ``alpha``, ``kappa1``, ``kappa2``,
    ``kappa1_ntk``, ``kappa2_ntk``, ``order_parameters``, ``fim``, ``ntk``,
    ``feature_metric`` (with ``blocks``), ``eta_critical``, ``fisher_rao`` (the corrected
    wide-network value, :func:`fisher_rao`; ``None`` when ``activation`` is a bare kernel
    provider), ``fisher_rao_printed`` (supplement Eq. A.50), ``fisher_rao_bound`` and
    ``fisher_rao_bound_holds`` (Theorem 5's bound with one C, judged on the corrected value),
    ``fim_blocks``, ``fim_large_classes`` (exact parameter count, :func:`large_classes_bounds`).
    For depth 1 (no hidden layer, α = 0) the α-normalised statistics are ``None``.
    """
    L = _check_depth(depth)
    al = width_ratios(widths, L)
    M = _positive_number(width, "width M")
    N = _positive_int(samples, "samples N")
    C = _positive_int(classes, "classes C")
    mu = np.asarray(momentum, dtype=float)
    if np.any(~np.isfinite(mu)) or np.any(np.abs(mu) >= 1):
        raise ValueError(f"momentum must satisfy -1 < mu < 1, got {momentum!r}")
    if op is None:
        op = order_parameters(activation, sigma_w2, sigma_b2, L, qhat1_0, qhat2_0)
    out = {"alpha": alpha(al), "alpha_tilde": alpha_tilde(al), "widths": al,
           "order_parameters": op.as_lists()}
    fr = fisher_rao_printed(op, al, C)
    out["fisher_rao_printed"] = fr["value"]
    out["fisher_rao_bound"] = fr["bound"]
    try:
        acts = _hidden_activations(activation, L)
    except ValueError:          # a bare kernel provider: no φ for the tangent recursion
        acts = None
    if acts is None:
        out["fisher_rao"] = out["fisher_rao_bound_holds"] = None
        out.setdefault("notes", []).append(
            "fisher_rao needs the activation itself (the tangent recursion uses φ and φ'); "
            "only the printed (A.50) value is given")
    else:
        frc = fisher_rao(acts, sigma_w2, sigma_b2, L, widths=al, classes=C, op=op)
        out["fisher_rao"] = frc["value"]
        out["fisher_rao_bound_holds"] = frc["bound_holds"]
    fm = feature_metric_statistics(op, al, M, N, C)
    fm["blocks"] = feature_metric_blocks(op, al, M, N, C)
    out["feature_metric"] = fm
    if out["alpha"] <= 0:
        out.update(kappa1=None, kappa2=None, kappa1_ntk=None, kappa2_ntk=None, fim=None,
                   ntk=None, eta_critical=None, fim_blocks=None, fim_large_classes=None,
                   fisher_rao_bound=None, fisher_rao_bound_holds=None)
        out.setdefault("notes", []).append("depth 1: no hidden layer (alpha = 0); the papers' "
                                           "Fisher statistics need depth >= 2")
        return out
    k1, k2 = kappas(op, al)
    k1n, k2n = kappas_ntk(op, al)
    fim = fim_statistics(k1, k2, out["alpha"], M, N, C)
    out.update(kappa1=k1, kappa2=k2, kappa1_ntk=k1n, kappa2_ntk=k2n, fim=fim,
               ntk=ntk_statistics(k1n, k2n, out["alpha"], N, C),
               eta_critical=eta_critical(fim["lambda_max"], mu),
               fim_blocks=fim_blocks(op, al, M, N, C),
               fim_large_classes=large_classes_bounds(
                   k1, k2, out["alpha"], M, N, C, alphas=al,
                   qtilde_sum=sum(op.qtilde1[l] for l in range(1, L + 1))))
    return out
