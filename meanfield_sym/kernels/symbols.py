"""Symbols of the closed forms and the names of the four kernels.

``q`` is the variance of a one-point kernel, ``(a, b)`` the variance and covariance of a
two-point kernel, (u1, u2) ~ N(0, [[a, b], [b, a]]) (Universal statistics, supplement App. B).
"""
import sympy as sp

from meanfield_sym.kernels.names import KERNEL_NAMES

__all__ = ["Q", "A", "B", "KERNEL_NAMES"]

Q = sp.Symbol("q", positive=True)
A = sp.Symbol("a", positive=True)
B = sp.Symbol("b", real=True)
