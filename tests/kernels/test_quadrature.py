"""Tests of meanfield_sym.kernels.quadrature against independent references.

References: textbook closed forms computed here (erf arcsine kernel, ReLU arc-cosine kernel in
mpmath, sin and linear moments), mpmath quadrature of the definitions (meanfield_sym.witnesses.highprec, a
separate implementation with its own splitting), and exact Dirac-atom identities.
"""
import math

import mpmath
import numpy as np
import pytest
import scipy.special

from meanfield_sym.witnesses import highprec
from meanfield_sym.kernels import quadrature as Q
from meanfield_sym.activation.function import get_activation

#: The package's float64 target for kernels without a closed form: 1e-12 relative.
RTOL = 1e-12
#: Closed forms evaluated in float64 (asin etc.) carry a few ulp of their own.
RTOL_FLOAT_CLOSED = 2e-14
#: Digits asked of the mpmath witness (well beyond float64).
DPS = 20

A_GRID = np.logspace(-2, 2, 9)
C_GRID = np.array([-1.0, -0.9999, -0.999, -0.9, -0.5, 0.2, 0.7, 0.99, 0.9999, 1.0])


def _rel(x, ref):
    return np.abs(np.asarray(x, float) / np.asarray(ref, float) - 1)


# ------------------------------------------------------------------ exact cases (no special-casing)
def test_erf_two_point_matches_arcsine_kernel():
    a = A_GRID[:, None]
    b = a * C_GRID[None, :]
    exact = 2 / np.pi * np.arcsin(2 * b / (1 + 2 * a))
    v, err = Q.two_point(scipy.special.erf, scipy.special.erf, a, b)
    assert v.shape == exact.shape
    assert np.max(_rel(v, exact)) < RTOL_FLOAT_CLOSED * 50
    assert np.all(err < RTOL * np.abs(exact))


def test_erf_one_point_matches_closed_form():
    q = A_GRID
    exact = 2 / np.pi * np.arcsin(2 * q / (1 + 2 * q))
    v, err = Q.one_point(lambda x: scipy.special.erf(x) ** 2, q)
    assert np.max(_rel(v, exact)) < RTOL_FLOAT_CLOSED * 10
    assert np.all(err < RTOL * exact)


def _relu_exact(a, c):
    """Arc-cosine kernel a/(2π)(√(1-c²) + c(π - acos c)), in mpmath (cancels as c → -1)."""
    mpmath.mp.dps = 40
    c = mpmath.mpf(float(c))
    return float(mpmath.mpf(float(a)) / (2 * mpmath.pi)
                 * (mpmath.sqrt(1 - c * c) + c * (mpmath.pi - mpmath.acos(c))))


def test_relu_two_point_with_kinks_matches_arccosine_kernel():
    relu = lambda x: np.maximum(x, 0.0)  # noqa: E731
    a = A_GRID[::2][:, None]
    c = C_GRID[None, :]
    v, err = Q.two_point(relu, relu, a, a * c, kinks_f=[0.0], kinks_g=[0.0])
    ref = np.vectorize(_relu_exact)(a, c)
    assert np.all(np.abs(v - ref) <= RTOL * ref + 1e-16 * a)   # c = -1: exactly 0
    assert np.all(err <= RTOL * ref + 1e-16 * a)


def test_sin_and_linear_moments():
    a = A_GRID[:, None]
    b = a * C_GRID[None, :]
    v, _ = Q.two_point(np.sin, np.sin, a, b)       # E[sin u1 sin u2] = e^{-a} sinh b
    ref = np.exp(-a) * np.sinh(b)
    assert np.max(np.abs(v - ref) / np.maximum(np.abs(ref), 1e-3 * np.exp(-a) * np.sinh(a))) < RTOL
    lin = lambda x: x  # noqa: E731
    v, _ = Q.two_point(lin, lin, a, b)             # E[u1 u2] = b
    # unbounded integrand: the bivariate exponent is formed as a square of a difference, so the
    # far field carries no cancellation error (formerly ~3e-12 of a)
    assert np.max(np.abs(v - b) / a) < RTOL
    v, _ = Q.one_point(np.cos, A_GRID)             # E[cos(√q u)] = e^{-q/2}
    # relative to max(|I|, 1e-3 E|cos|) (the documented floor: e^{-50} is a pure cancellation)
    ref = np.exp(-A_GRID / 2)
    assert np.max(np.abs(v - ref) / np.maximum(ref, 1e-3 * 0.5)) < RTOL


def test_error_estimate_bounds_actual_error_on_exact_cases():
    a = A_GRID[:, None]
    b = a * C_GRID[None, :]
    exact = 2 / np.pi * np.arcsin(2 * b / (1 + 2 * a))
    v, err = Q.two_point(scipy.special.erf, scipy.special.erf, a, b, rtol=1e-6)
    # a loose target makes the rule coarse; the estimate must still cover the actual error
    # (with the float64 closed form's own ~1e-15 as a floor)
    assert np.all(np.abs(v - exact) <= 10 * err + 1e-15 * np.abs(exact))


# ------------------------------------------------------------------ tanh etc. against mpmath
TANH_POINTS = [(0.01, 0.9999), (1.0, -0.5), (100.0, 0.999)]


@pytest.mark.parametrize("a,c", TANH_POINTS)
def test_tanh_two_point_against_mpmath(a, c):
    ks = Q.kernels(get_activation("tanh"))
    ref = float(highprec.two_point(get_activation("tanh"), a, a * c, DPS))
    assert _rel(ks.two_point(a, a * c), ref) < RTOL


def test_tanh_one_point_kernels_against_mpmath():
    tanh = get_activation("tanh")
    ks = Q.kernels(tanh)
    q = np.array([0.01, 1.0, 100.0])
    ref = np.array([float(highprec.one_point(tanh, x, DPS)) for x in q])
    refp = np.array([float(highprec.one_point_prime(tanh, x, DPS)) for x in q])
    assert np.max(_rel(ks.one_point(q), ref)) < RTOL
    assert np.max(_rel(ks.one_point_prime(q), refp)) < RTOL


# every built-in without a closed form: tests/test_gaussian.py::test_kernels_without_closed_form_*
@pytest.mark.parametrize("name", ["sigmoid", "silu"])
def test_smooth_activations_one_and_two_point(name):
    act = get_activation(name)
    ks = Q.kernels(act)
    a, c = 10.0, -0.9
    assert _rel(ks.two_point(a, a * c), float(highprec.two_point(act, a, a * c, DPS))) < RTOL
    assert _rel(ks.one_point_prime(3.0), float(highprec.one_point_prime(act, 3.0, DPS))) < RTOL


def test_shifted_relu_two_point_kernels():
    act = get_activation("shifted_relu", shift=0.5)
    ks = Q.kernels(act)
    a, b = 2.0, 1.9
    assert _rel(ks.two_point(a, b), float(highprec.two_point(act, a, b, DPS))) < RTOL
    assert _rel(ks.two_point_prime(a, b), float(highprec.two_point_prime(act, a, b, DPS))) < RTOL


# ------------------------------------------------------------------ Dirac atoms and identities
def test_step_function_atoms():
    ks = Q.kernels(get_activation("step"))
    assert np.all(np.isinf(ks.one_point_prime([0.5, 2.0])))
    a, b = np.array([0.5, 2.0, 3.0]), np.array([0.1, -1.0, 2.9])
    dens = 1 / (2 * np.pi * a * np.sqrt(1 - (b / a) ** 2))   # bivariate density at (0, 0)
    assert np.max(_rel(ks.two_point_prime(a, b), dens)) < RTOL
    # E[H(u1) H(u2)] = 1/4 + asin(c)/(2π)
    assert np.max(_rel(ks.two_point(a, b), 0.25 + np.arcsin(b / a) / (2 * np.pi))) < RTOL


def test_atom_with_regular_part():
    # φ = x + H(x): φ' = 1 + δ(x);  E[φ'φ'] = 1 + 2 p(0) + p2(0, 0)
    act = get_activation("x + Heaviside(x)")
    ks = Q.kernels(act)
    a, b = 2.0, 0.6
    exact = 1 + 2 / math.sqrt(2 * math.pi * a) + 1 / (2 * math.pi * a * math.sqrt(1 - 0.09))
    assert _rel(ks.two_point_prime(a, b), exact) < RTOL


def test_c_equal_one_collapses_to_one_point():
    ks = Q.kernels(get_activation("tanh"))
    q = np.array([0.05, 2.0, 60.0])
    assert np.max(_rel(ks.two_point(q, q), ks.one_point(q))) < RTOL
    assert np.max(_rel(ks.two_point_prime(q, q), ks.one_point_prime(q))) < RTOL


def test_broadcasting_and_parity_free_path_agree():
    a = np.array([[0.3], [30.0]])
    b = np.array([0.2, -0.25, 0.29]) * a / 0.3
    v1, _ = Q.two_point(np.tanh, np.tanh, a, b)                 # parity detected (odd·odd)
    v0, _ = Q.two_point(np.tanh, np.tanh, a, b, parity=0)       # full plane
    assert v1.shape == (2, 3)
    assert np.max(_rel(v1, v0)) < RTOL


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("q,msg", [(0.0, "q must be > 0"), (-1.0, "q must be > 0"),
                                   (np.nan, "finite"), (np.inf, "finite")])
def test_one_point_rejects_bad_q(q, msg):
    with pytest.raises(ValueError, match=msg):
        Q.one_point(np.tanh, q)


@pytest.mark.parametrize("a,b,msg", [(0.0, 0.0, "a must be > 0"), (-1.0, 0.0, "a must be > 0"),
                                     (1.0, 1.5, r"\|b\| must not exceed"), (1.0, -1.0001, r"\|b\| must not exceed"),
                                     (np.nan, 0.0, "finite"), (1.0, np.inf, "finite")])
def test_two_point_rejects_bad_input(a, b, msg):
    with pytest.raises(ValueError, match=msg):
        Q.two_point(np.tanh, np.tanh, a, b)
    with pytest.raises(ValueError, match=msg):
        Q.kernels(get_activation("tanh")).two_point_prime(a, b)


def test_nonfinite_integrand_is_an_error_not_nan():
    with pytest.raises(ValueError, match="not finite"):
        Q.one_point(lambda x: 1 / x, 1.0, kinks=[0.0])


# ------------------------------------------------------------------ dense grid (slow)
@pytest.mark.slow
def test_tanh_dense_grid_against_mpmath():
    tanh = get_activation("tanh")
    ks = Q.kernels(tanh)
    rng = np.random.default_rng(7)
    a = 10 ** rng.uniform(-2, 2, 25)
    c = np.concatenate([rng.uniform(-0.9999, 0.9999, 21), [0.9999, -0.9999, 0.99999, -0.999]])
    v = ks.two_point(a, a * c)
    vp = ks.two_point_prime(a, a * c)
    for i in range(a.size):
        ref = float(highprec.two_point(tanh, a[i], a[i] * c[i], DPS))
        refp = float(highprec.two_point_prime(tanh, a[i], a[i] * c[i], DPS))
        scale = float(highprec.one_point(tanh, a[i], DPS))
        assert abs(v[i] - ref) <= RTOL * max(abs(ref), 1e-3 * scale)
        assert abs(vp[i] - refp) <= RTOL * abs(refp)


# ------------------------------------------------------------------ regressions
def test_cancellation_at_c_zero_is_not_an_error():
    """I_tanh(a, 0) = E[tanh]² = 0: the target is relative to E|fg| there (it used to be relative
    to the largest value in the same call, so a lone c = 0 raised QuadratureError)."""
    ks = Q.kernels(get_activation("tanh"))
    a = np.array([0.01, 1.0, 100.0])
    v = ks.two_point(a, 0 * a)
    assert np.all(np.abs(v) <= 1e-15 * ks.one_point(a))


@pytest.mark.slow  # the mpmath witness takes ~25 s at a = 1e4
def test_very_steep_tanh_beyond_the_calibrated_range():
    """a = 1e4 (tanh(100 u)): the tensor grid overflowed there; the conditional scheme is used.
    Reference: mpmath quadrature of the definition (meanfield_sym.witnesses.highprec)."""
    tanh = get_activation("tanh")
    v = Q.kernels(tanh).two_point(1e4, 0.5e4)
    assert _rel(v, float(highprec.two_point(tanh, 1e4, 0.5e4, DPS))) < RTOL
