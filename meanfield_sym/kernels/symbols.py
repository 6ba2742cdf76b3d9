"""Symbols of the closed forms and the names of the four kernels.

``q`` is the variance of a one-point kernel, ``(a, b)`` the variance and covariance of a
two-point kernel, (u1, u2) ~ N(0, [[a, b], [b, a]]) (Universal statistics, supplement App. B).
"""
import sympy as sp

__all__ = ["Q", "A", "B", "KERNEL_NAMES", "LAYER_ORDER"]

Q = sp.Symbol("q", positive=True)
A = sp.Symbol("a", positive=True)
B = sp.Symbol("b", real=True)

#: The four kernels: E[φ(√q u)²], E[φ'(√q u)²], I_φ[a, b], I_φ'[a, b].
KERNEL_NAMES = ("one_point", "one_point_prime", "two_point", "two_point_prime")
#: Order of the results of a fused ``layer(a, b)``.
LAYER_ORDER = KERNEL_NAMES
