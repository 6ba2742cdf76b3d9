"""The one map from SymPy functions to NumPy/SciPy, used by every symbolic → float64 bridge.

Each entry gives the printed form (a template of the argument, for generated code and for the
evaluators that execute printed code) and the callable (for ``sympy.lambdify``), so the two
can never disagree:

* ``Heaviside(z)`` → ``numpy.heaviside(z, 0.5)`` (H(0) = 1/2, the symmetric convention of the
  activations' canonical form);
* ``erf``, ``erfc`` → :func:`scipy.special.erf`, :func:`scipy.special.erfc`;
* ``clamp0(z)`` → ``numpy.maximum(z, 0.0)`` (a radicand clamped at 0 against rounding).

>>> import numpy as np
>>> lambdify_modules()[0]["Heaviside"](np.array([-1.0, 0.0, 2.0]))
array([0. , 0.5, 1. ])
>>> PRINTED["erf"].format("x")
'scipy.special.erf(x)'
"""
from __future__ import annotations

import numpy as np
import scipy.special

__all__ = ["PRINTED", "CALLABLES", "SCIPY_FUNCTIONS", "lambdify_modules"]

#: SymPy function name -> printed NumPy/SciPy call ("{0}" is the printed argument).
PRINTED = {
    "Heaviside": "numpy.heaviside({0}, 0.5)",
    "erf": "scipy.special.erf({0})",
    "erfc": "scipy.special.erfc({0})",
    "clamp0": "numpy.maximum({0}, 0.0)",
}

#: SymPy function name -> the same operation as a Python callable.
CALLABLES = {
    "Heaviside": lambda z, h0=0.5: np.heaviside(z, 0.5),
    "erf": scipy.special.erf,
    "erfc": scipy.special.erfc,
    "clamp0": lambda z: np.maximum(z, 0.0),
}

#: Names whose printed form needs ``import scipy.special``.
SCIPY_FUNCTIONS = frozenset(k for k, v in PRINTED.items() if v.startswith("scipy."))


def lambdify_modules() -> list:
    """The ``modules`` argument of :func:`sympy.lambdify` for float64 evaluation."""
    return [dict(CALLABLES), "numpy"]
