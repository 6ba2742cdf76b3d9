"""Natural-gradient constants (Karakida & Osawa, NeurIPS 2020): layer-wise family (Theorem 4.1,
block-diagonal, block tri-diagonal Lemma 4.3, K-FAC Sec. 4.3) and the unit-wise constant
(Theorem 5.1).

Our copy of this paper lost nearly all of its mathematics: the printed constants cannot be
transcribed, so every verdict here is UNDECIDED and records the *derived* form with its
evidence (exact SymPy algebra; finite-dimensional identities checked on explicit matrices).
Definitions follow issue 3: dynamics ``f_t − y = (1 − ηα)^t (f_0 − y)`` on the training
samples, coefficient ``Θ̄ = J G⁺ Jᵀ / N``, optimal learning rate ``1/α``.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from meanfield_sym import meanfield as S
from meanfield_sym.verdicts.record import UNDECIDED, CheckResult, run_script

PAPER = "NGD (Karakida & Osawa)"
LOST = "printed formula lost in our copy of the paper"


def _tri(L):
    return sp.Matrix(L, L, lambda i, j: 1 if abs(i - j) <= 1 else 0)


def _layer_wise_coefficient(sig, sizes, N, rng):
    blocks = [rng.normal(size=(N, p)) for p in sizes]
    J = np.hstack(blocks)
    L = len(sizes)
    Jt = np.zeros((L * N, sum(sizes)))
    off = 0
    for l, b in enumerate(blocks):
        Jt[l * N:(l + 1) * N, off:off + b.shape[1]] = b
        off += b.shape[1]
    G = Jt.T @ np.kron(sig, np.eye(N)) @ Jt / N
    return J @ np.linalg.pinv(G, rcond=1e-10) @ J.T / N


def checks() -> list[CheckResult]:
    out = []
    rng = np.random.default_rng(17)
    L = sp.Symbol("L", positive=True, integer=True)
    s = sp.Symbol("s", nonnegative=True, integer=True)

    # Theorem 4.1 / Sec. 4.1 -----------------------------------------------------------------
    ok = True
    for sig in (np.eye(3), np.eye(4) + np.eye(4, k=1) + np.eye(4, k=-1), np.diag([1.0, 2.0, 4.0])):
        coef = _layer_wise_coefficient(sig, [5, 7, 4, 6][:sig.shape[0]], 3, rng)
        ok &= np.allclose(coef, S.layer_wise_constant(sig) * np.eye(3), atol=1e-8)
    out.append(CheckResult(
        "NGD-4.1", PAPER, "Thm 4.1, Cor. 4.2, Sec. 4.1 (BD)", "layer-wise constant α",
        UNDECIDED, LOST, sp.Symbol("1^T Sigma^-1 1"),
        evidence="G = J̃ᵀ(Σ⊗I)J̃/N with J̃ = blockdiag(J_l) of full row rank gives G⁺ = "
                 "N J̃⁺(Σ⁻¹⊗I)J̃⁺ᵀ and J G⁺ Jᵀ/N = (1ᵀΣ⁻¹1) I; block-diagonal Σ = I: α = L, "
                 "optimal η = 1/L (the surviving text: 'a smaller learning rate scaled by …'). "
                 f"Explicit random Jacobians (Σ = I₃, tri-diagonal Σ₄, diag(1,2,4)): {bool(ok)}",
        consistent=bool(ok)))

    # Lemma 4.3 (tri-diagonal) --------------------------------------------------------------
    dets, consts, ok = [], [], True
    for n in range(1, 16):
        T = _tri(n)
        d = T.det()
        dets.append(int(d))
        if d == 0:
            c = None
        else:
            one = sp.ones(n, 1)
            c = (one.T * T.LUsolve(one))[0]
        consts.append(c)
        ok &= (c is None and S.tri_diagonal_constant(n) is None) or \
            (c is not None and S.tri_diagonal_constant(n) == c)
    derived = sp.Piecewise((s, sp.Eq(L, 3 * s)), (s + 1, sp.Eq(L, 3 * s + 1)),
                           (sp.nan, True))
    out.append(CheckResult(
        "NGD-4.3", PAPER, "Lemma 4.3; supp. B.2 (S.92)–(S.94)", "block tri-diagonal constant",
        UNDECIDED, LOST, derived,
        evidence=f"exact det Σ_L for L = 1..15: {dets} (recursion D_L = D_{{L−1}} − D_{{L−2}}, "
                 "zero iff L ≡ 2 mod 3, i.e. an eigenvalue 1 + 2cos(πk/(L+1)) vanishes); "
                 f"exact 1ᵀΣ⁻¹1: {[str(c) for c in consts]} = s for L = 3s, s + 1 for "
                 f"L = 3s + 1, singular for L = 3s + 2; toolkit agrees: {bool(ok)}. Σ is "
                 "invertible but indefinite for L ≥ 3 (eigenvalue 1 + 2cos(πL/(L+1)) < 0)",
        consistent=bool(ok)))

    # K-FAC (Sec. 4.3, supp. B.3) --------------------------------------------------------------
    def kfac(N, widths, averaged):
        Ll = len(widths) - 1
        H = [rng.normal(size=(N, widths[l])) for l in range(Ll)]
        D = [rng.normal(size=(N, widths[l])) for l in range(1, Ll)] + [np.ones((N, 1))]
        tot = np.zeros((N, N))
        for l in range(Ll):
            J = np.einsum("ni,nj->nij", D[l], H[l]).reshape(N, -1)
            A = H[l].T @ H[l] / N
            B = D[l].T @ D[l] / N if averaged else (D[l].T @ D[l] if l < Ll - 1
                                                    else np.ones((1, 1)))
            tot += J @ np.linalg.pinv(np.kron(B, A), rcond=1e-10) @ J.T / N
        return tot
    N_, widths = 3, [4, 6, 5, 7]
    Lk = len(widths) - 1
    lw = S.ngd_layer_wise(Lk, samples=N_)
    ok = np.allclose(kfac(N_, widths, False), lw["kfac"]["constant"] * np.eye(N_), atol=1e-8) \
        and np.allclose(kfac(N_, widths, True),
                        lw["kfac"]["averaged_definition"]["constant"] * np.eye(N_), atol=1e-7)
    Ns = sp.Symbol("N", positive=True, integer=True)
    out.append(CheckResult(
        "NGD-KFAC", PAPER, "Sec. 4.3 (20)–(21); supp. (S.95)–(S.107)", "K-FAC constant",
        UNDECIDED, LOST, sp.Tuple(L, (L - 1) * Ns + 1),
        evidence="C = 1, N ≤ M_0 independent inputs: the K-FAC block (B_l⊗A_{l−1})⁺ maps "
                 "J_l's rows δ(n)⊗h(n) to [P_D]∘[P_H] with projections P_D = P_H = I for hidden "
                 "layers and P_D = 11ᵀ/N for the output (δ^L = 1). With A = HᵀH/N, B = DᵀD, "
                 "B_L = 1 (each block at the exact block's scale) α = L; with both factors "
                 "sample-averaged α = (L − 1)N + 1 ∝ N, matching the surviving remark that the "
                 "usual definition makes the constant proportional to N. Explicit matrices "
                 f"(N = 3, widths 4,6,5,7): {bool(ok)}", consistent=bool(ok)))

    # Unit-wise (Thm 5.1) -----------------------------------------------------------------------
    Nn, M0, M1, M2 = 4, 6, 9, 8
    X = rng.normal(size=(Nn, M0))
    W1, W2, W3 = (rng.normal(size=sz) / np.sqrt(sz[1]) for sz in [(M1, M0), (M2, M1), (1, M2)])
    u1 = X @ W1.T + 0.3 * rng.normal(size=M1)
    h1 = np.maximum(u1, 0)
    u2 = h1 @ W2.T + 0.3 * rng.normal(size=M2)
    h2 = np.maximum(u2, 0)
    d2 = (u2 > 0) * W3[0]
    d1 = (u1 > 0) * (d2 @ W2)
    units = [(d1[:, i], np.hstack([X, np.ones((Nn, 1))])) for i in range(M1)]
    units += [(d2[:, i], np.hstack([h1, np.ones((Nn, 1))])) for i in range(M2)]
    units += [(np.ones(Nn), np.hstack([h2, np.ones((Nn, 1))]))]
    coef, count = np.zeros((Nn, Nn)), np.zeros(Nn)
    for delta, inp in units:
        J = delta[:, None] * inp
        coef += J @ np.linalg.pinv(J.T @ J / Nn, rcond=1e-10) @ J.T / Nn
        count += delta != 0
    ident = np.allclose(coef, np.diag(count), atol=1e-8)
    g_relu = float(S.nonzero_derivative_probability("relu", 1.3))
    g_tanh = float(S.nonzero_derivative_probability("tanh", 1.3))
    gam = sp.Symbol("gamma", positive=True)
    Msym = sp.Symbol("M", positive=True)
    out.append(CheckResult(
        "NGD-5.1", PAPER, "Thm 5.1 (24); supp. C", "unit-wise constant γ and optimal η",
        UNDECIDED, LOST, sp.Tuple(gam * (L - 1) * Msym, 1 / (gam * (L - 1) * Msym)),
        evidence="per unit, J_u(J_uᵀJ_u)⁺J_uᵀ projects onto range(diag(δ_u)[H 1]) = "
                 "diag(1[δ_u(n) ≠ 0]) when [H 1] has full row rank, so J G_unit⁺ Jᵀ/N = "
                 f"Σ_units diag(1[δ ≠ 0]) (explicit ReLU net, N = 4: {bool(ident)}); in the "
                 "wide limit → (Σ_l γ_l M_l) I, γ_l = P[φ'(u^l) ≠ 0]: ReLU "
                 f"{g_relu}, tanh {g_tanh} (the text's 'γ = … for Tanh and … for ReLU' lost "
                 "its numbers; issue 3 states 1 and 1/2)",
        consistent=bool(ident) and g_relu == 0.5 and g_tanh == 1.0))
    return out


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
