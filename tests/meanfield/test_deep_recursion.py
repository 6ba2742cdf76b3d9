"""Deep recursions keep the correlation accurate (float64 forward pass against a 50-digit one).

The reference iterates the published correlation maps in mpmath at 50 digits — Cho & Saul's
arc-cosine kernel of order 1 for ReLU, c ↦ (√(1 − c²) + (π − arccos c) c)/π, and Williams'
arcsine kernel for erf — a route independent of the engine's Price-theorem derivation.  Deep
ReLU networks drive c → 1 (1 − c ~ 1/l²), where a float64 recursion could lose 1 − c to
cancellation; the test bounds both the absolute error of c (1e-13: measured 3e-15 at depth 125,
7e-15 at 400) and the relative error of 1 − c (1e-10: a float64 c carries 1 − c only to
1e-16/(1 − c) per layer, 3e-11 measured at depth 400 where 1 − c = 2.6e-4).
"""
from __future__ import annotations

import mpmath
import numpy as np
import pytest

from meanfield_sym.meanfield.recursions import forward

DEPTHS = (125, 400)


def _relu_map(c):
    return (mpmath.sqrt(1 - c ** 2) + (mpmath.pi - mpmath.acos(c)) * c) / mpmath.pi


@pytest.mark.parametrize("sigma_w2", [0.1, 2.0, 7.5])
@pytest.mark.parametrize("c0", [0.0, 0.5, -0.9])
def test_relu_correlation_at_depth(sigma_w2, c0):
    """σ_b² = 0: q shrinks or grows geometrically (0.05^400 ≈ 1e-520 would underflow a naive
    form; the homogeneous kernels keep it representable while q stays above 1e-300)."""
    mpmath.mp.dps = 50
    depth = 125 if sigma_w2 == 0.1 else max(DEPTHS)
    q1, q2, _, _ = forward("relu", sigma_w2, 0.0, depth, qhat1_0=1.0, qhat2_0=c0)
    c = mpmath.mpf(c0)
    for l in range(1, depth + 1):
        if l > 1:
            c = _relu_map(c)
        if l in (10, 50, 125, 400) and l <= depth:
            got = float(q2[l] / q1[l])
            assert abs(got - float(c)) <= 1e-13, (l, got, c)
            assert abs((1 - got) - float(1 - c)) <= 1e-10 * float(1 - c), (l, 1 - got, 1 - c)


@pytest.mark.parametrize("sigma_w2,sigma_b2", [(3.0, 0.64), (1.0, 0.0), (0.5, 0.1)])
def test_erf_order_parameters_at_depth(sigma_w2, sigma_b2):
    """erf: q^{l+1} = σ_w² (2/π) asin(2q/(1 + 2q)) + σ_b², and the overlap through
    (2/π) asin(2b/(1 + 2a)) (Williams 1997), iterated at 50 digits for 400 layers."""
    mpmath.mp.dps = 50
    depth = max(DEPTHS)
    q1, q2, _, _ = forward("erf", sigma_w2, sigma_b2, depth, qhat1_0=1.0, qhat2_0=0.3)
    sw, sb = mpmath.mpf(sigma_w2), mpmath.mpf(sigma_b2)
    a, b = sw * 1 + sb, sw * mpmath.mpf("0.3") + sb
    for l in range(1, depth + 1):
        if l > 1:
            a, b = (sw * 2 / mpmath.pi * mpmath.asin(2 * a / (1 + 2 * a)) + sb,
                    sw * 2 / mpmath.pi * mpmath.asin(2 * b / (1 + 2 * a)) + sb)
        if l in (10, 125, 400):
            assert abs(float(q1[l]) / float(a) - 1) <= 1e-12, (l, q1[l], a)
            c, got = b / a, float(q2[l] / q1[l])
            assert abs(got - float(c)) <= 1e-12, (l, got, c)
            if 1 - c > 1e-6:
                assert abs((1 - got) - float(1 - c)) <= 1e-9 * float(1 - c), (l, 1 - got)
