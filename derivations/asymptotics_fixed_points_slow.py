"""Fixed points q* and χ₁ of the other built-in activations at high precision.

Printed:  Pathological spectra Eq. (15) (q^{l+1} = σ_w² q̂^l + σ_b²) — the package's float64
          fixed point and χ₁ = σ_w² ∫Du φ'(√q* u)² for every built-in activation beyond the
          papers' own (tanh, erf, ReLU and GELU are in ``asymptotics_fixed_points``).
Derived:  the engine's closed forms solved by ``mpmath.findroot`` at 40 digits where they
          exist (linear, leaky ReLU, |x|, shifted ReLU, sin, cos, exp, Gaussian), else the
          package's float64 fixed point (sigmoid, softplus, SiLU: Chebyshev tables / quadrature).
Witnesses: ``mpmath.findroot`` on the 34-digit quadrature of the DEFINITION
          (:mod:`meanfield_sym.witnesses.highprec`), which never sees a closed form.

Settings: bounded activations at the tanh setting of Pathological spectra (3, 0.64); those
that grow like |x| in the ordered phase (1.5, 0.1) or, for the linear-variance ones (linear,
|x|), at (0.5, 0.1); exp, whose second moment e^{2q} grows fastest, at (0.1, 0.1).  The step
function is left out: E[φ'²] = E[δ²] is infinite, so χ₁ is not a number.
"""
from __future__ import annotations

import sympy as sp

from meanfield_sym.verdicts.record import run_script

try:
    from .asymptotics_fixed_points import fixed_point_records
except ImportError:  # run as a plain script
    from meanfield_sym.derivations.asymptotics_fixed_points import fixed_point_records

SLOW = True

_BOUNDED = (3, sp.Rational(64, 100))
_ORDERED = (sp.Rational(3, 2), sp.Rational(1, 10))
SETTINGS = {"sigmoid": _BOUNDED, "sin": _BOUNDED, "cos": _BOUNDED, "gaussian": _BOUNDED,
            "softplus": _ORDERED, "silu": _ORDERED, "leaky_relu": _ORDERED,
            "shifted_relu": _ORDERED,
            "linear": (sp.Rational(1, 2), sp.Rational(1, 10)),
            "abs": (sp.Rational(1, 2), sp.Rational(1, 10)),
            "exp": (sp.Rational(1, 10), sp.Rational(1, 10))}


def checks():
    return fixed_point_records(SETTINGS)


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
