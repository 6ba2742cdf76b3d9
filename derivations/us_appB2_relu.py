"""Universal statistics, supplement App. B.2, Eqs. (B.9)–(B.12): ReLU networks.

Printed (transcribed exactly as printed, kept as data in ``PRINTED``; c = b/a):
  (B.9)  q̂^{l+1} = q̂^l σ_w²/2 + σ_b²/2
  (B.10) q̃^l = q̃^{l+1} σ_w²/2,  q̃^L = 1/2
  (B.11) I_φ[a, b]  = (a/2π) (√(1−c²) + cπ/2 + c asin c)
  (B.12) I_φ'[a, b] = (a/2π) (π/2 + asin c)
Checks: the engine's derivation against the printed form symbolically and both against mpmath
quadrature of the definition (≥ 20 digits).  Model: linear output f = u^L (δ^L = 1).
"""
from __future__ import annotations

import sympy as sp

from meanfield_sym.kernels.symbols import A, B, Q

from meanfield_sym.kernels.kernel_set import kernels_for
from meanfield_sym.verdicts.record import HOLDS, MISPRINT, CheckResult, run_script

try:
    from . import _common as C
except ImportError:
    from meanfield_sym.derivations import _common as C

PAPER = "Universal statistics (suppl.)"
sw2, sb2, qhat, tq = sp.symbols("sigma_w2 sigma_b2 qhat_prev qtilde_next", positive=True)
c = B / A

PRINTED = {
    "B.9": qhat * sw2 / 2 + sb2 / 2,
    "B.10": tq * sw2 / 2,
    "B.10 boundary": sp.Rational(1, 2),
    "B.11": A / (2 * sp.pi) * (sp.sqrt(1 - c ** 2) + c * sp.pi / 2 + c * sp.asin(c)),
    "B.12": A / (2 * sp.pi) * (sp.pi / 2 + sp.asin(c)),
}
#: Candidate correction for (B.12), kept as data and checked like the printed one.
CORRECTED = {"B.12": (sp.pi / 2 + sp.asin(c)) / (2 * sp.pi)}


def checks():
    ks = kernels_for("relu")
    cf = ks.closed_form
    out = []
    q_next = sw2 * qhat + sb2  # Eq. (9): q^{l+1} = σ_w² q̂^l + σ_b²
    derived_b9 = sp.expand(cf["one_point"].subs(Q, q_next))
    out.append(C.judge_kernel(
        id="US-B.9", paper=PAPER, equation="(B.9)", what="ReLU forward map q̂^{l+1}",
        act_name="relu", kernel="one_point", printed=PRINTED["B.9"].subs(sw2 * qhat, Q - sb2),
        derived=cf["one_point"], note="compared as a function of q^{l+1} = σ_w² q̂^l + σ_b²",
        steps=[("E[φ(√q u)²]", cf["one_point"]), ("q̂^{l+1} with q^{l+1} = σ_w² q̂^l + σ_b²",
                                                 derived_b9)]))
    out.append(C.judge_kernel(
        id="US-B.10", paper=PAPER, equation="(B.10)", what="ReLU backward map q̃^l",
        act_name="relu", kernel="one_point_prime", printed=PRINTED["B.10"] / (tq * sw2),
        derived=cf["one_point_prime"], note="compared as q̃^l / (σ_w² q̃^{l+1})",
        steps=[("q̃^l = σ_w² q̃^{l+1} E[φ'(√q u)²]", sw2 * tq * cf["one_point_prime"])]))
    # boundary: f = u^L is linear, δ^L = 1, q̃^L = 1. The printed 1/2 is E[φ'(u)²] for ReLU,
    # i.e. the value for a ReLU *output* unit, not the papers' linear output.
    relu_output = cf["one_point_prime"]
    out.append(CheckResult(
        "US-B.10b", PAPER, "(B.10)", "boundary value q̃^L (linear output)", MISPRINT,
        PRINTED["B.10 boundary"], sp.Integer(1),
        "the papers' model has linear outputs f = u^L (main text Sec. 2; supplement A.1 uses "
        "δ^L = ∂f/∂u^L), so q̃^L = (δ^L)² = 1 exactly, as printed in (B.4) and (B.14); the printed "
        f"1/2 equals E[φ'(u)²] = {relu_output} of a ReLU output unit f = φ(u^L), another model",
        corrected=sp.Integer(1), steps=[("δ^L = ∂u^L/∂u^L", sp.Integer(1))]))
    out.append(C.judge_kernel(
        id="US-B.11", paper=PAPER, equation="(B.11)", what="ReLU I_φ[a, b] (arc-cosine kernel)",
        act_name="relu", kernel="two_point", printed=PRINTED["B.11"], derived=cf["two_point"],
        steps=[s for s in ks.steps if s[0].startswith("I_φ[")]))
    out.append(C.judge_kernel(
        id="US-B.12", paper=PAPER, equation="(B.12)", what="ReLU I_φ'[a, b]", act_name="relu",
        kernel="two_point_prime", printed=PRINTED["B.12"], derived=cf["two_point_prime"],
        corrected=CORRECTED["B.12"],
        note="printed carries a spurious factor a (φ' = H is scale-free, so I_φ' is "
             "homogeneous of degree 0 in (a, b)); printed/derived = a",
        steps=[s for s in ks.steps if s[0].startswith("I_φ'")]))
    return out


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
