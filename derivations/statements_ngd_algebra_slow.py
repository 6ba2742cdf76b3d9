"""Natural gradient with approximate Fisher information (Karakida & Osawa): the unit-wise
constants γ_l per layer (supplement C, (S.138)–(S.141), shifted ReLU (S.156)), the analytic
kernels of supplement E ((S.168)–(S.178)) and the claim of Fig. 3 that entry-wise Fisher
approximations are not isotropic — judged by finite networks and mpmath quadrature
(``meanfield-sym verify --slow``).

The plain-text edition lost these formulas; each printed form is rebuilt from the surviving
sentences (quoted in the records with their line numbers).

Printed (rebuilt):
  (S.138)–(S.141) ξ^l_i = Σ_j W^{l+1}_{ji}δ^{l+1}_j has variance σ_w²q̃^{l+1}/M_l, and
                  (1/M_l)Σ_i 1[δ^l_i(n) ≠ 0] → γ_l = ∫Du 1[φ'(√q^l u) ≠ 0];
  (S.156)         γ_l = (1 + erf(s/√(2q^l)))/2 for the shifted ReLU (γ = 1/2 at s = 0);
  (S.176)–(S.178) A_l = q/(2π)(√(1 − c²) + (π/2)c + c·asin c), B_l = B_{l+1} ∘ σ_w²(asin c +
                  π/2)/(2π), q_l = σ_w²q_{l−1}/2 + σ_b² (ReLU, c the correlation);
  (S.168)–(S.172) Θ = Σ_l B_l ∘ (σ_w²A_{l−1} + σ_b²11ᵀ) with the recursions of A_l and B_l;
  Fig. 3          the diagonal and quasi-diagonal Fishers keep a condition number of
                  J G⁺ Jᵀ/N above 1 at large width (below that of the NTK).
Derived: the package (meanfield_sym.meanfield.ngd, .gram, meanfield_sym.kernels.provider).
Witnesses: mpmath quadrature of the defining Gaussian integrals (≥ 20 digits), finite networks
(≥ 8 per setting, standard errors over networks, finite-size allowances fixed in advance), and
explicit entry-wise Fisher matrices at several widths.
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from meanfield_sym import meanfield as S
from meanfield_sym.activation.support import gamma_expression
from meanfield_sym.verdicts.judge import Definition, Reading, Witness, judge
from meanfield_sym.verdicts.record import CheckResult, digits_of_agreement, run_script
from meanfield_sym.witnesses import finite_width as E
from meanfield_sym.witnesses import highprec

try:
    from ._common import artefact_note, kernel_points, reference
    from .statements_ngd_algebra import PAPER, _signals
except ImportError:  # run as a plain script
    from meanfield_sym.derivations._common import (
        artefact_note,
        kernel_points,
        reference,
    )
    from meanfield_sym.derivations.statements_ngd_algebra import PAPER, _signals

SLOW = True
DPS = 30
Z = 3.0                       # standard errors allowed (fixed in advance)

# the unit-wise settings of supplement C.3 (depth 4: three hidden layers)
GAMMA_DEPTH, GAMMA_WIDTH, GAMMA_N, GAMMA_NETS = 4, 1000, 4, 8
SHIFT = 1
GAMMA_ACTS = (("relu", "relu", {}, 2.0, 0.1),
              ("shifted ReLU max(u, −1)", "shifted_relu", {"shift": SHIFT}, 1.5, 0.1),
              ("ReLU(u + 1)", "Max(x + 1, 0)", {}, 1.5, 0.1),
              ("tanh", "tanh", {}, 1.5, 0.1))
#: the set where φ' ≠ 0, (lo, hi), from the definition of each φ
SUPPORT = {"relu": (0, mpmath.inf), "shifted_relu": (-SHIFT, mpmath.inf),
           "Max(x + 1, 0)": (-SHIFT, mpmath.inf), "tanh": (-mpmath.inf, mpmath.inf)}


def _mp_q(spec, params, sw2, sb2, depth):
    """q^l (l = 1..L−1) by mpmath quadrature of q^{l+1} = σ_w² E[φ(√q^l z)²] + σ_b², inputs
    with Σ_j x_j²/M_0 = 1 (so q^1 = σ_w² + σ_b²)."""
    from meanfield_sym.activation.function import get_activation
    act = get_activation(spec, **params)
    with mpmath.workdps(DPS + 10):
        q = [None, mpmath.mpf(sw2) + mpmath.mpf(sb2)]
        for _ in range(2, depth):
            qh = highprec.one_point(act, mpmath.nstr(q[-1], DPS + 8), dps=DPS)
            q.append(mpmath.mpf(sw2) * qh + mpmath.mpf(sb2))
    return q


def _mp_gamma(spec, q):
    """∫Du 1[φ'(√q u) ≠ 0]: mpmath quadrature of the standard normal density over the set."""
    lo, hi = SUPPORT[spec]
    with mpmath.workdps(DPS + 10):
        s = mpmath.sqrt(q)
        a = lo / s if mpmath.isfinite(lo) else lo
        b = hi / s if mpmath.isfinite(hi) else hi
        return mpmath.quad(mpmath.npdf, [a, b])


def _gamma_data():
    """Per activation: mpmath q^l and γ_l, the package's γ_l, and 8 networks' per-layer
    fractions of δ^l ≠ 0 and φ'(u^l) ≠ 0 and the ratio of Var ξ^l to σ_w²q̃^{l+1}/M_l."""
    L, M, N = GAMMA_DEPTH, GAMMA_WIDTH, GAMMA_N
    out = {}
    for label, spec, params, sw2, sb2 in GAMMA_ACTS:
        q = _mp_q(spec, params, sw2, sb2, L)
        g_mp = [_mp_gamma(spec, q[l]) for l in range(1, L)]
        # the package's γ(q) = P[φ'(u) ≠ 0] (a SymPy expression) at the mpmath q^l, DPS digits
        gq, _ = gamma_expression(_activation(spec, params))
        with mpmath.workdps(DPS + 10):
            g_pkg = [mpmath.mpf(str(sp.N(gq.subs({s_: sp.Float(mpmath.nstr(q[l], DPS + 8),
                                                                  DPS + 8)
                                                   for s_ in gq.free_symbols}), DPS + 5)))
                     for l in range(1, L)]
        # and the package's whole float64 route where its kernels are shipped
        g_route = ([float(g) for g in S.ngd_unit_wise(spec, sw2, sb2, L)["gamma_per_layer"]]
                   if spec in ("relu", "tanh") else None)
        frac_d, frac_p, ratio = [], [], []
        for i in range(GAMMA_NETS):
            net = E.sample_network(spec, [M] * L, classes=1, sigma_w2=sw2, sigma_b2=sb2,
                                   seed=9000 + 17 * i + len(out), **params)
            x = np.random.default_rng(9500 + i).normal(size=(N, M))
            x = np.sqrt(M) * x / np.linalg.norm(x, axis=1, keepdims=True)
            _h, d = _signals(net, x)
            fw = net.forward(x)
            frac_d.append([float(np.mean(d[l - 1] != 0)) for l in range(1, L)])
            frac_p.append([float(np.mean(fw.dphi[l] != 0)) for l in range(1, L)])
            r = []
            for l in range(1, L):
                xi = d[l] @ net.weights[l]                      # ξ^l = δ^{l+1} W^{l+1}
                r.append(float(np.mean(M * np.mean(xi ** 2, axis=1)
                                       / (sw2 * np.sum(d[l] ** 2, axis=1)))))
            ratio.append(r)
        out[label] = {"spec": spec, "q": q, "g_mp": g_mp, "g_pkg": g_pkg, "g_route": g_route,
                      "frac_d": np.array(frac_d), "frac_p": np.array(frac_p),
                      "ratio": np.array(ratio), "sw2": sw2, "sb2": sb2}
    return out


def _activation(spec, params):
    from meanfield_sym.activation.function import get_activation
    return get_activation(spec, **params)


def _mean_se(a):
    a = np.asarray(a, dtype=float)
    return a.mean(axis=0), a.std(axis=0, ddof=1) / np.sqrt(a.shape[0])


def _gamma_layers_record(data):
    M = GAMMA_WIDTH
    allow = 1.0 / M                            # finite-size allowance O(1/M), fixed in advance
    nums, ok_fw = {}, True
    worst_dig, route_gap = float(DPS), 0.0
    for label, dd in data.items():
        g = np.array([float(v) for v in dd["g_mp"]])
        mean, se = _mean_se(dd["frac_d"])
        rmean, rse = _mean_se(dd["ratio"])
        z = np.abs(mean - g) / np.maximum(se, 1e-300)
        ok_l = bool(np.all(np.abs(mean - g) <= Z * se + allow))
        ok_r = bool(np.all(np.abs(rmean - 1) <= Z * rse + 2.0 / M))
        ok_fw &= ok_l and ok_r
        dig = min(min(digits_of_agreement(a, b), float(DPS))
                  for a, b in zip(dd["g_pkg"], dd["g_mp"]))
        worst_dig = min(worst_dig, dig)
        if dd["g_route"] is not None:
            route_gap = max(route_gap, max(abs(a - float(b)) for a, b in zip(dd["g_route"],
                                                                             dd["g_mp"])))
        nums[f"{label}: γ_l (mpmath), l = 1..3"] = [round(float(v), 10) for v in g]
        nums[f"{label}: fraction of δ^l ≠ 0 (mean ± se)"] = [
            f"{m:.5f} ± {s:.5f}" for m, s in zip(mean, se)]
        nums[f"{label}: |z|"] = [round(float(v), 2) for v in z]
        nums[f"{label}: M·Var ξ^l/(σ_w²q̃^{{l+1}}) (mean ± se)"] = [
            f"{m:.4f} ± {s:.4f}" for m, s in zip(rmean, rse)]
    w_fw = Witness("finite-width", f"{GAMMA_NETS} networks per activation (standard "
                   f"parameterisation, depth {GAMMA_DEPTH}, width M = {M}, N = {GAMMA_N} "
                   "inputs with Σ_j x_j²/M_0 = 1): per hidden layer the fraction of units with "
                   "δ^l_i(n) ≠ 0 (explicit backward pass) against γ_l, and M_l·mean_i(ξ^l_i)²/"
                   "(σ_w²Σ_j(δ^{l+1}_j)²) against 1; |mean − prediction| ≤ 3 se + 1/M (fraction), "
                   "3 se + 2/M (ratio)", True, ok_fw, ok_fw, nums)
    ok_pkg = bool(worst_dig >= 20 and route_gap < 1e-12)
    w_mp = Witness("mpmath", "q^l by mpmath quadrature of the one-point recursion and γ_l = "
                   "∫Du 1[φ'(√q^l u) ≠ 0] by quadrature of the normal density over the set "
                   f"where φ' ≠ 0 ({DPS} digits), against the package's γ(q) = P[φ'(u) ≠ 0] "
                   "(activation.support.gamma_expression, evaluated at the same q^l to "
                   f"{DPS} digits); for ReLU and tanh also the package's float64 route "
                   "meanfield_sym.meanfield.ngd_unit_wise (its own q^l)", True, ok_pkg, ok_pkg,
                   {"digits": round(worst_dig, 1),
                    "max |ngd_unit_wise γ_l − mpmath γ_l| (ReLU, tanh)": route_gap,
                    "package γ_l": {k: [mpmath.nstr(v, 12) for v in dd["g_pkg"]]
                                    for k, dd in data.items()}})
    return judge(
        id="NGD-S141-gamma-layers", paper=PAPER, equation="NGD supp. C.1 (S.138)–(S.141)",
        key="(S.141)", kind="claim",
        what="per-layer fraction of non-zero backward signals → γ_l = P[φ'(u^l) ≠ 0]",
        printed="(S.138) Var ξ^l_i = σ_w²q̃^{l+1}/M_l; (S.139)–(S.141) (1/M_l)Σ_i 1[δ^l_i(n) ≠ 0] "
                "→ ∫Du 1[φ'(√q^l_1 u) ≠ 0] · ∫Dv 1[v ≠ 0] = γ_l",
        derived="γ_l = P[φ'(u) ≠ 0], u ~ N(0, q^l_1) (meanfield_sym.meanfield.ngd_unit_wise), "
                "layer by layer; the ξ factor contributes 1",
        definitions=[Definition("(S.138)", "Since [W^{l+1}] is a Gaussian random matrix, [ξ^l_i] "
                                "is Gaussian random variable … its variance () is given by "
                                "(S.138) | with [q̃^{l+1} = Σ_j (δ^{l+1}_j)²]", "NGD, supplement "
                                "C.1 (plain-text lines 471–472)"),
                     Definition("(S.139)–(S.141)", "Let us denote [ ]. We have [ ]. Here, we use "
                                "Assumption C.1 to decouple … (S.139) | for [l < L]. In the "
                                "large [M] limit, [q^l] converges to a constant known as the "
                                "order parameter … we obtain (S.140) (S.141)", "NGD, supplement "
                                "C.1 (plain-text lines 473–477)")],
        witnesses=[w_fw, w_mp], equal=bool(ok_fw and ok_pkg),
        how="finite networks within 3 se + 1/M of γ_l on every layer for "
            + ", ".join(data) + f"; mpmath and package γ_l agree to {worst_dig:.0f} digits",
        argument="δ^l_i = φ'(u^l_i)·ξ^l_i; ξ^l_i is a continuous Gaussian (variance "
                 "σ_w²q̃^{l+1}/M_l given the layer above), so it vanishes with probability 0 and "
                 "1[δ ≠ 0] = 1[φ' ≠ 0]. The per-layer average over M_l units is then "
                 "P[φ'(u^l) ≠ 0] with u^l ~ N(0, q^l_1), a different number in each layer when "
                 "q^l_1 varies (shifted ReLU). The ratio of Var ξ to σ_w²q̃^{l+1}/M_l is exactly 1 "
                 "in expectation at l = L − 1 (δ^L = 1) and 1 + O(1/M) below under the gradient "
                 "independence of Assumption C.1.")


def _shifted_relu_record(data):
    s, q = sp.symbols("s q", positive=True)
    u = sp.Symbol("u", real=True)
    printed = (1 + sp.erf(s / sp.sqrt(2 * q))) / 2
    derived = sp.simplify(sp.integrate(sp.exp(-u ** 2 / (2 * q)) / sp.sqrt(2 * sp.pi * q),
                                       (u, -s, sp.oo)))
    relu_half = printed.subs(s, 0)
    nums_mp, worst = {}, mpmath.inf
    allow = 1.0 / GAMMA_WIDTH
    fw_ok, nums_fw = True, {}
    for label in ("shifted ReLU max(u, −1)", "ReLU(u + 1)"):
        dd = data[label]
        vals = []
        with mpmath.workdps(DPS + 10):
            for l in range(1, GAMMA_DEPTH):
                pf = (1 + mpmath.erf(SHIFT / mpmath.sqrt(2 * dd["q"][l]))) / 2
                dig = float(-mpmath.log10(abs(pf - dd["g_mp"][l - 1]) / pf)) if pf != dd[
                    "g_mp"][l - 1] else float(DPS)
                worst = min(worst, dig)
                vals.append(mpmath.nstr(pf, 12))
        nums_mp[f"{label}: q^l"] = [mpmath.nstr(v, 10) for v in dd["q"][1:]]
        nums_mp[f"{label}: (S.156)"] = vals
        pred = np.array([float((1 + mpmath.erf(SHIFT / mpmath.sqrt(2 * dd["q"][l]))) / 2)
                         for l in range(1, GAMMA_DEPTH)])
        mean, se = _mean_se(dd["frac_p"])
        fw_ok &= bool(np.all(np.abs(mean - pred) <= Z * se + allow))
        nums_fw[f"{label}: fraction φ'(u^l) ≠ 0 (mean ± se)"] = [
            f"{m:.5f} ± {e:.5f}" for m, e in zip(mean, se)]
        nums_fw[f"{label}: (S.156) at q^l"] = [round(float(v), 5) for v in pred]
    worst = min(float(worst), float(DPS))
    mp_ok = worst >= 20
    w_mp = Witness("mpmath", f"(S.156) evaluated at the mpmath q^l of each φ (σ_w² = 1.5, "
                   f"σ_b² = 0.1, s = {SHIFT}) against mpmath quadrature of the normal density "
                   f"over {{u > −s}} ({DPS} digits)", True, mp_ok, mp_ok,
                   dict(nums_mp, digits=round(worst, 1)))
    w_fw = Witness("finite-width", f"{GAMMA_NETS} networks per φ (width {GAMMA_WIDTH}, depth "
                   f"{GAMMA_DEPTH}, N = {GAMMA_N}): per-layer fraction of φ'(u^l) ≠ 0 against "
                   "(S.156) at the recursion's q^l; within 3 se + 1/M", True, fw_ok, fw_ok,
                   nums_fw)
    return judge(
        id="NGD-S156-shifted-relu-gamma", paper=PAPER, equation="NGD supp. C.3.3 (S.156)",
        key="(S.156)", what="γ_l of the shifted ReLU",
        printed=sp.Tuple(printed, relu_half), derived=sp.Tuple(derived, sp.Rational(1, 2)),
        definitions=[Definition("(S.156)", "Shifted ReLU activation is defined by [ ]. In this "
                                "case, Eq. (S.141) becomes (S.156) | In usual ReLU ([s = 0]), we "
                                "have [γ = 1/2]", "NGD, supplement C.3.3 (plain-text lines "
                                "523–525)")],
        readings=[Reading("φ(u) = max(u, −s)", "the package's shifted_relu; φ' ≠ 0 on u > −s",
                          sp.Tuple(printed, relu_half), sp.Tuple(derived, sp.Rational(1, 2))),
                  Reading("φ(u) = max(u + s, 0)", "ReLU shifted to the left; φ' ≠ 0 on u > −s, "
                          "with its own q^l", sp.Tuple(printed, relu_half),
                          sp.Tuple(derived, sp.Rational(1, 2)))],
        witnesses=[w_mp, w_fw],
        argument="For either shifted ReLU φ' ≠ 0 exactly on u > −s, so (S.141) gives "
                 "γ_l = P[u > −s] = Φ(s/√q^l) = (1 + erf(s/√(2q^l)))/2 in terms of the layer's "
                 "pre-activation variance q^l (which differs between the two φ: 1.6, 1.753, 1.880 "
                 "for max(u, −1) and 1.6, 3.717, 6.047 for ReLU(u + 1) here). A ReLU shifted the "
                 "other way, max(u − s, 0), would give Φ(−s/√q^l). At s = 0 it is 1/2.")


# ---------------------------------------------------------------------------------------------
# Supplement E: analytic kernels
# ---------------------------------------------------------------------------------------------
QDPS = 22                     # digits of the fresh two-point quadratures (≥ 20 required)
FRESH = (sp.Rational(7, 5), sp.Rational(7, 10))      # (a, b) = (q, cq), c = 1/2


def _kernel_digits(forms, act):
    """Digits of agreement of closed forms {kernel: expr in a, b} with mpmath quadrature of
    the definition: fresh at FRESH (QDPS digits), and at the stored reference points."""
    a, b = sp.symbols("a b", real=True)
    fresh, stored, nums = float(QDPS + 10), 32.0, {}
    for kern, expr in forms.items():
        fn = highprec.two_point if kern == "two_point" else highprec.two_point_prime
        with mpmath.workdps(QDPS + 10):
            quad = fn(act, str(FRESH[0]), str(FRESH[1]), dps=QDPS)
            val = mpmath.mpf(str(sp.N(expr.subs({a: FRESH[0], b: FRESH[1]}), QDPS + 10)))
            fresh = min(fresh, digits_of_agreement(val, quad))
        nums[f"{act} {kern}{FRESH}: fresh quadrature"] = mpmath.nstr(quad, QDPS)
        for args in kernel_points(kern):
            ref = reference(act, kern, args)
            with mpmath.workdps(40):
                val = mpmath.mpf(str(sp.N(expr.subs({a: args[0], b: args[1]}), 40)))
            stored = min(stored, digits_of_agreement(val, ref))
    return min(fresh, float(QDPS)), min(stored, 32.0), nums


def _relu_forms_record():
    from meanfield_sym.generated import relu as R
    q, sw2, sb2 = sp.symbols("q sigma_w2 sigma_b2", positive=True)
    c = sp.Symbol("c", real=True)
    a, b = sp.symbols("a b", real=True)
    printed = sp.Tuple(q / (2 * sp.pi) * (sp.sqrt(1 - c ** 2) + sp.pi / 2 * c + c * sp.asin(c)),
                       sw2 * (sp.asin(c) + sp.pi / 2) / (2 * sp.pi), sw2 * q / 2 + sb2)
    tp = sp.sympify(R.CLOSED_FORMS["two_point"], locals={"a": a, "b": b})
    tpp = sp.sympify(R.CLOSED_FORMS["two_point_prime"], locals={"a": a, "b": b})
    op = sp.sympify(R.CLOSED_FORMS["one_point"], locals={"q": q})
    derived = sp.Tuple(sp.simplify(tp.subs({a: q, b: c * q})), sw2 * tpp.subs({a: q, b: c * q}),
                       sw2 * op + sb2)
    # the printed forms rewritten in (a, b) = (q, cq) for the quadrature points
    pa = sp.simplify(printed[0].subs(c, b / q).subs(q, a))
    pb = printed[1].subs({sw2: 1}).subs(c, b / a)
    fresh, stored, nums = _kernel_digits({"two_point": pa, "two_point_prime": pb}, "relu")
    w1 = Witness("mpmath", "mpmath quadrature of the definitions E[φ(u_1)φ(u_2)], "
                 "E[φ'(u_1)φ'(u_2)], (u_1, u_2) ~ N(0, [[a, b], [b, a]]) "
                 f"(meanfield_sym.witnesses.highprec, {QDPS} digits) at (a, b) = "
                 f"({FRESH[0]}, {FRESH[1]}), against the printed (S.176)–(S.177) with c = b/a",
                 True, fresh >= 20, fresh >= 20, dict(nums, digits=round(fresh, 1)))
    w2 = Witness("mpmath", "the same against the stored 34-digit quadratures of the definition "
                 "at (a, c) = (1/100, −0.999), (1, 0.3), (100, 0.9999), (5/2, −0.5)", True,
                 stored >= 20, stored >= 20, {"digits": round(stored, 1)}, source=artefact_note())
    return judge(
        id="NGD-S176-S178-relu-forms", paper=PAPER, equation="NGD supp. E (S.176)–(S.178)",
        key="(S.176)", what="ReLU matrix forms of A_l, B_l and q_l",
        printed=printed, derived=derived,
        definitions=[Definition("(S.173)–(S.175)", "We denote an integral on Gaussian measure as "
                                "[ ]. … We have defined (S.173) (S.174) (S.175) The scalar "
                                "variable [q] represents the amplitude of propagated signals. It "
                                "is independent of [n] because we normalize all of training and "
                                "test samples", "NGD, supplement E (plain-text lines 557–561)"),
                     Definition("(S.176)–(S.178)", "For example, in ReLU networks, we have a "
                                "matrix form of the kernels as follows: (S.176) (S.177) (S.178) "
                                "where [∘2] means entry-wise square", "NGD, supplement E "
                                "(plain-text lines 562–565); rebuilt with the authors' "
                                "numpy-based/analytical.py (A_l, B_l, q_l of the ReLU case)")],
        witnesses=[w1, w2],
        argument="E[relu(u_1)relu(u_2)] = q(√(1 − c²) + c(π − arccos c))/(2π) and "
                 "E[H(u_1)H(u_2)] = (π − arccos c)/(2π); π − arccos c = π/2 + asin c gives "
                 "(S.176)–(S.177) entry-wise with c = Q_l(x', x)/q_l. E[relu(√q u)²] = q/2 gives "
                 "(S.178). The package's closed forms are the same expressions in (a, b) = "
                 "(q, cq).")


def _ntk_record():
    from meanfield_sym.generated import erf as ERF
    from meanfield_sym.meanfield.gram import gram
    L, M, N, M0, nets = 3, 1000, 4, 50, 8
    sw2, sb2 = 2.0, 0.1
    X = np.random.default_rng(77).normal(size=(N, M0))
    nums, ok_fw = {}, True
    off = ~np.eye(N, dtype=bool)
    for act in ("relu", "erf"):
        theory = gram(act, X, sw2, sb2, depth=L).ntk("ntk")
        diag, offd, fro = [], [], []
        for i in range(nets):
            net = E.sample_network(act, [M0, M, M], classes=1, sigma_w2=sw2, sigma_b2=sb2,
                                   parameterization="ntk", seed=7700 + 31 * i + len(act))
            th = E.Witness(net, X).ntk()
            diag.append(np.mean(np.diag(th)))
            offd.append(np.mean(th[off]))
            fro.append(th)
        for name, vals, t in (("mean diagonal", diag, np.mean(np.diag(theory))),
                              ("mean off-diagonal", offd, np.mean(theory[off]))):
            m, se = _mean_se(vals)
            okk = bool(abs(m - t) <= Z * se + 2.0 * abs(t) / M)
            ok_fw &= okk
            nums[f"{act}: {name} Θ (networks, mean ± se)"] = f"{float(m):.5f} ± {float(se):.5f}"
            nums[f"{act}: {name} Θ (recursion)"] = round(float(t), 6)
        nums[f"{act}: relative Frobenius error of the mean NTK"] = float(
            np.linalg.norm(np.mean(fro, axis=0) - theory) / np.linalg.norm(theory))
    # the package's erf closed forms against quadrature of the definition
    ab = sp.symbols("a b", real=True)
    forms = {k: sp.sympify(ERF.CLOSED_FORMS[k], locals={"a": ab[0], "b": ab[1]})
             for k in ("two_point", "two_point_prime")}
    fresh, stored, knums = _kernel_digits(forms, "erf")
    worst = min(fresh, stored)
    ok_mp = worst >= 20
    w_fw = Witness("finite-width", f"{nets} networks per activation (NTK parameterisation, "
                   f"biases, σ_w² = {sw2}, σ_b² = {sb2}, widths {M0}-{M}-{M}, N = {N} Gaussian "
                   "inputs, seed 77): mean diagonal and off-diagonal entries of the explicit "
                   "NTK J Jᵀ against the recursion (S.169)–(S.172) (package gram); within 3 se "
                   "+ 2|Θ|/M (finite-size allowance fixed in advance)", True, ok_fw, ok_fw,
                   nums)
    w_mp = Witness("mpmath", "the package's erf kernels I_φ[a, b] = (2/π)asin(2b/(2a + 1)) and "
                   "I_φ'[a, b] (meanfield_sym.generated.erf closed forms) against mpmath "
                   f"quadrature of the definitions, fresh at (a, b) = ({FRESH[0]}, {FRESH[1]}) "
                   f"({QDPS} digits) and the stored 34-digit values at the four reference points "
                   f"({artefact_note()})", True, ok_mp, ok_mp,
                   dict(knums, digits=round(worst, 1), **{"digits (fresh)": round(fresh, 1),
                                                          "digits (stored)": round(stored, 1)}))
    return judge(
        id="NGD-S168-S172-ntk", paper=PAPER, equation="NGD supp. E (S.168)–(S.172)",
        key="(S.169)", kind="claim",
        what="the NTK as Σ_l B_l ∘ (σ_w²A_{l−1} + σ_b²11ᵀ) with the kernel recursions",
        printed="Θ = I_C ⊗ Σ_{l=1}^L B_l ∘ (σ_w²A_{l−1} + σ_b²11ᵀ); A_l = ∫DuDv φ(u_1)φ(u_2), "
                "B_l = σ_w²B_{l+1} ∘ ∫DuDv φ'(u_1)φ'(u_2), A_0 = XXᵀ/M_0, B_L = 11ᵀ",
        derived="meanfield_sym.meanfield.gram(...).ntk('ntk') = Σ_l q̃^l ∘ q^l, the same "
                "recursion",
        definitions=[Definition("(S.168)–(S.169)", "The NTK is composed of an [C × C] block "
                                "matrix () [8] such as (S.168) | with (S.169)", "NGD, supplement "
                                "E (plain-text lines 549–552)"),
                     Definition("(S.170)–(S.172)", "Each entries of feedforward signal block "
                                "and feedback one are recursively computed as follows [20]: "
                                "(S.170) (S.171) (S.172)", "NGD, supplement E (plain-text lines "
                                "553–556)")],
        witnesses=[w_fw, w_mp], equal=bool(ok_fw and ok_mp),
        how="finite networks within 3 se + 2|Θ|/M for ReLU and erf; erf kernels to "
            f"{worst:.1f} digits",
        argument="Θ = Σ_l J_lJ_lᵀ with J_l J_lᵀ = (Σ_i δ^l_iδ^l_i) ∘ (σ_w²h^{l−1}·h^{l−1}/M_{l−1} "
                 "+ σ_b²) in the NTK parameterisation; in the wide limit the forward Gram is "
                 "A_{l−1} and the backward Gram B_l = σ_w²B_{l+1} ∘ E[φ'φ'] (δ^L = 1), which is "
                 "(S.169)–(S.172). C outputs decouple (I_C ⊗).")


# ---------------------------------------------------------------------------------------------
# Fig. 3: entry-wise Fishers are not isotropic
# ---------------------------------------------------------------------------------------------
FIG3_WIDTHS = (64, 128, 256, 512, 1024)
FIG3_NETS, FIG3_N = 8, 8


def _entrywise(w: E.Witness, quasi: bool) -> np.ndarray:
    """J G⁺ Jᵀ/N for the diagonal Fisher (quasi False) or Ollivier's quasi-diagonal Fisher
    (each unit's block keeps its diagonal and the bias row and column), C = 1, from the
    signals of the witness: closed-form inverse of each unit's arrow matrix."""
    net, N = w.network, w.samples
    out = np.zeros((N, N))
    deltas = w.deltas()
    for l in range(1, net.depth + 1):
        sw, sb = net.gradient_scales()[l - 1]
        h = w.forward.h[l - 1]                               # N × M_{l−1}
        d = deltas[l - 1][0]                                 # N × M_l
        d2 = d * d
        dw = sw * (d2.T @ (h * h)) / N                       # F_jj per unit (M_l × M_{l−1})
        inv = np.where(dw > 0, 1.0 / np.where(dw > 0, dw, 1.0), 0.0)
        # diagonal weight part: Σ_i Σ_j δ_ni δ_mi s_w h_nj h_mj / F_ij, over N
        kw = np.einsum("ni,mi,nj,mj,ij->nm", d, d, h, h, inv, optimize=True) * sw / N
        a = sb * d2.sum(axis=0) / N                          # F_00 (bias) per unit
        live = a > 0
        if not quasi:
            out += kw + np.einsum("ni,mi,i->nm", d[:, live], d[:, live], sb / a[live]) / N
            continue
        bvec = np.sqrt(sw * sb) * (d2.T @ h) / N             # F_0j
        s = a - np.sum(bvec * bvec * inv, axis=1)            # Schur complement per unit
        uu = h @ (bvec * inv).T                              # Σ_j h_nj b_ij / F_ij
        v = d * (np.sqrt(sb) - np.sqrt(sw) * uu)             # c_0 − C_w D⁻¹ b
        live = live & (np.abs(s) > 1e-14 * np.maximum(a, 1e-300))
        out += kw + np.einsum("ni,mi,i->nm", v[:, live], v[:, live], 1.0 / s[live]) / N
    return 0.5 * (out + out.T)


def _cond(m):
    ev = np.linalg.eigvalsh(m)
    return float(ev[-1] / ev[0])


def _fig3_record():
    rows = {k: [] for k in ("ntk", "diagonal", "quasi-diagonal", "unit_wise", "block_diagonal")}
    check_diag = 0.0
    for M in FIG3_WIDTHS:
        per = {k: [] for k in rows}
        for i in range(FIG3_NETS):
            w = E.simulate("relu", depth=3, width=M, samples=FIG3_N, classes=1, sigma_w2=2.0,
                           sigma_b2=0.1, parameterization="ntk", seed=3300 + 13 * i + M)
            per["ntk"].append(_cond(w.ntk()))
            dg = _entrywise(w, quasi=False)
            if M == FIG3_WIDTHS[0] and i == 0:
                ref = w.ngd("diagonal").matrix
                check_diag = float(np.max(np.abs(dg - ref)) / np.max(np.abs(ref)))
            per["diagonal"].append(_cond(dg))
            per["quasi-diagonal"].append(_cond(_entrywise(w, quasi=True)))
            per["unit_wise"].append(w.ngd("unit_wise").condition_number)
            per["block_diagonal"].append(w.ngd("block_diagonal").condition_number)
        for k, vals in per.items():
            m, se = _mean_se(vals)
            rows[k].append((M, float(m), float(se)))
    # extrapolation c(M) = c_∞ + a M^{-1/2}, weighted least squares (form fixed in advance)
    fits = {}
    for k in ("diagonal", "quasi-diagonal", "unit_wise"):
        Ms = np.array([r[0] for r in rows[k]], dtype=float)
        y = np.array([r[1] for r in rows[k]])
        se = np.array([max(r[2], 1e-12) for r in rows[k]])
        A = np.vstack([np.ones_like(Ms), Ms ** -0.5]).T / se[:, None]
        coef, *_ = np.linalg.lstsq(A, y / se, rcond=None)
        cov = np.linalg.inv(A.T @ A)
        fits[k] = (float(coef[0]), float(np.sqrt(cov[0, 0])))
    noniso = {k: bool(fits[k][0] - 1 > Z * fits[k][1]) for k in ("diagonal", "quasi-diagonal")}
    better = {k: bool(all(rows[k][j][1] < rows["ntk"][j][1] for j in range(len(FIG3_WIDTHS))))
              for k in ("diagonal", "quasi-diagonal")}
    unit_iso = bool(abs(fits["unit_wise"][0] - 1) <= Z * fits["unit_wise"][1] + 0.01)
    bd_one = bool(all(abs(r[1] - 1) < 1e-8 for r in rows["block_diagonal"]))
    context_ok = bool(unit_iso and bd_one and check_diag < 1e-10)
    nums = {f"{k}: condition number at M = {', '.join(map(str, FIG3_WIDTHS))} (mean ± se)":
            [f"{m:.4f} ± {s_:.4f}" for _, m, s_ in rows[k]] for k in rows}
    nums.update({f"{k}: extrapolated c_∞ (± se)": f"{c_:.4f} ± {e:.4f}" for k, (c_, e) in
                 fits.items()})
    nums["NTK − quasi-diagonal condition number per width"] = [
        round(rows["ntk"][j][1] - rows["quasi-diagonal"][j][1], 4) for j in range(len(FIG3_WIDTHS))]
    nums["diagonal: max rel. difference to the package witness"] = check_diag
    truth = {k: bool(noniso[k] and better[k]) for k in noniso}
    w = Witness("finite-width", f"{FIG3_NETS} ReLU networks per width (NTK parameterisation, "
                f"L = 3, σ_w² = 2, σ_b² = 0.1, N = {FIG3_N} Gaussian inputs, M_0 = M): condition "
                "numbers of J G⁺ Jᵀ/N for the entry-wise diagonal and Ollivier's quasi-diagonal "
                "Fisher (closed-form inverses of each unit's arrow block; checked against the "
                "explicit P × P construction on a small network), against the NTK, the "
                "unit-wise and the block-diagonal Fisher (package witness); c(M) = c_∞ + "
                "a M^{-1/2} fitted by weighted least squares", True,
                bool(context_ok and all(noniso.values())),
                {"diagonal FIM": truth["diagonal"], "quasi-diagonal FIM": truth["quasi-diagonal"]},
                nums)
    def how(k):
        return (f"c_∞ = {fits[k][0]:.3f} ± {fits[k][1]:.3f} (> 1 by > 3 se: {noniso[k]}); below "
                f"the NTK at every width: {better[k]}")
    return judge(
        id="NGD-Fig3-entrywise", paper=PAPER, equation="NGD Sec. 5, Fig. 3", key="Fig. 3",
        kind="claim", what="entry-wise (diagonal, quasi-diagonal) Fishers do not satisfy the "
        "isotropic condition at large width, but condition better than the NTK",
        printed="'these entry-wise FIMs had better condition numbers than NTK, but they kept "
                "taking larger values than [1] even in the case of a large width and they did "
                "not satisfy the isotropic condition'",
        derived="condition number of J G⁺ Jᵀ/N: exactly 1 for block-diagonal, → 1 for unit-wise "
                "(M → ∞), > 1 in the limit for the diagonal and quasi-diagonal Fishers; compared "
                "with the NTK width by width",
        definitions=[Definition("Fig. 3", "We computed the eigenvalues of [Θ̄] on random "
                                "initialization and measured the degree of isotropy in terms of "
                                "condition number (). … For comparison, we also show the "
                                "condition numbers of NTK (black circles), with an entry-wise "
                                "diagonal FIM (i.e., []) [21] (green circles), and with the "
                                "quasi-diagonal FIM [6] (cyan circles). The quasi-diagonal FIM "
                                "was proposed as a rough approximation of the unit-wise FIM in "
                                "which a certain 1-rank matrix is added to the diagonal entries",
                                "NGD, Sec. 5 (plain-text line 108); the setting of C.3.1 (line "
                                "518) lost its numbers")],
        readings=[Reading("diagonal FIM", "G = diag(F)", "not isotropic, better than the NTK",
                          "see the witness", equal=truth["diagonal"], how=how("diagonal")),
                  Reading("quasi-diagonal FIM", "Ollivier's quasi-diagonal: each unit's block "
                          "keeps its diagonal and its bias row and column", "not isotropic, "
                          "better than the NTK", "see the witness",
                          equal=truth["quasi-diagonal"], how=how("quasi-diagonal"))],
        witnesses=[w],
        argument="Isotropy needs each block's projector J_u(J_uᵀJ_u)⁺J_uᵀ to be diag(1[δ ≠ 0]); "
                 "that holds for a unit's full block (unit-wise) and a layer's (BD), but the "
                 "diagonal Fisher replaces the block by its diagonal, whose inverse weights the "
                 "columns by 1/‖column‖² and does not produce a projector, and the quasi-diagonal "
                 "keeps only the bias couplings (with ReLU's non-zero mean activity its arrow "
                 "blocks are far from the unit blocks). The M^{-1/2} extrapolation is the "
                 "unit-wise law; for the slower-settling diagonal it undershoots, so its "
                 "c_∞ > 1 is conservative. The comparison with the NTK is made width by width; "
                 "the quasi-diagonal's margin over the NTK shrinks with the width (numbers in "
                 "the witness).")


def checks() -> list[CheckResult]:
    data = _gamma_data()
    return [_gamma_layers_record(data), _shifted_relu_record(data), _relu_forms_record(),
            _ntk_record(), _fig3_record()]


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
