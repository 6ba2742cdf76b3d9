"""Depth growth of κ₁, κ₂ and λ_max by phase, the order-to-chaos line of erf, and exact Wick
moments of the Fisher information of linear networks as rational functions of the width.

Printed:  Pathological spectra Sec. 3.3 (l.272): "λ_max linearly increases as the width M or
          the depth L increase"; Universal statistics main text after Theorem 7 (l.70): "[the
          κ's are] the sum over [L] constant positive terms, so a deeper network requires a finer
          setting of the learning rate"; the order-to-chaos line χ₁ = 1 (PS l.127–130) for erf at
          σ_b² = 0.64 and the phase of the papers' σ's; Universal statistics supplement
          (A.4)–(A.9) (E tr F = αMκ₁ + Σ_l q̃^l) and (A.24)–(A.25) (‖F‖_F² → α²M²((T−1)/T κ₂² +
          κ₁²/T)) for linear networks.
Derived:  ακ_i(L) = Σ_l q̃_i^l q̂_i^{l−1} obeys S(L+1) = q̂^L + χ^L S(L) (χ^L = σ_w² E[φ'(√q^L u)²],
          resp. σ_w² I_φ'[q_1^L, q_2^L]); its limit is fixed by χ₁ at the fixed point: bounded
          (χ₁ < 1), linear with slope q̂* (χ₁ = 1), geometric with ratio χ₁ (χ₁ > 1); λ_max/M =
          (N−1)/N ακ₂ + ακ₁/N lies between ακ₁/N and ακ₁.  Critical line of erf from the
          closed forms (findroot, 40 digits).  Linear networks: Gaussian (Wick/Isserlis)
          contractions with symbolic width M, σ_w², σ_b², T.
Witnesses: the recursions iterated layer by layer at 60 digits (erf, ReLU closed forms; linear
          and ReLU variances in exact rationals) against the fixed-point algebra, and the
          package's float64 order parameters; findroot of the variance map on the 34-digit
          quadrature of the definition at the critical σ_w²; exact enumeration of the Gaussian
          moments in explicit coordinates (M = 1, 2) and Monte Carlo over explicit linear
          networks (mean ± se, the network code checked against the package's explicit
          Jacobian).
"""
from __future__ import annotations

import functools
from fractions import Fraction
from itertools import pairwise, product

import mpmath
import numpy as np
import sympy as sp

from meanfield_sym import meanfield as S
from meanfield_sym.kernels.kernel_set import kernels_for
from meanfield_sym.kernels.symbols import A, B, Q
from meanfield_sym.verdicts.judge import Definition, Reading, Witness, judge
from meanfield_sym.verdicts.record import run_script
from meanfield_sym.witnesses import finite_width as E
from meanfield_sym.witnesses import highprec as H

try:
    from . import asymptotics_tools as T
except ImportError:  # run as a plain script
    from meanfield_sym.derivations import asymptotics_tools as T

PAPER_PS = "Pathological spectra"
PAPER_US = "Universal statistics"
PAPER_USS = "Universal statistics (suppl.)"
WORK = 45            # digits of the closed-form iterations and root finders
DPS = 34             # digits asked of each quadrature
REQUIRED = 20        # digits required of a high-precision agreement
FLOAT_REL = 1e-10    # agreement required of the package's float64 order parameters
LAYERS = 200         # depth of the iterated recursions (560 in the chaotic phase: κ₂'s limit)
CHAOS_LAYERS = 560
PROBE_DEPTHS = (3, 10, 30)   # depths at which the package's float64 κ's are compared
N_PS = 100           # PS Sec. 3.3: "The sample size was set to N = 100"
SB2 = sp.Rational(16, 25)
#: erf settings, one per phase (the critical σ_w² is solved below); (3, 0.64) are the papers'
#: tanh variances, which put erf in the chaotic phase
ERF_ORDERED, ERF_CHAOTIC = (sp.Rational(3, 2), SB2), (sp.Integer(3), SB2)
#: the papers' ReLU and linear settings (PS l.280): χ₁ = 1 exactly, no finite fixed point
RELU_SETTING, LINEAR_SETTING = (sp.Integer(2), sp.Rational(1, 10)), (sp.Integer(1), sp.Rational(1, 10))

D_RECURSION = Definition(
    "q^l, q̂^l", "q̂_1^{l+1} = ∫Du φ(√(q_1^{l+1}) u)², q̂_2^{l+1} = I_φ[q_1^{l+1}, q_2^{l+1}], "
    "q_1^{l+1} := σ_w² q̂_1^l + σ_b², q_2^{l+1} := σ_w² q̂_2^l + σ_b² (15)",
    "Pathological spectra, Eq. (15) (plain-text line 134)")
D_BACKWARD = Definition(
    "q̃^l", "q̃_1^l = σ_w² q̃_1^{l+1} ∫Du φ'(√(q_1^l) u)², q̃_2^l = σ_w² q̃_2^{l+1} I_φ'[q_1^l, "
    "q_2^l] (18) … A linear network output (3) leads to … q̃_1^L = q̃_2^L = 1",
    "Pathological spectra, Eq. (18) (plain-text lines 151–153)")
D_KAPPA = Definition(
    "κ₁, κ₂, λ_max", "λ_max ∼ α((N−1)/N κ₂ + κ₁/N) M, where α := Σ_{l=1}^{L−1} α_l α_{l−1}, "
    "… κ₁ := Σ_{l=1}^{L} (α_{l−1}/α) q̃_1^l q̂_1^{l−1} (q̃ for the printed q̂, see PS-kappa)",
    "Pathological spectra, Theorem 3.1 (plain-text lines 196–203)")
D_CHI = Definition(
    "χ₁", "χ₁ = σ_w² ∫Du φ'(√q* u)² at the fixed point q* of Eq. (15); χ₁ = 1 is the "
    "order-to-chaos line of Poole et al. 2016 and Schoenholz et al. 2017, cited as [18], [19]: "
    "\"These variables have been utilized to describe the depth to which signals can propagate "
    "from the perspective of order-to-chaos phase transitions [18]\"",
    "Pathological spectra, Sec. 2.3 (plain-text line 130)")
D_SETTINGS = Definition(
    "(σ_w², σ_b²)", "We set L = 3, M = 1000, C = 10, α_l = 1 and (σ_w², σ_b²) = (3, 0.64) in "
    "the tanh case, (2, 0.1) in the ReLU case, and (1, 0.1) in the linear case. The sample size "
    "was set to N = 100.", "Pathological spectra, Sec. 3.3 (plain-text line 280)")
D_ERF = Definition("φ", "erf activation, whose order parameters have closed forms "
                   "(Universal statistics, supplement App. B.1, judged in US-B.1–US-B.8)",
                   "Universal statistics, supplement App. B.1 (plain-text lines 290–310)")
D_US_T7 = Definition(
    "η_c", "Theorem 7 quantitatively reveals that, the wider the network becomes, the smaller "
    "the learning rate we need to set. In addition, [·] is the sum over [·] constant positive "
    "terms, so a deeper network requires a finer setting of the learning rate (the symbols are "
    "lost in the plain text; η_c = 2(1 + μ)/λ_max of Lemma 6 with λ_max of Theorem 4)",
    "Universal statistics, main text Sec. 4.2, after Theorem 7 (plain-text line 70)")
D_US_T4 = Definition(
    "λ_max", "If we take the limit [T → ∞], we can characterize the quantity [κ₂] by the "
    "maximum eigenvalue as [λ_max = ακ₂M] (symbols lost in the plain text)",
    "Universal statistics, main text Sec. 3.3, after Theorem 4 (plain-text line 51)")


def _mp(x):
    return T.mp(x)


# ---------------------------------------------------------------------------------------------
# Iterated recursions
# ---------------------------------------------------------------------------------------------
@functools.cache
def _closed(act):
    cf = kernels_for(act).closed_form
    return {k: sp.lambdify((Q,) if k.startswith("one") else (A, B), cf[k], "mpmath")
            for k in cf}


def _iterate(act, sw2, sb2, layers):
    """S_i(L) = ακ_i(L) for L = 1..layers (index L) from S(L+1) = q̂^L + χ^L S(L), S_1(1) =
    q̂_1^0 = 1, S_2(1) = q̂_2^0 = 0; the closed-form kernels at WORK digits."""
    f = _closed(act)
    with mpmath.workdps(WORK):
        w, b = _mp(sw2), _mp(sb2)
        qh1, qh2 = mpmath.mpf(1), mpmath.mpf(0)
        s1, s2 = [None, qh1], [None, qh2]
        for _ in range(1, layers):
            q1, q2 = w * qh1 + b, w * qh2 + b
            chi1, chi2 = w * f["one_point_prime"](q1), w * f["two_point_prime"](q1, q2)
            qh1, qh2 = f["one_point"](q1), f["two_point"](q1, q2)
            s1.append(qh1 + chi1 * s1[-1])
            s2.append(qh2 + chi2 * s2[-1])
    return s1, s2


def _package_kappas(act, sw2, sb2, s1, s2):
    """Largest relative difference of the package's float64 ακ₁, ακ₂ from the iteration."""
    worst = 0.0
    for L in PROBE_DEPTHS:
        op = S.order_parameters(act, float(sw2), float(sb2), L)
        k1, k2 = S.kappas(op, np.ones(L))
        a = L - 1
        for pkg, ref in ((a * float(k1), s1[L]), (a * float(k2), s2[L])):
            worst = max(worst, abs(pkg - float(ref)) / abs(float(ref)))
    return worst


def _ratio_of_differences(s, L):
    """ρ_L = (S(L+2) − S(L+1))/(S(L+1) − S(L)): χ₁ in every phase (the constant part of S
    cancels, the transients decay like the variance's approach to q*)."""
    with mpmath.workdps(WORK):
        return (s[L + 2] - s[L + 1]) / (s[L + 1] - s[L])


# ---------------------------------------------------------------------------------------------
# Fixed points and the critical line from the closed forms (40+ digits)
# ---------------------------------------------------------------------------------------------
@functools.cache
def _erf_fixed(sw2, sb2):
    """q*, χ₁, q̂* and (chaotic phase) the overlap fixed point q₂* < q*, χ_c = σ_w² I_φ'[q*, q₂*]."""
    f = _closed("erf")
    with mpmath.workdps(WORK):
        w, b = _mp(sw2), _mp(sb2)
        q = mpmath.findroot(lambda x: w * f["one_point"](x) + b - x, w + b)
        chi1 = w * f["one_point_prime"](q)
        out = {"q": q, "chi1": chi1, "qhat": (q - b) / w}
        if chi1 > 1:
            q2 = mpmath.findroot(lambda x: w * f["two_point"](q, x) + b - x, q / 2)
            out.update(q2=q2, chic=w * f["two_point_prime"](q, q2), qhat2=(q2 - b) / w)
    return out


@functools.cache
def _erf_critical(sb2):
    """χ₁ = 1 and q = σ_w² E[φ²] + σ_b² ⇔ (q − σ_b²) E[φ'²](q) = E[φ²](q), σ_w² = (q − σ_b²)/E[φ²]."""
    f = _closed("erf")
    with mpmath.workdps(WORK):
        b = _mp(sb2)
        qc = mpmath.findroot(lambda x: (x - b) * f["one_point_prime"](x) - f["one_point"](x),
                             mpmath.mpf(2))
        return qc, (qc - b) / f["one_point"](qc)


def _classify(chi1) -> str:
    if abs(chi1 - 1) < mpmath.mpf(10) ** -(WORK - 8):
        return "linear"
    return "bounded" if chi1 < 1 else "geometric"


# ---------------------------------------------------------------------------------------------
# Statement: the depth growth of λ_max (PS Sec. 3.3) and η_c (US after Theorem 7)
# ---------------------------------------------------------------------------------------------
def _erf_phase(name, sw2, sb2, layers):
    fx = _erf_fixed(sw2, sb2)
    s1, s2 = _iterate("erf", sw2, sb2, layers)
    cls = _classify(fx["chi1"])
    L0 = 90 if cls != "geometric" else 160
    with mpmath.workdps(WORK):
        rho = _ratio_of_differences(s1, L0)
        d_rho = T.digits(rho, fx["chi1"]) if cls != "linear" else T.digits(rho, mpmath.mpf(1))
        nums = {"χ₁ (fixed point, closed form)": mpmath.nstr(fx["chi1"], 30),
                "|χ₁ − 1|": mpmath.nstr(abs(fx["chi1"] - 1), 3),
                "q* (closed form)": mpmath.nstr(fx["q"], 25),
                f"ρ_{L0} = ΔS₁({L0 + 1})/ΔS₁({L0})": mpmath.nstr(rho, 30)}
        checks = [d_rho]
        if cls == "bounded":
            lim = fx["qhat"] / (1 - fx["chi1"])
            d1, d2 = T.digits(s1[layers], lim), T.digits(s2[layers], lim)
            nums.update({"q̂*/(1 − χ₁)": mpmath.nstr(lim, 30),
                         f"ακ₁({layers})": mpmath.nstr(s1[layers], 30),
                         f"ακ₂({layers})": mpmath.nstr(s2[layers], 30)})
            checks += [d1, d2]
            derived = (f"bounded: ακ₁, ακ₂ and λ_max/M → q̂*/(1 − χ₁) = {mpmath.nstr(lim, 20)} "
                       f"(χ₁ = {mpmath.nstr(fx['chi1'], 15)} < 1; c* = 1, so κ₂ has the same "
                       "limit), approached geometrically at the rate χ₁")
        elif cls == "linear":
            slope = s1[L0 + 1] - s1[L0]
            d1 = T.digits(slope, fx["qhat"])
            k2_slope = (s2[layers] - s2[layers // 2]) / (layers - layers // 2)
            nums.update({"q̂*": mpmath.nstr(fx["qhat"], 30),
                         f"ακ₁({L0 + 1}) − ακ₁({L0})": mpmath.nstr(slope, 30),
                         f"ακ₂ slope over L = {layers // 2}..{layers} (algebraic approach)":
                             mpmath.nstr(k2_slope, 6),
                         "q̂*/3": mpmath.nstr(fx["qhat"] / 3, 6)})
            checks.append(d1)
            derived = (f"linear: ακ₁(L+1) − ακ₁(L) → q̂* = {mpmath.nstr(fx['qhat'], 20)} "
                       "(χ₁ = 1); ακ₂ ≤ ακ₁ grows linearly too (its slope tends to about q̂*/3: "
                       "the overlap approaches c = 1 only algebraically at χ₁ = 1)")
        else:
            lim2 = fx["qhat2"] / (1 - fx["chic"])
            d2 = T.digits(s2[layers], lim2)
            nums.update({"χ_c = σ_w² I_φ'[q*, q₂*] (closed form)": mpmath.nstr(fx["chic"], 25),
                         "q̂₂*/(1 − χ_c)": mpmath.nstr(lim2, 30),
                         f"ακ₂({layers})": mpmath.nstr(s2[layers], 30),
                         f"ακ₁({layers})": mpmath.nstr(s1[layers], 12)})
            checks.append(d2)
            derived = (f"geometric: ακ₁(L+1)/ακ₁(L) → χ₁ = {mpmath.nstr(fx['chi1'], 20)} > 1, "
                       "so λ_max/M ≥ ακ₁/N grows like χ₁^L; ακ₂ stays bounded, → q̂₂*/(1 − χ_c) "
                       f"= {mpmath.nstr(lim2, 15)} (c* < 1, χ_c = {mpmath.nstr(fx['chic'], 12)})")
    lam = [((N_PS - 1) * s2[L] + s1[L]) / N_PS for L in range(1, layers + 1)]
    sandwich = min(float(lam[L - 1] / s1[L]) for L in range(1, layers + 1)) * (1 + 1e-12)
    nums["min over L of (λ_max/M)/(ακ₁) (≥ 1/N)"] = round(sandwich, 6)
    nums["package float64 ακ₁, ακ₂ at L = 3, 10, 30: largest relative difference"] = float(
        f"{_package_kappas('erf', sw2, sb2, s1, s2):.3g}")
    nums["digits"] = round(min(checks), 1)
    return {"name": name, "cls": cls, "derived": derived, "nums": nums, "s1": s1[1:], "s2": s2[1:], "lam": lam,
                "ok": min(checks) >= REQUIRED and nums[
                    "package float64 ακ₁, ακ₂ at L = 3, 10, 30: largest relative difference"]
                <= FLOAT_REL and sandwich >= 1 / N_PS, "setting": f"erf (σ_w², σ_b²) = "
                f"({mpmath.nstr(_mp(sw2), 12)}, {float(sb2):g})"}


def _exact_phase(name, act, sw2, sb2, layers=60):
    """ReLU and linear at χ₁ = 1 without a fixed point: the variance grows by σ_b² per layer
    and ακ₁ is an exact quadratic polynomial in L (exact rationals)."""
    Lsym = sp.Symbol("L", positive=True, integer=True)
    w, b = Fraction(str(sw2)), Fraction(str(sb2))
    half = act == "relu"
    # exact iteration of S_1 (q̂ = q/2, χ = σ_w²/2 = 1 for ReLU at σ_w² = 2; q̂ = q, χ = σ_w² = 1
    # for the linear network at σ_w² = 1)
    qh1, s1 = Fraction(1), [None, Fraction(1)]
    qh2, s2q = Fraction(0), [None, Fraction(0)]
    for _ in range(1, layers):
        q1 = w * qh1 + b
        qh1 = q1 / 2 if half else q1
        chi = w / 2 if half else w
        s1.append(qh1 + chi * s1[-1])
        if not half:
            qh2 = w * qh2 + b
            s2q.append(qh2 + w * s2q[-1])
    # derived: ακ₁(L) = q̂^0 + Σ_{l=1}^{L−1} q̂^l with q̂^l = q̂^1 + (l − 1)σ_b²/(2 or 1)
    # (arithmetic series: Σ_{l=1}^{L−1} (q̂^1 + (l − 1)·step))
    step = sp.Rational(str(sb2)) / (2 if half else 1)
    q1hat = (sp.Rational(str(sw2)) + sp.Rational(str(sb2))) / (2 if half else 1)
    poly = sp.expand(1 + (Lsym - 1) * q1hat + step * (Lsym - 1) * (Lsym - 2) / 2)
    fstep, fq1 = Fraction(step.p, step.q), Fraction(q1hat.p, q1hat.q)
    exact_ok = all(s1[L] == 1 + (L - 1) * fq1 + fstep * (L - 1) * (L - 2) / 2
                   for L in range(1, layers + 1))
    second = sp.expand(poly.subs(Lsym, Lsym + 2) - 2 * poly.subs(Lsym, Lsym + 1) + poly)
    if half:
        f = _closed("relu")
        with mpmath.workdps(WORK):
            wm, bm = _mp(sw2), _mp(sb2)
            a1, a2 = mpmath.mpf(1), mpmath.mpf(0)
            s2 = [None, a2]
            for _ in range(1, 4 * layers):
                q1, q2 = wm * a1 + bm, wm * a2 + bm
                chi2 = wm * f["two_point_prime"](q1, q2)
                a1, a2 = f["one_point"](q1), f["two_point"](q1, q2)
                s2.append(a2 + chi2 * s2[-1])
            n = 4 * layers - 1
            expo = mpmath.log(s2[n] / s2[n // 2]) / mpmath.log(mpmath.mpf(n) / (n // 2))
        s2_first = [s2[L] for L in range(1, layers + 1)]
        s2_note = {f"ακ₂ growth exponent log(ακ₂({n})/ακ₂({n // 2}))/log 2": mpmath.nstr(expo, 4)}
    else:
        s2_first = s2q[1:]
        s2_ok = all(s2q[L] == b * L * (L - 1) / 2 for L in range(1, layers + 1))
        exact_ok = exact_ok and s2_ok
        s2_note = {"ακ₂(L) = σ_b² L(L − 1)/2 (equals the exact iteration)": s2_ok}
    s1_first = s1[1:]
    lam = [((N_PS - 1) * float(a) + float(c)) / N_PS for a, c in zip(s2_first, s1_first)]
    sandwich = min(lam[i] / float(s1_first[i]) for i in range(layers)) * (1 + 1e-12)
    rel = 0.0
    for L in PROBE_DEPTHS:
        op = S.order_parameters(act, float(sw2), float(sb2), L)
        k1, _ = S.kappas(op, np.ones(L))
        rel = max(rel, abs((L - 1) * float(k1) - float(s1[L])) / float(s1[L]))
    nums = {"ακ₁(L) (arithmetic series)": str(poly), "second difference of ακ₁": str(second),
            f"exact rational iteration equals the polynomial at L = 1..{layers}": exact_ok,
            "min over L of (λ_max/M)/(ακ₁) (≥ 1/N)": round(sandwich, 6),
            "package float64 ακ₁ at L = 3, 10, 30: largest relative difference":
                float(f"{rel:.3g}"), **s2_note, "digits": 32.0 if exact_ok else 0.0}
    ok = bool(exact_ok and second != 0 and rel <= FLOAT_REL and sandwich >= 1 / N_PS)
    return {"name": name, "cls": "quadratic", "nums": nums, "ok": ok, "lam": lam, "s1": s1_first,
                "s2": s2_first, "setting": f"{act} (σ_w², σ_b²) = ({float(sw2):g}, {float(sb2):g})",
                "derived": f"quadratic: χ₁ = 1 exactly but q grows by σ_b² per layer (no finite "
                        f"fixed point); ακ₁(L) = {poly} exactly, so λ_max/M ≥ ακ₁/N grows like "
                        f"{sp.nsimplify(poly.coeff(Lsym, 2))}·L²"}


@functools.cache
def _phases():
    _qc, wc = _erf_critical(SB2)
    with mpmath.workdps(WORK):
        wc_exact = sp.Rational(int(mpmath.floor(wc * mpmath.mpf(10) ** (WORK - 3))),
                               10 ** (WORK - 3))
    crit = _erf_phase("critical (χ₁ = 1): erf at the critical σ_w²", wc_exact, SB2, LAYERS)
    return [_erf_phase("ordered (χ₁ < 1): erf (1.5, 0.64)", *ERF_ORDERED, LAYERS), crit,
            _erf_phase("chaotic (χ₁ > 1): erf (3, 0.64)", *ERF_CHAOTIC, CHAOS_LAYERS),
            _exact_phase("χ₁ = 1 without a fixed point: ReLU (2, 0.1) (PS l.280)", "relu",
                         *RELU_SETTING),
            _exact_phase("χ₁ = 1 without a fixed point: linear (1, 0.1) (PS l.280)", "linear",
                         *LINEAR_SETTING)]


def _witness(ph, agrees_printed):
    if ph["cls"] == "quadratic":
        how = ("ακ₁ iterated layer by layer in exact rationals (q̂ = q/2 resp. q, χ = 1) against "
               "the arithmetic-series polynomial; ακ₂ iterated (ReLU: closed-form kernels at "
               f"{WORK} digits; linear: exact rationals)")
    else:
        how = (f"the order-parameter recursions iterated layer by layer at {WORK} digits with the "
               "closed-form kernels (judged against quadrature in US-B.1–B.8), ακ_i(L) "
               "accumulated by S(L+1) = q̂^L + χ^L S(L): the ratio of successive increments of "
               "ακ₁ against χ₁ and the limits of ακ₁, ακ₂ against the fixed-point algebra")
    return Witness("mpmath", f"{ph['setting']}: {how}; the bounds ακ₁/N ≤ λ_max/M ≤ ακ₁ (N = "
                   f"{N_PS}); the package's float64 order parameters at L = 3, 10, 30", True,
                   ph["ok"], agrees_printed, ph["nums"])


def _increasing(seq):
    """Strictly increasing wherever the increments are resolved at WORK digits; (bool, count)."""
    tol = mpmath.mpf(10) ** -(WORK - 15)
    seq = [mpmath.mpf(x.numerator) / x.denominator if isinstance(x, Fraction) else mpmath.mpf(x)
           for x in seq]
    inc = [b - a for a, b in pairwise(seq)]
    resolved = [d for d, a in zip(inc, seq) if abs(d) > tol * abs(a) + tol]
    return bool(resolved) and all(d > 0 for d in resolved), len(resolved)


def _depth_records() -> list:
    phases = _phases()
    out = []
    readings, wits = [], []
    for ph in phases:
        lin = ph["cls"] == "linear"
        readings.append(Reading(
            ph["name"], f"{ph['setting']}", "λ_max/M grows linearly in L", ph["derived"],
            equal=lin, how=f"growth class from the fixed point: {ph['cls']} "
                           f"({'equals' if lin else 'differs from'} the printed linear growth)"))
        wits.append(_witness(ph, lin))
    out.append(judge(
        id="PS-3.3-depth-lambda", paper=PAPER_PS, equation="PS Sec. 3.3, λ_max against depth",
        key="Sec. 3.3 depth", kind="claim",
        what="growth of λ_max = α((N−1)/N κ₂ + κ₁/N)M with the depth L, phase by phase",
        printed="\"one can see that λ_max linearly increases as the width M or the depth L "
                "increase\" (l.272)",
        derived="phase dependent: bounded for χ₁ < 1, linear on χ₁ = 1 with a fixed point, "
                "geometric for χ₁ > 1, quadratic at the papers' ReLU and linear settings",
        definitions=[D_RECURSION, D_BACKWARD, D_KAPPA, D_CHI, D_SETTINGS, D_ERF],
        readings=readings, witnesses=wits,
        argument="With q̃^l = Π_{j=l}^{L−1} χ^j, ακ(L) = Σ_l q̃^l q̂^{l−1} satisfies ακ(L+1) = "
                 "q̂^L + χ^L ακ(L) (the new top layer multiplies every backward product by χ^L). "
                 "As q^L → q*, χ^L → χ₁: the linear recursion is bounded (→ q̂*/(1 − χ₁)) for "
                 "χ₁ < 1, grows by q̂* per layer for χ₁ = 1 and by the factor χ₁ for χ₁ > 1. "
                 "Since 0 ≤ I_φ ≤ E[φ²] and 0 ≤ σ_w² I_φ' ≤ χ for c ≥ 0 (Mehler series, "
                 "Cauchy–Schwarz), 0 ≤ ακ₂ ≤ ακ₁ and ακ₁/N ≤ λ_max/M ≤ ακ₁: λ_max has the growth "
                 "class of ακ₁. Where there is no fixed point at χ₁ = 1 (ReLU σ_w² = 2, linear "
                 "σ_w² = 1, with σ_b² > 0) the variance itself grows linearly and ακ₁ "
                 "quadratically. The printed linear growth holds on the critical line only; "
                 "for χ₁ slightly below 1 it holds up to the depth scale −1/ln χ₁."))
    # US: a deeper network requires a finer learning rate: η_c ∝ 1/λ_max decreases with L
    readings, wits = [], []
    for ph in phases:
        lam_inf, lam_n = ph["s2"], ph["lam"]          # index 0 is L = 1
        with mpmath.workdps(WORK):
            ok_inf, n_inf = _increasing(lam_inf[1:])
            ok_n, n_n = _increasing(lam_n[1:])
        eq = ok_inf and ok_n
        bounded = ph["cls"] == "bounded"
        readings.append(Reading(
            ph["name"], ph["setting"], "η_c(L) = 2(1+μ)/λ_max(L) decreases with L",
            f"λ_max(L) increases with L (T → ∞: ακ₂(L); T = {N_PS}: ((T−1)ακ₂ + ακ₁)/T) "
            f"at every resolved depth; {ph['derived']}", equal=eq,
            how=f"increments of λ_max/M positive at {n_inf} (T → ∞) and {n_n} (T = {N_PS}) "
                f"resolved depths: {'yes' if eq else 'no'}"
                + ("; the decrease of η_c saturates (bounded λ_max)" if bounded else "")))
        nums = dict(ph["nums"])
        nums.update({"λ_max increasing (T → ∞)": ok_inf, f"λ_max increasing (T = {N_PS})": ok_n})
        wits.append(Witness("mpmath", f"{ph['setting']}: ακ₂(L) and ((T−1)ακ₂(L) + ακ₁(L))/T "
                            f"for L = 2..{len(lam_n)} from the iterated recursions (as in "
                            "PS-3.3-depth-lambda); signs of the increments in L", True,
                            ph["ok"], eq, nums))
    out.append(judge(
        id="US-T7-depth", paper=PAPER_US, equation="US Sec. 4.2, after Theorem 7 (depth)",
        key="Thm 7 depth", kind="claim",
        what="η_c = 2(1 + μ)/λ_max decreases with the depth L (λ_max increases)",
        printed="\"[κ] is the sum over [L] constant positive terms, so a deeper network "
                "requires a finer setting of the learning rate\" (l.70)",
        derived="λ_max(L) increases with L in every phase; it saturates for χ₁ < 1 (and ακ₂ "
                "saturates for χ₁ > 1), so the terms are not constants: the required decrease "
                "of η_c is bounded in the ordered phase",
        definitions=[D_US_T7, D_US_T4, D_RECURSION, D_BACKWARD, D_KAPPA, D_CHI, D_ERF],
        readings=readings, witnesses=wits,
        argument="ακ(L+1) − ακ(L) = q̂^L − (1 − χ^L) ακ(L): every added layer adds q̂^L ≥ 0 and "
                 "rescales the sum by χ^L; from ακ(1) = q̂^0 the sequences increase toward their "
                 "limit (ordered) or without bound. The terms q̃^l q̂^{l−1} of the sum are not "
                 "constants: q̃^l = Π_{j≥l} χ^j decays geometrically with the distance from the "
                 "output for χ < 1, which is why λ_max saturates there (see PS-3.3-depth-lambda)."))
    return out


# ---------------------------------------------------------------------------------------------
# Statement: the order-to-chaos line of erf at σ_b² = 0.64
# ---------------------------------------------------------------------------------------------
def _quadrature_residuals(act, sw2_mp, sb2, q):
    """The variance map's residual σ_w² E[φ(√q u)²] + σ_b² − q and χ₁ = σ_w² E[φ'(√q u)²] at
    a given (σ_w², q), with E[·] the DPS-digit quadrature of the definition."""
    with mpmath.workdps(DPS + 10):
        res = sw2_mp * H.one_point(act, q, dps=DPS) + _mp(sb2) - q
        chi = sw2_mp * H.one_point_prime(act, q, dps=DPS)
    return res, chi


def _critical_line_record():
    qc, wc = _erf_critical(SB2)
    with mpmath.workdps(DPS + 10):
        res, chi_def = _quadrature_residuals("erf", +wc, SB2, qc)
        d_chi = T.digits(chi_def, mpmath.mpf(1))
        d_q = min(float(-mpmath.log10(abs(res) / qc)) if res else 32.0, 32.0)
    lo = S.fixed_point("erf", float(wc) * (1 - 1e-9), float(SB2))
    hi = S.fixed_point("erf", float(wc) * (1 + 1e-9), float(SB2))
    at = S.fixed_point("erf", float(wc), float(SB2))
    pkg_ok = bool(float(lo.chi1) < 1 < float(hi.chi1) and abs(float(at.chi1) - 1) <= 1e-10)
    settings = {}
    for lab, (w, b) in (("(3, 0.64) (PS tanh setting)", ERF_CHAOTIC), ("(1.5, 0.64)", ERF_ORDERED)):
        settings[f"erf χ₁ at {lab}"] = mpmath.nstr(_erf_fixed(w, b)["chi1"], 30)
    settings["ReLU (2, 0.1), linear (1, 0.1) (PS l.280): χ₁ = σ_w²/2, σ_w²"] = "1 exactly"
    ok = min(d_chi, d_q) >= REQUIRED
    w1 = Witness("mpmath", f"the variance map q = σ_w² E[erf(√q u)²] + σ_b² and χ₁ = σ_w² "
                 f"E[erf'(√q u)²] at the root (σ_wc², q_c), with E[·] the {DPS}-digit quadrature "
                 "of the definition (highprec, no closed form): the fixed-point residual and "
                 "|χ₁ − 1|", True, ok, ok,
                 {"σ_wc² (closed form, findroot)": mpmath.nstr(wc, 30),
                  "q_c (closed form, findroot)": mpmath.nstr(qc, 30),
                  "|σ_wc² E[φ²](q_c) + σ_b² − q_c| (quadrature)": mpmath.nstr(abs(res), 3),
                  "χ₁ at (σ_wc², q_c) (quadrature)": mpmath.nstr(chi_def, 30),
                  "|χ₁ − 1| (quadrature)": mpmath.nstr(abs(chi_def - 1), 3),
                  "digits of the fixed-point residual": round(d_q, 1),
                      "digits": round(min(d_chi, d_q), 1), **settings,
                      "package float64 χ₁ at σ_wc²(1 − 10⁻⁹), σ_wc², σ_wc²(1 + 10⁻⁹)":
                          f"{float(lo.chi1)!r}, {float(at.chi1)!r}, {float(hi.chi1)!r}"})
    return judge(
        id="PS-chaos-line-erf", paper=PAPER_PS, equation="PS Sec. 2.3, order-to-chaos line "
        "(erf)", key="chi1 = 1 line", kind="claim",
        what="the point of the order-to-chaos line χ₁ = 1 at σ_b² = 0.64 for erf, and the phase "
             "of the papers' settings",
        printed="χ₁ = 1 separates the ordered (χ₁ < 1) and chaotic (χ₁ > 1) phases (PS l.130, "
                "[18]); the papers' settings (3, 0.64), (2, 0.1), (1, 0.1) (PS l.280)",
        derived=f"σ_wc² = {mpmath.nstr(wc, 25)} at σ_b² = 0.64 (q* = {mpmath.nstr(qc, 20)}); "
                f"erf at the papers' tanh variances (3, 0.64) is chaotic (χ₁ = "
                f"{settings['erf χ₁ at (3, 0.64) (PS tanh setting)'][:14]}); ReLU (2, 0.1) and "
                "linear (1, 0.1) lie on χ₁ = 1 exactly, without a finite fixed point",
        definitions=[D_CHI, D_RECURSION, D_SETTINGS, D_ERF], witnesses=[w1],
        equal=ok and pkg_ok,
        how=f"χ₁ at the closed-form root by the quadrature route: {d_chi:.1f} digits from 1 (≥ "
            f"{REQUIRED} required); the package brackets χ₁ = 1 within 10⁻⁹ of σ_wc²",
        argument="Eliminating σ_w² = (q − σ_b²)/E[φ(√q u)²] from the fixed point turns χ₁ = 1 "
                 "into one equation in q, (q − σ_b²) E[φ'(√q u)²] = E[φ(√q u)²], solved with the "
                 "erf closed forms (2/π) asin(2q/(1 + 2q)) and 4/(π√(1 + 4q)). The witness does "
                 "not use the closed forms: the quadrature of the definitions evaluates the "
                 "variance map and χ₁ at the root.")


# ---------------------------------------------------------------------------------------------
# Statement: exact Wick moments of the Fisher information of linear networks
# ---------------------------------------------------------------------------------------------
class _Labels:
    def __init__(self):
        self.n, self.dim = 0, {}

    def new(self, d):
        self.n += 1
        self.dim[self.n] = d
        return self.n


def _forward_terms(lab, L, sample):
    """h^l(sample), l = 0..L−1, as sums of index chains (coefficient, factors, free index):
    h^0 = x, h^l = W^l h^{l−1} + b^l (φ(u) = u)."""
    i = lab.new("M")
    hs = [[(1, ((f"x{sample}", (i,)),), i)]]
    for l in range(1, L):
        out = []
        for c, fac, j in hs[-1]:
            i = lab.new("M")
            out.append((c, fac + ((f"W{l}", (i, j)),), i))
        i = lab.new("M")
        out.append((1, ((f"b{l}", (i,)),), i))
        hs.append(out)
    return hs


def _backward_terms(lab, L):
    """δ^l, l = 1..L: δ^L = 1 (one output, index of dimension 1), δ^{l−1} = W^{lT} δ^l."""
    o = lab.new("1")
    ds = [None] * (L + 1)
    ds[L] = [(1, (), o)]
    for l in range(L, 1, -1):
        out = []
        for c, fac, i in ds[l]:
            j = lab.new("M")
            out.append((c, fac + ((f"W{l}", (i, j)),), j))
        ds[l - 1] = out
    return ds


def _dot(u, v):
    return [(c1 * c2, f1 + f2, ((i1, i2),)) for c1, f1, i1 in u for c2, f2, i2 in v]


def _mul(a, b):
    return [(c1 * c2, f1 + f2, e1 + e2) for c1, f1, e1 in a for c2, f2, e2 in b]


def _gram_terms(lab, L, s, t, part="all"):
    """G_st = ∇f(s)·∇f(t) = Σ_l (δ^l·δ^l)(h^{l−1}(s)·h^{l−1}(t) + 1): weights and biases
    (part "W" or "b" keeps one of them); every factor is a fresh copy of its chain."""
    terms = []
    for l in range(1, L + 1):
        D = _dot(_backward_terms(lab, L)[l], _backward_terms(lab, L)[l])
        if part in ("all", "W"):
            terms += _mul(D, _dot(_forward_terms(lab, L, s)[l - 1],
                                  _forward_terms(lab, L, t)[l - 1]))
        if part in ("all", "b"):
            terms += D
    return terms


def _matchings(items):
    if not items:
        yield []
        return
    for k in range(1, len(items)):
        for m in _matchings(items[1:k] + items[k + 1:]):
            yield [(items[0], items[k])] + m


def _find(parent, x):
    """Union-find root (with path halving)."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _wick(monos, dim):
    """E[Σ monomials]: Isserlis pairings of equal fields (W^l entries N(0, σ_w²/M), b^l entries
    N(0, σ_b²), inputs N(0, 1)), each pairing identifying the paired index slots; the value is
    Π variances × M^(number of index classes of dimension M).  Returns {(M, σ_w², σ_b²) powers:
    integer}."""
    tot = {}
    for c, fac, ident in monos:
        groups = {}
        for name, idx in fac:
            groups.setdefault(name, []).append(idx)
        if any(len(g) % 2 for g in groups.values()):
            continue
        nw = sum(len(g) for k, g in groups.items() if k[0] == "W") // 2
        nb = sum(len(g) for k, g in groups.items() if k[0] == "b") // 2
        labels = {x for _, idx in fac for x in idx} | {x for p in ident for x in p}
        for combo in product(*[list(_matchings(g)) for g in groups.values()]):
            parent = {x: x for x in labels}
            pairs = list(ident) + [(x, y) for m in combo for p, q in m for x, y in zip(p, q)]
            for x, y in pairs:
                rx, ry = _find(parent, x), _find(parent, y)
                if rx != ry:
                    parent[rx] = ry
            k = sum(1 for r in {_find(parent, x) for x in labels} if dim[r] == "M")
            key = (k - nw, nw, nb)
            tot[key] = tot.get(key, 0) + c
    return {k: v for k, v in tot.items() if v}


MS, SW, SB, TS = sp.symbols("M sigma_w2 sigma_b2 T", positive=True)


def _to_sympy(d):
    return sp.Add(*[v * MS ** k[0] * SW ** k[1] * SB ** k[2] for k, v in d.items()])


@functools.cache
def _wick_moments(L):
    """E[G_11] (weights, biases), E[G_11²], E[G_12²] as Laurent polynomials in M."""
    out, raw = {}, {}
    for part in ("W", "b"):
        lab = _Labels()
        raw[f"G11_{part}"] = _wick(_gram_terms(lab, L, 1, 1, part), lab.dim)
    for name, (s, t) in (("G11sq", (1, 1)), ("G12sq", (1, 2))):
        lab = _Labels()
        a, b = _gram_terms(lab, L, s, t), _gram_terms(lab, L, s, t)
        raw[name] = _wick(_mul(a, b), lab.dim)
    for k, d in raw.items():
        out[k] = _to_sympy(d)
    raw["G11"] = {k: raw["G11_W"].get(k, 0) + raw["G11_b"].get(k, 0)
                  for k in set(raw["G11_W"]) | set(raw["G11_b"])}
    return out, raw


def _mean_field(L):
    """ακ₁, ακ₂, Σ_l q̃^l of the linear recursions (US supp. (B.13)–(B.16))."""
    qh1, qh2 = [sp.Integer(1)], [sp.Integer(0)]
    for _ in range(1, L):
        qh1.append(SW * qh1[-1] + SB)
        qh2.append(SW * qh2[-1] + SB)
    qt = {l: SW ** (L - l) for l in range(1, L + 1)}
    ak1 = sp.expand(sum(qt[l] * qh1[l - 1] for l in range(1, L + 1)))
    ak2 = sp.expand(sum(qt[l] * qh2[l - 1] for l in range(1, L + 1)))
    return ak1, ak2, sp.expand(sum(qt.values()))


# explicit coordinates (exact enumeration at small M) --------------------------------------------
#: A monomial in the explicit Gaussian coordinates is an int: 4 bits of exponent per variable
#: (exponents stay below 16), so the product of monomials is the sum of their keys.
_BITS = 4


class _Vars:
    def __init__(self):
        self.index, self.kind = {}, []

    def __call__(self, name):
        """The polynomial z_name (a fresh variable on first use)."""
        if name not in self.index:
            self.index[name] = len(self.kind)
            self.kind.append(name[0])
        return {1 << (_BITS * self.index[name]): 1}


def _p_mul(a, b):
    out = {}
    for ka, ca in a.items():
        for kb, cb in b.items():
            k = ka + kb
            out[k] = out.get(k, 0) + ca * cb
    return out


def _p_add(*ps):
    out = {}
    for p in ps:
        for k, v in p.items():
            out[k] = out.get(k, 0) + v
    return {k: v for k, v in out.items() if v}


def _p_gram(var, L, M, s, t, part="all"):
    """G_st as an explicit polynomial in the coordinates of a width-M linear network."""
    one = {0: 1}

    def fwd(smp):
        h = [var(("x", smp, j)) for j in range(M)]
        hs = [h]
        for l in range(1, L):
            h = [_p_add(var(("b", l, i)), *[_p_mul(var(("W", l, i, j)), h[j])
                                            for j in range(M)]) for i in range(M)]
            hs.append(h)
        return hs

    def dot(u, v):
        return _p_add(*[_p_mul(a, b) for a, b in zip(u, v)])
    hs, ht = fwd(s), fwd(t)
    ds = {L: [one]}
    for l in range(L, 1, -1):
        rows = 1 if l == L else M
        ds[l - 1] = [_p_add(*[_p_mul(var(("W", l, i, j)), ds[l][i]) for i in range(rows)])
                     for j in range(M)]
    G = {}
    for l in range(1, L + 1):
        D = dot(ds[l], ds[l])
        if part in ("all", "W"):
            G = _p_add(G, _p_mul(D, dot(hs[l - 1], ht[l - 1])))
        if part in ("all", "b"):
            G = _p_add(G, D)
    return G


def _p_expect(var, p, M, sw, sb):
    """E[p]: E z^{2k} = (2k − 1)!! v^k per independent coordinate (v = σ_w²/M, σ_b², 1)."""
    vv = [{"W": sw / M, "b": sb, "x": Fraction(1)}[k] for k in var.kind]
    mask = (1 << _BITS) - 1
    tot = Fraction(0)
    for key, c in p.items():
        val, i = Fraction(c), 0
        while key:
            e = key & mask
            if e:
                if e % 2:
                    val = Fraction(0)
                    break
                dbl = 1
                for k in range(e - 1, 0, -2):
                    dbl *= k
                val *= vv[i] ** (e // 2) * dbl
            key >>= _BITS
            i += 1
        tot += val
    return tot


def _wick_value(d, M, sw, sb):
    """A Wick result {(M, σ_w², σ_b²) powers: coefficient} at exact numbers."""
    return sum(Fraction(v) * Fraction(M) ** k[0] * sw ** k[1] * sb ** k[2] for k, v in d.items())


def _mc_linear(L, M, sw, sb, K, seed, Tn=2):
    """K explicit linear networks (widths M, one output) on Tn Gaussian inputs: the Gram
    matrices G_st = ∇f(s)·∇f(t) from the forward and backward passes."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((K, Tn, M))
    Ws = [rng.standard_normal((K, M, M)) * np.sqrt(sw / M) for _ in range(1, L)]
    bs = [rng.standard_normal((K, M)) * np.sqrt(sb) for _ in range(1, L)]
    v = rng.standard_normal((K, M)) * np.sqrt(sw / M)
    hs = [x]
    for l in range(1, L):
        hs.append(np.einsum("kij,ktj->kti", Ws[l - 1], hs[-1]) + bs[l - 1][:, None, :])
    ds = {L - 1: v}
    for l in range(L - 1, 1, -1):
        ds[l - 1] = np.einsum("kij,ki->kj", Ws[l - 1], ds[l])
    G = np.einsum("kti,ksi->kts", hs[L - 1], hs[L - 1]) + 1
    for l in range(1, L):
        G = G + np.sum(ds[l] ** 2, axis=1)[:, None, None] * (
            np.einsum("kti,ksi->kts", hs[l - 1], hs[l - 1]) + 1)
    return G, (x, Ws, bs, v)


def _jacobian_check(L=3, M=3, sw=1.0, sb=0.1):
    """One network of _mc_linear against the package's explicit Jacobian (JᵀJ)."""
    G, (x, Ws, bs, v) = _mc_linear(L, M, sw, sb, 1, 5)
    net = E.Network(weights=tuple([W[0] for W in Ws] + [v[0][None, :]]),
                    biases=tuple([b[0] for b in bs] + [np.zeros(1)]),
                    activations=(E.get_activation("linear"),) * (L - 1),
                    sigma_w2=(sw,) * L, sigma_b2=(sb,) * L)
    J = E.explicit_jacobian(net, x[0])
    return float(np.max(np.abs(J.T @ J - G[0])) / np.max(np.abs(G[0])))


MC_SETTING = (Fraction(1), Fraction(1, 10))   # the papers' linear setting (PS l.280)
MC_WIDTH, MC_NETS, MC_SEED, Z_MC = 4, 40000, 2024, 4.0
D_TRACE = Definition(
    "m_λ^(W), m_λ^(b)", "m_λ^(W) = Σ_t Trace(∇_W f(t) ∇_W f(t)ᵀ)/(TP) (A.4) … m_λ^(W) = κ₁/M "
    "(A.6), where … α comes from P = αM². … m_λ^(b) = Σ_t Trace(∇_b f(t) ∇_b f(t)ᵀ)/(TP) (A.7) "
    "= Σ_t Σ_l Σ_i δ_i^l(t)²/(TP) (A.8) = Σ_l q̃^l/(αM²) (when M ≫ 1) (A.9)",
    "Universal statistics, supplement A.1 (plain-text lines 30–53)")
D_FROB = Definition(
    "s_λ", "s_λ = Σ_{s,t}^T (F*_st)²/P (A.24) = α((T−1)/T κ₂² + κ₁²/T) (A.25), with F* = αMK/T + "
    "O(√M)/T (A.23), F*_st = Σ_l ∇_{W^l} f(s)·∇_{W^l} f(t)/T (A.18)",
    "Universal statistics, supplement A.3 (plain-text lines 96–128)")
D_LINEAR = Definition(
    "φ", "linear activation: q̂^{l+1} = q̂^l σ_w² + σ_b² (B.13), q̃^l = q̃^{l+1} σ_w² (B.14), "
    "q̂_st^{l+1} = q̂_st^l σ_w² + σ_b² (B.15), q̃_st^l = q̃_st^{l+1} σ_w², q̃_st^L = 1 (B.16)",
    "Universal statistics, supplement App. B.3 (plain-text lines 355–366)")


def _wick_records() -> list:
    sw, sb = MC_SETTING
    subs = {SW: sp.Rational(sw.numerator, sw.denominator), SB: sp.Rational(sb.numerator,
                                                                           sb.denominator)}
    printed_tr, derived_tr, printed_fr, derived_fr, corr = [], [], [], [], {}
    enum_ok, enum_nums, mc_nums, mc_ok_exact, mc_rej_mf = True, {}, {}, True, True
    for L in (2, 3):
        mo, raw = _wick_moments(L)
        ak1, ak2, qt_sum = _mean_field(L)
        printed_tr.append(sp.Tuple(sp.expand(MS * ak1), qt_sum))
        derived_tr.append(sp.Tuple(sp.expand(mo["G11_W"]), sp.expand(mo["G11_b"])))
        frob = sp.expand((mo["G11sq"] + (TS - 1) * mo["G12sq"]) / TS)
        lead = (TS - 1) / TS * ak2 ** 2 + ak1 ** 2 / TS
        printed_fr.append(sp.expand(lead))
        powers = sorted({t.as_coeff_exponent(MS)[1] for t in sp.Add.make_args(frob)})
        derived_fr.append(sp.expand(frob.coeff(MS, 2)))     # highest power: M² (powers above)
        c1 = sp.factor(frob.coeff(MS, 1))
        corr[L] = (frob, c1, powers)
        # exact enumeration in explicit coordinates, M = 1, 2
        for M in (1, 2):
            var = _Vars()
            g11 = _p_gram(var, L, M, 1, 1)
            g12 = _p_gram(var, L, M, 1, 2)
            vals = {"E G11": _p_expect(var, g11, M, sw, sb),
                    "E G11 (weights)": _p_expect(var, _p_gram(var, L, M, 1, 1, "W"), M, sw, sb),
                    "E G11 (biases)": _p_expect(var, _p_gram(var, L, M, 1, 1, "b"), M, sw, sb),
                    "E G11²": _p_expect(var, _p_mul(g11, g11), M, sw, sb),
                    "E G12²": _p_expect(var, _p_mul(g12, g12), M, sw, sb)}
            wick = {"E G11": raw["G11"], "E G11²": raw["G11sq"], "E G12²": raw["G12sq"],
                    "E G11 (weights)": raw["G11_W"], "E G11 (biases)": raw["G11_b"]}
            for k, val in vals.items():
                same = val == _wick_value(wick[k], M, sw, sb)
                enum_ok &= bool(same)
                enum_nums[f"L = {L}, M = {M}: {k}"] = f"{val} ({'=' if same else '≠'} Wick)"
        # Monte Carlo over explicit networks at M = MC_WIDTH
        G, _ = _mc_linear(L, MC_WIDTH, float(sw), float(sb), MC_NETS, MC_SEED + L)
        samples = {"E G11": G[:, 0, 0], "E G11²": G[:, 0, 0] ** 2, "E G12²": G[:, 0, 1] ** 2}
        mf = {"E G11": (MS * ak1 + qt_sum), "E G11²": (MS * ak1) ** 2, "E G12²": (MS * ak2) ** 2}
        wick = {"E G11": raw["G11"], "E G11²": raw["G11sq"], "E G12²": raw["G12sq"]}
        for k, arr in samples.items():
            mean = float(arr.mean())
            se = float(arr.std(ddof=1) / np.sqrt(arr.size))
            ex = float(_wick_value(wick[k], MC_WIDTH, sw, sb))
            lo = float(mf[k].subs(subs).subs(MS, MC_WIDTH))
            z_ex, z_mf = (mean - ex) / se, (mean - lo) / se
            mc_ok_exact &= abs(z_ex) <= Z_MC
            if k != "E G11":
                mc_rej_mf &= abs(z_mf) > Z_MC
            mc_nums[f"L = {L}: {k}"] = (f"{mean:.5g} ± {se:.2g} (exact {ex:.5g}, z = "
                                        f"{z_ex:.2f}; leading order {lo:.5g}, z = {z_mf:.1f})")
    jac = _jacobian_check()
    mc_nums["network code against the package's explicit Jacobian (max relative)"] = float(
        f"{jac:.2g}")
    mc_ok = bool(mc_ok_exact and jac < 1e-12)
    setting = f"(σ_w², σ_b²) = ({sw}, {sb})"
    w_enum = Witness("exact-algebra", f"exact enumeration: G_11, G_12 written out in the "
                     f"explicit coordinates of linear networks of width M = 1, 2 (L = 2, 3, "
                     f"{setting}), expanded as polynomials in the Gaussian entries and averaged "
                     "term by term (E z^{2k} = (2k−1)!! σ^{2k}), in exact rationals", True,
                     enum_ok, None, enum_nums)
    w_mc = Witness("finite-width", f"{MC_NETS} explicit linear networks per depth (L = 2, 3, "
                   f"width M = {MC_WIDTH}, one output, T = 2 Gaussian inputs, {setting}, seed "
                   f"{MC_SEED}+L): sample means ± se of G_11, G_11², G_12² against the exact "
                   f"rational functions (agree when |z| ≤ {Z_MC:g}) and the leading order",
                   True, mc_ok, None, mc_nums)
    out = []
    exact_digits = {"digits": 32.0 if enum_ok else 0.0}   # exact rational equality
    w_enum_tr = Witness(w_enum.kind, w_enum.description, True, enum_ok, enum_ok,
                        {**{k: v for k, v in enum_nums.items() if "E G11" in k and "²" not in k},
                         **exact_digits})
    w_mc_tr = Witness(w_mc.kind, w_mc.description, True, mc_ok, mc_ok,
                      {k: v for k, v in mc_nums.items() if k.endswith("E G11") or "Jacobian"
                       in k})
    out.append(judge(
        id="US-A4-A9-trace-linear", paper=PAPER_USS,
        equation="US supp. (A.4)–(A.9), linear networks (exact in M)", key="(A.9)",
        what="E tr F_W = αMκ₁ and E tr F_b = Σ_l q̃^l for linear networks, L = 2, 3, every M",
        printed=sp.Tuple(*printed_tr), derived=sp.Tuple(*derived_tr),
        definitions=[D_TRACE, D_LINEAR, D_KAPPA], witnesses=[w_enum_tr, w_mc_tr],
        steps=[(f"E tr F (L = {L}), Wick", sp.expand(d[0] + d[1]))
               for L, d in zip((2, 3), derived_tr)],
        argument="tr F = Σ_t ‖∇f(t)‖²/T and ‖∇f(t)‖² = Σ_l ‖δ^l‖²(‖h^{l−1}(t)‖² + 1); for φ(u) = "
                 "u the derived form is the Wick (Isserlis) contraction of these chains of "
                 "Gaussian weight matrices with symbolic width. δ^l uses W^{l+1..L} and h^{l−1} "
                 "uses W^{1..l−1}, so they are independent and E‖δ^l‖² = σ_w^{2(L−l)}, "
                 "E‖h^{l−1}‖² = M q̂^{l−1} hold exactly: for linear networks the printed "
                 "large-M forms (A.6) and (A.9) (multiplied by P = αM²) are exact at every width."))
    w_enum_fr = Witness(w_enum.kind, w_enum.description, True, enum_ok, None,
                        {**enum_nums, **exact_digits})
    w_mc_fr = Witness(w_mc.kind, w_mc.description, True, mc_ok, None, dict(mc_nums))
    nums_corr = {f"L = {L}: first correction c₁ (E‖F‖_F²/M² = lead + c₁/M + …)": str(corr[L][1])
                 for L in (2, 3)}
    nums_corr.update({f"L = {L}: c₁ at {setting}": str(sp.nsimplify(corr[L][1].subs(subs)))
                      for L in (2, 3)})
    nums_corr.update({f"L = {L}: powers of M in E‖F‖_F²": str(corr[L][2]) for L in (2, 3)})
    w_enum_fr.numbers.update(nums_corr)
    out.append(judge(
        id="US-A25-frobenius-linear", paper=PAPER_USS,
        equation="US supp. (A.24)–(A.25), linear networks (exact in M)", key="(A.25)",
        what="E‖F‖_F²/M² → α²((T−1)/T κ₂² + κ₁²/T) for linear networks, L = 2, 3; the first "
             "correction is O(1/M)",
        printed=sp.Tuple(*printed_fr), derived=sp.Tuple(*derived_fr),
        definitions=[D_FROB, D_LINEAR, D_KAPPA], witnesses=[w_enum_fr, w_mc_fr],
        steps=[(f"E‖F‖_F² (L = {L}), Wick", corr[L][0]) for L in (2, 3)]
              + [(f"first correction c₁ (L = {L})", corr[L][1]) for L in (2, 3)],
        argument="‖F‖_F² = Σ_{s,t} G_st²/T² with G_st = ∇f(s)·∇f(t), so E‖F‖_F² = (E G_11² + "
                 "(T − 1) E G_12²)/T. The Wick contraction gives a Laurent polynomial in M whose "
                 "M² coefficient is α²((T−1)/T κ₂² + κ₁²/T) (α²κ_i² = (Σ_l q̃^l q̂_i^{l−1})², the "
                 "recursions (B.13)–(B.16)); the next coefficient c₁ ≠ 0 (given in the steps), "
                 "so the first correction to E s_λ is exactly O(1/M) relative (the O(√M)/T "
                 "fluctuations of (A.23) enter E‖F*‖² only at second order)."))
    return out


def checks():
    return _depth_records() + [_critical_line_record()] + _wick_records()


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
