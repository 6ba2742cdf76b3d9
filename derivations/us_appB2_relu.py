"""Universal statistics, supplement App. B.2, Eqs. (B.9)–(B.12): ReLU networks.

Printed (transcribed exactly as printed, kept as data in ``PRINTED``; c = b/a):
  (B.9)  q̂^{l+1} = q̂^l σ_w²/2 + σ_b²/2
  (B.10) q̃^l = q̃^{l+1} σ_w²/2,  q̃^L = 1/2
  (B.11) I_φ[a, b]  = (a/2π) (√(1−c²) + cπ/2 + c asin c)
  (B.12) I_φ'[a, b] = (a/2π) (π/2 + asin c)
Derived: the engine.  Witnesses: mpmath quadrature of the definitions (≥ 20 digits); for the
boundary value q̃^L the model's definition (linear output f = u^L, δ^L = 1) differentiated
symbolically and finite ReLU networks (q̃^1 measured, propagated from each boundary value).
"""
from __future__ import annotations

import sympy as sp

from meanfield_sym.kernels.symbols import A, B, Q

from meanfield_sym.kernels.kernel_set import kernels_for
from meanfield_sym.verdicts.judge import Definition, judge
from meanfield_sym.verdicts.record import run_script

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
RELU_DEF = Definition("φ", "We define a ReLU activation as φ(x) = 0 (x < 0), x (0 ≤ x)",
                      "Universal statistics, supplement App. B.2")
#: the boundary witness's setting (σ_w² = 2: every q̃^l equals q̃^L in the mean field)
RELU_SW, RELU_SB = 2.0, 0.1
#: Candidate correction for (B.12), kept as data and checked like the printed one.
CORRECTED = {"B.12": (sp.pi / 2 + sp.asin(c)) / (2 * sp.pi)}


def checks():
    ks = kernels_for("relu")
    cf = ks.closed_form
    out = []
    q_next = sw2 * qhat + sb2  # Eq. (9): q^{l+1} = σ_w² q̂^l + σ_b²
    derived_b9 = sp.expand(cf["one_point"].subs(Q, q_next))
    out.append(C.kernel_check(
        id="US-B.9", paper=PAPER, equation="(B.9)", what="ReLU forward map q̂^{l+1}",
        act_name="relu", kernel="one_point", printed=PRINTED["B.9"].subs(sw2 * qhat, Q - sb2),
        derived=cf["one_point"], note="Compared as a function of q^{l+1} = σ_w² q̂^l + σ_b².",
        definitions=[RELU_DEF],
        steps=[("E[φ(√q u)²]", cf["one_point"]), ("q̂^{l+1} with q^{l+1} = σ_w² q̂^l + σ_b²",
                                                 derived_b9)]))
    out.append(C.kernel_check(
        id="US-B.10", paper=PAPER, equation="(B.10)", what="ReLU backward map q̃^l",
        act_name="relu", kernel="one_point_prime", printed=PRINTED["B.10"] / (tq * sw2),
        derived=cf["one_point_prime"], note="Compared as q̃^l / (σ_w² q̃^{l+1}).",
        definitions=[RELU_DEF],
        steps=[("q̃^l = σ_w² q̃^{l+1} E[φ'(√q u)²]", sw2 * tq * cf["one_point_prime"])]))
    # boundary: f = u^L is linear, δ^L = 1, q̃^L = 1. The printed 1/2 is E[φ'(u)²] for ReLU,
    # i.e. the value for a ReLU *output* unit, not the papers' linear output.
    relu_output = cf["one_point_prime"]
    out.append(judge(
        id="US-B.10b", paper=PAPER, equation="(B.10)", what="boundary value q̃^L (linear output)",
        key="(B.10) boundary q̃^L", printed=PRINTED["B.10 boundary"], derived=sp.Integer(1),
        corrected=sp.Integer(1), definitions=[C.LINEAR_OUTPUT, C.QTILDE_DEF],
        witnesses=[C.output_delta_symbolic(PRINTED["B.10 boundary"]),
                   C.boundary_witness("relu", RELU_SW, RELU_SB, PRINTED["B.10 boundary"])],
        argument="With f = u^L, δ^L = ∂f/∂u^L = 1, so q̃^L = (δ^L)² = 1, as (B.4) and (B.14) "
                 f"print; the printed 1/2 equals E[φ'(u)²] = {relu_output} of a ReLU output "
                 "unit f = φ(u^L), another model.",
        steps=[("δ^L = ∂u^L/∂u^L", sp.Integer(1))]))
    out.append(C.kernel_check(
        id="US-B.11", paper=PAPER, equation="(B.11)", what="ReLU I_φ[a, b] (arc-cosine kernel)",
        act_name="relu", kernel="two_point", printed=PRINTED["B.11"], derived=cf["two_point"],
        definitions=[RELU_DEF], steps=[s for s in ks.steps if s[0].startswith("I_φ[")]))
    out.append(C.kernel_check(
        id="US-B.12", paper=PAPER, equation="(B.12)", what="ReLU I_φ'[a, b]", act_name="relu",
        kernel="two_point_prime", printed=PRINTED["B.12"], derived=cf["two_point_prime"],
        corrected=CORRECTED["B.12"],
        note="φ' = H is scale-free, so I_φ' is homogeneous of degree 0 in (a, b); the printed "
             f"form is not: printed/derived = {sp.simplify(PRINTED['B.12'] / cf['two_point_prime'])}.",
        definitions=[RELU_DEF],
        steps=[s for s in ks.steps if s[0].startswith("I_φ'")]))
    return out


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
