"""Pathological spectra of the Fisher information metric (Karakida, Akaho & Amari): κ's,
diagonal blocks (Sec. 3.2, App. A.2), softmax Fisher (Theorem 3.3, App. B.1, (28)), its O(M)
outliers (Theorem 3.4, App. B.2: C − 1 of them, by the rank of Σ_n Q_n), NTK
(Sec. 4.1, App. C), metric for input and feature spaces (Theorem 5.1, App. D).

Printed:  transcribed from the paper's plain-text edition.
Derived:  dual matrices ``c·K ⊗ I_C`` in the symbolic algebra of ``stats_dual.py`` (symbolic
          N), and, for the softmax Fisher, ``F*_cross = Q F*`` as explicit SymPy matrices with
          symbolic (and random exact rational) softmax outputs.  The toolkit's float64
          statistics must agree with the derived forms.
Witnesses: explicit matrices (exact algebra), and finite random tanh networks (the Monte Carlo
          setting of ``mc_ps_metrics``, a few networks at one width) whose statistics separate
          q̂ from q̃ and the factors C, M.  Verdicts by :func:`meanfield_sym.verdicts.judge.judge`.
"""
from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from meanfield_sym import meanfield as S
from meanfield_sym.verdicts.judge import Definition, Reading, Witness, judge
from meanfield_sym.verdicts.record import CheckResult, run_script

try:
    from . import _common as CM
    from . import mc_ps_metrics as PM
except ImportError:  # run as a plain script
    from meanfield_sym.derivations import _common as CM
    from meanfield_sym.derivations import mc_ps_metrics as PM

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


#: quick finite-width witness: the Monte Carlo setting of mc_ps_metrics at one width
FAST_WIDTH, FAST_NETWORKS = 400, 6
_FAST = None


def _fast():
    global _FAST
    if _FAST is None:
        _FAST = PM.collect(seeds={FAST_WIDTH: FAST_NETWORKS}, seed=313)
    return _FAST


def _fast_witness(name, forms, derived_name, what):
    d = _fast()
    e = d.experiment(name, FAST_WIDTH)
    th = {f: float(np.mean(d.theory(name, f, FAST_WIDTH))) for f in forms}
    return CM.ratio_witness(f"{FAST_NETWORKS} random {PM.ACT} networks (σ_w², σ_b²) = "
                            f"({PM.SW:g}, {PM.SB:g}), L = {PM.DEPTH}, C = {PM.CLASSES}, N = "
                            f"{PM.SAMPLES}, M = {FAST_WIDTH}: {what}", e,
                            {f: th[f] for f in forms}, derived_name)


D_QT = Definition("q̃^l", "q̃_1^l := Σ_i δ_i^l(n)² (backward order parameter)",
                  "Pathological spectra, Sec. 2 (plain-text line 147)")
D_KAPPA_PS = Definition("κ₁, κ₂", "κ_1 := Σ_l (α_{l−1}/α) q̂_1^l q̂_1^{l−1} (as printed; Sec. 3.2 "
                        "prints q̃_1^l q̂_1^{l−1})", "Pathological spectra, Thm 3.1 (line 189), "
                        "Sec. 3.2 (line 223)")
D_LIN_OUT = Definition("q̃^L", "A linear network output (3) leads to … q̃_1^L = q̃_2^L = 1",
                       "Pathological spectra, Sec. 2 (line 153)")
D_MLAMBDA = Definition("m_λ", "m_λ := (1/P)Σ_i λ_i for an P × P metric tensor",
                       "Pathological spectra, Sec. 3 (lines 159–161)")
D_ALPHA = Definition("α", "α := Σ_{l=1}^{L−1} α_l α_{l−1}", "Pathological spectra, line 187")
D_BETA = Definition("β₁", "β₁ := 1 − Σ_n Σ_k g_k(n)²/N (softmax outputs g)", "Pathological "
                    "spectra, Thm 3.3 (line 264)")
D_NTK = Definition("Θ", "Θ(k,k′) = αK′δ_kk′ (C.1), a CN × CN matrix", "Pathological spectra, "
                   "App. C")
D_FM = Definition("A", "s_λ ∼ ‖α̃/N Ā*‖_F²/M_h, where M_h = α̃M", "Pathological spectra, "
                  "App. D.1 (line 538)")


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
    # (d) fixed N: the whole F* is O(M); λ_C/M of the leading-order dual does not fall with M
    fixed = []
    for M_ in (200, 1600):
        nn = 5
        z = np.random.default_rng(35).normal(size=(nn, cc)) * 1.5
        gg = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        Qn = np.zeros((cc * nn, cc * nn))
        for i in range(nn):
            idx = np.arange(cc) * nn + i
            Qn[np.ix_(idx, idx)] = np.diag(gg[i]) - np.outer(gg[i], gg[i])
        Fs = np.kron(np.eye(cc), aa * M_ / nn * ((kk1 - kk2) * np.eye(nn) + kk2))
        w_, V = np.linalg.eigh(Qn)
        Qh = (V * np.sqrt(np.clip(w_, 0, None))) @ V.T
        lam = np.sort(np.linalg.eigvalsh(Qh @ Fs @ Qh))[::-1]
        fixed.append(lam[cc - 1] / M_)
    fixed_const = bool(abs(fixed[1] / fixed[0] - 1) < 1e-9 and fixed[0] > 0)
    # (e) N = 1: rank(Q F*) ≤ rank Q_1 = C − 1, so λ_C = 0 exactly
    g1 = _rational_probs(1, 4, 17)
    Q1, F1 = _q_fstar(g1, sp.Rational(7, 5), sp.Rational(2, 5), 100)
    rank1 = (Q1 * F1).rank()
    corrected = ("for N ∝ M at most C − 1 eigenvalues are O(M): αMκ₂μ_k ≤ λ_k ≤ αMκ₂μ_k + b "
                 "(k ≤ C − 1, μ_k the eigenvalues of Q̄ = Σ_n Q_n/N), λ_C ≤ b = "
                 "(αM/N)(κ₁ − κ₂)max_n λ_max(Q_n) (+ the O(√M) residual of F*), O(1) when N ∝ M; "
                 "for N = 1 λ_C = 0; for fixed N ≥ 2 the statement holds")
    printed = "F_cross has its C largest eigenvalues of O(M)"
    return judge(
        id="PS-3.4", paper=PAPER, equation="Thm 3.4; App. (B.10)–(B.11)", key="Thm 3.4",
        kind="claim", what="number of O(M) eigenvalues of F_cross", printed=printed,
        derived=corrected, corrected=corrected,
        definitions=[Definition("N", "The obtained results are universal for any sample size N "
                                "which may depend on M", "Pathological spectra, Sec. 3 "
                                "(line 163)"), D_BETA],
        readings=[
            Reading("N ∝ M", "the regime of the outlier discussion (line 295)", printed,
                    "at most C − 1 eigenvalues of O(M)", equal=False,
                    how=f"rank(Q·(1 1ᵀ ⊗ I_C)) = C − 1 in exact rationals ({rank_ok}); "
                        f"λ_C ≤ b = O(1) in the leading-order dual ({weyl_ok})",
                    supported_by="line 295"),
            Reading("N fixed, N ≥ 2", "F* = (αM/N)K ⊗ I_C is O(M) as a whole", printed,
                    printed, equal=fixed_const,
                    how="λ_C/M of the explicit leading-order dual (C = 4, N = 5) at M = 200 and "
                        f"1600: {fixed[0]:.4f}, {fixed[1]:.4f} (constant: {fixed_const})",
                    supported_by="line 163 ('any sample size N')"),
            Reading("N = 1", "one sample", printed, "at most C − 1 non-zero eigenvalues",
                    equal=bool(rank1 >= 4), how=f"exact rational Q F* (C = 4, N = 1): rank "
                    f"{rank1}", supported_by="line 163")],
        witnesses=[Witness("exact-algebra", "symbolic softmax outputs (N = 2, C = 3): Q_n 1 = 0, "
                           "EᵀQE = Σ_n Q_n; exact-rational ranks", True,
                           bool(kernel_ok and compress_ok and rank_ok), not rank_ok,
                           {"ranks": [r for r, _ in ranks], "C": [c for _, c in ranks],
                            "rank with N = 1, C = 4": rank1}),
                   Witness("exact-algebra", f"float64 spectra of the leading-order dual "
                           f"(C = {cc}, N = M/{rho}) against the Weyl bounds of the corrected "
                           "statement: " + "; ".join(rows), False, bool(weyl_ok), None, {})],
        argument="The O(M) part of F* = (αM/N)K ⊗ I_C (N ∝ M) is (αMκ₂/N) E Eᵀ, E = I_C ⊗ 1_N, "
                 "of rank C; the non-zero eigenvalues of Q^(1/2)AQ^(1/2) are those of αMκ₂ Q̄, "
                 "and Q̄1 = 0, so only C − 1 of them are O(M). The proof's (B.11) bounds the max "
                 "over x ∈ S_r by v_(i1)ᵀQv_(i1)λ_max(F), but v_(i1) need not lie in S_r: for "
                 f"r = C, S_C may be span(Σ_k v_k), on which xᵀQx = 0 identically ({flaw_ok}). "
                 "Which regime of N the theorem means decides the verdict.")


def _ex(desc, ok, indep=False, printed=None, **nums):
    return Witness("exact-algebra", desc, indep, bool(ok), printed, nums)


def checks() -> list[CheckResult]:
    out = []
    qt1, qt2, qh1, qh2, qhL1 = sp.symbols("qtilde1^l qtilde2^l qhat1^l-1 qhat2^l-1 qhat1^l",
                                          positive=True)
    read_q = ("q̂_1^L read as q_1^L (identity output)", "q̂_1^L read as E[φ(u^L)²]")

    # κ definitions (Thm 3.1, App. A.11) --------------------------------------------------------
    w = _fast_witness("F_mean", ("corrected", "printed", "printed_phi"), "corrected",
                      "m_λ = tr F/P against κ₁ with q̃ (derived) and with the printed q̂ under "
                      "both readings of q̂_1^L")
    w.agrees_printed = {read_q[0]: abs(w.numbers["experiment/printed"] - 1) <= CM.RATIO_WINDOW,
        read_q[1]: abs(w.numbers["experiment/printed_phi"] - 1) <= CM.RATIO_WINDOW}
    out.append(judge(
        id="PS-kappa", paper=PAPER, equation="Thm 3.1 (κ₁, κ₂); App. (A.11) K^l", key="Thm 3.1 κ",
        what="summand of κ₁ (and entries of K^l)", printed=qhL1 * qh1, derived=qt1 * qh1,
        definitions=[D_KAPPA_PS, D_QT, D_LIN_OUT],
        readings=[Reading(r, "the printed q̂_1^l is undefined at l = L (linear output)",
                          qhL1 * qh1, qt1 * qh1) for r in read_q],
        witnesses=[w],
        argument="‖∇_W f(n)‖² = Σ_l Σ_ij δ_i^l(n)² h_j^{l−1}(n)² = Σ_l M_{l−1} q̃_1^l q̂_1^{l−1} "
                 "(Universal statistics supp. A.5–A.6 and this paper's Sec. 3.2 print "
                 "q̃^l q̂^{l−1}); the printed q̂_1^l is undefined at l = L."))

    # Diagonal blocks (Sec. 3.2, App. A.2) ---------------------------------------------------
    al0, al1 = sp.symbols("alpha_l-1 alpha_l", positive=True)
    c1, c2 = qt1 * qh1, qt2 * qh2
    dual = K(c1, c2) * (al0 * M / N)
    Pl = al1 * al0 * M ** 2
    derived = [sp.simplify(C * dual.trace() / Pl), sp.simplify(C * dual.frobenius2() / Pl),
               sp.expand(dual.a + N * dual.b)]
    printed = [c1 / al1 * C / M, al0 / al1 * ((N - 1) / N * c2 ** 2 + c1 ** 2 / N) * C,
               al0 * ((N - 1) / N * c2 + c1 / N) * M]
    vals = {qt1: 2, qh1: sp.Rational(3, 2), qt2: sp.Rational(1, 2), qh2: sp.Rational(1, 3),
            al0: 1, al1: 2, M: 100}
    expl = explicit_agrees(dual, vals)
    wl = _fast_witness("F22_mean", ("printed",), "printed", "m_λ of the block F^{22}")
    wl.agrees_printed = wl.agrees_derived
    out.append(judge(
        id="PS-3.2", paper=PAPER, equation="Sec. 3.2; App. (A.10)", key="Sec. 3.2 F^{ll}",
        what="statistics of diagonal blocks F^{ll}", printed=sp.Tuple(*printed),
        derived=sp.Tuple(*derived), definitions=[D_QT, Definition(
            "P_l", "P_l = α_l α_{l−1} M² (α_L = C/M for the output layer)",
            "Pathological spectra, App. A.2")],
        witnesses=[_ex("explicit matrices N = 1..6 of the dual α_{l−1}M/N·K^l", expl), wl],
        argument="Dual α_{l−1}M/N·K^l ⊗ I_C, P_l = α_l α_{l−1} M² (with q̃, as Sec. 3.2 prints)."))

    # Softmax Fisher (Thm 3.3) ----------------------------------------------------------------
    P = al * M ** 2
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
    m_printed = beta1 * C * k1 / M
    s_printed = al * (b2 * k2 ** 2 + b3 * k1 ** 2 / n_)
    gr = _rational_probs(4, 3, 11)
    Qr, Fr = _q_fstar(gr, sp.Rational(7, 5), sp.Rational(2, 5), sp.Rational(2 * 100, 4))
    Xr = Qr * Fr
    Pr = 2 * 100 ** 2
    b1r, b2r, b3r = _betas_printed(gr)
    mr_ok = _same(Xr.trace() / Pr, b1r * sp.Rational(7, 5) / 100)
    pr_ratio = sp.simplify((3 * b1r * sp.Rational(7, 5) / 100) / (Xr.trace() / Pr))
    sr = (Xr * Xr).trace() / Pr
    sr_ok = _same(sr, 2 * (b2r * sp.Rational(4, 25) + b3r * sp.Rational(49, 25) / 4))
    gnp = np.array(gr.tolist(), dtype=float)
    num = S.softmax_fim_statistics(S.softmax_betas(gnp), 1.4, 0.4, 2.0, 100.0)
    cons = _close(num["mean"], float(Xr.trace() / Pr)) and _close(num["second_moment"],
                                                                   float(sr))
    out.append(judge(
        id="PS-3.3-m", paper=PAPER, equation="Thm 3.3 (m_λ); App. (B.4)", key="Thm 3.3 m_λ",
        what="mean eigenvalue of F_cross", printed=m_printed, derived=beta1 * k1 / M,
        definitions=[D_BETA, D_ALPHA],
        witnesses=[_ex("symbolic softmax outputs g (N = 2, C = 3): tr(Q F*)/P = β₁κ₁/M", m_ok),
                   _ex("exact rational softmax outputs (N = 4, C = 3), κ₁ = 7/5, α = 2, M = 100: "
                       "tr(Q F*)/P against β₁κ₁/M and the printed β₁Cκ₁/M", mr_ok, True,
                       bool(pr_ratio == 1), **{"printed/true": pr_ratio}),
                   _ex("meanfield_sym.meanfield.softmax_fim_statistics on the same outputs", cons)],
        argument="tr(Q F*)/P = Σ_n Σ_k Q_n(k,k)·ακ₁M/N / (αM²) = κ₁(1 − Σ_n Σ_k g_k(n)²/N)/M "
                 "= β₁κ₁/M: Σ_k Q_n(k,k) = 1 − Σ_k g_k², not C. (B.4) prints a third form, "
                 "C(1 − β₁)κ₁/M."))
    out.append(judge(
        id="PS-3.3-s", paper=PAPER, equation="Thm 3.3 (s_λ, β₂, β₃); App. (B.5)–(B.6)",
        key="Thm 3.3 s_λ", what="second moment of F_cross", printed=s_printed, derived=s_derived,
        definitions=[D_BETA],
        witnesses=[_ex("exact rational softmax outputs (N = 4, C = 3): tr((QF*)²)/P against "
                       "α(β₂κ₂² + β₃κ₁²/N)", sr_ok, True, bool(sr_ok)),
                   _ex("meanfield_sym.meanfield.softmax_fim_statistics on the same outputs", cons)],
        argument="tr((Q F*)²)/P with the k ≠ k′ blocks of F* dropped (leading order), "
                 "identically in symbolic g (N = 2, C = 3)."))
    rng = np.random.default_rng(3)
    bounds_ok, worst_lo, worst_hi = True, np.inf, 0.0
    for _ in range(20):
        z = rng.normal(size=(6, 4)) * 2
        gg = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        Qn, Fn = _q_fstar(sp.Matrix(gg), 1.3, 0.45, 2.0 * 100 / 6)
        ev = np.real(np.linalg.eigvals(np.array((Qn * Fn).evalf(), dtype=float)))
        st = S.softmax_fim_statistics(S.softmax_betas(gg), 1.3, 0.45, 2.0, 100.0)
        worst_lo = min(worst_lo, ev.max() / st["lambda_max_lower"])
        worst_hi = max(worst_hi, ev.max() / st["lambda_max_upper"])
        bounds_ok &= ev.max() <= st["linear"]["lambda_max"] * (1 + 1e-10)
    bounds_ok &= worst_lo >= 1 - 1e-10 and worst_hi <= 1 + 1e-10
    lam_lin = al * ((N - 1) / N * k2 + k1 / N) * M
    b4 = sp.Symbol("beta4", positive=True)
    bnd = sp.Tuple(b4 * lam_lin, sp.sqrt(al * sp.Symbol("s_lambda")) * M)
    out.append(judge(
        id="PS-3.3-lam", paper=PAPER, equation="Thm 3.3 (λ_max bounds); App. (B.7)–(B.8)",
        key="Thm 3.3 λ_max bounds", kind="bound", what="β₄λ^lin_max ≤ λ_max(F_cross) ≤ √(α s_λ) M",
        printed=bnd, derived=bnd, definitions=[D_BETA],
        witnesses=[Witness("exact-algebra", "20 random softmax arrays (N = 6, C = 4), explicit "
                           "Q F* (leading-order dual): top eigenvalue between the bounds", True,
                           bool(bounds_ok), bool(bounds_ok),
                           {"smallest λ_max/lower bound": round(float(worst_lo), 4),
                            "largest λ_max/upper bound": round(float(worst_hi), 4)},
                           violation=not bool(bounds_ok))],
        argument="ν_kᵀQν_k = (1/N)Σ_n g_k(n)(1 − g_k(n)) on F's top eigenvectors gives the lower "
                 "bound, Σλ² = P s_λ the upper."))
    q_ok, q_max = True, 0.0
    for _ in range(50):
        z = rng.normal(size=5) * 3
        gg = np.exp(z) / np.exp(z).sum()
        top = np.linalg.eigvalsh(np.diag(gg) - np.outer(gg, gg)).max()
        q_max = max(q_max, top)
        q_ok &= top <= 0.5 + 1e-12
    out.append(judge(
        id="PS-28", paper=PAPER, equation="(28); App. B.1 end", key="(28)", kind="bound",
        what="m_λ ≤ m^lin, s_λ ≤ s^lin, λ_max ≤ λ^lin_max (via λ_max(Q) ≤ 1)",
        printed=sp.Symbol("lambda_max(Q) <= 1"), derived=sp.Symbol("lambda_max(Q_n) <= 1/2"),
        equal=bool(q_ok), how="λ_max(Q_n) ≤ 1/2 (Gershgorin: row sums 2g_k(1 − g_k)) implies "
                              "the printed λ_max(Q) ≤ 1",
        definitions=[D_BETA],
        witnesses=[Witness("exact-algebra", "50 random softmax vectors (C = 5): λ_max(Q_n)", True,
                           bool(q_ok), bool(q_ok), {"largest λ_max(Q_n)": round(float(q_max), 5)})],
        argument="λ_i(QF*) ≤ λ_max(Q) λ_i(F*) and λ_max(Q) ≤ max_n λ_max(Q_n)."))

    # Theorem 3.4 (App. B.2): how many O(M) outliers ----------------------------------------------
    out.append(_theorem_3_4())

    # NTK (Sec. 4.1, App. C) ------------------------------------------------------------------
    sw, sb = sp.symbols("sigma_w2 sigma_b2", positive=True)
    wk = _fast_witness("ntk_trace_kappa", ("corrected", "printed", "printed_phi"), "corrected",
                       "tr Θ/(CN) = ακ₁′ against κ₁′ with q̃ and with the printed q̂ (both readings)")
    wk.agrees_printed = {read_q[0]: abs(wk.numbers["experiment/printed"] - 1) <= CM.RATIO_WINDOW,
                         read_q[1]: abs(wk.numbers["experiment/printed_phi"] - 1) <= CM.RATIO_WINDOW}
    pk, dk = sw * qhL1 * qh1 + sb * qhL1, sw * qt1 * qh1 + sb * qt1
    out.append(judge(
        id="PS-4.1-kappa", paper=PAPER, equation="Sec. 4.1 (κ₁', κ₂'); App. C", key="Sec. 4.1 κ′",
        what="summand of κ₁'", printed=pk, derived=dk, definitions=[D_QT, D_LIN_OUT, D_NTK],
        readings=[Reading(r, "the printed q̂_1^l is undefined at l = L", pk, dk) for r in read_q],
        witnesses=[wk],
        argument="‖∇_ω f(n)‖² = σ_w² Σ_l q̃_1^l q̂_1^{l−1} and ‖∇_β f(n)‖² = σ_b² Σ_l q̃_1^l (App. "
                 "C's own words, which themselves print q̃_1^l q̃_1^{l−1}); the main text's hats "
                 "are undefined at l = L."))
    k1p, k2p = sp.symbols("kappa1' kappa2'", positive=True)
    theta = K(k1p, k2p) * al
    m_cn = sp.simplify(C * theta.trace() / (C * N))
    s_cn = sp.simplify(C * theta.frobenius2() / (C * N))
    m_n = sp.simplify(C * theta.trace() / N)
    s_n = sp.simplify(C * theta.frobenius2() / N)
    l_der = sp.expand(theta.a + N * theta.b)
    m_pr, s_pr = al * k1p * C, al ** 2 * ((N - 1) * k2p ** 2 + k1p ** 2) * C
    l_pr = al * ((N - 1) * k2p + k1p)
    wn = _fast_witness("ntk_mean_N", ("printed",), "printed",
                       "tr Θ/N against the printed Cακ₁′ (divisor N)")
    wc = _fast_witness("ntk_mean", ("corrected", "printed"), "corrected",
                       "tr Θ/(CN) against ακ₁′ (divisor CN) and the printed Cακ₁′")
    wc.agrees_printed = {"divisor CN": wc.agrees_printed, "divisor N": wn.agrees_derived}
    wn.agrees_printed = {"divisor CN": False, "divisor N": wn.agrees_derived}
    out.append(judge(
        id="PS-4.1-ms", paper=PAPER, equation="Sec. 4.1 (m_λ, s_λ of Θ)", key="Sec. 4.1 m_λ, s_λ",
        what="NTK mean and second moment", printed=sp.Tuple(m_pr, s_pr),
        derived=sp.Tuple(m_cn, s_cn), definitions=[D_MLAMBDA, D_NTK],
        readings=[Reading("divisor CN", "m_λ = (1/dim)Σλ_i with Θ's own size CN",
                          sp.Tuple(m_pr, s_pr), sp.Tuple(m_cn, s_cn),
                          supported_by="lines 159–161 (m_λ of a P × P tensor divides by P)"),
                  Reading("divisor N", "m_λ = tr Θ/N, ‖Θ‖_F²/N (per sample, summed over the C "
                          "outputs)", sp.Tuple(m_pr, s_pr), sp.Tuple(m_n, s_n),
                          supported_by="no divisor is stated for Θ in Sec. 4.1")],
        witnesses=[wc, wn],
        argument="Θ(k,k′) = αK′δ_kk′ (C.1) is CN × CN. The printed forms are exactly tr Θ/N and "
                 "‖Θ‖_F²/N; with divisor CN they lose the factor C. This is a normalisation "
                 "convention that no network can decide."))
    nt = S.ntk_statistics(2.0, 0.5, 3.0, 7, 4)
    cons = _close(nt["lambda_max"], 3 * (6 * 0.5 + 2))
    out.append(judge(
        id="PS-4.1-lam", paper=PAPER, equation="Sec. 4.1 (λ_max of Θ)", key="Sec. 4.1 λ_max",
        what="NTK largest eigenvalue", printed=l_pr, derived=l_der, definitions=[D_NTK],
        witnesses=[_ex("meanfield_sym.meanfield.ntk_statistics at κ₁′ = 2, κ₂′ = 0.5, α = 3, "
                       "N = 7", cons)],
        argument="Top eigenvalue of αK′ (eigenvector 1, each of the C blocks)."))

    # Feature metric (Thm 5.1, App. D) -----------------------------------------------------------
    at = sp.Symbol("alpha~", positive=True)
    kt1, kt2 = sp.symbols("kappa~1 kappa~2", positive=True)
    ad = K(kt1, kt2) * (at / N)                                       # (D.2)
    Mh = at * M
    m_der = sp.simplify(C * ad.trace() / Mh)
    s_der = sp.simplify(C * ad.frobenius2() / Mh)
    l_der = sp.expand(ad.a + N * ad.b)
    expl = explicit_agrees(ad, {kt1: 2, kt2: sp.Rational(1, 2), at: 3})
    wm = _fast_witness("A_mean", ("printed",), "printed", "m_λ of A")
    wm.agrees_printed = wm.agrees_derived
    out.append(judge(
        id="PS-5.1-m-lam", paper=PAPER, equation="Thm 5.1, (D.6) (m_λ, λ_max of A)",
        key="Thm 5.1 m_λ, λ_max", what="feature metric mean, λ_max",
        printed=sp.Tuple(kt1 * C / M, at * ((N - 1) / N * kt2 + kt1 / N)),
        derived=sp.Tuple(m_der, l_der), definitions=[D_FM],
        witnesses=[_ex("explicit matrices N = 1..6 of (α̃/N)Ā*", expl), wm],
        argument="Dual A_k* = (α̃/N)Ā*, M_h = α̃M."))
    s_thm = at * ((N - 1) / N * kt2 + kt1 ** 2 / N)
    s_d6 = at * ((N - 1) / N * kt2 ** 2 + kt1 ** 2 / N) * C
    ws = _fast_witness("A_second_moment", ("corrected", "printed", "printed_thm"), "corrected",
                       "s_λ of A against the derived form and the printed (D.6) and Thm 5.1")
    for nm, pr, key in (("PS-5.1-s", s_d6, "(D.6) s_λ"), ("PS-5.1-s-thm", s_thm, "Thm 5.1 s_λ")):
        w_ = Witness(ws.kind, ws.description, True, ws.agrees_derived,
                     abs(ws.numbers["experiment/" + ("printed" if nm == "PS-5.1-s" else
                                                      "printed_thm")] - 1) <= CM.RATIO_WINDOW,
                     dict(ws.numbers))
        out.append(judge(
            id=nm, paper=PAPER, equation="(D.6) (s_λ of A)" if nm == "PS-5.1-s" else
            "Thm 5.1 (s_λ)", key=key, what="feature metric second moment", printed=pr,
            derived=s_der, definitions=[D_FM], witnesses=[_ex("explicit matrices N = 1..6", expl),
                                                         w_],
            argument="s_λ = C‖(α̃/N)Ā*‖_F²/M_h with M_h = α̃M (App. D.1's own recipe) carries 1/M; "
                     f"printed/derived = {sp.simplify(pr / s_der)}."
                     + (" Theorem 5.1 also prints κ̃₂ unsquared." if nm != "PS-5.1-s" else "")))
    qtl1, qtl2, swl, Ml = sp.symbols("qtilde1^l+1 qtilde2^l+1 sigma_w2 M_l", positive=True)
    bd = K(qtl1, qtl2) * (swl / N)                                    # (D.8) with q̃
    qhl1, qhl2 = sp.symbols("qhat1^l+1 qhat2^l+1", positive=True)
    printed = sp.Tuple(swl * qhl1 / Ml,
                       swl ** 2 * ((N - 1) / N * qhl2 ** 2 + qhl1 ** 2 / N),
                       swl * ((N - 1) / N * qhl2 + qhl1 / N))
    derived = sp.Tuple(sp.simplify(bd.trace() / Ml), sp.simplify(bd.frobenius2() / Ml),
                       sp.expand(bd.a + N * bd.b))
    wd = _fast_witness("A11_mean", ("corrected", "printed"), "corrected",
                       "m_λ of the block A_k^{11} against q̃^{2} (derived) and q̂^{2} (printed)")
    out.append(judge(
        id="PS-D.2", paper=PAPER, equation="App. (D.8) and the block statistics after it",
        key="(D.8)", what="diagonal blocks A_k^{ll} of the feature metric", printed=printed,
        derived=derived, definitions=[D_FM, D_QT], witnesses=[wd],
        argument="∇_{h^l} f(n)·∇_{h^l} f(m) = Σ_i Σ_jj′ W_ji W_j′i δ_j(n)δ_j′(m) → σ_w² q̃^{l+1} "
                 "(backward, not q̂); the second moment ‖(σ_w²/N)K‖_F²/M_l carries 1/M_l."))
    return out


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
