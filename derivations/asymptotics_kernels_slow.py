"""Limits of the two-point kernels at c → 1, their singular terms (ReLU, step), the slope of
the correlation map at c = 1 (= χ₁), and the erf → step limit q → ∞, at high precision.

Printed:  the diagonal of the two-point kernel, I_φ[a, a] = ∫Du φ(√a u)² (Pathological spectra
          Eqs. (15)–(16): q̂_2 = I_φ[q_1, q_2] and q̂_1 = ∫Du φ(√q_1 u)² coincide at q_2 = q_1);
          χ₁ = σ_w² ∫Du φ'(√q* u)² as the slope of the correlation map at c = 1.
Derived:  sympy limits/series of the engine's closed forms (erf, relu, gelu, step); for tanh
          (no closed form) the one-point quadrature.
Witnesses: the quadrature of the DEFINITION of I_φ[a, b] (:mod:`meanfield_sym.witnesses.highprec`,
          34 digits) at b = a − h_k (or c = 1 − t_k²) and Richardson (Neville) extrapolation to
          the limit; the coefficients of the expansion from the interpolating polynomial.
SLOW: about 25 two-dimensional quadratures at 34 digits (1.5–6 s each).
"""
from __future__ import annotations

import mpmath
import sympy as sp

from meanfield_sym.kernels.kernel_set import kernels_for
from meanfield_sym.kernels.symbols import A, B, Q
from meanfield_sym.verdicts.judge import Definition, Witness, judge
from meanfield_sym.verdicts.record import run_script
from meanfield_sym.witnesses import highprec as H

try:
    from . import asymptotics_tools as T
    from .asymptotics_fixed_points import SETTINGS, _root_of_definition
except ImportError:  # run as a plain script
    from meanfield_sym.derivations import asymptotics_tools as T
    from meanfield_sym.derivations.asymptotics_fixed_points import SETTINGS, _root_of_definition

SLOW = True
PAPER = "Pathological spectra"
DPS, WORK, REQUIRED = 34, 44, 20
#: b = a − h_k, h_k = H0·2^-k (smooth φ: I_φ is analytic in b at b = a)
H0, SMOOTH_NODES = mpmath.mpf(10) ** -5, 5
#: c = 1 − t_k², t_k = T0·2^-k (ReLU, step: analytic in t = √(1 − c) on t > 0)
T0, KINK_NODES = mpmath.mpf(1) / 1000, 6
T0_PRIME, PRIME_NODES = mpmath.mpf(1) / 100, 5

D_KERNEL = Definition(
    "I_φ", "q̂_2^{l+1} = I_φ[q_1^{l+1}, q_2^{l+1}] … A two-dimensional Gaussian integral is given "
    "by I_φ[a, b] := ∫Dy Dx φ(√a x) φ(√a(cx + √(1 − c²) y)) with c = b/a (16)",
    "Pathological spectra, Eqs. (15)–(16) (plain-text lines 134–140)")
D_ONE = Definition("q̂_1", "q̂_1^{l+1} = ∫Du φ(√(q_1^{l+1}) u)² (15)",
                   "Pathological spectra, Eq. (15) (plain-text line 134)")
D_CHI = Definition("χ₁", "χ₁ = σ_w² ∫Du φ'(√q* u)²: the slope of the correlation map "
                   "c ↦ (σ_w² I_φ[q*, c q*] + σ_b²)/q* at c = 1 (Poole et al. 2016; Schoenholz "
                   "et al. 2017, cited in Pathological spectra l.127)",
                   "Pathological spectra, Sec. 3 (l.127, references [18]–[21])")
D_TANH_SETTING = Definition("(σ_w², σ_b²)", "(σ_w², σ_b²) = (3, 0.64) in the tanh case",
                            "Pathological spectra, Sec. 3.3 (plain-text line 280)")


def _smooth(act, a):
    """I_φ[a, a − h_k] by quadrature; extrapolated value at h = 0 and slope ∂_b I at b = a."""
    with mpmath.workdps(WORK):
        hs = [H0 * mpmath.mpf(2) ** -k for k in range(SMOOTH_NODES)]
        ys = [H.two_point(act, a, a - h, dps=DPS) for h in hs]
        val, err = T.extrapolate(hs, ys)
        coef = T.poly_coefficients(hs, ys)
        one = H.one_point(act, a, dps=DPS)
        return val, err, -coef[1], one


def _limit_record(act, a, val, err, one, setting=""):
    cf = kernels_for(act).closed_form
    with mpmath.workdps(WORK):
        d = T.digits(val, one)
        nums = {"extrapolated limit": mpmath.nstr(val, 30), "error estimate": mpmath.nstr(err, 3),
                "E[φ(√a u)²] (one-point quadrature)": mpmath.nstr(one, 30), "digits": round(d, 1)}
        if cf["two_point"] is not None:
            derived = sp.simplify(sp.limit(cf["two_point"], B, A, "-"))
            how_d = T.digits(val, mpmath.mpf(sp.N(derived.subs(A, sp.Float(mpmath.nstr(
                a, WORK), WORK)), WORK)))
            printed = cf["one_point"].subs(Q, A)
            nums["digits against the derived limit"] = round(how_d, 1)
            ok = min(d, how_d) >= REQUIRED
            kw = dict(printed=printed, derived=derived)
        else:
            ok = d >= REQUIRED
            kw = dict(printed="lim_{b→a⁻} I_φ[a, b] = ∫Du φ(√a u)²", kind="claim", equal=ok,
                      derived=f"the extrapolated limit agrees with the one-point quadrature to "
                              f"{d:.1f} digits", how=f"{d:.1f} digits (≥ {REQUIRED} required)")
    w = Witness("mpmath", f"I_φ[a, a − h] by the {DPS}-digit quadrature of the definition at "
                f"h = 10^-5·2^-k, k = 0..{SMOOTH_NODES - 1} ({act}, a = {mpmath.nstr(a, 12)}"
                f"{setting}), Neville extrapolation to h = 0, against the one-point quadrature",
                True, ok, d >= REQUIRED, nums)
    return judge(id=f"PS-16-diagonal-{act}", paper=PAPER, equation="PS (15)–(16), c → 1",
                 key="(16) c→1", what=f"I_φ[a, b] → ∫Du φ(√a u)² as b → a ({act})",
                 definitions=[D_KERNEL, D_ONE], witnesses=[w],
                 argument="At c = 1 the two arguments coincide, u₂ = u₁, so I_φ[a, a] = "
                          "E[φ(√a u)²]; the derived limit is sympy.limit of the engine's closed "
                          "form as b → a⁻ (tanh: no closed form, the claim is judged on the "
                          "quadrature).", **kw)


def _slope_record(act, sw2, q, slope, chi_q):
    cf = kernels_for(act).closed_form
    w2 = T.mp(sw2)
    with mpmath.workdps(WORK):
        chi = w2 * slope
        ref = w2 * H.one_point_prime(act, q, dps=DPS)
        d = T.digits(chi, ref)
    nums = {"σ_w² ∂_b I_φ[q*, b] at b = q* (extrapolated)": mpmath.nstr(chi, 30),
            "χ₁ = σ_w² E[φ'(√q* u)²] (one-point quadrature)": mpmath.nstr(ref, 30),
            "q*": mpmath.nstr(q, 30), "digits": round(d, 1)}
    if cf["two_point"] is not None:
        derived = sp.simplify(sp.diff(cf["two_point"], B).subs(B, A))
        printed = cf["one_point_prime"].subs(Q, A)
        kw = dict(printed=printed, derived=derived)
    else:
        kw = dict(printed="d/dc [σ_w² I_φ[q*, c q*] + σ_b²]/q* at c = 1 equals χ₁",
                  derived=f"slope by extrapolation = {mpmath.nstr(chi, 20)}", kind="claim",
                  equal=d >= REQUIRED, how=f"{d:.1f} digits against χ₁ (≥ {REQUIRED} required)")
    w = Witness("mpmath", f"one-sided differences of I_φ[q*, b] (the {DPS}-digit quadrature of "
                f"the definition) at b = q* − 10^-5·2^-k, the slope read off the interpolating "
                f"polynomial, against σ_w² E[φ'(√q* u)²] ({act}, (σ_w², σ_b²) = "
                f"({sw2}, {SETTINGS[act][1]}), q* by findroot on the definition)", True,
                d >= REQUIRED, d >= REQUIRED, nums)
    return judge(id=f"PS-chi1-slope-{act}", paper=PAPER, equation="PS Sec. 3, χ₁ (slope at c = 1)",
                 key="chi1 slope c=1", what=f"slope of the correlation map at c = 1 equals χ₁ ({act})",
                 definitions=[D_KERNEL, D_CHI, D_TANH_SETTING], witnesses=[w],
                 argument="∂_b I_φ[a, b] = I_φ'[a, b] (Price's theorem), so the slope of "
                          "c ↦ (σ_w² I_φ[q*, c q*] + σ_b²)/q* at c = 1 is σ_w² I_φ'[q*, q*] = "
                          "σ_w² E[φ'(√q* u)²] = χ₁; the derived form is ∂_b of the engine's "
                          "closed form at b = a.", **kw)


def _relu_records() -> list:
    """c = 1 − t²: I_relu[1, c] − c/2 = t³(√2/(3π) + O(t²)); I_relu'[1, c] = 1/2 − (√2/2π)t + …"""
    cf = kernels_for("relu").closed_form
    t = sp.Symbol("t", positive=True)
    ser = sp.series(cf["two_point"].subs({A: 1, B: 1 - t ** 2}), t, 0, 5).removeO()
    c3 = sp.nsimplify(ser.coeff(t, 3))
    ser_p = sp.series(cf["two_point_prime"].subs({A: 1, B: 1 - t ** 2}), t, 0, 3).removeO()
    c1p = sp.nsimplify(ser_p.coeff(t, 1))
    out = []
    with mpmath.workdps(WORK):
        ts = [T0 * mpmath.mpf(2) ** -k for k in range(KINK_NODES)]
        ys = [H.two_point("relu", 1, 1 - x * x, dps=DPS) for x in ts]
        one = H.one_point("relu", 1, dps=DPS)           # I at c = 1
        slope1 = H.one_point_prime("relu", 1, dps=DPS)  # ∂_b I at b = a (Price)
        val, err = T.extrapolate(ts, ys)
        g = [(y - one + slope1 * x * x) / x ** 3 for x, y in zip(ts, ys)]
        c3_num, c3_err = T.extrapolate([x * x for x in ts], g)
        d_val = T.digits(val, one)
        d_c3 = T.digits(c3_num, mpmath.mpf(sp.N(c3, WORK)))
    out.append(_limit_record("relu", mpmath.mpf(1), val, err, one))
    out[-1].witnesses[0].description = out[-1].witnesses[0].description.replace(
        "h = 10^-5·2^-k", f"c = 1 − t², t = 10^-3·2^-k").replace(
        f"k = 0..{SMOOTH_NODES - 1}", f"k = 0..{KINK_NODES - 1}").replace("to h = 0", "to t = 0")
    w3 = Witness("mpmath", f"I_relu[1, 1 − t²] by the {DPS}-digit quadrature of the definition at "
                 f"t = 10^-3·2^-k, k = 0..{KINK_NODES - 1}; (I − E[φ²] + E[φ'²]t²)/t³ (both "
                 "one-point means by quadrature) extrapolated in t² to t = 0", True,
                 d_c3 >= REQUIRED, d_c3 >= REQUIRED,
                 {"coefficient of (1 − c)^{3/2}": mpmath.nstr(c3_num, 30),
                  "error estimate": mpmath.nstr(c3_err, 3), "digits": round(d_c3, 1)})
    out.append(judge(
        id="US-B11-relu-singular", paper="Universal statistics (suppl.)",
        equation="US supp. (B.11), c → 1 (singular term)", key="(B.11) c→1 singular",
        what="ReLU I_φ[a, b] near b = a: a/2 − (a − b)/2 + C a (1 − c)^{3/2} + O((1 − c)^{5/2})",
        printed=sp.sqrt(2) / (3 * sp.pi), derived=c3, definitions=[D_KERNEL], witnesses=[w3],
        argument="f(c) = (√(1 − c²) + c(π − acos c))/(2π) has f' = (π − acos c)/(2π) and f'' = "
                 "1/(2π√(1 − c²)), integrable at c = 1: f is C¹ there, and integrating "
                 "f'' ~ (1 − c)^{-1/2}/(2π√2) twice gives the leading singular term "
                 "(√2/(3π))(1 − c)^{3/2}; the derived coefficient is read off sympy.series of the "
                 "closed form in t = √(1 − c).",
        steps=[("I_relu[1, 1 − t²] (series in t)", ser)]))
    with mpmath.workdps(WORK):
        tp = [T0_PRIME * mpmath.mpf(2) ** -k for k in range(PRIME_NODES)]
        yp = [H.two_point_prime("relu", 1, 1 - x * x, dps=DPS) for x in tp]
        half = H.one_point_prime("relu", 1, dps=DPS)    # I_φ' at c = 1: E[H(u)²]
        gp = [(y - half) / x for x, y in zip(tp, yp)]
        c1_num, c1_err = T.extrapolate([x * x for x in tp], gp)
        d_c1 = T.digits(c1_num, mpmath.mpf(sp.N(c1p, WORK)))
    w1 = Witness("mpmath", f"I_relu'[1, 1 − t²] by the {DPS}-digit quadrature of the definition at "
                 f"t = 10^-2·2^-k, k = 0..{PRIME_NODES - 1}; (I − E[H(u)²])/t extrapolated in t² "
                 "to t = 0", True, d_c1 >= REQUIRED, d_c1 >= REQUIRED,
                 {"coefficient of √(1 − c)": mpmath.nstr(c1_num, 30),
                  "error estimate": mpmath.nstr(c1_err, 3), "digits": round(d_c1, 1)})
    out.append(judge(
        id="US-B12-relu-prime-singular", paper="Universal statistics (suppl.)",
        equation="US supp. (B.12), c → 1 (singular term)", key="(B.12) c→1 singular",
        what="ReLU I_φ'[a, b] = 1/2 − (√2/(2π))√(1 − c) + O((1 − c)^{3/2}) near b = a",
        printed=-sp.sqrt(2) / (2 * sp.pi), derived=c1p, definitions=[D_KERNEL], witnesses=[w1],
        argument="φ' = H: I_φ' = P(u₁ > 0, u₂ > 0) = 1/4 + asin(c)/(2π) = 1/2 − acos(c)/(2π), "
                 "and acos(1 − t²) = √2 t + O(t³); derived from sympy.series of the closed form.",
        steps=[("I_relu'[1, 1 − t²] (series in t)", ser_p)]))
    # step: φ' = δ, I_step'[a, b] = 1/(2π√(a² − b²)): the coefficient of (1 − c)^{-1/2} at a = 1
    cfs = kernels_for("step").closed_form["two_point_prime"]
    lead = sp.limit(sp.sqrt(1 - B) * cfs.subs(A, 1), B, 1, "-")
    with mpmath.workdps(WORK):
        ts2 = [mpmath.mpf(1) / 10 * mpmath.mpf(2) ** -k for k in range(8)]
        ys2 = [x * H.two_point_prime("step", 1, 1 - x * x, dps=DPS) for x in ts2]
        ls, ls_err = T.extrapolate([x * x for x in ts2], ys2)
        d_s = T.digits(ls, mpmath.mpf(sp.N(lead, WORK)))
    ws = Witness("mpmath", f"t·I_step'[1, 1 − t²] from the definition (highprec: the Dirac atoms "
                 "of φ' = δ integrated analytically, the bivariate normal density at the origin) at "
                 "t = 10^-1·2^-k, k = 0..7, extrapolated in t² to t = 0", True, d_s >= REQUIRED,
                 d_s >= REQUIRED, {"coefficient of (1 − c)^{-1/2}": mpmath.nstr(ls, 30),
                                   "error estimate": mpmath.nstr(ls_err, 3),
                                   "digits": round(d_s, 1)})
    out.append(judge(
        id="US-step-prime-singular", paper="Universal statistics (suppl.)",
        equation="US supp. App. B, step I_φ', c → 1", key="step I_φ' c→1",
        what="I_step'[a, b] ~ 1/(2π a √2 √(1 − c)) as b → a (the leading singular term)",
        printed=1 / (2 * sp.pi * sp.sqrt(2)), derived=lead, definitions=[D_KERNEL],
        witnesses=[ws],
        argument="φ' = δ: I_φ'[a, b] is the bivariate normal density at the origin, "
                 "1/(2π√(a² − b²)) = 1/(2πa√((1 − c)(1 + c))); at c → 1, √(1 + c) → √2.",
        steps=[("I_step'[a, b]", cfs)]))
    return out


def _erf_large_q() -> list:
    """x = q^{-1/2} → 0: (1 − E[erf(√q u)²])/x → 2/π, analytic in x."""
    cf = kernels_for("erf").closed_form["one_point"]
    rate = sp.limit(sp.sqrt(Q) * (1 - cf), Q, sp.oo)
    lim = sp.limit(cf, Q, sp.oo)
    with mpmath.workdps(WORK):
        xs = [mpmath.mpf(1) / 8 * mpmath.mpf(2) ** -k for k in range(10)]
        es = [H.one_point("erf", 1 / (x * x), dps=DPS) for x in xs]
        lv, lv_err = T.extrapolate(xs, es)
        rv, rv_err = T.extrapolate(xs, [(1 - e) / x for x, e in zip(xs, es)])
        d_l = T.digits(lv, mpmath.mpf(1))
        d_r = T.digits(rv, mpmath.mpf(sp.N(rate, WORK)))
    D = Definition("φ", "erf activation φ(x) = erf(x)", "Universal statistics, supplement App. B.1")
    w_l = Witness("mpmath", f"E[erf(√q u)²] by the {DPS}-digit quadrature of the definition at "
                  "q = 64·4^k, k = 0..9, Neville extrapolation in q^{-1/2} to 0", True,
                  d_l >= REQUIRED, d_l >= REQUIRED, {"limit": mpmath.nstr(lv, 30),
                                                      "error estimate": mpmath.nstr(lv_err, 3),
                                                      "digits": round(d_l, 1)})
    w_r = Witness("mpmath", "√q (1 − E[erf(√q u)²]) from the same quadratures, extrapolated in "
                  "q^{-1/2} to 0", True, d_r >= REQUIRED, d_r >= REQUIRED,
                  {"limit": mpmath.nstr(rv, 30), "error estimate": mpmath.nstr(rv_err, 3),
                   "digits": round(d_r, 1)})
    return [judge(id="US-B1-erf-large-q", paper="Universal statistics (suppl.)",
                  equation="US supp. App. B.1, q → ∞", key="B.1 erf q→∞",
                  what="E[erf(√q u)²] → 1 as q → ∞ (erf → step)", printed=sp.Integer(1),
                  derived=lim, definitions=[D, D_ONE], witnesses=[w_l],
                  argument="erf(√q u) → sign(u), so E[erf(√q u)²] → 1; derived as sympy.limit "
                           "of the closed form."),
            judge(id="US-B1-erf-large-q-rate", paper="Universal statistics (suppl.)",
                  equation="US supp. App. B.1, q → ∞ (rate)", key="B.1 erf q→∞ rate",
                  what="1 − E[erf(√q u)²] ~ (2/π) q^{-1/2}", printed=2 / sp.pi, derived=rate,
                  definitions=[D, D_ONE], witnesses=[w_r],
                  argument="1 − (2/π)asin(2q/(1 + 2q)) = (2/π)acos(1 − 1/(1 + 2q)) ~ "
                           "(2/π)√(2/(1 + 2q)) ~ (2/π)q^{-1/2}: the order and the coefficient "
                           "from sympy.limit of √q (1 − closed form).")]


def checks():
    out = []
    for act in ("erf", "tanh"):
        sw2, sb2 = SETTINGS[act]
        q, _ = _root_of_definition(act, sw2, sb2)
        val, err, slope, one = _smooth(act, q)
        out.append(_limit_record(act, q, val, err, one, f", q* of ({sw2}, {sb2})"))
        out.append(_slope_record(act, sw2, q, slope, None))
    val, err, _, one = _smooth("gelu", mpmath.mpf(1))
    out.append(_limit_record("gelu", mpmath.mpf(1), val, err, one))
    out += _relu_records()
    out += _erf_large_q()
    return out


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
