"""Pathological spectra of the Fisher information metric (Karakida, Akaho & Amari): κ's,
diagonal blocks (Sec. 3.2, App. A.2), softmax Fisher (Theorem 3.3, App. B.1, (28)), its O(M)
outliers (Theorem 3.4, App. B.2: C − 1 of them, by the rank of Σ_n Q_n), NTK
(Sec. 4.1, App. C), metric for input and feature spaces (Theorem 5.1, App. D).

Printed:  transcribed from our copy of the paper.
Derived:  dual matrices ``c·K ⊗ I_C`` in the symbolic algebra of ``stats_dual.py`` (symbolic
          N), and, for the softmax Fisher, ``F*_cross = Q F*`` as explicit SymPy matrices with
          symbolic (and random exact rational) softmax outputs.  The toolkit's float64
          statistics must agree with the derived forms (``consistent``).
"""
from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from meanfield_sym import meanfield as S
from meanfield_sym.verdicts.record import HOLDS, MISPRINT, CheckResult, run_script

try:
    from .stats_dual import K, N, explicit_agrees
except ImportError:  # run as a plain script
    from stats_dual import K, N, explicit_agrees

PAPER = "Pathological spectra"
k1, k2, al, M, C = sp.symbols("kappa1 kappa2 alpha M C", positive=True)


def _close(x, y, rel=1e-12):
    return bool(np.allclose(np.asarray(x, float), np.asarray(y, float), rtol=rel, atol=0))


def _same(a, b) -> bool:
    return sp.simplify(a - b) == 0


# ---------------------------------------------------------------------------------------------
# Softmax helpers: explicit Q and F* with exact entries
# ---------------------------------------------------------------------------------------------
def _q_fstar(g, kk1, kk2, scale):
    """Q (CN × CN, ordered by class then sample) and F* = I_C ⊗ scale·K_N."""
    n, c = g.shape
    Q = sp.zeros(c * n, c * n)
    for k, kp in itertools.product(range(c), range(c)):
        for i in range(n):
            Q[k * n + i, kp * n + i] = g[i, k] * (1 if k == kp else 0) - g[i, k] * g[i, kp]
    Kn = (kk1 - kk2) * sp.eye(n) + kk2 * sp.ones(n, n)
    F = sp.diag(*([scale * Kn] * c))
    return Q, F


def _betas_printed(g):
    """β₁–β₄ exactly as printed in Theorem 3.3 (g an N × C SymPy matrix)."""
    n, c = g.shape
    row = [[g[i, k] for k in range(c)] for i in range(n)]
    b1 = 1 - sum(sum(x ** 2 for x in r) for r in row) / n
    b2 = sum(sum(row[m][k] * row[i][k] for k in range(c))
             - 2 * sum(row[m][k] ** 2 * row[i][k] for k in range(c))
             + sum(row[m][k] * row[i][k] for k in range(c)) ** 2
             for i in range(n) for m in range(n) if i != m) / n ** 2
    b3 = sum(sum((1 - 2 * x) * x ** 2 for x in r) + sum(x ** 2 for x in r) ** 2
             for r in row) / n
    return b1, b2, b3


def _rational_probs(n, c, seed):
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 9, size=(n, c))
    return sp.Matrix([[sp.Rational(int(w[i, k]), int(w[i].sum())) for k in range(c)]
                      for i in range(n)])


# ---------------------------------------------------------------------------------------------
# Theorem 3.4: the number of O(M) eigenvalues of F_cross
# ---------------------------------------------------------------------------------------------
#: Relative slack for Weyl's inequalities checked on float64 spectra of explicit matrices.
WEYL_RTOL = 1e-9


def _theorem_3_4() -> CheckResult:
    """Rank argument: Q_n 1 = 0, so the rank-C leading part of F* gives only C − 1 outliers."""
    # (a) symbolic softmax outputs (rows sum to 1 by construction), N = 2, C = 3
    gs = sp.symbols("g0:6", positive=True)
    g = sp.Matrix([[gs[0], gs[1], 1 - gs[0] - gs[1]], [gs[2], gs[3], 1 - gs[2] - gs[3]]])
    n_, c_ = g.shape
    one = sp.ones(c_, 1)
    q_rows = [sp.diag(*g.row(i)) - g.row(i).T * g.row(i) for i in range(n_)]
    kernel_ok = all(sp.simplify(Qn * one) == sp.zeros(c_, 1) for Qn in q_rows)
    Q, _ = _q_fstar(g, k1, k2, 1)
    E = sp.kronecker_product(sp.eye(c_), sp.ones(n_, 1))       # columns 1_N ⊗ e_k (class-major)
    compress_ok = sp.simplify(E.T * Q * E - sum(q_rows, sp.zeros(c_, c_))) == sp.zeros(c_, c_)
    x = E * one                                                  # ∝ Σ_k v_k, in V_C
    flaw_ok = sp.simplify((x.T * Q * x)[0, 0]) == 0
    # (b) exact rationals: rank of the leading rank-C part Q·(1 1ᵀ ⊗ I_C) is C − 1
    ranks = []
    for (nn, cc, seed) in ((4, 3, 11), (5, 4, 12), (3, 5, 13)):
        gr = _rational_probs(nn, cc, seed)
        Qr, _ = _q_fstar(gr, 1, 1, 1)
        Er = sp.kronecker_product(sp.eye(cc), sp.ones(nn, 1))
        ranks.append(((Qr * Er * Er.T).rank(), cc))
    rank_ok = all(r == cc - 1 for r, cc in ranks)
    # (c) float64: the leading-order dual with N ∝ M; Weyl bounds of softmax_outliers hold,
    #     λ_(C−1) grows like M while λ_C stays below b = O(1)
    rng = np.random.default_rng(34)
    kk1, kk2, aa, cc, rho = 1.6, 0.5, 2.0, 4, 25
    weyl_ok, rows = True, []
    for M_ in (250, 1000, 2000):
        nn = M_ // rho
        z = rng.normal(size=(nn, cc)) * 1.5
        gg = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        Qn = np.zeros((cc * nn, cc * nn))
        for i in range(nn):
            blk = np.diag(gg[i]) - np.outer(gg[i], gg[i])
            idx = np.arange(cc) * nn + i
            Qn[np.ix_(idx, idx)] = blk
        Fs = np.kron(np.eye(cc), aa * M_ / nn * ((kk1 - kk2) * np.eye(nn) + kk2))
        w_, V = np.linalg.eigh(Qn)
        Qh = (V * np.sqrt(np.clip(w_, 0, None))) @ V.T
        lam = np.sort(np.linalg.eigvalsh(Qh @ Fs @ Qh))[::-1]
        st = S.softmax_outliers(gg, kk1, kk2, aa, M_)
        lo, hi, bC = st["outliers"], st["outliers_upper"], float(st["lambda_C_upper"])
        tol = WEYL_RTOL * lam[0]
        weyl_ok &= bool(np.all(lam[:cc - 1] >= lo - tol) and np.all(lam[:cc - 1] <= hi + tol)
                        and lam[cc - 1] <= bC + tol)
        rows.append(f"M = {M_}, N = {nn}: λ_(C−1)/M = {lam[cc - 2] / M_:.4f}, "
                    f"λ_C = {lam[cc - 1]:.3g} ≤ b = {bC:.3g}")
    corrected = ("at most C − 1 eigenvalues are O(M): αMκ₂μ_k ≤ λ_k ≤ αMκ₂μ_k + b "
                 "(k ≤ C − 1, μ_k the eigenvalues of Q̄ = Σ_n Q_n/N), λ_C ≤ b = "
                 "(αM/N)(κ₁ − κ₂)max_n λ_max(Q_n) (+ the O(√M) residual of F*), O(1) when N ∝ M")
    return CheckResult(
        "PS-3.4", PAPER, "Thm 3.4; App. (B.10)–(B.11)", "number of O(M) eigenvalues of F_cross",
        MISPRINT, "F_cross has its C largest eigenvalues of O(M)",
        "rank(Σ_n Q_n) = C − 1: C − 1 eigenvalues of O(M)", corrected=corrected,
        evidence="The O(M) part of F* = (αM/N)K ⊗ I_C (N ∝ M) is A = (αMκ₂/N)(1 1ᵀ ⊗ I_C) = "
                 "(αMκ₂/N) E Eᵀ, E = I_C ⊗ 1_N, of rank C; the non-zero eigenvalues of "
                 "Q^(1/2)AQ^(1/2) are those of (αMκ₂/N) EᵀQE = αMκ₂ Q̄. Symbolic g (N = 2, "
                 f"C = 3): Q_n 1 = 0 for every sample: {kernel_ok}; EᵀQE = Σ_n Q_n: "
                 f"{compress_ok}; so Q̄ 1 = 0 and rank Q̄ ≤ C − 1. Exact rationals: "
                 f"rank(Q·(1 1ᵀ ⊗ I_C)) = {[r for r, _ in ranks]} for C = "
                 f"{[c for _, c in ranks]} (= C − 1: {rank_ok}). Weyl with 0 ⪯ Q^(1/2)BQ^(1/2) "
                 "⪯ b gives the corrected statement; explicit float64 spectra of the "
                 f"leading-order dual (C = {cc}, N = M/{rho}) obey it: {weyl_ok} ("
                 + "; ".join(rows) + "). The proof's (B.11) bounds the max over x ∈ S_r by "
                 "v_(i1)ᵀQv_(i1)λ_max(F), but v_(i1) need not lie in S_r: for r = C, S_C may be "
                 f"span(Σ_k v_k), on which xᵀQx = 0 identically ({flaw_ok}). Finite networks "
                 "agree (derivations/mc_ps_softmax.py, MC-PS-3.4-relu: ReLU (2, 0.1), L = 3, "
                 "C = 10, N = M/25, M = 250–2000: λ_C/M ∝ M^(−0.71 ± 0.09) against λ_1/M ∝ "
                 "M^(−0.15 ± 0.03), so λ_C is not O(M); λ_(C−1) matches αMκ₂μ_(C−1) within "
                 "noise but is not yet separated at these widths)",
        consistent=bool(kernel_ok and compress_ok and flaw_ok and rank_ok and weyl_ok))


def checks() -> list[CheckResult]:
    out = []
    qt1, qt2, qh1, qh2, qhL1 = sp.symbols("qtilde1^l qtilde2^l qhat1^l-1 qhat2^l-1 qhat1^l",
                                          positive=True)

    # κ definitions (Thm 3.1, App. A.11) --------------------------------------------------------
    out.append(CheckResult(
        "PS-kappa", PAPER, "Thm 3.1 (κ₁, κ₂); App. (A.11) K^l",
        "summand of κ₁ (and entries of K^l)", MISPRINT, qhL1 * qh1, qt1 * qh1,
        corrected=qt1 * qh1,
        evidence="‖∇_W f(n)‖² = Σ_l Σ_ij δ_i^l(n)² h_j^{l−1}(n)² = Σ_l M_{l−1} q̃_1^l q̂_1^{l−1} "
                 "(Universal statistics supp. A.5–A.6 print q̃^l q̂^{l−1}); the printed q̂_1^l "
                 "is undefined at l = L (linear output) — a lost tilde. Same for κ₂ and K^l"))

    # Diagonal blocks (Sec. 3.2, App. A.2) ---------------------------------------------------
    al0, al1 = sp.symbols("alpha_l-1 alpha_l", positive=True)
    c1, c2 = qt1 * qh1, qt2 * qh2
    dual = K(c1, c2) * (al0 * M / N)
    Pl = al1 * al0 * M ** 2
    derived = [sp.simplify(C * dual.trace() / Pl), sp.simplify(C * dual.frobenius2() / Pl),
               sp.expand(dual.a + N * dual.b)]
    printed = [c1 / al1 * C / M, al0 / al1 * ((N - 1) / N * c2 ** 2 + c1 ** 2 / N) * C,
               al0 * ((N - 1) / N * c2 + c1 / N) * M]
    ok = all(_same(d, p) for d, p in zip(derived, printed))
    vals = {qt1: 2, qh1: sp.Rational(3, 2), qt2: sp.Rational(1, 2), qh2: sp.Rational(1, 3),
            al0: 1, al1: 2, M: 100}
    expl = explicit_agrees(dual, vals)
    # output layer: α_L = C/M (App. A.2); the k ≠ k' blocks of F^{LL*} vanish exactly since
    # ∂f_k/∂W^L_ij = δ_ik h_j, so the block formula is exact there
    last = [sp.simplify(p.subs(al1, C / M)) for p in printed]
    out.append(CheckResult(
        "PS-3.2", PAPER, "Sec. 3.2; App. (A.10)", "statistics of diagonal blocks F^{ll}",
        HOLDS if ok else MISPRINT, sp.Tuple(*printed), sp.Tuple(*derived),
        corrected=None if ok else sp.Tuple(*derived),
        evidence="dual α_{l−1}M/N·K^l ⊗ I_C, P_l = α_l α_{l−1} M² (with q̃ for the printed q̂, "
                 f"see PS-kappa); explicit matrices N = 1..6 agree: {expl}. Output layer with "
                 f"α_L = C/M: m, s, λ_max = {sp.Tuple(*last)} (m = q̂_1^{{L−1}} is O(1))",
        consistent=expl))

    # Softmax Fisher (Thm 3.3) ----------------------------------------------------------------
    scale = al * M / N
    P = al * M ** 2
    # (a) symbolic softmax outputs, N = 2 samples, C = 3 classes
    gs = sp.symbols("g0:6", positive=True)
    g = sp.Matrix([[gs[0], gs[1], 1 - gs[0] - gs[1]], [gs[2], gs[3], 1 - gs[2] - gs[3]]])
    n_, c_ = g.shape
    Q, F = _q_fstar(g, k1, k2, al * M / n_)
    X = Q * F
    b1, b2, b3 = _betas_printed(g)
    m_derived = sp.simplify(X.trace() / P)
    s_derived = sp.expand((X * X).trace() / P)
    m_ok = _same(m_derived, b1 * k1 / M)
    beta1 = sp.Symbol("beta1", positive=True)
    m_printed, m_b4 = beta1 * C * k1 / M, C * (1 - beta1) * k1 / M
    s_printed = al * (b2 * k2 ** 2 + b3 * k1 ** 2 / n_)
    s_ok = _same(s_derived, s_printed)
    # (b) exact rational outputs, N = 4, C = 3 and numerical eigenvalues for the λ bounds
    gr = _rational_probs(4, 3, 11)
    Qr, Fr = _q_fstar(gr, sp.Rational(7, 5), sp.Rational(2, 5), sp.Rational(2 * 100, 4))
    Xr = Qr * Fr
    Pr = 2 * 100 ** 2
    b1r, b2r, b3r = _betas_printed(gr)
    mr_ok = _same(Xr.trace() / Pr, b1r * sp.Rational(7, 5) / 100)
    sr = (Xr * Xr).trace() / Pr
    sr_ok = _same(sr, 2 * (b2r * sp.Rational(4, 25) + b3r * sp.Rational(49, 25) / 4))
    gnp = np.array(gr.tolist(), dtype=float)
    num = S.softmax_fim_statistics(S.softmax_betas(gnp), 1.4, 0.4, 2.0, 100.0)
    cons = _close(num["mean"], float(Xr.trace() / Pr)) and _close(num["second_moment"],
                                                                   float(sr))
    out.append(CheckResult(
        "PS-3.3-m", PAPER, "Thm 3.3 (m_λ); App. (B.4)", "mean eigenvalue of F_cross",
        MISPRINT, m_printed, beta1 * k1 / M,
        corrected=beta1 * k1 / M,
        evidence="tr(Q F*)/P = Σ_n Σ_k Q_n(k,k)·ακ₁M/N / (αM²) = κ₁(1 − Σ_n Σ_k g_k(n)²/N)/M "
                 f"= β₁κ₁/M. Symbolic g (N = 2, C = 3): {m_ok}; exact rationals (N = 4, C = 3): "
                 f"{mr_ok}. The theorem's β₁Cκ₁/M and (B.4)'s C(1 − β₁)κ₁/M = {m_b4} both "
                 "differ (Σ_k Q_n(k,k) = 1 − Σ_k g_k², not C)",
        consistent=cons and m_ok and mr_ok))
    out.append(CheckResult(
        "PS-3.3-s", PAPER, "Thm 3.3 (s_λ, β₂, β₃); App. (B.5)–(B.6)",
        "second moment of F_cross", HOLDS if s_ok and sr_ok else MISPRINT,
        s_printed, s_derived, corrected=None if s_ok and sr_ok else s_derived,
        evidence="tr((Q F*)²)/P with the k ≠ k' blocks of F* dropped (leading order) equals "
                 f"α(β₂κ₂² + β₃κ₁²/N) identically in symbolic g (N = 2, C = 3): {s_ok}; exact "
                 f"rationals (N = 4, C = 3): {sr_ok}", consistent=cons))
    # λ_max bounds: numerically on random instances
    rng = np.random.default_rng(3)
    bounds_ok = True
    for _ in range(20):
        z = rng.normal(size=(6, 4)) * 2
        gg = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        Qn, Fn = _q_fstar(sp.Matrix(gg), 1.3, 0.45, 2.0 * 100 / 6)
        ev = np.real(np.linalg.eigvals(np.array((Qn * Fn).evalf(), dtype=float)))
        st = S.softmax_fim_statistics(S.softmax_betas(gg), 1.3, 0.45, 2.0, 100.0)
        bounds_ok &= st["lambda_max_lower"] <= ev.max() * (1 + 1e-10) <= \
            st["lambda_max_upper"] * (1 + 1e-10)
        bounds_ok &= ev.max() <= st["linear"]["lambda_max"] * (1 + 1e-10)
    lam_lin = al * ((N - 1) / N * k2 + k1 / N) * M
    b4 = sp.Symbol("beta4", positive=True)
    out.append(CheckResult(
        "PS-3.3-lam", PAPER, "Thm 3.3 (λ_max bounds); App. (B.7)–(B.9)",
        "β₄λ^lin_max ≤ λ_max(F_cross) ≤ √(α s_λ) M", HOLDS,
        sp.Tuple(b4 * lam_lin, sp.sqrt(al * sp.Symbol("s_lambda")) * M),
        sp.Tuple(b4 * lam_lin, sp.sqrt(al * sp.Symbol("s_lambda")) * M),
        evidence="ν_kᵀQν_k = (1/N)Σ_n g_k(n)(1 − g_k(n)) on F's top eigenvectors gives the lower "
                 "bound, Σλ² = P s_λ the upper; 20 random softmax arrays (N = 6, C = 4): the top "
                 f"eigenvalue of the explicit Q F* lies between the bounds and below λ^lin_max: "
                 f"{bool(bounds_ok)}. (B.9) writes 'λ_max(F) ≥' for 'λ_max ≥' (typo)",
        consistent=bool(bounds_ok)))
    # (28)
    q_ok = True
    for _ in range(50):
        z = rng.normal(size=5) * 3
        gg = np.exp(z) / np.exp(z).sum()
        q_ok &= np.linalg.eigvalsh(np.diag(gg) - np.outer(gg, gg)).max() <= 0.5 + 1e-12
    out.append(CheckResult(
        "PS-28", PAPER, "(28); App. B.1 end", "m_λ ≤ m^lin, s_λ ≤ s^lin, λ_max ≤ λ^lin_max",
        HOLDS, sp.Symbol("lambda_max(Q) <= 1"), sp.Symbol("lambda_max(Q_n) <= 1/2"),
        evidence="λ_i(QF*) ≤ λ_max(Q) λ_i(F*) and λ_max(Q) ≤ max_n λ_max(Q_n); Gershgorin on "
                 "Q_n = diag(g) − ggᵀ gives row sums 2g_k(1 − g_k) ≤ 1/2, so in fact "
                 f"λ_max(Q) ≤ 1/2 (50 random g: {bool(q_ok)}); the derived m_λ = β₁κ₁/M ≤ "
                 "(1 − 1/C)κ₁/M also obeys (28)", consistent=bool(q_ok)))

    # Theorem 3.4 (App. B.2): how many O(M) outliers ----------------------------------------------
    out.append(_theorem_3_4())

    # NTK (Sec. 4.1, App. C) ------------------------------------------------------------------
    sw, sb = sp.symbols("sigma_w2 sigma_b2", positive=True)
    out.append(CheckResult(
        "PS-4.1-kappa", PAPER, "Sec. 4.1 (κ₁', κ₂'); App. C", "summand of κ₁'",
        MISPRINT, sw * qhL1 * qh1 + sb * qhL1, sw * qt1 * qh1 + sb * qt1,
        corrected=sw * qt1 * qh1 + sb * qt1,
        evidence="‖∇_ω f(n)‖² = σ_w² Σ_l Σ_ij δ_i^l² h_j^{l−1}²/M_{l−1} = σ_w² Σ_l q̃_1^l "
                 "q̂_1^{l−1} and ‖∇_β f(n)‖² = σ_b² Σ_l q̃_1^l (App. C's own words, which "
                 "themselves print q̃_1^l q̃_1^{l−1}); the main text's hats are lost tildes"))
    k1p, k2p = sp.symbols("kappa1' kappa2'", positive=True)
    theta = K(k1p, k2p) * al
    m_der = sp.simplify(C * theta.trace() / (C * N))
    s_der = sp.simplify(C * theta.frobenius2() / (C * N))
    l_der = sp.expand(theta.a + N * theta.b)
    m_pr, s_pr = al * k1p * C, al ** 2 * ((N - 1) * k2p ** 2 + k1p ** 2) * C
    l_pr = al * ((N - 1) * k2p + k1p)
    nt = S.ntk_statistics(2.0, 0.5, 3.0, 7, 4)
    cons = _close(nt["mean"], 6.0) and _close(nt["second_moment"], 9 * (6 * 0.25 + 4)) and \
        _close(nt["lambda_max"], 3 * (6 * 0.5 + 2))
    out.append(CheckResult(
        "PS-4.1-ms", PAPER, "Sec. 4.1 (m_λ, s_λ of Θ)", "NTK mean and second moment",
        MISPRINT, sp.Tuple(m_pr, s_pr), sp.Tuple(m_der, s_der), corrected=sp.Tuple(m_der, s_der),
        evidence="Θ(k,k') = αK'δ_kk' (C.1) is CN × CN; with the paper's own definition "
                 "m_λ = (1/dim)Σλ_i (Sec. 3), tr Θ/(CN) = ακ₁' and ‖Θ‖_F²/(CN) = "
                 "α²((N−1)κ₂'² + κ₁'²). The printed extra factor C is what one gets by "
                 "dividing by N instead of CN; the two agree for C = 1",
        consistent=cons))
    out.append(CheckResult(
        "PS-4.1-lam", PAPER, "Sec. 4.1 (λ_max of Θ)", "NTK largest eigenvalue",
        HOLDS if _same(l_der, l_pr) else MISPRINT, l_pr, l_der,
        evidence="top eigenvalue of αK' (eigenvector 1, each of the C blocks)",
        consistent=cons))

    # Feature metric (Thm 5.1, App. D) -----------------------------------------------------------
    at = sp.Symbol("alpha~", positive=True)
    kt1, kt2 = sp.symbols("kappa~1 kappa~2", positive=True)
    ad = K(kt1, kt2) * (at / N)                                       # (D.2)
    Mh = at * M
    m_der = sp.simplify(C * ad.trace() / Mh)
    s_der = sp.simplify(C * ad.frobenius2() / Mh)
    l_der = sp.expand(ad.a + N * ad.b)
    fm_vals = {kt1: 2, kt2: sp.Rational(1, 2), at: 3}
    expl = explicit_agrees(ad, fm_vals)
    out.append(CheckResult(
        "PS-5.1-m-lam", PAPER, "Thm 5.1, (D.6) (m_λ, λ_max of A)", "feature metric mean, λ_max",
        HOLDS if _same(m_der, kt1 * C / M) and _same(l_der, at * ((N - 1) / N * kt2 + kt1 / N))
        else MISPRINT, sp.Tuple(kt1 * C / M, at * ((N - 1) / N * kt2 + kt1 / N)),
        sp.Tuple(m_der, l_der),
        evidence=f"dual A_k* = (α̃/N)Ā*, M_h = α̃M; explicit matrices N = 1..6: {expl}",
        consistent=expl))
    s_thm = at * ((N - 1) / N * kt2 + kt1 ** 2 / N)
    s_d6 = at * ((N - 1) / N * kt2 ** 2 + kt1 ** 2 / N) * C
    out.append(CheckResult(
        "PS-5.1-s", PAPER, "Thm 5.1 and (D.6) (s_λ of A_k, A)", "feature metric second moment",
        MISPRINT, sp.Tuple(s_thm, s_d6), s_der, corrected=s_der,
        evidence="s_λ = C‖(α̃/N)Ā*‖_F²/M_h with M_h = α̃M (App. D.1's own recipe) carries 1/M; "
                 f"printed/derived (D.6) = {sp.simplify(s_d6 / s_der)}. Only N eigenvalues are "
                 "nonzero, each O(1), so Σλ²/M_h = O(N/M): an O(1) second moment would need "
                 "O(M) eigenvalues of order 1. Theorem 5.1 also prints κ̃₂ unsquared",
        consistent=expl))
    qtl1, qtl2, swl, Ml = sp.symbols("qtilde1^l+1 qtilde2^l+1 sigma_w2 M_l", positive=True)
    bd = K(qtl1, qtl2) * (swl / N)                                    # (D.8) with q̃
    qhl1, qhl2 = sp.symbols("qhat1^l+1 qhat2^l+1", positive=True)
    printed = sp.Tuple(swl * qhl1 / Ml,
                       swl ** 2 * ((N - 1) / N * qhl2 ** 2 + qhl1 ** 2 / N),
                       swl * ((N - 1) / N * qhl2 + qhl1 / N))
    derived = sp.Tuple(sp.simplify(bd.trace() / Ml), sp.simplify(bd.frobenius2() / Ml),
                       sp.expand(bd.a + N * bd.b))
    out.append(CheckResult(
        "PS-D.2", PAPER, "App. (D.8) and the block statistics after it",
        "diagonal blocks A_k^{ll} of the feature metric", MISPRINT, printed, derived,
        corrected=derived,
        evidence="∇_{h^l} f(n)·∇_{h^l} f(m) = Σ_i Σ_jj' W_ji W_j'i δ_j(n)δ_j'(m) → σ_w² Σ_j "
                 "δ_j^{l+1}(n)δ_j^{l+1}(m) = σ_w² q̃^{l+1} (backward, not q̂); the second moment "
                 "is ‖(σ_w²/N)K‖_F²/M_l, which carries 1/M_l as in PS-5.1-s"))
    return out


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
