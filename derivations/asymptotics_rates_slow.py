"""Rates: the depth growth of κ₁ and λ_max for tanh at 30-digit quadrature, the tanh
order-to-chaos line, the approach of the overlap to its fixed point c*, and finite-width rate
fits of the Fisher statistics (exponent ± se against the printed order).

Printed:  Pathological spectra Sec. 3.3 (l.272) "λ_max linearly increases as … the depth L
          increase[s]" at the paper's tanh setting (3, 0.64) and its neighbours; the
          order-to-chaos line χ₁ = 1 (PS l.130); the geometric approach of the overlap
          c^l = q_2^l/q_1^l to c* at the slope χ_c = σ_w² I_φ'[q*, c* q*] of the correlation map
          (PS Eqs. (15)–(16)); Universal statistics supplement (A.7)–(A.9) (m^(b) = O(1/M²)
          against m^(W) = O(1/M)), (A.22)–(A.23) (F* = αMK/T + O(√M)/T) and (A.34)
          (‖R‖₂ = O(√M) against λ_max = O(M)).
Derived:  χ₁ and q* by findroot on the 34-digit quadrature of the definition (tanh), the
          erf closed forms at 45 digits; the orders M^{-1}, M^{-1/2}, M^{1/2}.
Witnesses: the recursions iterated layer by layer on the quadrature of the definition, the
          ratios of successive increments of ακ₁ Shanks-extrapolated; the overlap map iterated at
          q = q* and its layer ratios Neville-extrapolated, against I_φ' by quadrature of the
          definition; exact spectra of sampled tanh networks (≥ 8 per width, 4 widths),
          weighted least-squares fits of log(statistic) against log M.
SLOW: ~150 one-point and one two-point 30-digit quadratures, and 128 sampled networks.
"""
from __future__ import annotations

import functools

import mpmath
import numpy as np
import sympy as sp

from meanfield_sym import meanfield as S
from meanfield_sym.verdicts.judge import Definition, Reading, Witness, judge
from meanfield_sym.verdicts.record import run_script
from meanfield_sym.witnesses import finite_width as E
from meanfield_sym.witnesses import highprec as H

try:
    from . import asymptotics_tools as T
    from .asymptotics_depth import (
        D_BACKWARD,
        D_CHI,
        D_KAPPA,
        D_RECURSION,
        D_SETTINGS,
        _closed,
        _erf_fixed,
    )
    from .asymptotics_fixed_points import _root_of_definition
except ImportError:  # run as a plain script
    from meanfield_sym.derivations import asymptotics_tools as T
    from meanfield_sym.derivations.asymptotics_depth import (
        D_BACKWARD,
        D_CHI,
        D_KAPPA,
        D_RECURSION,
        D_SETTINGS,
        _closed,
        _erf_fixed,
    )
    from meanfield_sym.derivations.asymptotics_fixed_points import _root_of_definition

SLOW = True
PAPER_PS = "Pathological spectra"
PAPER_USS = "Universal statistics (suppl.)"
DPS, WORK, REQUIRED = 34, 44, 20
TANH_LAYERS = 22          # layers of the quadrature iteration (tanh)
SB2 = sp.Rational(16, 25)
TANH_ORDERED, TANH_CHAOTIC = (sp.Integer(3), SB2), (sp.Integer(4), SB2)
FLOAT_REL = 1e-10


# ---------------------------------------------------------------------------------------------
# tanh: the critical line and the depth growth by phase
# ---------------------------------------------------------------------------------------------
@functools.cache
def _tanh_critical(sb2):
    """χ₁ = 1 at the fixed point ⇔ (q − σ_b²) E[φ'(√q u)²] = E[φ(√q u)²]; σ_w² = (q − σ_b²)/E[φ²].
    findroot (secant) on the DPS-digit quadrature of the definition, from q = 2."""
    with mpmath.workdps(WORK):
        b = T.mp(sb2)

        def g(q):
            return (q - b) * H.one_point_prime("tanh", q, dps=DPS) - H.one_point("tanh", q, dps=DPS)
        qc = mpmath.findroot(g, (mpmath.mpf("2.3"), mpmath.mpf("2.31")), solver="secant",
                             tol=mpmath.mpf(10) ** (-2 * DPS + 6))
        return qc, (qc - b) / H.one_point("tanh", qc, dps=DPS)


def _tanh_iterate(sw2_mp, sb2, layers):
    """ακ₁(L), L = 1..layers, by S(L+1) = q̂^L + χ^L S(L) with the quadrature of the definition."""
    with mpmath.workdps(WORK):
        b = T.mp(sb2)
        qh, s = mpmath.mpf(1), [mpmath.mpf(1)]
        for _ in range(1, layers):
            q = sw2_mp * qh + b
            chi = sw2_mp * H.one_point_prime("tanh", q, dps=DPS)
            qh = H.one_point("tanh", q, dps=DPS)
            s.append(qh + chi * s[-1])
    return s


def _shanks_limit(seq):
    """Wynn's ε-algorithm (mpmath.shanks) on a sequence: the last diagonal entry and the
    difference of the last two estimates as the error estimate."""
    row = mpmath.shanks(seq)[-1]
    est = row[1::2]            # mpmath's table: odd entries are the Shanks estimates
    return est[-1], abs(est[-1] - est[-2]) if len(est) > 1 else mpmath.mpf(1)


@functools.cache
def _tanh_phases():
    qc, wc = _tanh_critical(SB2)
    out = []
    for name, sw2 in (("ordered (χ₁ < 1): tanh (3, 0.64), the papers' setting", TANH_ORDERED[0]),
                      ("critical (χ₁ = 1): tanh at the critical σ_w²", None),
                      ("chaotic (χ₁ > 1): tanh (4, 0.64)", TANH_CHAOTIC[0])):
        with mpmath.workdps(WORK):
            if sw2 is None:
                w, q, qhat, chi = wc, qc, (qc - T.mp(SB2)) / wc, mpmath.mpf(1)
            else:
                w = T.mp(sw2)
                q, _ = _root_of_definition("tanh", sw2, SB2)
                chi = w * H.one_point_prime("tanh", q, dps=DPS)
                qhat = (q - T.mp(SB2)) / w
            s = _tanh_iterate(w, SB2, TANH_LAYERS)
            inc = [s[i + 1] - s[i] for i in range(len(s) - 1)]
            rho = [inc[i + 1] / inc[i] for i in range(len(inc) - 1)]
            r_lim, r_err = _shanks_limit(rho[4:])
            d_rate = T.digits(r_lim, chi)
            nums = {"χ₁ (findroot on the quadrature)": mpmath.nstr(chi, 30),
                    "q*": mpmath.nstr(q, 25),
                    f"ρ_L = ΔS₁(L+1)/ΔS₁(L), L = {len(rho)}": mpmath.nstr(rho[-1], 25),
                    "ρ_∞ (Wynn ε on ρ_5..ρ_L)": mpmath.nstr(r_lim, 30),
                    "extrapolation error estimate": mpmath.nstr(r_err, 3)}
            checks = [d_rate]
            if sw2 is None:
                d_lim, _d_err = _shanks_limit(inc[4:])
                checks.append(T.digits(d_lim, qhat))
                nums.update({"q̂*": mpmath.nstr(qhat, 30),
                             "lim ΔS₁ (Wynn ε)": mpmath.nstr(d_lim, 30)})
                cls = "linear"
                derived = (f"linear: ακ₁(L+1) − ακ₁(L) → q̂* = {mpmath.nstr(qhat, 20)}, λ_max/M "
                           "between ακ₁/N and ακ₁ grows linearly")
            elif chi < 1:
                lim = qhat / (1 - chi)
                # S(L) plus its geometric tail at the extrapolated ratio, Wynn-ε over L
                tails = [s[i] + inc[i] * r_lim / (1 - r_lim) for i in range(4, len(inc))]
                s_lim, s_err = _shanks_limit(tails)
                checks.append(T.digits(s_lim, lim))
                nums.update({"q̂*/(1 − χ₁)": mpmath.nstr(lim, 25),
                             "lim ακ₁ (tails, Wynn ε)": mpmath.nstr(s_lim, 25),
                             "its error estimate": mpmath.nstr(s_err, 3),
                             f"ακ₁({TANH_LAYERS})": mpmath.nstr(s[-1], 12),
                             "depth scale −1/ln χ₁": mpmath.nstr(-1 / mpmath.log(chi), 6)})
                cls = "bounded"
                derived = (f"bounded: ακ₁ → q̂*/(1 − χ₁) = {mpmath.nstr(lim, 15)} (χ₁ = "
                           f"{mpmath.nstr(chi, 15)}), so λ_max/M ≤ ακ₁ is bounded; the growth "
                           f"looks linear only up to the depth scale −1/ln χ₁ = "
                           f"{mpmath.nstr(-1 / mpmath.log(chi), 5)} layers")
            else:
                cls = "geometric"
                derived = (f"geometric: ακ₁(L+1)/ακ₁(L) → χ₁ = {mpmath.nstr(chi, 20)} > 1, so "
                           "λ_max/M ≥ ακ₁/N grows like χ₁^L")
        rel = 0.0
        for L in (3, 10, 20):
            op = S.order_parameters("tanh", float(w), float(SB2), L)
            k1, _ = S.kappas(op, np.ones(L))
            rel = max(rel, abs((L - 1) * float(k1) - float(s[L - 1])) / float(s[L - 1]))
        nums["package float64 ακ₁ at L = 3, 10, 20: largest relative difference"] = float(
            f"{rel:.3g}")
        nums["digits"] = round(min(checks), 1)
        out.append({"name": name, "cls": cls, "derived": derived, "nums": nums, "w": w, "chi": chi, "q": q,
                        "ok": min(checks) >= REQUIRED and rel <= FLOAT_REL})
    return out


def _tanh_depth_record():
    readings, wits = [], []
    for ph in _tanh_phases():
        lin = ph["cls"] == "linear"
        setting = f"tanh (σ_w², σ_b²) = ({mpmath.nstr(ph['w'], 12)}, 0.64)"
        readings.append(Reading(ph["name"], setting, "λ_max/M grows linearly in L", ph["derived"],
                                equal=lin, how=f"growth class from χ₁ at the fixed point: "
                                f"{ph['cls']}"))
        wits.append(Witness(
            "mpmath", f"{setting}: the recursions iterated layer by layer (L = 1..{TANH_LAYERS}) "
            f"with the {DPS}-digit quadrature of the definition (highprec), ακ₁(L) accumulated "
            "by S(L+1) = q̂^L + χ^L S(L); the ratios of successive increments Wynn-ε "
            "extrapolated against χ₁ (and the limit of the increments, or of ακ₁, against the "
            "fixed-point algebra); the package's float64 order parameters", True, ph["ok"], lin,
            ph["nums"]))
    return judge(
        id="PS-3.3-depth-lambda-tanh", paper=PAPER_PS, equation="PS Sec. 3.3, λ_max against "
        "depth (tanh)", key="Sec. 3.3 depth", kind="claim",
        what="growth of λ_max with the depth L for tanh at σ_b² = 0.64: the papers' setting "
             "(3, 0.64), the critical σ_w², and σ_w² = 4",
        printed="\"one can see that λ_max linearly increases as the width M or the depth L "
                "increase\" (l.272)",
        derived="bounded at (3, 0.64) (χ₁ < 1, slightly: linear-looking up to ~140 layers), "
                "linear on the critical line, geometric at σ_w² = 4",
        definitions=[D_RECURSION, D_BACKWARD, D_KAPPA, D_CHI, D_SETTINGS],
        readings=readings, witnesses=wits,
        argument="As for erf (PS-3.3-depth-lambda): ακ₁(L+1) = q̂^L + χ^L ακ₁(L), χ^L → χ₁, and "
                 "ακ₁/N ≤ λ_max/M ≤ ακ₁. The paper's tanh setting lies just inside the ordered "
                 "phase, so λ_max saturates, but only beyond the depth scale −1/ln χ₁.")


def _tanh_line_record():
    qc, wc = _tanh_critical(SB2)
    crit = next(p for p in _tanh_phases() if p["cls"] == "linear")
    from scipy.optimize import brentq
    f = lambda w: float(S.fixed_point("tanh", w, float(SB2)).chi1) - 1
    w_pkg = brentq(f, 2.5, 3.5, xtol=1e-15, rtol=1e-15)
    rel = abs(w_pkg - float(wc)) / float(wc)
    ordered = next(p for p in _tanh_phases() if p["cls"] == "bounded")
    nums = dict(crit["nums"])
    nums.update({"σ_wc² (findroot, quadrature)": mpmath.nstr(wc, 30),
                 "q_c": mpmath.nstr(qc, 30),
                 "σ_wc² (package float64 fixed_point, brentq)": repr(w_pkg),
                 "relative difference from the package": float(f"{rel:.3g}"),
                 "χ₁ at the papers' setting (3, 0.64)": mpmath.nstr(ordered["chi"], 30),
                 "σ_wc² − 3": mpmath.nstr(wc - 3, 20)})
    ok = crit["ok"] and rel <= FLOAT_REL
    w = Witness("mpmath", "the network recursions iterated from the inputs (q^1 = σ_w² + σ_b²) at "
                f"σ_w² = σ_wc², {DPS}-digit quadrature of the definition: the ratio of successive "
                "increments of ακ₁ tends to χ₁, extrapolated (Wynn ε) to 1 (no equation solved); "
                "the package's float64 fixed_point bracketed by brentq", True, ok, ok, nums)
    return judge(
        id="PS-chaos-line-tanh", paper=PAPER_PS, equation="PS Sec. 2.3, order-to-chaos line "
        "(tanh)", key="chi1 = 1 line", kind="claim",
        what="the point of χ₁ = 1 at σ_b² = 0.64 for tanh, and where the papers' tanh setting lies",
        printed="χ₁ = 1 separates the ordered (χ₁ < 1) and chaotic (χ₁ > 1) phases (PS l.130, "
                "[18]); the papers' tanh setting (σ_w², σ_b²) = (3, 0.64) (PS l.211, l.280)",
        derived=f"σ_wc² = {mpmath.nstr(wc, 25)} at σ_b² = 0.64; the papers' setting (3, 0.64) lies "
                f"{mpmath.nstr(wc - 3, 8)} below it, in the ordered phase (χ₁ = "
                f"{mpmath.nstr(ordered['chi'], 15)})",
        definitions=[D_CHI, D_RECURSION, D_SETTINGS], witnesses=[w], equal=ok,
        how=f"increment ratio at σ_wc² extrapolated to 1: {crit['nums']['digits']} digits (≥ "
            f"{REQUIRED}); package σ_wc² within {rel:.1e}",
        argument="χ₁ = 1 at the fixed point is one equation in q after eliminating σ_w² = "
                 "(q − σ_b²)/E[φ²]: (q − σ_b²)E[φ'²] = E[φ²], solved by findroot on the "
                 "quadrature of the definition. The witness does not solve an equation: it runs "
                 "the depth recursion from the inputs at that σ_w² and reads χ₁ off the ratio of "
                 "successive increments of ακ₁ (which tends to χ₁ in every phase).")


# ---------------------------------------------------------------------------------------------
# The approach of the overlap c^l to c* (erf, closed-form map at q = q*)
# ---------------------------------------------------------------------------------------------
D_OVERLAP = Definition(
    "c^l", "q_2^{l+1} := σ_w² q̂_2^l + σ_b², q̂_2^{l+1} = I_φ[q_1^{l+1}, q_2^{l+1}] (15); "
    "I_φ[a, b] := ∫Dy Dx φ(√a x) φ(√a(cx + √(1 − c²) y)) with c = b/a (16); c^l = q_2^l/q_1^l is "
    "the correlation whose fixed point and slope decide the order-to-chaos transition [18], [19]",
    "Pathological spectra, Eqs. (15)–(16) (plain-text lines 134–140) and l.130")
OVERLAP_LAYERS = 220


def _overlap_record():
    f = _closed("erf")
    rows = {}
    for label, (sw2, sb2) in (("chaotic (3, 0.64)", (sp.Integer(3), SB2)),
                              ("ordered (1.5, 0.64)", (sp.Rational(3, 2), SB2))):
        fx = _erf_fixed(sw2, sb2)
        with mpmath.workdps(WORK + 16):
            w, b, q = T.mp(sw2), T.mp(sb2), fx["q"]
            cstar = fx["q2"] / q if "q2" in fx else mpmath.mpf(1)
            c = b / q                                     # q_2^1 = σ_b² (q̂_2^0 = 0), q_1 = q*
            cs = [c]
            for _ in range(OVERLAP_LAYERS):
                c = (w * f["two_point"](q, c * q) + b) / q
                cs.append(c)
            d = [x - cstar for x in cs]
            ratios = [d[i + 1] / d[i] for i in range(len(d) - 1)]
            k0 = 200 if cstar < 1 else 40
            rate, err = T.extrapolate(d[k0:k0 + 8], ratios[k0:k0 + 8])
            slope_cf = w * f["two_point_prime"](q, cstar * q)
        with mpmath.workdps(WORK):
            qn = sp.Float(mpmath.nstr(q, WORK + 5), WORK + 5)
            if cstar < 1:
                bq = sp.Float(mpmath.nstr(cstar * q, WORK + 5), WORK + 5)
                slope_q = w * H.two_point_prime("erf", qn, bq, dps=30)
            else:
                slope_q = w * H.one_point_prime("erf", qn, dps=30)
            d_q, d_cf = T.digits(rate, slope_q), T.digits(rate, slope_cf)
        rows[label] = {"rate": rate, "err": err, "slope_q": slope_q, "slope_cf": slope_cf, "d_q": d_q,
                           "d_cf": d_cf, "cstar": cstar, "k0": k0}
    ok = all(r["d_q"] >= REQUIRED and r["d_cf"] >= REQUIRED for r in rows.values())
    nums = {}
    for label, r in rows.items():
        nums.update({f"{label}: c*": mpmath.nstr(r["cstar"], 25),
                     f"{label}: rate (layer ratios l = {r['k0']}..{r['k0'] + 7}, Neville)":
                         mpmath.nstr(r["rate"], 30),
                     f"{label}: extrapolation error estimate": mpmath.nstr(r["err"], 3),
                     f"{label}: σ_w² I_φ'[q*, c*q*] (quadrature of the definition, 30 digits)":
                         mpmath.nstr(r["slope_q"], 30),
                     f"{label}: digits (quadrature)": round(r["d_q"], 1),
                     f"{label}: digits (closed form)": round(r["d_cf"], 1)})
    nums["digits"] = round(min(min(r["d_q"], r["d_cf"]) for r in rows.values()), 1)
    w = Witness("mpmath", f"erf with the variance at its fixed point (q^l = q*): the overlap map "
                "c ↦ (σ_w² I_φ[q*, c q*] + σ_b²)/q* iterated from c^1 = σ_b²/q* at "
                f"{WORK + 16} digits (closed form of I_erf, judged in US-B.7), the ratios "
                "(c^{l+1} − c*)/(c^l − c*) Neville-extrapolated to c^l − c* = 0, against σ_w² "
                "I_φ'[q*, c* q*] by the 30-digit quadrature of the definition (highprec; at c* = 1 "
                "the one-point E[φ'(√q* u)²])", True, ok, ok, nums)
    ch = rows["chaotic (3, 0.64)"]
    return judge(
        id="PS-16-approach-overlap-erf", paper=PAPER_PS, equation="PS (15)–(16), approach to c*",
        key="(16) approach rate c", kind="claim",
        what="geometric approach of the overlap c^l to its fixed point c* at the slope χ_c of "
             "the correlation map (erf, chaotic (3, 0.64) with c* < 1, ordered (1.5, 0.64) with "
             "c* = 1)",
        printed="c^l − c* decays geometrically in l at the rate χ_c = σ_w² ∫Du₁Du₂ φ'(u₁)φ'(u₂) "
                "at c* (the slope of the correlation map, [18], [19]); χ_c = χ₁ at c* = 1",
        derived=f"chaotic: rate {mpmath.nstr(ch['rate'], 20)} = χ_c at c* = "
                f"{mpmath.nstr(ch['cstar'], 15)}; ordered: rate = χ₁ = "
                f"{mpmath.nstr(rows['ordered (1.5, 0.64)']['rate'], 15)}",
        definitions=[D_OVERLAP, D_RECURSION, D_CHI], witnesses=[w], equal=ok,
        how=f"extrapolated layer ratios against the quadrature of I_φ': {nums['digits']} digits "
            f"(≥ {REQUIRED} required)",
        argument="With q_1^l = q* the overlap obeys c^{l+1} = (σ_w² I_φ[q*, c^l q*] + σ_b²)/q*; its "
                 "slope is ∂_c = σ_w² I_φ'[q*, c q*] (Price's theorem: ∂_b I_φ = I_φ'), so c^l − c* "
                 "shrinks by χ_c per layer. In the chaotic phase c* < 1 and χ_c < 1 < χ₁ (the "
                 "stable overlap fixed point); in the ordered phase c* = 1 and χ_c = χ₁.")


# ---------------------------------------------------------------------------------------------
# Finite-width rate fits
# ---------------------------------------------------------------------------------------------
MC_ACT, MC_SW2, MC_SB2, MC_DEPTH, MC_T = "tanh", 3.0, 0.64, 3, 4
MC_WIDTHS, MC_NETS, MC_SEED, Z_FIT = (64, 128, 256, 512), 32, 4242, 3.0
D_A9 = Definition(
    "m_λ^(W), m_λ^(b)", "m_λ^(b) = Σ_t Σ_l Σ_i δ_i^l(t)²/(TP) (A.8) = Σ_l q̃^l/(αM²) (when M ≫ 1) "
    "(A.9). m_λ^(W) is O(1/M) while m_λ^(b) is O(1/M²). Hence, the mean m_λ^(b) is negligible",
    "Universal statistics, supplement A.1 (plain-text lines 44–56)")
D_A23 = Definition(
    "F*", "F*_st = ακ₂M/T + O(√M)/T (A.22) … F* = αMK/T + O(√M)/T, K = [κ₁ on the diagonal, κ₂ "
    "off it] (A.23)", "Universal statistics, supplement A.3 (plain-text lines 114–120)")
D_A34 = Definition(
    "R", "Let us denote F* … by F* := F̄* + R. … R denotes the residual term of O(√M)/T. … λ_max "
    "≤ ‖F̄*‖₂ + ‖R‖₂ (A.34) … we can neglect ‖R‖₂ of O(√M) compared to ‖F̄*‖₂ of O(M)",
    "Universal statistics, supplement A.4 (ii) (plain-text lines 180–186)")


@functools.cache
def _mc_data():
    rows = {}
    for M in MC_WIDTHS:
        st = S.network_statistics(MC_ACT, MC_SW2, MC_SB2, MC_DEPTH, width=M, samples=MC_T)
        k1, k2, al = float(st["kappa1"]), float(st["kappa2"]), st["alpha"]
        K = np.full((MC_T, MC_T), k2)
        np.fill_diagonal(K, k1)
        fbar = al * M * K / MC_T
        lam_mf = float(st["fim"]["lambda_max"])
        share, lam, res, mw, mb = [], [], [], [], []
        for s in np.random.SeedSequence([MC_SEED, M]).spawn(MC_NETS):
            w = E.simulate(MC_ACT, depth=MC_DEPTH, width=M, samples=MC_T, classes=1,
                           sigma_w2=MC_SW2, sigma_b2=MC_SB2, seed=s)
            tr_b = sum(np.trace(d) for d in w.dgram) / MC_T
            tr_w = sum(np.sum(np.diag(d) * np.diag(h)) for d, h in zip(w.dgram, w.hgram)) / MC_T
            dual = w.fisher_dual()
            P = w.n_params()
            share.append(tr_b / tr_w)
            mw.append(tr_w / P)
            mb.append(tr_b / P)
            lam.append(w.fisher_stats().lambda_max / lam_mf)
            res.append(float(np.sum((dual - fbar) ** 2)))
        rows[M] = {k: np.asarray(v) for k, v in (("share", share), ("lam", lam), ("res", res),
                                                  ("mw", mw), ("mb", mb))}
        rows[M]["theory_share"] = sum(st["order_parameters"]["qtilde1"][l] for l in
                                      range(1, MC_DEPTH + 1)) / (al * M * k1)
    return rows


def _fit(ys, ses):
    """Weighted least squares of log y = a + p log M; (p, se(p), χ²/dof)."""
    x = np.log(np.asarray(MC_WIDTHS, dtype=float))
    y = np.log(np.asarray(ys, dtype=float))
    wt = 1 / np.asarray(ses, dtype=float) ** 2
    X = np.vstack([np.ones_like(x), x]).T
    cov = np.linalg.inv(X.T @ (X * wt[:, None]))
    beta = cov @ (X.T @ (wt * y))
    chi2 = float(np.sum(wt * (y - X @ beta) ** 2)) / (len(x) - 2)
    se = float(np.sqrt(cov[1, 1] * max(1.0, chi2)))
    return float(beta[1]), se, chi2


def _fit_witness(name, order, ys, ses, desc, extra=None):
    p, se, chi2 = _fit(ys, ses)
    z = (p - order) / se
    ok = bool(abs(z) <= Z_FIT)
    nums = {"exponent": round(p, 4), "standard error": round(se, 4), "stated order": order,
            "z": round(z, 2), "χ²/dof": round(chi2, 2), "widths": list(MC_WIDTHS),
            "networks per width": MC_NETS,
            "per-width values": [float(f"{v:.5g}") for v in ys]}
    nums.update(extra or {})
    return ok, p, se, Witness(
        "finite-width", f"{MC_NETS} sampled {MC_ACT} networks per width, (σ_w², σ_b²) = "
        f"({MC_SW2:g}, {MC_SB2:g}), L = {MC_DEPTH}, C = 1, T = {MC_T} Gaussian inputs, widths "
        f"{', '.join(map(str, MC_WIDTHS))} (seed {MC_SEED}): {desc}; weighted least squares of "
        f"log({name}) on log M, the model fixed in advance (no correction term: the next order is "
        f"relative O(1/M)); agrees with the stated order M^{order:g} when |p − {order:g}| ≤ "
        f"{Z_FIT:g} se", True, ok, ok, nums)


def _rate_records():
    rows = _mc_data()
    out = []
    # (A.7)–(A.9): the bias share tr F_b / tr F_W ∝ 1/M
    sh = [rows[M]["share"].mean() for M in MC_WIDTHS]
    sh_se = [rows[M]["share"].std(ddof=1) / np.sqrt(MC_NETS) / rows[M]["share"].mean()
             for M in MC_WIDTHS]
    pw, sew, _ = _fit([rows[M]["mw"].mean() for M in MC_WIDTHS],
                      [rows[M]["mw"].std(ddof=1) / np.sqrt(MC_NETS) / rows[M]["mw"].mean()
                       for M in MC_WIDTHS])
    pb, seb, _ = _fit([rows[M]["mb"].mean() for M in MC_WIDTHS],
                      [rows[M]["mb"].std(ddof=1) / np.sqrt(MC_NETS) / rows[M]["mb"].mean()
                       for M in MC_WIDTHS])
    ok, p, se, w = _fit_witness(
        "tr F_b/tr F_W", -1.0, sh, sh_se, "the share of the bias entries in the trace, tr F_b/"
        "tr F_W = m_λ^(b)/m_λ^(W) (exact Gram-matrix traces, per network), its mean per width",
        {"exponent of m_λ^(W)": f"{pw:.3f} ± {sew:.3f}", "exponent of m_λ^(b)":
         f"{pb:.3f} ± {seb:.3f}", "mean-field share Σ_l q̃^l/(αMκ₁) at M = 512":
         round(float(rows[512]["theory_share"]), 6)})
    out.append(judge(
        id="US-A9-bias-order-mc", paper=PAPER_USS, equation="US supp. (A.7)–(A.9), orders in M",
        key="(A.9) order", kind="claim",
        what="m_λ^(b) = O(1/M²) against m_λ^(W) = O(1/M): the bias part is a relative O(1/M) "
             "correction of the mean eigenvalue",
        printed="m_λ^(W) is O(1/M) while m_λ^(b) is O(1/M²) (relative order M^-1)",
        derived=f"fitted exponent of m_λ^(b)/m_λ^(W): {p:.3f} ± {se:.3f}",
        definitions=[D_A9], witnesses=[w], equal=ok,
        how=f"exponent {p:.3f} ± {se:.3f} against −1 (|z| ≤ {Z_FIT:g})",
        argument="m_λ^(b)/m_λ^(W) = Σ_l Z̃^l/Σ_l M_{l−1} Z̃^l Ẑ^{l−1} with the order parameters "
                 "Z = q + O(M^{-1/2}): the bias entries carry Σ_l q̃^l against αMκ₁, one power of "
                 "M fewer."))
    # (A.34): the fluctuation of λ_max relative to αMκ-form: sd ∝ M^{-1/2}
    sd = [rows[M]["lam"].std(ddof=1) for M in MC_WIDTHS]
    sd_se = [1 / np.sqrt(2 * (MC_NETS - 1))] * len(MC_WIDTHS)
    ok, p, se, w = _fit_witness(
        "sd(λ_max/λ_mf)", -0.5, sd, sd_se, "the standard deviation over networks of λ_max/λ_mf, "
        "λ_mf = α((T−1)/T κ₂ + κ₁/T)M (package float64), per width (se of log sd = "
        "1/√(2(K−1)))", {"mean λ_max/λ_mf − 1 per width": [float(f"{rows[M]['lam'].mean() - 1:.3g}")
                                                           for M in MC_WIDTHS]})
    out.append(judge(
        id="US-A34-lambda-fluctuation-mc", paper=PAPER_USS,
        equation="US supp. (A.34), ‖R‖₂ = O(√M)", key="(A.34) order", kind="claim",
        what="λ_max deviates from α((T−1)/T κ₂ + κ₁/T)M by O(√M): relative fluctuation M^{-1/2}",
        printed="λ_max ≤ ‖F̄*‖₂ + ‖R‖₂ with ‖R‖₂ of O(√M) against ‖F̄*‖₂ of O(M) (A.34)",
        derived=f"fitted exponent of the relative spread of λ_max: {p:.3f} ± {se:.3f}",
        definitions=[D_A34, D_A23, D_KAPPA], witnesses=[w], equal=ok,
        how=f"exponent {p:.3f} ± {se:.3f} against −1/2 (|z| ≤ {Z_FIT:g})",
        argument="λ_max(F̄* + R) = λ_max(F̄*) + eᵀRe/T + O(‖R‖²/M) (e = (1, …, 1)/√T): the "
                 "first-order term is a sum of O(√M) fluctuations of the entries of F*, so the "
                 "spread of λ_max/λ_mf scales as M^{-1/2} (the mean offset is O(1/M))."))
    # (A.22)–(A.23): the residual ‖F* − αMK/T‖_F ∝ √M
    rms = [np.sqrt(rows[M]["res"].mean()) for M in MC_WIDTHS]
    rms_se = [rows[M]["res"].std(ddof=1) / np.sqrt(MC_NETS) / rows[M]["res"].mean() / 2
              for M in MC_WIDTHS]
    ok, p, se, w = _fit_witness(
        "‖F* − αMK/T‖_F", 0.5, rms, rms_se, "the root-mean-square Frobenius norm of the residual "
        "R = F* − αMK/T (K from the package's float64 κ₁, κ₂), per width")
    out.append(judge(
        id="US-A23-residual-mc", paper=PAPER_USS, equation="US supp. (A.22)–(A.23), O(√M)/T",
        key="(A.23) order", kind="claim",
        what="the residual of the dual matrix F* − αMK/T is O(√M)",
        printed="F* = αMK/T + O(√M)/T (A.23)",
        derived=f"fitted exponent of ‖F* − αMK/T‖_F: {p:.3f} ± {se:.3f}",
        definitions=[D_A23, D_KAPPA], witnesses=[w], equal=ok,
        how=f"exponent {p:.3f} ± {se:.3f} against 1/2 (|z| ≤ {Z_FIT:g})",
        argument="F*_st = Σ_l M Z̃^l(s,t) Ẑ^{l−1}(s,t)/T with Z = q + O(M^{-1/2}) Gaussian "
                 "fluctuations: each entry deviates by O(√M)/T from its mean-field value."))
    return out


def checks():
    return ([_tanh_line_record(), _tanh_depth_record(), _overlap_record()] + _rate_records())


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
