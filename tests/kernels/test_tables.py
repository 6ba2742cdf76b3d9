"""Tests of meanfield_sym.kernels.tables (Chebyshev tables of the kernels without closed forms).

References are independent of the tables: mpmath quadrature of the definitions
(meanfield_sym.witnesses.highprec, 20 digits), exact symmetries of the definitions (odd φ: I(a, −b) = −I(a, b),
I(a, 0) = E[φ]² = 0; c = 1: I(a, a) = E[φ(√a u)²]), and, for the interpolation machinery itself,
functions known in closed form.
"""
import math

import numpy as np
import pytest

from meanfield_sym.witnesses import highprec
from meanfield_sym.kernels import tables as KT
from meanfield_sym.kernels import quadrature as Q
from meanfield_sym.activation.function import get_activation
from meanfield_sym.kernels.kernel_set import kernels_for

#: The float64 target: 1e-12 relative (to max(|I|, 1e-3 E|φφ|), as in the quadrature).
RTOL = 1e-12
#: Digits asked of the mpmath witness.
DPS = 20
TANH = get_activation("tanh")


@pytest.fixture(scope="module")
def tanh_tables():
    ks = KT.kernels(TANH)
    ks.tables()
    return ks


def _rel(x, ref):
    return abs(float(x) / float(ref) - 1)


# ------------------------------------------------------------------ tanh against mpmath
# a across the tabulated range [1e-2, 1e2], c up to |c| = 0.9999 and 1, and c near 0 (relative
# accuracy of the odd kernel through c = 0 is what the h = I/(c E[φ²]) variable is for)
TWO_POINTS = [(0.01, -0.9999), (0.3, 1e-3), (1.0, 0.3), (4.0, -0.7), (100.0, 1.0)]
#: Steep: the mpmath witness needs from 40 s to minutes at each of these.
SLOW_TWO_POINTS = [(100.0, -0.05), (30.0, 0.9999), (100.0, -0.999), (2.0, 0.99999)]


@pytest.mark.parametrize("a,c", TWO_POINTS + [pytest.param(*p, marks=pytest.mark.slow)
                                               for p in SLOW_TWO_POINTS])
def test_tanh_two_point_kernels_against_mpmath(tanh_tables, a, c):
    ref = highprec.two_point(TANH, a, a * c, DPS)
    refp = highprec.two_point_prime(TANH, a, a * c, DPS)
    assert _rel(tanh_tables.two_point(a, a * c), ref) < RTOL
    assert _rel(tanh_tables.two_point_prime(a, a * c), refp) < RTOL


def test_tanh_one_point_kernels_against_mpmath(tanh_tables):
    for q in (1e-2, 0.07, 1.0, 13.0, 100.0):
        assert _rel(tanh_tables.one_point(q), highprec.one_point(TANH, q, DPS)) < RTOL
        assert _rel(tanh_tables.one_point_prime(q), highprec.one_point_prime(TANH, q, DPS)) < RTOL


def test_tanh_tables_cover_the_issue_range_and_validated(tanh_tables):
    tabs = tanh_tables.tables()
    assert set(tabs) == {"one_point", "one_point_prime", "two_point", "two_point_prime"}
    for name, tab in tabs.items():
        ok = np.concatenate(tab.ok) if isinstance(tab.ok, list) else tab.ok
        assert np.all(ok), name                                # every cell passed validation
        assert tab.max_error < KT.TABLE_RTOL, name
    lo, hi = tabs["two_point"].xb[[0, -1]]
    assert lo <= -2 and hi >= 2                                  # a in [1e-2, 1e2]


# ------------------------------------------------------------------ exact symmetries
def test_tanh_odd_symmetry_is_exact(tanh_tables):
    a = np.logspace(-2, 2, 7)[:, None]
    c = np.array([0.0, 1e-12, 1e-6, 0.2, 0.9, 0.9999, 1.0])[None, :]
    v, vm = tanh_tables.two_point(a, a * c), tanh_tables.two_point(a, -a * c)
    assert np.array_equal(vm, -v)
    assert np.all(v[:, 0] == 0.0)                                # I(a, 0) = E[tanh]² = 0
    # first order in c: I ≈ b E[φ'(√a u)]² (Price), so I/b is finite and smooth as c -> 0
    ratio = v[:, 1] / (a[:, 0] * 1e-12)
    assert np.max(np.abs(ratio / (v[:, 2] / (a[:, 0] * 1e-6)) - 1)) < 1e-9
    p, pm = tanh_tables.two_point_prime(a, a * c), tanh_tables.two_point_prime(a, -a * c)
    assert np.array_equal(p, pm)                                 # sech² is even


def test_c_equal_one_is_the_one_point_kernel(tanh_tables):
    q = np.array([0.011, 0.5, 7.0, 99.0])
    assert np.max(np.abs(tanh_tables.two_point(q, q) / tanh_tables.one_point(q) - 1)) < RTOL
    assert np.max(np.abs(tanh_tables.two_point_prime(q, q) / tanh_tables.one_point_prime(q) - 1)) \
        < RTOL


def test_outside_the_tables_the_quadrature_answers(tanh_tables):
    q = np.array([1e-5, 1e4])                                    # a_eff outside X_RANGE
    quad = Q.kernels(TANH)
    assert np.array_equal(tanh_tables.one_point(q), quad.one_point(q))
    assert np.array_equal(tanh_tables.two_point(q, 0.5 * q), quad.two_point(q, 0.5 * q))
    assert _rel(tanh_tables.two_point(1e-5, 0.5e-5), highprec.two_point(TANH, 1e-5, 0.5e-5, DPS)) \
        < RTOL


def test_broadcasting_and_shapes(tanh_tables):
    a = np.array([[0.3], [30.0]])
    b = np.array([0.2, -0.25, 0.29]) * a / 0.3
    v = tanh_tables.two_point(a, b)
    assert v.shape == (2, 3)
    assert tanh_tables.one_point(2.0).shape == ()
    ref = Q.kernels(TANH).two_point(a, b)                        # the per-point quadrature
    assert np.max(np.abs(v - ref) / Q.target(ref, np.abs(ref), RTOL)) < 1


@pytest.mark.parametrize("a,b,msg", [(0.0, 0.0, "a must be > 0"), (-1.0, 0.0, "a must be > 0"),
                                     (1.0, 1.5, r"\|b\| must not exceed"), (np.nan, 0.0, "finite"),
                                     (1.0, np.inf, "finite")])
def test_bad_input_is_an_error(tanh_tables, a, b, msg):
    with pytest.raises(ValueError, match=msg):
        tanh_tables.two_point(a, b)
    with pytest.raises(ValueError, match=msg):
        tanh_tables.two_point_prime(a, b)


@pytest.mark.parametrize("q", [0.0, -2.0, np.nan])
def test_bad_q_is_an_error(tanh_tables, q):
    with pytest.raises(ValueError):
        tanh_tables.one_point(q)


def test_kernel_set_uses_the_tables(tanh_tables):
    ks = kernels_for("tanh")
    a, b = np.array([0.7, 12.0]), np.array([0.3, -11.0])
    assert np.array_equal(ks.two_point(a, b), tanh_tables.two_point(a, b))
    assert np.array_equal(ks.one_point_prime(a), tanh_tables.one_point_prime(a))


# ------------------------------------------------------------------ an activation without parity
def test_sigmoid_tables_against_mpmath():
    act = get_activation("sigmoid")
    ks = KT.kernels(act)
    for a, c in [(0.05, -0.999), (2.0, 0.6)]:
        assert _rel(ks.two_point(a, a * c), highprec.two_point(act, a, a * c, DPS)) < RTOL
    assert _rel(ks.two_point_prime(3.0, -2.0), highprec.two_point_prime(act, 3.0, -2.0, DPS)) < RTOL
    assert np.all(np.concatenate(ks.tables()["two_point"].ok))


def test_tabulate_flag():
    act = get_activation("softplus")
    assert not KT.kernels(act).enabled                  # not calibrated: per-point quadrature
    assert KT.kernels(act, tabulate=True).enabled
    assert not KT.kernels(TANH, tabulate=False).enabled
    assert np.array_equal(KT.kernels(act).two_point(2.0, 0.5), Q.kernels(act).two_point(2.0, 0.5))


def test_activations_with_kinks_are_not_tabulated():
    ks = KT.kernels(get_activation("shifted_relu", shift=0.5))
    assert not ks.enabled
    assert np.array_equal(ks.two_point(2.0, 1.9), Q.kernels(ks.activation).two_point(2.0, 1.9))


# ------------------------------------------------------------------ the interpolation machinery
def test_build_1d_interpolates_a_known_function():
    f = lambda x: np.log1p(np.exp(x)) * np.cos(x)                     # noqa: E731
    tab = KT.build_1d(lambda x: (f(x), np.full(np.shape(x), 1e-13)), np.linspace(-3, 3, 7))
    x = np.random.default_rng(0).uniform(-3, 3, 1000)
    assert np.all(tab.ok)
    assert np.max(np.abs(tab(x) - f(x))) < 1e-13
    assert np.all(np.isnan(tab(np.array([-3.5, 3.5]))))               # outside: no extrapolation


def test_build_1d_marks_a_cell_it_cannot_fit():
    jump = lambda x: np.where(np.asarray(x) > 0.3, 1.0, 0.0)          # noqa: E731
    tab = KT.build_1d(lambda x: (jump(x), np.full(np.shape(x), 1e-13)), np.array([-1.0, 1.0]),
                      max_splits=3)
    assert not np.all(tab.ok)
    v = tab(np.array([-0.9, 0.31, 0.9]))
    assert np.isnan(v[1])                                            # the jump's cell: no value
    assert v[0] == 0.0 or abs(v[0]) < 1e-13


def test_build_2d_interpolates_a_known_function_deterministically():
    f = lambda x, y: np.exp(-x * y) * np.sin(3 * y) + x ** 3          # noqa: E731
    sample = lambda x, y: (f(x, y), np.full(np.shape(x), 1e-13))      # noqa: E731
    t1 = KT.build_2d(sample, np.array([-1.0, 0.0, 1.0]), np.array([0.0, 1.0, 2.0]))
    t2 = KT.build_2d(sample, np.array([-1.0, 0.0, 1.0]), np.array([0.0, 1.0, 2.0]))
    assert np.array_equal(t1.coef, t2.coef) and np.all(t1.ok)
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1, 1, 2000), rng.uniform(0, 2, 2000)
    assert np.max(np.abs(t1(x, y) - f(x, y))) < 1e-12
    assert math.isnan(t1(np.array([2.0]), np.array([1.0]))[0])


# ------------------------------------------------------------------ dense: interpolation error
def test_tanh_tables_match_per_point_quadrature_densely(tanh_tables):
    """3000 random points off the interpolation nodes, a in [1e-3, 10^2.5], all c: the tables
    against the per-point quadrature (itself checked against mpmath in test_quadrature.py), to
    the 1e-12 contract relative to max(|I|, 1e-3 E|fg|)."""
    rng = np.random.default_rng(11)
    a = 10 ** rng.uniform(-3, 2.5, 3000)
    c = np.concatenate([rng.uniform(-1, 1, 2900), 1 - 10 ** rng.uniform(-9, -1, 100)])
    for prime in (False, True):
        f = np.tanh if not prime else (lambda x: 1 / np.cosh(x) ** 2)
        ref, _, l1 = Q.two_point(f, f, a, a * c, scale=np.pi / 2, parity=1, known_scale=True,
                                 full_output=True)
        got = tanh_tables.two_point_prime(a, a * c) if prime else tanh_tables.two_point(a, a * c)
        assert np.max(np.abs(got - ref) / Q.target(ref, l1, RTOL)) < 1


@pytest.mark.slow
def test_tanh_tables_dense_against_mpmath(tanh_tables):
    rng = np.random.default_rng(5)
    a = 10 ** rng.uniform(-2, 2, 16)
    c = rng.uniform(-0.9999, 0.9999, 16)
    for ai, ci in zip(a, c):
        scale = float(highprec.one_point(TANH, ai, DPS))
        ref = float(highprec.two_point(TANH, ai, ai * ci, DPS))
        assert abs(tanh_tables.two_point(ai, ai * ci) - ref) <= RTOL * max(abs(ref), 1e-3 * scale)
        refp = highprec.two_point_prime(TANH, ai, ai * ci, DPS)
        assert _rel(tanh_tables.two_point_prime(ai, ai * ci), refp) < RTOL
