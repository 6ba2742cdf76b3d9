"""Order-parameter recursions, checked against routes independent of the kernel engine:

* textbook closed forms written here (arc-cosine kernel of ReLU, Cho & Saul 2009; Williams'
  erf kernel 1997), used as kernel providers;
* exact affine recursions of linear networks (Universal statistics supplement B.13–B.16);
* scipy quadrature of the defining Gaussian integrals (tanh), computed point by point;
* identities (coinciding inputs give q_2 = q_1, q̂_2 = q̂_1, q̃_2 = q̃_1).
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from meanfield_sym.meanfield import recursions as R

#: Closed forms evaluated in float64 by two different orderings of the same arithmetic.
FLOAT_TOL = 1e-13
#: scipy.integrate.quad with epsabs = epsrel = 1e-12 per integral, a few nested integrals deep.
QUAD_TOL = 1e-9


# ---------------------------------------------------------------------------------------------
# Independent providers
# ---------------------------------------------------------------------------------------------
class Linear:
    """φ(x) = x: E[φ²] = q, I_φ[a, b] = b, φ' = 1."""

    def one_point(self, q):
        return np.asarray(q, dtype=float)

    def one_point_prime(self, q):
        return np.ones_like(np.asarray(q, dtype=float))

    def two_point(self, a, b):
        return np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))[1] * 1.0

    def two_point_prime(self, a, b):
        return np.ones(np.broadcast_shapes(np.shape(a), np.shape(b)))


class TextbookReLU:
    """Arc-cosine kernel of degree 1 (Cho & Saul 2009) and its derivative kernel."""

    @staticmethod
    def _c(a, b):
        a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
        return a, np.clip(b / a, -1.0, 1.0)

    def one_point(self, q):
        return np.asarray(q, dtype=float) / 2

    def one_point_prime(self, q):
        return np.full(np.shape(q), 0.5)

    def two_point(self, a, b):
        a, c = self._c(a, b)
        return a / (2 * np.pi) * (np.sqrt(1 - c ** 2) + (np.pi - np.arccos(c)) * c)

    def two_point_prime(self, a, b):
        _, c = self._c(a, b)
        return (np.pi - np.arccos(c)) / (2 * np.pi)


class TextbookErf:
    """Williams (1997): E[erf(u1) erf(u2)] = (2/π) arcsin(2b / (1 + 2a)); erf' = 2/√π e^{-x²}."""

    def one_point(self, q):
        q = np.asarray(q, dtype=float)
        return 2 / np.pi * np.arcsin(2 * q / (1 + 2 * q))

    def one_point_prime(self, q):
        return 4 / np.pi / np.sqrt(1 + 4 * np.asarray(q, dtype=float))

    def two_point(self, a, b):
        a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
        return 2 / np.pi * np.arcsin(2 * b / (1 + 2 * a))

    def two_point_prime(self, a, b):
        a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
        return 4 / np.pi / np.sqrt((1 + 2 * a) ** 2 - 4 * b ** 2)


def _gauss(f, q):
    """E[f(√q u)] by scipy quad (the definition)."""
    s = np.sqrt(q)
    val, _ = integrate.quad(lambda z: f(s * z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi),
                            -np.inf, np.inf, epsabs=1e-13, epsrel=1e-12, limit=200)
    return val


def _gauss2(f, a, b):
    """E[f(u1) f(u2)], (u1, u2) ~ N(0, [[a, b], [b, a]]), nested scipy quad."""
    c = b / a
    s = np.sqrt(max(1 - c * c, 0.0))
    sa = np.sqrt(a)

    def inner(z1):
        v, _ = integrate.quad(lambda z2: f(sa * (c * z1 + s * z2)) * np.exp(-z2 * z2 / 2),
                              -np.inf, np.inf, epsabs=1e-13, epsrel=1e-12, limit=200)
        return v / np.sqrt(2 * np.pi)

    val, _ = integrate.quad(lambda z1: f(sa * z1) * inner(z1) * np.exp(-z1 * z1 / 2),
                            -np.inf, np.inf, epsabs=1e-12, epsrel=1e-11, limit=200)
    return val / np.sqrt(2 * np.pi)


# ---------------------------------------------------------------------------------------------
# Linear networks: affine recursions in closed form
# ---------------------------------------------------------------------------------------------
def test_linear_network_is_affine_over_a_grid():
    sw = np.linspace(0.5, 2.5, 5)[:, None]
    sb = np.linspace(0.0, 1.0, 4)[None, :]
    L = 4
    op = R.order_parameters(Linear(), sw, sb, L)
    assert op.shape == (5, 4)
    for l in range(0, L):
        # q̂^l = σ_w^{2l} + σ_b² Σ_{j<l} σ_w^{2j};  q̂_2^l = σ_b² Σ_{j<l} σ_w^{2j}
        geo = sum(sw ** j for j in range(l))
        np.testing.assert_allclose(op.qhat1[l], sw ** l + sb * geo, rtol=FLOAT_TOL)
        np.testing.assert_allclose(op.qhat2[l], sb * geo + 0 * sw, rtol=FLOAT_TOL, atol=0)
    for l in range(1, L + 1):
        np.testing.assert_allclose(op.qtilde1[l], sw ** (L - l) + 0 * sb, rtol=FLOAT_TOL)
        np.testing.assert_allclose(op.qtilde2[l], sw ** (L - l) + 0 * sb, rtol=FLOAT_TOL)
        np.testing.assert_allclose(op.q1[l], sw * op.qhat1[l - 1] + sb, rtol=FLOAT_TOL)
    assert op.qhat1[L] is None and op.q1[0] is None and op.qtilde1[0] is None


def test_per_layer_variances_compose_layer_by_layer():
    sws, sbs = [0.5, 2.0, 1.5], [0.1, 0.0, 0.3]
    op = R.order_parameters(Linear(), sws, sbs, 3, qhat1_0=2.0, qhat2_0=0.5)
    h, h2 = 2.0, 0.5
    for l in range(1, 3):
        h, h2 = sws[l - 1] * h + sbs[l - 1], sws[l - 1] * h2 + sbs[l - 1]
        assert op.qhat1[l] == pytest.approx(h, rel=FLOAT_TOL)
        assert op.qhat2[l] == pytest.approx(h2, rel=FLOAT_TOL)
    # backward uses the *next* layer's weight variance: q̃^l = σ_{w,l+1}² q̃^{l+1}
    assert op.qtilde1[2] == pytest.approx(sws[2], rel=FLOAT_TOL)
    assert op.qtilde1[1] == pytest.approx(sws[2] * sws[1], rel=FLOAT_TOL)


# ---------------------------------------------------------------------------------------------
# Textbook closed forms
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("prov", [TextbookReLU(), TextbookErf()], ids=["relu", "erf"])
def test_vectorised_grid_equals_pointwise_runs(prov):
    sw = np.array([[0.7], [1.9], [3.0]])
    sb = np.array([[0.0, 0.05, 0.64]])
    L = 5
    op = R.order_parameters(prov, sw, sb, L)
    for i in range(3):
        for j in range(3):
            # the recursion written out by hand, scalar by scalar
            s_w, s_b = float(sw[i, 0]), float(sb[0, j])
            h1, h2 = 1.0, 0.0
            q1s, q2s = [None], [None]
            for l in range(1, L + 1):
                a, b = s_w * h1 + s_b, s_w * h2 + s_b
                q1s.append(a), q2s.append(b)
                if l < L:
                    h1, h2 = float(prov.one_point(a)), float(prov.two_point(a, b))
                    assert op.qhat1[l][i, j] == pytest.approx(h1, rel=FLOAT_TOL)
                    assert op.qhat2[l][i, j] == pytest.approx(h2, rel=FLOAT_TOL, abs=1e-300)
            t1 = t2 = 1.0
            for l in range(L - 1, 0, -1):
                t1 = s_w * t1 * float(prov.one_point_prime(q1s[l]))
                t2 = s_w * t2 * float(prov.two_point_prime(q1s[l], q2s[l]))
                assert op.qtilde1[l][i, j] == pytest.approx(t1, rel=FLOAT_TOL)
                assert op.qtilde2[l][i, j] == pytest.approx(t2, rel=FLOAT_TOL)


def test_relu_variance_recursion_matches_supplement_b9():
    # supplement Eq. (B.9): q̂^{l+1} = q̂^l σ_w²/2 + σ_b²/2 ; the backward factor is σ_w²/2
    op = R.order_parameters(TextbookReLU(), 1.7, 0.2, 6)
    for l in range(1, 6):
        assert op.qhat1[l] == pytest.approx(op.qhat1[l - 1] * 1.7 / 2 + 0.2 / 2, rel=FLOAT_TOL)
    for l in range(1, 6):
        assert op.qtilde1[l] == pytest.approx((1.7 / 2) ** (6 - l), rel=FLOAT_TOL)


@pytest.mark.parametrize("prov", [TextbookReLU(), TextbookErf(), Linear()],
                         ids=["relu", "erf", "linear"])
def test_coinciding_inputs_give_equal_overlaps(prov):
    op = R.order_parameters(prov, np.array([0.8, 2.0, 2.9]), 0.3, 4, qhat1_0=1.3, qhat2_0=1.3)
    for l in range(1, 5):
        np.testing.assert_allclose(op.q2[l], op.q1[l], rtol=FLOAT_TOL)
        np.testing.assert_allclose(op.qtilde2[l], op.qtilde1[l], rtol=1e-12)
    for l in range(0, 4):
        np.testing.assert_allclose(op.qhat2[l], op.qhat1[l], rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Quadrature of the definitions (tanh has no closed form)
# ---------------------------------------------------------------------------------------------
class QuadTanh:
    """Kernel provider by scipy quadrature of the definitions (scalar points only)."""

    f = staticmethod(np.tanh)
    fp = staticmethod(lambda x: 1 / np.cosh(x) ** 2)

    def _vec(self, fn, *args):
        return np.vectorize(fn, otypes=[float])(*args)

    def one_point(self, q):
        return self._vec(lambda x: _gauss(lambda u: self.f(u) ** 2, x), q)

    def one_point_prime(self, q):
        return self._vec(lambda x: _gauss(lambda u: self.fp(u) ** 2, x), q)

    def two_point(self, a, b):
        return self._vec(lambda x, y: _gauss2(self.f, x, y), a, b)

    def two_point_prime(self, a, b):
        return self._vec(lambda x, y: _gauss2(self.fp, x, y), a, b)


def _engine(name):
    return R.resolve_kernels(name)


def test_tanh_depth3_engine_agrees_with_quadrature_of_the_definitions():
    ks = _engine("tanh")
    sw, sb, L = 3.0, 0.64, 3
    got = R.order_parameters(ks, sw, sb, L)
    ref = R.order_parameters(QuadTanh(), sw, sb, L)
    for name in ("qhat1", "qhat2"):
        for l in range(0, L):
            assert float(getattr(got, name)[l]) == pytest.approx(float(getattr(ref, name)[l]),
                                                                 rel=QUAD_TOL, abs=1e-12)
    for name in ("qtilde1", "qtilde2"):
        for l in range(1, L + 1):
            assert float(getattr(got, name)[l]) == pytest.approx(float(getattr(ref, name)[l]),
                                                                 rel=QUAD_TOL)


@pytest.mark.parametrize("name,prov", [("relu", TextbookReLU()), ("erf", TextbookErf())])
def test_names_resolve_through_the_engine(name, prov):
    _engine(name)
    sw, sb = np.array([1.0, 2.0, 3.0]), 0.1
    got = R.order_parameters(name, sw, sb, 4)
    ref = R.order_parameters(prov, sw, sb, 4)
    for k, vals in got.as_lists().items():
        for a, b in zip(vals, ref.as_lists()[k]):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# Fixed points and χ₁
# ---------------------------------------------------------------------------------------------
def test_relu_fixed_point_and_chi1_in_closed_form():
    sw = np.array([0.5, 1.0, 1.5, 1.9])
    sb = 0.2
    fp = R.fixed_point(TextbookReLU(), sw, sb)
    assert np.all(fp.converged) and not np.any(fp.diverged)
    # q* = σ_w² q*/2 + σ_b²  =>  q* = σ_b² / (1 − σ_w²/2);  χ₁ = σ_w²/2
    np.testing.assert_allclose(fp.q_star, sb / (1 - sw / 2), rtol=1e-11)
    np.testing.assert_allclose(fp.chi1, sw / 2, rtol=FLOAT_TOL)


def test_erf_fixed_point_solves_its_equation_to_mpmath_precision():
    import mpmath
    fp = R.fixed_point(TextbookErf(), 2.5, 0.3)
    assert bool(fp.converged)
    with mpmath.workdps(30):
        ref = mpmath.findroot(lambda q: 2.5 * 2 / mpmath.pi * mpmath.asin(2 * q / (1 + 2 * q))
                              + mpmath.mpf("0.3") - q, 1.0)
    assert float(fp.q_star) == pytest.approx(float(ref), rel=1e-11)
    assert float(fp.chi1) == pytest.approx(2.5 * 4 / np.pi / np.sqrt(1 + 4 * float(ref)),
                                           rel=1e-10)


def test_expanding_linear_map_is_reported_as_diverged():
    fp = R.fixed_point(Linear(), np.array([0.5, 1.5]), 0.1)
    assert fp.diverged.tolist() == [False, True]
    assert fp.q_star[0] == pytest.approx(0.1 / 0.5, rel=1e-11)
    # χ₁ = σ_w² E[φ'²] = σ_w² for φ(x) = x at every q, so also in the limit q → ∞
    assert np.isinf(fp.q_star[1]) and fp.chi1[1] == pytest.approx(1.5, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,match", [
    (dict(sigma_w2=-1.0, sigma_b2=0.1, depth=3), "variance"),
    (dict(sigma_w2=1.0, sigma_b2=np.array([0.1, -0.2]), depth=3), "variance"),
    (dict(sigma_w2=np.inf, sigma_b2=0.1, depth=3), "finite"),
    (dict(sigma_w2=1.0, sigma_b2=0.1, depth=0), "depth"),
    (dict(sigma_w2=1.0, sigma_b2=0.1, depth=2.5), "depth"),
    (dict(sigma_w2=[1.0, 2.0], sigma_b2=0.1, depth=3), "per-layer"),
    (dict(sigma_w2=1.0, sigma_b2=0.1, depth=3, qhat2_0=2.0), "qhat2_0"),
])
def test_bad_inputs_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        R.order_parameters(Linear(), **kwargs)


def test_wrong_number_of_layer_activations():
    with pytest.raises(ValueError, match="hidden layer"):
        R.order_parameters([Linear(), Linear()], 1.0, 0.1, 4)
