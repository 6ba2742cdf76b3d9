r"""The phase diagram of the initialisation: λ_max, the critical learning rate and χ₁ over a
(σ_w², σ_b²) grid.

Universal statistics, Theorem 4 (the largest eigenvalue ``λ_max`` of the Fisher information
matrix) and Lemma 6 / Theorem 7 (the critical learning rate ``η_c = 2 (1 + μ) / λ_max`` of
gradient descent with momentum μ), from :func:`meanfield_sym.meanfield.network.network_statistics`
evaluated on the whole grid at once; and the order-to-chaos quantity ``χ₁`` of the fixed point
of the variance map (Poole et al. / Schoenholz et al.,
:func:`meanfield_sym.meanfield.recursions.fixed_point`), whose level set ``χ₁ = 1`` is the
order-to-chaos boundary.

>>> import numpy as np
>>> pd = phase_diagram("relu", sigma_w2=[1.0, 2.0], sigma_b2=[0.0, 0.1])
>>> pd.lambda_max.shape
(2, 2)
>>> bool(np.allclose(pd.eta_c, 2 / pd.lambda_max))
True
>>> [round(float(c), 12) for c in pd.chi1[0]]  # ReLU, no bias: chi_1 = sigma_w^2 / 2
[0.5, 1.0]
"""
from __future__ import annotations

import types
from typing import NamedTuple

import numpy as np

from meanfield_sym.kernels.provider import resolve, shipped
from meanfield_sym.meanfield.network import network_statistics
from meanfield_sym.meanfield.recursions import fixed_point

__all__ = ["PhaseDiagram", "phase_diagram", "DEFAULT_SIGMA_W2", "DEFAULT_SIGMA_B2"]

#: The default weight-variance axis: 76 values, evenly spaced in [0.25, 4].
#:
#: :meta hide-value:
DEFAULT_SIGMA_W2 = np.linspace(0.25, 4.0, 76)
#: The default bias-variance axis: 51 values, evenly spaced in [0, 1].
#:
#: :meta hide-value:
DEFAULT_SIGMA_B2 = np.linspace(0.0, 1.0, 51)


class PhaseDiagram(NamedTuple):
    """What :func:`phase_diagram` returns (a tuple: unpack it, or read the fields)."""

    #: The grid axes (1-D).
    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    #: Largest Fisher eigenvalue, shape ``(len(sigma_b2), len(sigma_w2))``.
    lambda_max: np.ndarray
    #: Critical learning rate ``2 (1 + μ) / λ_max``, same shape.
    eta_c: np.ndarray
    #: ``χ₁ = σ_w² E[φ'(√q* u)²]`` at the fixed point q* (``inf`` where q* diverges), same shape.
    chi1: np.ndarray
    #: The kernel provider that evaluated the grid, as text (e.g. the shipped generated module).
    evaluator: str


def _evaluator(spec, provider) -> str:
    """A short name of the route that evaluated the kernels."""
    if isinstance(spec, types.ModuleType):
        return f"{spec.__name__} (generated module)"
    if isinstance(spec, str) and provider is shipped(spec.strip()):
        return f"meanfield_sym.generated.{spec.strip()} (shipped generated module)"
    act = getattr(provider, "activation", None)
    if act is not None and hasattr(act, "expr"):
        params = "".join(f", {k}={v}" for k, v in sorted(act.params.items()))
        return f"meanfield_sym.kernels.kernel_set.kernels_for({act.name or str(act.expr)!r}{params})"
    return f"the kernel provider {type(provider).__name__}"


def phase_diagram(activation, sigma_w2=None, sigma_b2=None, depth: int = 3, width=1000,
                  samples: int = 100, classes: int = 1, momentum=0.0) -> PhaseDiagram:
    """λ_max of the Fisher, the critical learning rate and χ₁ over a (σ_w², σ_b²) grid.

    Parameters
    ----------
    activation : str, module, Activation or kernel provider
        Resolved by :func:`meanfield_sym.kernels.provider.resolve` (a built-in name uses its
        shipped generated module when that module is current).
    sigma_w2, sigma_b2 : array_like (1-D), optional
        The grid axes; default :data:`DEFAULT_SIGMA_W2` and :data:`DEFAULT_SIGMA_B2`.
    depth, width, samples, classes, momentum
        L, M, N, C and μ of :func:`meanfield_sym.meanfield.network.network_statistics`
        (depth >= 2: λ_max needs a hidden layer).

    Returns
    -------
    PhaseDiagram
        ``(sigma_w2, sigma_b2, lambda_max, eta_c, chi1, evaluator)``; the three maps have shape
        ``(len(sigma_b2), len(sigma_w2))``.

    Raises
    ------
    ValueError
        For invalid settings (as :func:`network_statistics` and :func:`fixed_point` do), and
        for depth 1, where λ_max is not defined.
    """
    provider = resolve(activation)
    sw = np.asarray(DEFAULT_SIGMA_W2 if sigma_w2 is None else sigma_w2, dtype=float)
    sb = np.asarray(DEFAULT_SIGMA_B2 if sigma_b2 is None else sigma_b2, dtype=float)
    if sw.ndim != 1 or sb.ndim != 1 or not sw.size or not sb.size:
        raise ValueError("sigma_w2 and sigma_b2 must be non-empty 1-D arrays (the grid axes)")
    SW, SB = np.meshgrid(sw, sb)
    out = network_statistics(provider, SW, SB, depth=depth, width=width, samples=samples,
                             classes=classes, momentum=momentum)
    if out["fim"] is None:
        raise ValueError("the phase diagram needs depth >= 2 (no hidden layer at depth 1: "
                         "lambda_max is not defined)")
    chi1 = fixed_point(provider, SW, SB).chi1
    return PhaseDiagram(sw, sb, np.asarray(out["fim"]["lambda_max"], dtype=float),
                        np.asarray(out["eta_critical"], dtype=float),
                        np.asarray(chi1, dtype=float), _evaluator(activation, provider))
