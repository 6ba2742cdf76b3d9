"""The fixed point q* of the variance map and χ₁, against 30-digit roots found by mpmath.

Witness: ``mpmath.findroot`` on the definition q = σ_w² E[φ(√q u)²] + σ_b², with the Gaussian
expectation by ``mpmath.quad`` of the activation itself (tanh) or by Williams' closed form
E[erf(√q u)²] = (2/π) asin(2q/(1 + 2q)) (erf) — independent of the package's kernels.
"""
import mpmath
import numpy as np
import pytest

from meanfield_sym.meanfield import fixed_point

#: float64 fixed points against 30-digit roots: the kernels' 1e-12 target, amplified by
#: 1/|1 − F'(q*)| (at most ~10 at the points below).
Q_RTOL = 1e-11


def _tanh_moment(q):
    return mpmath.quad(lambda u: mpmath.tanh(mpmath.sqrt(q) * u) ** 2
                       * mpmath.exp(-u * u / 2), [-mpmath.inf, 0, mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi)


def _erf_moment(q):
    return 2 / mpmath.pi * mpmath.asin(2 * q / (1 + 2 * q))


@pytest.mark.parametrize("name,moment,sw,sb,guess", [
    ("tanh", _tanh_moment, 3.0, 0.64, 2.3), ("tanh", _tanh_moment, 1.2, 0.0, 0.1),
    ("tanh", _tanh_moment, 1.0, 1e-4, 0.02), ("erf", _erf_moment, 1.0, 0.0, 0.14),
    ("erf", _erf_moment, 2.0, 0.3, 1.0)])
def test_fixed_point_is_the_30_digit_root(name, moment, sw, sb, guess):
    with mpmath.workdps(30):
        ref = mpmath.findroot(lambda q: sw * moment(q) + sb - q, guess)
    fp = fixed_point(name, sw, sb)
    assert bool(fp.converged) and not bool(fp.diverged)
    assert float(fp.q_star) == pytest.approx(float(ref), rel=Q_RTOL)


@pytest.mark.parametrize("sw", [1.0, 0.5, 1e-8])
def test_edge_of_chaos_and_ordered_phase_without_biases_give_q_star_zero(sw):
    """tanh, σ_b² = 0, σ_w² <= 1: q* = 0 (F(q) = σ_w² q − 2σ_w² q² + …); at σ_w² = 1 the root
    is double, where plain iteration never reaches a relative tolerance.  χ₁ → σ_w² φ'(0)²."""
    fp = fixed_point("tanh", sw, 0.0)
    assert bool(fp.converged) and float(fp.q_star) == 0.0
    assert float(fp.chi1) == pytest.approx(sw, rel=1e-12)


def test_relu_closed_form_and_divergence():
    fp = fixed_point("relu", np.array([1.5, 1.0, 2.5]), np.array([0.1, 0.3, 0.0]))
    # q* = σ_b² / (1 − σ_w²/2)
    np.testing.assert_allclose(fp.q_star[:2], [0.1 / 0.25, 0.3 / 0.5], rtol=1e-14)
    assert list(fp.converged) == [True, True, False] and list(fp.diverged) == [False, False, True]
    assert np.isinf(fp.q_star[2]) and fp.steps[0] <= 3
    # σ_w² = 2.5, no fixed point: χ₁ is the q → ∞ limit σ_w² P[u > 0] = 1.25 (chaotic)
    assert fp.chi1[2] == pytest.approx(1.25, rel=1e-12)


def test_relu_on_its_critical_line_reads_chi1_one():
    """(σ_w², σ_b²) = (2, 0.1), the Pathological spectra setting: q grows by σ_b² per layer
    (no fixed point), and χ₁ = σ_w²/2 = 1 at every q (Cho & Saul: E[step(u)²] = 1/2)."""
    fp = fixed_point("relu", 2.0, 0.1)
    assert bool(fp.diverged) and float(fp.chi1) == pytest.approx(1.0, rel=1e-12)
    fp = fixed_point("x**3", 1.0, 0.1)             # E[φ'²] = 27 q² grows without limit
    assert bool(fp.diverged) and np.isinf(float(fp.chi1))


def test_near_the_edge_of_chaos_newton_keeps_the_step_count_small():
    """With a tiny bias next to χ₁ = 1, plain iteration needs ~1/(1 − χ₁) steps; Newton few."""
    fp = fixed_point("tanh", 1.0, 1e-8)
    assert bool(fp.converged) and fp.iterations < 60


@pytest.mark.parametrize("kwargs,fragment", [({"tol": -1.0}, "tol"), ({"tol": 2.0}, "tol"),
                                             ({"maxiter": 0}, "maxiter"),
                                             ({"q_init": 0.0}, "q_init")])
def test_bad_settings_are_refused(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        fixed_point("relu", 1.5, 0.1, **kwargs)
