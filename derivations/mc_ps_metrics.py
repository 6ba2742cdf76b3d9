"""Pathological spectra: Theorem 3.1 (κ's), Sec. 3.2 (diagonal blocks F^{ll}), Sec. 4.1 (NTK),
Theorem 5.1 and App. D (metric for input and feature spaces), judged by finite networks
(``meanfield-sym verify --slow``).

Printed and corrected forms are those of ``derivations/stats_pathological.py`` (symbolic
verdicts): the printed κ's carry q̂ where the backward q̃ is meant (the printed q̂_1^L of the
linear output is read as q_1^L, its only meaningful value); the NTK's m_λ, s_λ carry an extra
factor C; the feature metric's s_λ lacks 1/M; the blocks A^{ll} carry q̂ for q̃ and lack 1/M_l.
Witness: exact spectra of sampled tanh networks, (σ_w², σ_b²) = (3, 0.64) (the papers'
setting, where q̂ and q̃ differ by 20–50 %), L = 3, C = 4, N = 10; all matrices from one set of
networks (the NTK through the NTK parameterisation of the same weights).
"""
from __future__ import annotations

import numpy as np

from meanfield_sym import meanfield as S
from meanfield_sym.verdicts.sweeps import mc_check, mc_collect
from meanfield_sym.verdicts.record import CheckResult, run_script

SLOW = True
PAPER = "Pathological spectra"
ACT, SW, SB = "tanh", 3.0, 0.64
DEPTH, SAMPLES, CLASSES = 3, 10, 4
Q3 = ("mean", "second_moment", "lambda_max")


def _printed_op(op):
    """The printed κ's use q̂_1^l q̂_1^{l−1}: q̂^L of the linear output read as q^L."""
    qh1 = list(op.qhat1)
    qh2 = list(op.qhat2)
    qh1[DEPTH], qh2[DEPTH] = op.q1[DEPTH], op.q2[DEPTH]
    return qh1, qh2


def theory(M, op):
    al = np.ones(DEPTH)
    a = S.alpha(al)
    N, C = SAMPLES, CLASSES
    k1, k2 = (float(v) for v in S.kappas(op, al))
    qh1, qh2 = _printed_op(op)
    pk1 = sum(float(qh1[l] * qh1[l - 1]) for l in range(1, DEPTH + 1)) / a
    pk2 = sum(float(qh2[l] * qh2[l - 1]) for l in range(1, DEPTH + 1)) / a
    fim = S.fim_statistics(k1, k2, a, M, N, C)
    fim_pr = S.fim_statistics(pk1, pk2, a, M, N, C)
    n1, n2 = (float(v) for v in S.kappas_ntk(op, al))
    pn1 = sum(float(SW * qh1[l] * qh1[l - 1] + SB * qh1[l]) for l in range(1, DEPTH + 1)) / a
    pn2 = sum(float(SW * qh2[l] * qh2[l - 1] + SB * qh2[l]) for l in range(1, DEPTH + 1)) / a
    ntk = S.ntk_statistics(n1, n2, a, N, C)
    ntk_pr_kappa = S.ntk_statistics(pn1, pn2, a, N, C)
    fm = S.feature_metric_statistics(op, al, M, N, C)
    at, kt1, kt2 = fm["alpha_tilde"], float(fm["kappa1_tilde"]), float(fm["kappa2_tilde"])
    blocks = S.fim_blocks(op, al, M, N, C)
    fblocks = S.feature_metric_blocks(op, al, M, N, 1)  # per output A_k^{ll}
    out = {}
    for q in Q3:
        out[f"F_{q}"] = {"printed": fim_pr[q], "corrected": fim[q]}
        for l in range(1, DEPTH + 1):
            out[f"F{l}{l}_{q}"] = {"printed": blocks[l - 1][q]}
    out["ntk_lambda_max"] = {"printed": ntk_pr_kappa["lambda_max"],
                             "corrected": ntk["lambda_max"]}
    out["ntk_mean"] = {"printed": C * ntk["mean"], "corrected": ntk["mean"]}
    out["ntk_second_moment"] = {"printed": C * ntk["second_moment"],
                                "corrected": ntk["second_moment"]}
    out["A_mean"] = {"printed": fm["mean"]}
    out["A_lambda_max"] = {"printed": fm["lambda_max"]}
    out["A_second_moment"] = {"printed": at * ((N - 1) / N * kt2 ** 2 + kt1 ** 2 / N) * C,
                              "printed_thm": at * ((N - 1) / N * kt2 + kt1 ** 2 / N) * C,
                              "corrected": fm["second_moment"]}
    for l in (0, 1):  # A_k^{ll}: q̂^{l+1} printed for q̃^{l+1}, no 1/M_l in s
        h1, h2 = float(op.qhat1[l + 1]), float(op.qhat2[l + 1])
        out[f"A{l}{l}_mean"] = {"printed": SW * h1 / M, "corrected": fblocks[l]["mean"]}
        out[f"A{l}{l}_second_moment"] = {
            "printed": SW ** 2 * ((N - 1) / N * h2 ** 2 + h1 ** 2 / N),
            "corrected": fblocks[l]["second_moment"]}
        out[f"A{l}{l}_lambda_max"] = {"printed": SW * ((N - 1) / N * h2 + h1 / N),
                                      "corrected": fblocks[l]["lambda_max"]}
    return {k: {f: float(v) for f, v in d.items()} for k, d in out.items()}


def collect():
    op = S.order_parameters(ACT, SW, SB, DEPTH)
    cache = {}

    def fn(w, M):
        if M not in cache:
            cache[M] = theory(M, op)
        th = cache[M]
        vals = {}
        s = w.fisher_stats()
        for q in Q3:
            vals[f"F_{q}"] = getattr(s, q)
        for l in range(1, DEPTH + 1):
            b = w.fisher_stats(layers=[l])
            for q in Q3:
                vals[f"F{l}{l}_{q}"] = getattr(b, q)
        t = w.ntk_stats()
        a = w.feature_metric_stats()
        for q in Q3:
            vals[f"ntk_{q}"] = getattr(t, q)
            vals[f"A_{q}"] = getattr(a, q)
        for l in (0, 1):
            b = w.feature_metric_stats(layers=[l], output=0)
            for q in Q3:
                vals[f"A{l}{l}_{q}"] = getattr(b, q)
        return {k: (v, th[k]) for k, v in vals.items()}
    label = (f"{ACT} (σ_w², σ_b²) = ({SW:g}, {SB:g}), L = {DEPTH}, C = {CLASSES}, "
             f"N = {SAMPLES}, α_l = 1")
    return mc_collect(label, ACT, sigma_w2=SW, sigma_b2=SB, depth=DEPTH, samples=SAMPLES,
                      classes=CLASSES, fn=fn, seed=303)


NAMES = {"mean": "m_λ", "second_moment": "s_λ", "lambda_max": "λ_max"}


def checks() -> list[CheckResult]:
    d = collect()
    out = []
    for q in Q3:
        out.append(mc_check(
            id=f"MC-PS-3.1-{q}", paper=PAPER, equation="Thm 3.1 (κ₁, κ₂ as printed)",
            what=f"{NAMES[q]} of F with the printed κ's (q̂_1^l q̂_1^(l−1))", data=d,
            name=f"F_{q}", printed_form="printed", corrected_form="corrected",
            printed="kappa_i = Sum(alpha_(l-1)/alpha*qhat_i^l*qhat_i^(l-1))",
            corrected="kappa_i = Sum(alpha_(l-1)/alpha*qtilde_i^l*qhat_i^(l-1))"))
    for l in range(1, DEPTH + 1):
        for q in Q3:
            out.append(mc_check(
                id=f"MC-PS-3.2-F{l}{l}-{q}", paper=PAPER, equation="Sec. 3.2; App. (A.10)",
                what=f"{NAMES[q]} of the diagonal block F^{{{l}{l}}}"
                     + (" (output layer, α_L = C/M)" if l == DEPTH else ""),
                data=d, name=f"F{l}{l}_{q}", printed_form="printed"))
    out.append(mc_check(
        id="MC-PS-4.1-kappa", paper=PAPER, equation="Sec. 4.1 (κ₁', κ₂'); App. C",
        what="λ_max of the NTK Θ with the printed κ' (hats)", data=d, name="ntk_lambda_max",
        printed_form="printed", corrected_form="corrected",
        printed="sigma_w2*qhat^l*qhat^(l-1) + sigma_b2*qhat^l",
        corrected="sigma_w2*qtilde^l*qhat^(l-1) + sigma_b2*qtilde^l"))
    for q in ("mean", "second_moment"):
        out.append(mc_check(
            id=f"MC-PS-4.1-{q}", paper=PAPER, equation="Sec. 4.1 (m_λ, s_λ of Θ)",
            what=f"{NAMES[q]} of the NTK over its CN eigenvalues (printed: extra factor C)",
            data=d, name=f"ntk_{q}", printed_form="printed", corrected_form="corrected",
            printed="alpha*kappa1'*C" if q == "mean" else
            "alpha^2*((N-1)*kappa2'^2 + kappa1'^2)*C",
            corrected="alpha*kappa1'" if q == "mean" else
            "alpha^2*((N-1)*kappa2'^2 + kappa1'^2)"))
    for q in ("mean", "lambda_max"):
        out.append(mc_check(
            id=f"MC-PS-5.1-{q}", paper=PAPER, equation="Thm 5.1, (D.6)",
            what=f"{NAMES[q]} of the feature metric A", data=d, name=f"A_{q}",
            printed_form="printed"))
    out.append(mc_check(
        id="MC-PS-5.1-s-D6", paper=PAPER, equation="(D.6) (s_λ of A)",
        what="s_λ of A as printed in (D.6) (no 1/M)", data=d, name="A_second_moment",
        printed_form="printed", corrected_form="corrected",
        printed="alpha~*((N-1)/N*kappa~2^2 + kappa~1^2/N)*C",
        corrected="alpha~*((N-1)/N*kappa~2^2 + kappa~1^2/N)*C/M"))
    out.append(mc_check(
        id="MC-PS-5.1-s-thm", paper=PAPER, equation="Thm 5.1 (s_λ)",
        what="s_λ of A as printed in Thm 5.1 (κ̃₂ unsquared, no 1/M)", data=d,
        name="A_second_moment", printed_form="printed_thm", corrected_form="corrected",
        printed="alpha~*((N-1)/N*kappa~2 + kappa~1^2/N)*C",
        corrected="alpha~*((N-1)/N*kappa~2^2 + kappa~1^2/N)*C/M"))
    for l in (0, 1):
        for q in Q3:
            out.append(mc_check(
                id=f"MC-PS-D.8-A{l}{l}-{q}", paper=PAPER, equation="App. (D.8) ff.",
                what=f"{NAMES[q]} of the block A_k^{{{l}{l}}} (printed q̂^{l + 1} for "
                     f"q̃^{l + 1}{', no 1/M_l' if q == 'second_moment' else ''})",
                data=d, name=f"A{l}{l}_{q}", printed_form="printed",
                corrected_form="corrected", printed="printed (D.8) block statistic",
                corrected="feature_metric_blocks (q̃, 1/M_l)"))
    return out


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
