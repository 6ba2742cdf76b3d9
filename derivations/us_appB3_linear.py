"""Universal statistics, supplement App. B.3, Eqs. (B.13)–(B.16): linear networks.

Printed (transcribed exactly as printed, kept as data in ``PRINTED``):
  (B.13) q^l = q^{l−1} σ_w² + σ_b²
  (B.14) q̃^l = q̃^{l+1} σ_w²,  q̃^L = 1
  (B.15) q̂_st^{l+1} = q̂_st^l σ_w² + σ_b²
  (B.16) q̃_st^l = q̃_st^{l+1} σ_w²,  q̃_st^L = 1
Derived: the general recursions (main text Eqs. (9)–(12)) with the engine's kernels for φ(x) = x,
q^l = σ_w² q̂^{l−1} + σ_b², q̂ = E[φ(√q u)²], q̂_st = I_φ[q^l, q^l_st], q̃^l = σ_w² q̃^{l+1} E[φ'²],
q̃_st^l = σ_w² q̃_st^{l+1} I_φ'; compared symbolically; the kernels checked against quadrature
of the definitions, the boundary values against finite networks.
"""
from __future__ import annotations

import sympy as sp

from meanfield_sym.kernels.symbols import A, B, Q

from meanfield_sym.kernels.kernel_set import kernels_for
from meanfield_sym.verdicts.judge import Definition, Witness, judge
from meanfield_sym.verdicts.record import run_script

try:
    from . import _common as C
except ImportError:
    from meanfield_sym.derivations import _common as C

PAPER = "Universal statistics (suppl.)"
sw2, sb2, qprev, q2prev, tq, tq2 = sp.symbols(
    "sigma_w2 sigma_b2 q_prev qhat_st_prev qtilde_next qtilde_st_next", positive=True)

PRINTED = {
    "B.13": qprev * sw2 + sb2,
    "B.14": tq * sw2,
    "B.14 boundary": sp.Integer(1),
    "B.15": q2prev * sw2 + sb2,
    "B.16": tq2 * sw2,
    "B.16 boundary": sp.Integer(1),
}


LINEAR_DEF = Definition("φ", "We define a linear activation as φ(x) = x",
                        "Universal statistics, supplement App. B.3")
LIN_SW, LIN_SB = 1.0, 0.1


def _recursion_check(id_, eq, what, printed, derived, kernel, steps):
    """A printed recursion against the derived one: symbolic identity in all symbols, with the
    kernel it rests on checked against quadrature of the definition."""
    w = C.kernel_witness("linear", kernel, kernels_for("linear").closed_form[kernel],
                         kernels_for("linear").closed_form[kernel])
    w.description += "; the kernel the recursion rests on"
    w.agrees_printed = None
    return judge(id=id_, paper=PAPER, equation=eq, what=what, printed=printed, derived=derived,
                 key=eq, definitions=[LINEAR_DEF, C.KERNEL_DEFINITIONS[kernel]], witnesses=[w],
                 argument="The printed recursion is compared with the general recursion "
                          "(main text Eqs. (9)–(12)) for φ(x) = x, symbolically in every "
                          "symbol.", steps=steps)


def _boundary(id_, eq, what, printed):
    return judge(id=id_, paper=PAPER, equation=eq, what=what, key=f"{eq} boundary",
                 printed=printed, derived=sp.Integer(1),
                 definitions=[C.LINEAR_OUTPUT, C.QTILDE_DEF],
                 witnesses=[C.output_delta_symbolic(printed),
                            C.boundary_witness("linear", LIN_SW, LIN_SB, printed)],
                 argument="With f = u^L, δ^L = 1 for every input, so q̃^L = q̃_st^L = 1.")


def checks():
    cf = kernels_for("linear").closed_form
    out = []
    # (B.13): q^l = σ_w² q̂^{l−1} + σ_b² with q̂^{l−1} = E[(√q^{l−1} u)²]  (l ≥ 2)
    d13 = sw2 * cf["one_point"].subs(Q, qprev) + sb2
    out.append(_recursion_check("US-B.13", "(B.13)", "linear forward map q^l", PRINTED["B.13"], d13,
                                "one_point", [("q̂ = E[φ(√q u)²]", cf["one_point"]), ("q^l", d13)]))
    d14 = sw2 * tq * cf["one_point_prime"]
    out.append(_recursion_check("US-B.14", "(B.14)", "linear backward map q̃^l", PRINTED["B.14"], d14,
                                "one_point_prime", [("E[φ'(√q u)²]", cf["one_point_prime"])]))
    out.append(_boundary("US-B.14b", "(B.14)", "boundary value q̃^L", PRINTED["B.14 boundary"]))
    # (B.15): q̂_st^{l+1} = I_φ[q^{l+1}, q_st^{l+1}] with q_st^{l+1} = σ_w² q̂_st^l + σ_b²
    d15 = cf["two_point"].subs(B, sw2 * q2prev + sb2)
    out.append(_recursion_check("US-B.15", "(B.15)", "linear forward map q̂_st", PRINTED["B.15"], d15,
                                "two_point", [("I_φ[a, b]", cf["two_point"]), ("q̂_st^{l+1}", d15)]))
    d16 = sw2 * tq2 * cf["two_point_prime"]
    out.append(_recursion_check("US-B.16", "(B.16)", "linear backward map q̃_st", PRINTED["B.16"], d16,
                                "two_point_prime", [("I_φ'[a, b]", cf["two_point_prime"])]))
    out.append(_boundary("US-B.16b", "(B.16)", "boundary value q̃_st^L", PRINTED["B.16 boundary"]))
    return out


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
