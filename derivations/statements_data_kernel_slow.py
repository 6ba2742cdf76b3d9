"""Universal statistics, Theorems 1, 3 and 4 for inputs of unequal norms, on a larger dataset
and wider networks (``meanfield-sym verify --slow``): m_λ, s_λ and λ_max of the Fisher
information from the per-pair order parameters, for ReLU and erf networks.

Printed:  as in ``statements_data_kernel.py`` (Theorems 1, 3, 4; main text lines 28, 33, 38,
          45, 50; supplement (A.6), (A.12), (A.19)–(A.25), A.4).
Derived:  the data route m_λ = C tr K/(NM), s_λ = Cα‖K‖_F²/N², λ_max = (αM/N) λ_max(K) with
          K(n, m) = Σ_l (α_{l−1}/α) q̃^l(n, m) q̂^{l−1}(n, m) from the per-pair order
          parameters (meanfield_sym.meanfield.gram, meanfield_sym.meanfield.data).
Witnesses: (i) the equal-norm reduction of the data route to the printed closed forms (the
          package's scalar recursions; not independent); (ii) finite random networks of widths
          (d, M, M) on a fixed non-Gaussian dataset of N = 40 inputs in d = 64 dimensions
          (integer intensities 0–16, norms spanning a factor 4), 16 networks per width at
          M = 200, 400, 800; (iii) for erf, networks on equal-norm non-Gaussian inputs
          x_n = √(d/2)(e_0 + e_(n+1)) (N = 10, d = 64: q̂₁⁰ = 1, q̂₂⁰ = 1/2, inside the printed
          statements' assumptions), which test the printed formulas directly.  Ratios
          experiment/theory per network, extrapolated by a weighted fit a + c·M^(−p) with p
          fixed in advance (p = 1 for m_λ and s_λ, p = 1/2 for λ_max), agreement when
          |a − 1| ≤ 4 se(a).
"""
from __future__ import annotations

import numpy as np

from meanfield_sym.verdicts.record import CheckResult, run_script
from meanfield_sym.verdicts.sweeps import QUANTITIES

try:
    from . import statements_data_kernel as F
except ImportError:  # run as a plain script
    from meanfield_sym.derivations import statements_data_kernel as F

SLOW = True
SAMPLES, FEATURES, LEVELS = 40, 64, 17
WIDTHS = (200, 400, 800)
NETWORKS = 16
#: (activation, σ_w², σ_b², base seed)
SETTINGS = (("relu", 2.0, 0.1, 21), ("erf", 3.0, 0.64, 22))
EQUAL_SAMPLES, EQUAL_SEED = 10, 23


def checks() -> list[CheckResult]:
    x = F.synthetic_inputs(SAMPLES, FEATURES, levels=LEVELS)
    xe = F.equal_norm_inputs(EQUAL_SAMPLES, FEATURES, scale=np.sqrt(FEATURES / 2))
    lo, hi = (float(v) for v in np.sqrt(np.diag(x @ x.T) / FEATURES)[[0, -1]])
    label = (f"fixed non-Gaussian dataset (integer intensities 0–{LEVELS - 1}, N = {SAMPLES}, "
             f"d = {FEATURES}, norms |x|/√d from {lo:.2f} to {hi:.2f}), {NETWORKS} networks per "
             "width")
    out = []
    for act, sw, sb, seed in SETTINGS:
        rel = F.reduction(act, sw, sb, F.DEPTH, WIDTHS[-1], F.equal_norm_inputs())
        res = F.sweep(act, x, WIDTHS, NETWORKS, seed, sw=sw, sb=sb)
        equal = None
        if act == "erf":
            equal = F.sweep(act, xe, WIDTHS, NETWORKS, EQUAL_SEED, sw=sw, sb=sb)
        for q in QUANTITIES:
            ws = [F.reduction_witness(rel, q, WIDTHS[-1], act, sw, sb),
                  F.network_witness(res, act, x, q, label)]
            if equal is not None:
                ws.append(F.network_witness(
                    equal, act, xe, q, f"equal-norm non-Gaussian inputs x_n = √(d/2)(e_0 + "
                    f"e_(n+1)) (N = {EQUAL_SAMPLES}, d = {FEATURES}: one norm q̂₁⁰ = 1, one "
                    f"overlap q̂₂⁰ = 1/2, where the data route is the printed formula), "
                    f"{NETWORKS} networks per width", printed_tested=True))
            out.append(F.record(q, ws, rel, F.ARGUMENT, id_suffix=f"-{act}"))
    return out


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
