"""Fixed points of the variance map, χ₁, the limits q → 0 and q → ∞ of the erf moment, and the
approach of the variance to its fixed point, at high precision.

Printed:  Pathological spectra Eq. (15) (the forward recursion q^{l+1} = σ_w² q̂^l + σ_b²,
          q̂^l = ∫Du φ(√q^l u)²) at the papers' settings, whose fixed point q* and slope
          χ₁ = σ_w² ∫Du φ'(√q* u)² the package computes in float64
          (:func:`meanfield_sym.meanfield.fixed_point`); the small- and large-variance limits of
          the erf moment (erf → linear, erf → step).
Derived:  the engine's closed forms (relu, erf, gelu) solved by ``mpmath.findroot`` at 40
          digits, or the package's float64 fixed point (tanh, no closed form).
Witnesses: ``mpmath.findroot`` on the quadrature of the DEFINITION
          (:mod:`meanfield_sym.witnesses.highprec`, 34 digits), which never sees a closed form;
          ``mpmath.limit`` (Richardson) on the same quadrature for the limits; the mean-field
          iteration itself, layer by layer, with the Shanks transformation of the ratios of
          successive distances to q*.
"""
from __future__ import annotations

import functools

import mpmath
import numpy as np
import sympy as sp

from meanfield_sym import meanfield as S
from meanfield_sym.kernels.kernel_set import kernels_for
from meanfield_sym.kernels.symbols import Q
from meanfield_sym.verdicts.judge import Definition, Witness, judge
from meanfield_sym.verdicts.record import digits_of_agreement, run_script
from meanfield_sym.witnesses import highprec as H
from meanfield_sym.activation.function import X

try:
    from . import asymptotics_tools as T
except ImportError:  # run as a plain script
    from meanfield_sym.derivations import asymptotics_tools as T

PAPER = "Pathological spectra"
PAPER_US = "Universal statistics"
DPS = 34          # digits asked of each quadrature
WORK = 44         # working digits of the root finders and extrapolations
REQUIRED = 25     # digits required of a 30-digit comparison (quadrature at 34 digits)
FLOAT_REL = 1e-11  # agreement required of the package's float64 values
LAYERS = 20       # layers of the approach witness
RATE_REQUIRED = 20  # digits required of the extrapolated layer ratios
SMALL_Q_NODES = 10 # Richardson nodes of the q → 0 limit

#: The papers' settings (PS l.280: tanh (3, 0.64), ReLU (2, 0.1), linear (1, 0.1)). ReLU at
#: σ_w² = 2 has no finite fixed point (the variance grows by σ_b² per layer), so the ReLU and
#: GELU fixed points are taken at (1.5, 0.1), in the ordered phase.
SETTINGS = {"tanh": (3, sp.Rational(64, 100)), "erf": (3, sp.Rational(64, 100)),
            "relu": (sp.Rational(3, 2), sp.Rational(1, 10)),
            "gelu": (sp.Rational(3, 2), sp.Rational(1, 10))}

D_RECURSION = Definition(
    "q^l, q̂^l", "q̂_1^{l+1} = ∫Du φ(√(q_1^{l+1}) u)², … q_1^{l+1} := σ_w² q̂_1^l + σ_b² (15)",
    "Pathological spectra, Eq. (15) (plain-text line 134)")
D_SETTINGS = Definition(
    "(σ_w², σ_b²)", "We set L = 3, M = 1000, C = 10, α_l = 1 and (σ_w², σ_b²) = (3, 0.64) in "
    "the tanh case, (2, 0.1) in the ReLU case, and (1, 0.1) in the linear case.",
    "Pathological spectra, Sec. 3.3 (plain-text line 280)")
D_CHI = Definition(
    "χ₁", "χ₁ = σ_w² ∫Du φ'(√q* u)², the slope of the correlation map at c = 1 (Poole et al. "
    "2016, Schoenholz et al. 2017, cited as [18], [19] in Pathological spectra l.127)",
    "Pathological spectra, Sec. 3 (references [18]–[21] of the order parameters, l.127)")


def _mp(x):
    return mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q


@functools.lru_cache(maxsize=None)
def _root_of_definition(act, sw2, sb2):
    """q* from findroot on q − σ_w² E[φ(√q u)²] − σ_b² with E[·] by quadrature."""
    with mpmath.workdps(WORK):
        w, b = _mp(sw2), _mp(sb2)

        def g(q):
            return w * H.one_point(act, q, dps=DPS) + b - q
        q0 = w + b
        for _ in range(4):            # a few steps of the map itself bring the secant close
            q0 = g(q0) + q0
        root = mpmath.findroot(g, (q0, q0 * (1 + mpmath.mpf(10) ** -3)), solver="secant",
                               tol=mpmath.mpf(10) ** (-2 * DPS + 6))
        resid = abs(g(root))
        return root, resid


def _root_of_closed_form(expr, sw2, sb2):
    if expr is None:
        return None
    f = sp.lambdify(Q, sp.Rational(sw2) * expr + sp.Rational(sb2) - Q, "mpmath")
    with mpmath.workdps(WORK):
        x0 = _mp(sw2) + _mp(sb2)
        return mpmath.findroot(f, x0)


def fixed_point_records(settings=None) -> list:
    """One q* and one χ₁ record per activation of ``settings`` ({name: (σ_w², σ_b²)};
    default :data:`SETTINGS`, the papers' activations)."""
    out = []
    for act, (sw2, sb2) in (SETTINGS if settings is None else settings).items():
        ks = kernels_for(act)
        cf = ks.closed_form
        fp = S.fixed_point(act, float(sw2), float(sb2))
        q_pkg, chi_pkg = float(fp.q_star), float(fp.chi1)
        q_def, resid = _root_of_definition(act, sw2, sb2)
        with mpmath.workdps(WORK):
            chi_def = _mp(sw2) * H.one_point_prime(act, q_def, dps=DPS)
        q_cf = _root_of_closed_form(cf["one_point"], sw2, sb2)
        chi_cf = None
        if q_cf is not None and cf["one_point_prime"] is not None:
            with mpmath.workdps(WORK):
                chi_cf = _mp(sw2) * mpmath.mpf(sp.N(cf["one_point_prime"].subs(Q, sp.Float(
                    mpmath.nstr(q_cf, WORK), WORK)), WORK))
        rel_q = abs(q_pkg - float(q_def)) / float(q_def)
        rel_chi = abs(chi_pkg - float(chi_def)) / float(chi_def)
        setting = f"(σ_w², σ_b²) = ({sw2}, {sb2})"
        for what, pkg, ref, cfv, rel in (("q*", q_pkg, q_def, q_cf, rel_q),
                                         ("χ₁", chi_pkg, chi_def, chi_cf, rel_chi)):
            nums = {f"{what} (quadrature of the definition, findroot)": mpmath.nstr(ref, 30),
                    f"{what} (package, float64)": repr(pkg),
                    "relative difference from the package": float(f"{rel:.3g}")}
            if what == "q*":
                nums["|F(q*) − q*| (definition)"] = mpmath.nstr(resid, 3)
            if cfv is not None:
                dg = min(digits_of_agreement(cfv, ref), 32.0)
                nums[f"{what} (closed form, findroot)"] = mpmath.nstr(cfv, 30)
                nums["digits"] = round(dg, 1)
                agrees = dg >= REQUIRED and rel <= FLOAT_REL
                derived_text = (f"{what} from the engine's closed form of E[φ{'′' if what == 'χ₁' else ''}"
                                f"(√q u)²], 40-digit findroot")
            else:
                agrees = rel <= FLOAT_REL
                nums["digits"] = round(min(-np.log10(max(rel, 1e-17)), 17.0), 1)
                derived_text = f"{what} from the package's float64 fixed_point"
            w = Witness("mpmath", f"findroot on q = σ_w² E[φ(√q u)²] + σ_b² with E[·] the "
                        f"{DPS}-digit quadrature of the definition ({act}, {setting})"
                        + ("; χ₁ = σ_w² E[φ'(√q* u)²] by the same quadrature" if what == "χ₁"
                           else ""), True, agrees, rel <= FLOAT_REL, nums)
            out.append(judge(
                id=f"PS-15-fixed-{'q' if what == 'q*' else 'chi1'}-{act}", paper=PAPER,
                equation="PS (15), fixed point", key="(15) fixed point", kind="claim",
                what=f"{what} of the variance map for {act} at {setting}",
                printed=f"{what} of Eq. (15) at {setting} (the package's float64 value "
                        f"{pkg!r})",
                derived=derived_text, definitions=[D_RECURSION, D_SETTINGS, D_CHI],
                witnesses=[w], equal=rel <= FLOAT_REL,
                how=f"|package − 30-digit root of the definition|/root = {rel:.2e} "
                    f"(≤ {FLOAT_REL:g} required)",
                argument=f"The fixed point of q ↦ σ_w² E[φ(√q u)²] + σ_b² for {act} at "
                         f"{setting}, solved at 40 digits from the definition and compared "
                         "with the package's float64 Newton iteration and, where the engine has "
                         "one, the closed form."))
    return out


D_ERF = Definition("φ", "erf activation φ(x) = erf(x) (Universal statistics, supplement "
                   "App. B.1)", "Universal statistics, supplement App. B.1")


def _erf_limits() -> list:
    """q → 0: E[erf(√q u)²]/q → 4/π (erf → linear), by Richardson over q_k = 2^-k/256."""
    cf = kernels_for("erf").closed_form["one_point"]
    lead0 = sp.limit(cf / Q, Q, 0)
    with mpmath.workdps(WORK):
        qs = [mpmath.mpf(2) ** -(k + 8) for k in range(SMALL_Q_NODES)]
        ys = [H.one_point("erf", q, dps=DPS) / q for q in qs]
        lim0, err0 = T.extrapolate(qs, ys)
        ref0 = 4 / mpmath.pi
        d0 = T.digits(lim0, ref0)
        d0_cf = T.digits(lim0, mpmath.mpf(sp.N(lead0, WORK)))
    w0 = Witness("mpmath", "Richardson (Neville) extrapolation to q = 0 of E[erf(√q u)²]/q at "
                 f"q = 2^-k/256, k = 0..{SMALL_Q_NODES - 1}, with E[·] the {DPS}-digit quadrature "
                 "of the definition", True, d0_cf >= REQUIRED, d0 >= REQUIRED,
                 {"limit": mpmath.nstr(lim0, 30), "extrapolation error estimate":
                  mpmath.nstr(err0, 3), "4/π": mpmath.nstr(ref0, 30), "digits": round(d0, 1)})
    return [judge(
        id="US-B1-erf-small-q", paper="Universal statistics (suppl.)", equation="US supp. "
        "App. B.1, q → 0", key="B.1 erf q→0", what="E[erf(√q u)²]/q as q → 0 (erf → linear)",
        printed=4 / sp.pi, derived=lead0, definitions=[D_ERF, D_RECURSION], witnesses=[w0],
        argument="erf(x) = (2/√π)x + O(x³), so E[erf(√q u)²] = (4/π)q + O(q²); the derived "
                 "limit is sympy.limit of the engine's closed form over q.",
        steps=[("E[erf(√q u)²]", cf), ("lim_{q→0} E[erf(√q u)²]/q", lead0)])]


def _approach_records() -> list:
    """tanh (3, 0.64): the ratio r_l = (q^{l+1} − q*)/(q^l − q*) is an analytic function of
    d_l = q^l − q* with value F'(q*) at d = 0, so Neville extrapolation in d_l gives the rate."""
    act, (sw2, sb2) = "tanh", SETTINGS["tanh"]
    q_def, _ = _root_of_definition(act, sw2, sb2)
    fp = S.fixed_point(act, float(sw2), float(sb2))
    with mpmath.workdps(WORK):
        w, b = T.mp(sw2), T.mp(sb2)
        q = w + b                                             # q^1 (unit-variance inputs)
        dist = []
        for _ in range(LAYERS + 1):
            dist.append(q - q_def)
            q = w * H.one_point(act, q, dps=DPS) + b
        ratios = [dist[i + 1] / dist[i] for i in range(LAYERS)]
        rate, err = T.extrapolate(dist[LAYERS - 8:LAYERS], ratios[LAYERS - 8:])
        x = X
        phi = sp.tanh(x)
        # F'(q) = σ_w² d/dq E[φ(√q u)²] = σ_w² E[φ'² + φφ''] (Gaussian integration by parts)
        slope = w * H.gaussian_mean(sp.diff(phi, x) ** 2 + phi * sp.diff(phi, x, 2), q_def,
                                    dps=DPS)
        chi1 = w * H.one_point_prime(act, q_def, dps=DPS)
        d = T.digits(rate, slope)
        d_chi = T.digits(rate, chi1)
    wt = Witness("mpmath", f"the variance iterated layer by layer (l = 1..{LAYERS + 1}) from "
                 f"q^1 = σ_w² + σ_b² with the {DPS}-digit quadrature of the definition; the ratios "
                 "(q^{l+1} − q*)/(q^l − q*) of the last 8 layers extrapolated to q^l − q* = 0 "
                 "(Neville), against F'(q*) = σ_w² E[φ'² + φφ''] by quadrature", True,
                 d >= RATE_REQUIRED, d >= RATE_REQUIRED,
                 {"rate (extrapolated layer ratios)": mpmath.nstr(rate, 30),
                  "extrapolation error estimate": mpmath.nstr(err, 3),
                  "F'(q*) = σ_w² E[φ'² + φφ'']": mpmath.nstr(slope, 30),
                  "χ₁ = σ_w² E[φ'(√q* u)²]": mpmath.nstr(chi1, 20),
                  "χ₁ (package)": float(fp.chi1), "digits": round(d, 1),
                  "digits of agreement with χ₁": round(d_chi, 1)})
    return [judge(
        id="PS-15-approach-variance-tanh", paper=PAPER, equation="PS (15), approach to q*",
        key="(15) approach rate q", kind="claim",
        what="geometric approach of q^l to q* for tanh (3, 0.64): the rate of q^l − q*",
        printed="q^l − q* decays geometrically in l at the rate F'(q*) = σ_w² E[φ'(√q* u)² + "
                "φ(√q* u)φ''(√q* u)] of the variance map",
        derived=f"rate measured from the layers = {mpmath.nstr(rate, 20)}; F'(q*) = "
                f"{mpmath.nstr(slope, 20)}; χ₁ = {mpmath.nstr(chi1, 12)}",
        definitions=[D_RECURSION, D_SETTINGS, D_CHI], equal=d >= RATE_REQUIRED,
        how=f"extrapolated layer ratios against F'(q*): {d:.1f} digits (≥ {RATE_REQUIRED} required); "
            f"against χ₁: {d_chi:.1f} digits",
        witnesses=[wt],
        argument="q^{l+1} − q* = F'(q*)(q^l − q*) + O((q^l − q*)²), F'(q) = σ_w² d/dq "
                 "E[φ(√q u)²] = σ_w² E[φ'(√q u)² + φ(√q u)φ''(√q u)] (Gaussian integration by "
                 "parts). The variance approaches q* at the rate χ_q = χ₁ + σ_w² E[φφ''], not at "
                 "χ₁ (χ₁ is the rate of the correlation near c = 1); for tanh φφ'' ≤ 0, so "
                 "χ_q < χ₁.")]


def checks():
    return fixed_point_records() + _erf_limits() + _approach_records()


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
