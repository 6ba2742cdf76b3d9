r"""Fisher information, NTK and feature metric of wide networks: κ's and the dual-matrix reading.

Every statistic here is read off a *dual matrix* built from the order parameters of
:mod:`meanfield_sym.meanfield.recursions`: for N samples, the dual of the metric is (to leading
order in the width M) C copies of ``c·K`` with ``K = (k₁ − k₂) I_N + k₂ 1 1ᵀ``, whose spectrum is
``c((N−1)k₂ + k₁)`` (once, eigenvector 1) and ``c(k₁ − k₂)`` (N − 1 times).  With D the
dimension of the metric,

.. math::

    m_λ = \frac{C\,c\,N k_1}{D}, \qquad
    s_λ = \frac{C\,c^2 (N k_1^2 + N(N-1) k_2^2)}{D}, \qquad
    λ_{max} = c\,((N-1)k_2 + k_1).

Sources: *Universal statistics* Theorems 1, 3, 4, Corollary 2, Lemma 6, Theorem 7 and
supplement A.1–A.5 (C = O(M)); *Pathological spectra* Theorem 3.1, Sec. 3.2 (diagonal blocks,
App. A.2), Sec. 4.1 (NTK, App. C), Theorem 5.1 (feature metric, App. D).  Where a printed formula
disagrees with the dual-matrix algebra, the functions implement the derived form and say so;
the verdicts are in ``derivations/stats_*.py``.

All functions take NumPy arrays (any broadcast shape, e.g. a (σ_w², σ_b²) grid) and return
plain dicts of arrays.
"""
from __future__ import annotations

import numpy as np

from meanfield_sym import checks
from meanfield_sym.meanfield.recursions import OrderParameters

__all__ = ["width_ratios", "alpha", "alpha_tilde", "kappas", "kappas_ntk", "dual_statistics",
           "fim_statistics", "count_bound", "parameter_count", "large_classes_bounds",
           "eta_critical", "fim_blocks", "ntk_statistics", "feature_metric_statistics",
           "feature_metric_blocks"]


def width_ratios(widths, depth: int) -> np.ndarray:
    """``[α_0, ..., α_{L−1}]`` (input and hidden widths in units of M); default all ones.

    Pathological spectra Eq. (2): ``M_l = α_l M`` for l <= L − 1, ``M_L = C``.
    """
    depth = checks.depth(depth)
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
    M = checks.positive_number(M, "width M")
    N = checks.positive_int(N, "samples N")
    C = checks.positive_int(C, "classes C")
    return dual_statistics(kappa1, kappa2, alpha_ * M / N, N, C, alpha_ * M ** 2)


def count_bound(kappa1, alpha_, M, N: int, C: int, k) -> np.ndarray:
    """Corollary 2 (Universal statistics; supplement Eq. A.16 with the trivial rank bound):
    the number of eigenvalues ``λ >= k`` is at most ``min(α κ₁ C M / k, C N)``."""
    M = checks.positive_number(M, "width M")
    N = checks.positive_int(N, "samples N")
    C = checks.positive_int(C, "classes C")
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
    M = checks.positive_number(M, "width M")
    C = checks.positive_int(C, "classes C")
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
    M = checks.positive_number(M, "width M")
    N = checks.positive_int(N, "samples N")
    C = checks.positive_int(C, "classes C")
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
    M = checks.positive_number(M, "width M")
    N = checks.positive_int(N, "samples N")
    C = checks.positive_int(C, "classes C")
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
    N = checks.positive_int(N, "samples N")
    C = checks.positive_int(C, "classes C")
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
    M = checks.positive_number(M, "width M")
    N = checks.positive_int(N, "samples N")
    C = checks.positive_int(C, "classes C")
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
    M = checks.positive_number(M, "width M")
    N = checks.positive_int(N, "samples N")
    C = checks.positive_int(C, "classes C")
    al = np.asarray(alphas, dtype=float)
    return [dual_statistics(op.qtilde1[l + 1], op.qtilde2[l + 1], op.sigma_w2[l + 1] / N, N, C,
                            al[l] * M) for l in range(op.depth)]

