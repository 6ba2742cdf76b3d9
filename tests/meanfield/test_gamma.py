"""γ = P[φ'(u) ≠ 0] (Approximate Fisher information Thm 5.1) for activations without a shipped
module, printed from the support of φ' without deriving the kernels; expected values from
scipy.stats.norm (the Gaussian CDF of the support's edges), an independent route."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from meanfield_sym.meanfield.ngd import nonzero_derivative_probability


@pytest.mark.parametrize("spec,q,expected", [
    ("shifted_relu", 1.0, norm.cdf(1.0)),                      # φ = max(x + 1, 0)
    ("Max(x + 1, 0)", 2.0, norm.cdf(1 / math.sqrt(2))),
    ("Max(x, -1/2)", 0.5, norm.cdf(0.5 / math.sqrt(0.5))),
    ("Heaviside(x - 1)*(x - 1) + Heaviside(-x - 1)*(x + 1)", 3.0,
     2 * norm.sf(1 / math.sqrt(3))),                            # dead zone |x| < 1
    ("tanh", 0.7, 1.0),
])
def test_gamma_without_deriving_the_kernels(spec, q, expected):
    got = float(nonzero_derivative_probability(spec, q))
    assert got == pytest.approx(expected, rel=1e-13)


def test_gamma_at_zero_variance_counts_a_kink_half():
    assert float(nonzero_derivative_probability("relu", 0.0)) == 0.5
    np.testing.assert_allclose(nonzero_derivative_probability("shifted_relu", [0.0, 4.0]),
                               [1.0, norm.cdf(0.5)], rtol=1e-13)
