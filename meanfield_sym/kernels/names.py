"""The names of the four Gaussian kernels (importable without SymPy)."""

__all__ = ["KERNEL_NAMES"]

#: E[φ(√q u)²], E[φ'(√q u)²], I_φ[a, b], I_φ'[a, b]; also the order of ``layer(a, b)``'s results.
KERNEL_NAMES = ("one_point", "one_point_prime", "two_point", "two_point_prime")
