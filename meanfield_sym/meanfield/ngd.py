r"""Natural-gradient constants of wide networks (*Approximate Fisher information*, Karakida &
Osawa): the layer-wise family (block-diagonal, block tri-diagonal, K-FAC; Theorem 4.1, Lemma 4.3,
Sec. 4.3) and the unit-wise constant with γ = P[φ'(u) ≠ 0] (Sec. 5, Theorem 5.1).
"""
from __future__ import annotations

import numpy as np

from meanfield_sym import checks
from meanfield_sym.meanfield.fisher import width_ratios
from meanfield_sym.kernels.provider import gamma_provider
from meanfield_sym.meanfield.recursions import OrderParameters, order_parameters, resolve_kernels

__all__ = ["layer_wise_constant", "tri_diagonal_constant", "ngd_layer_wise",
           "nonzero_derivative_probability", "ngd_unit_wise"]


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


def tri_diagonal_constant(depth: int) -> int:
    """``1ᵀ Σ_tri⁺ 1`` for the L × L tri-diagonal all-ones Σ (Approximate Fisher information
    Sec. 4.2, Lemma 4.3): ``⌈L/3⌉``, i.e. ``s`` for ``L = 3s`` and ``s + 1`` for ``L = 3s + 1``
    and ``3s + 2``.

    Derived (the lemma's formula is not legible in the available text of the paper):
    ``det Σ_L = det Σ_{L−1} − det Σ_{L−2}`` cycles through 1, 0, −1, −1, 0, 1, so Σ is singular
    exactly for L = 3s + 2; the solution of ``Σ x = 1`` is ``x = (0,1,0, 0,1,0, …)`` for L = 3s
    and ``(1,0,0, 1,0,0, …, 1)`` for L = 3s + 1.  At L = 3s + 2 the vector 1 lies in the range of
    Σ, and the pseudo-inverse (the ρ → 0 limit of the damped inverse (Σ + ρI)⁻¹ applied to 1)
    gives ``s + 1``; finite networks with the exact pseudo-inverse confirm Θ̄ = ⌈L/3⌉ I
    (``derivations/stats_ngd.py``).  Σ is not positive definite for L >= 3 (its smallest
    eigenvalue is negative), only non-singular for L ≠ 3s + 2.

    >>> [tri_diagonal_constant(L) for L in range(1, 9)]
    [1, 1, 1, 2, 2, 2, 3, 3]
    """
    L = checks.depth(depth)
    return -(-L // 3)


def ngd_layer_wise(depth: int, samples: int | None = None) -> dict:
    """Layer-wise NGD constants α (dynamics ``f_t − y = (1 − ηα)^t (f_0 − y)``, optimal
    ``η = 1/α``; NGD paper Theorem 4.1, Corollary 4.2):

    * block-diagonal (Σ = I): ``α = L`` (Sec. 4.1);
    * block tri-diagonal: :func:`tri_diagonal_constant` (Sec. 4.2, Lemma 4.3; at L = 3s + 2,
      where Σ is singular, through its pseudo-inverse, ``sigma_singular`` True);
    * K-FAC (Sec. 4.3; C = 1, N <= M_0 linearly independent inputs): ``α = L`` in the
      normalisation where each Kronecker block reproduces the exact block's scale
      (``A_{l−1} = H_{l−1}ᵀH_{l−1}/N``, ``B_l = D_lᵀD_l``, ``B_L = 1``); with the usual
      averaged factors (``A`` and ``B`` both divided by N) hidden layers contribute N each and
      ``α = (L − 1) N + 1`` (derived; reported as ``averaged_definition`` when N is given).
    """
    L = checks.depth(depth)
    tri = tri_diagonal_constant(L)
    out = {
        "block_diagonal": {"constant": float(L), "optimal_lr": 1.0 / L},
        "tri_diagonal": {"constant": float(tri), "optimal_lr": 1.0 / tri,
                         "sigma_singular": L % 3 == 2},
        "kfac": {"constant": float(L), "optimal_lr": 1.0 / L,
                 "assumes": "C = 1, N <= M_0 linearly independent inputs"},
    }
    if samples is not None:
        N = checks.positive_int(samples, "samples N")
        c = float((L - 1) * N + 1)
        out["kfac"]["averaged_definition"] = {"constant": c, "optimal_lr": 1.0 / c}
    return out


def nonzero_derivative_probability(activation, q) -> np.ndarray:
    """``γ = P[φ'(u) ≠ 0]`` for ``u ~ N(0, q)`` (Approximate Fisher information Theorem 5.1:
    1 for tanh, 1/2 for ReLU), from the provider's printed γ
    (:func:`meanfield_sym.activation.support.gamma_expression`); ``q = 0`` is the limit
    q → 0⁺ (u = 0; a kink at 0 counts half).

    >>> float(nonzero_derivative_probability("relu", 2.0))
    0.5
    >>> round(float(nonzero_derivative_probability("shifted_relu", 1.0)), 6)  # Φ(1)
    0.841345
    """
    prov = gamma_provider(activation)
    gamma = getattr(prov, "gamma", None)
    out = gamma(q) if callable(gamma) else None
    if out is None:
        raise ValueError("γ = P[φ'(u) ≠ 0] needs the activation (a name, expression, Activation "
                         "or generated module), not only its kernels")
    return np.asarray(out, dtype=float)


def ngd_unit_wise(activation, sigma_w2, sigma_b2, depth: int, widths=None,
                  qhat1_0=1.0, op: OrderParameters | None = None) -> dict:
    """Unit-wise NGD constant (Approximate Fisher information Sec. 5, Theorem 5.1).

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
    L = checks.depth(depth)
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

