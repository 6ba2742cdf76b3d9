r"""The cross-entropy (softmax) Fisher information (*Pathological spectra* Theorem 3.3,
App. B.1, Theorem 3.4): β₁–β₄ from the output probabilities, the statistics and the C − 1
outliers of order M.
"""
from __future__ import annotations

import numpy as np

from meanfield_sym import checks
from meanfield_sym.meanfield.fisher import fim_statistics

__all__ = ["PROB_SUM_TOL", "validate_probabilities", "softmax_betas", "softmax_fim_statistics",
           "softmax_outliers"]


#: Row sums of a softmax probability array must equal 1 within this (rounding of float64
#: probabilities written to text files).
PROB_SUM_TOL = 1e-9


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
    M = checks.positive_number(M, "width M")
    alpha_ = checks.positive_number(alpha_, "alpha (depth >= 2)")
    if not isinstance(betas, dict):
        betas = softmax_betas(betas)        # an N × C array of softmax outputs
    missing = {"beta1", "beta2", "beta3", "beta4", "N", "C"} - set(betas)
    if missing:
        raise ValueError("betas must be the result of softmax_betas (or an N x C array of "
                         f"softmax outputs); missing {', '.join(sorted(missing))}")
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
    M = checks.positive_number(M, "width M")
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

