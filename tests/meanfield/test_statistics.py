"""Statistics against independent routes: explicit dual matrices and their numerical spectra,
brute-force sums for β₁–β₄, finite-dimensional NGD identities, momentum-GD simulation."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.special import ndtr

from meanfield_sym.meanfield import recursions as R
from meanfield_sym import meanfield as S

from .test_recursions import Linear, TextbookErf, TextbookReLU

#: Spectra of explicit matrices from numpy.linalg (a few hundred flops of rounding).
EIG_TOL = 1e-10
#: Two float64 orderings of the same finite sums.
SUM_TOL = 1e-12

RNG = np.random.default_rng(20240611)


def _spectrum_stats(matrix, dim):
    """mean, second moment, max eigenvalue of a D × D PSD matrix given its nonzero part."""
    ev = np.linalg.eigvalsh(matrix)
    return ev.sum() / dim, (ev ** 2).sum() / dim, ev.max()


def _K(k1, k2, N):
    return (k1 - k2) * np.eye(N) + k2 * np.ones((N, N))


# ---------------------------------------------------------------------------------------------
# The dual-matrix reading
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("N,C", [(1, 1), (7, 1), (5, 3)])
def test_dual_statistics_equal_explicit_spectrum(N, C):
    k1, k2, scale, dim = 1.7, 0.4, 3.3, 1000.0
    dual = np.kron(np.eye(C), scale * _K(k1, k2, N))
    m, s, lmax = _spectrum_stats(dual, dim)
    got = S.dual_statistics(k1, k2, scale, N, C, dim)
    assert got["mean"] == pytest.approx(m, rel=EIG_TOL)
    assert got["second_moment"] == pytest.approx(s, rel=EIG_TOL)
    assert got["lambda_max"] == pytest.approx(lmax, rel=EIG_TOL)


def test_fim_statistics_from_explicit_dual_of_theorem_3_1():
    k1, k2, a, M, N, C = 1.2, 0.3, 2.0, 500.0, 9, 2
    dual = np.kron(np.eye(C), a * M / N * _K(k1, k2, N))   # F* = αM/N K ⊗ I_C (Eq. A.4)
    m, s, lmax = _spectrum_stats(dual, a * M ** 2)
    got = S.fim_statistics(k1, k2, a, M, N, C)
    assert got["mean"] == pytest.approx(m, rel=EIG_TOL)
    assert got["second_moment"] == pytest.approx(s, rel=EIG_TOL)
    assert got["lambda_max"] == pytest.approx(lmax, rel=EIG_TOL)


def test_kappas_of_a_linear_network():
    sw, sb, L = 1.5, 0.2, 3
    op = R.order_parameters(Linear(), sw, sb, L)
    al = np.ones(L)
    k1, k2 = S.kappas(op, al)
    # q̂^0 = 1, q̂^1 = σ_w²+σ_b², q̂^2 = σ_w⁴+σ_b²(1+σ_w²); q̃^l = σ_w^{2(L-l)}; α = L − 1
    qh = [1.0, sw + sb, sw ** 2 + sb * (1 + sw)]
    qh2 = [0.0, sb, sb * (1 + sw)]
    qt = [None, sw ** 2, sw, 1.0]
    assert float(k1) == pytest.approx(sum(qt[l] * qh[l - 1] for l in (1, 2, 3)) / 2, rel=SUM_TOL)
    assert float(k2) == pytest.approx(sum(qt[l] * qh2[l - 1] for l in (1, 2, 3)) / 2, rel=SUM_TOL)


def test_kappa1_equals_kappa2_when_inputs_coincide():
    op = R.order_parameters(TextbookErf(), np.array([1.0, 3.0]), 0.64, 4, qhat2_0=1.0)
    k1, k2 = S.kappas(op, [1, 2, 1, 1])
    np.testing.assert_allclose(k1, k2, rtol=1e-12)
    k1n, k2n = S.kappas_ntk(op, [1, 2, 1, 1])
    np.testing.assert_allclose(k1n, k2n, rtol=1e-12)


def test_depth_one_has_no_fisher_statistics():
    op = R.order_parameters(Linear(), 1.0, 0.1, 1)
    with pytest.raises(ValueError, match="depth >= 2"):
        S.kappas(op, [1.0])
    out = S.network_statistics(Linear(), 1.0, 0.1, 1)
    assert out["kappa1"] is None and out["alpha"] == 0


def test_block_traces_add_up_to_the_full_trace():
    # Σ_l m^l P_l = m_λ P exactly (App. A.2 additivity), output layer with α_L = C/M
    op = R.order_parameters(TextbookReLU(), 1.8, 0.1, 4)
    al, M, N, C = np.array([1.0, 2.0, 0.5, 1.5]), 300.0, 11, 3
    a = S.alpha(al)
    k1, k2 = S.kappas(op, al)
    full = S.fim_statistics(k1, k2, a, M, N, C)
    blocks = S.fim_blocks(op, al, M, N, C)
    dims = [al[l] * al[l - 1] * M ** 2 for l in (1, 2, 3)] + [C * al[3] * M]
    assert sum(b["mean"] * d for b, d in zip(blocks, dims)) == pytest.approx(
        full["mean"] * a * M ** 2, rel=SUM_TOL)
    # each block's λ_max is its explicit dual's top eigenvalue
    for l, b in enumerate(blocks, start=1):
        dual = al[l - 1] * M / N * _K(float(op.qtilde1[l] * op.qhat1[l - 1]),
                                       float(op.qtilde2[l] * op.qhat2[l - 1]), N)
        assert b["lambda_max"] == pytest.approx(np.linalg.eigvalsh(dual).max(), rel=EIG_TOL)


def test_ntk_statistics_are_over_the_cn_eigenvalues():
    k1, k2, a, N, C = 2.0, 0.7, 3.0, 6, 4
    theta = np.kron(np.eye(C), a * _K(k1, k2, N))
    m, s, lmax = _spectrum_stats(theta, C * N)
    got = S.ntk_statistics(k1, k2, a, N, C)
    assert (got["mean"], got["second_moment"], got["lambda_max"]) == pytest.approx(
        (m, s, lmax), rel=EIG_TOL)


def test_feature_metric_from_explicit_dual():
    op = R.order_parameters(TextbookErf(), [2.0, 3.0, 1.0], 0.5, 3)
    al, M, N, C = np.array([1.0, 2.0, 1.0]), 400.0, 5, 2
    at = al.sum()
    k1 = sum(op.sigma_w2[l] * op.qtilde1[l] for l in (1, 2, 3)) / at
    k2 = sum(op.sigma_w2[l] * op.qtilde2[l] for l in (1, 2, 3)) / at
    dual = np.kron(np.eye(C), at / N * _K(float(k1), float(k2), N))   # Eq. (D.2) per output
    m, s, lmax = _spectrum_stats(dual, at * M)
    got = S.feature_metric_statistics(op, al, M, N, C)
    assert (got["mean"], got["second_moment"], got["lambda_max"]) == pytest.approx(
        (m, s, lmax), rel=EIG_TOL)
    blocks = S.feature_metric_blocks(op, al, M, N, C)
    # the blocks' traces add up to the trace of A
    assert sum(b["mean"] * al[l] * M for l, b in enumerate(blocks)) == pytest.approx(
        got["mean"] * at * M, rel=SUM_TOL)


# ---------------------------------------------------------------------------------------------
# Bounds, learning rate, Fisher–Rao
# ---------------------------------------------------------------------------------------------
def test_count_bound_holds_on_the_explicit_spectrum():
    k1, k2, a, M, N, C = 1.1, 0.4, 2.0, 50.0, 8, 2
    ev = np.linalg.eigvalsh(np.kron(np.eye(C), a * M / N * _K(k1, k2, N)))
    for k in (0.1, 1.0, 5.0, 40.0):
        count = int(np.sum(ev >= k))
        assert count <= S.count_bound(k1, a, M, N, C, k) + 1e-9


def test_large_classes_bounds_bracket_the_leading_order_matrix():
    # leading-order dual I_C ⊗ (αM/N)K of a C = O(M) network; dimension = the exact P
    k1, k2, M, N, C = 1.3, 0.5, 80.0, 6, 40
    alphas = [1.0, 1.0, 1.0]
    a = S.alpha(alphas)
    P = 2 * 80 * 80 + 40 * 80                                  # weights only, by hand
    dual = np.kron(np.eye(C), a * M / N * _K(k1, k2, N))
    m, s, lmax = _spectrum_stats(dual, P)
    b = S.large_classes_bounds(k1, k2, a, M, N, C, alphas=alphas, biases=False)
    assert b["parameter_count"] == P
    assert b["mean"] == pytest.approx(m, rel=EIG_TOL)
    assert b["second_moment_lower"] == pytest.approx(s, rel=EIG_TOL)  # block-diagonal: equality
    assert s <= b["second_moment_upper"] * (1 + EIG_TOL)
    assert b["lambda_max_lower"] <= lmax * (1 + EIG_TOL)
    assert lmax <= b["lambda_max_upper_triangle"] <= b["lambda_max_upper"] * (1 + EIG_TOL)
    # the printed forms divide by αM² and put the lower bound above the matrix's own s'
    assert b["mean_printed"] == pytest.approx(C * k1 / M, rel=SUM_TOL)
    assert s < b["second_moment_lower_printed"]


@pytest.mark.parametrize("alphas,M,C,bias", [([1, 1, 1], 10, 7, True), ([1, 2, 0.5], 10, 3, True),
                                             ([2, 1], 6, 12, False), ([1], 9, 4, True)])
def test_parameter_count_equals_the_sampled_networks_count(alphas, M, C, bias):
    from meanfield_sym.witnesses import finite_width as E
    widths = [int(round(a * M)) for a in alphas]
    net = E.sample_network("relu", widths, C, 2.0, 0.1, bias=bias, seed=1)
    assert S.parameter_count(alphas, M, C, biases=bias) == net.n_params


#: |mean of networks − exact expectation| <= Z_MC standard errors (the formulas below are exact
#: in expectation at every width for linear networks, so only sampling noise is left)
Z_MC = 4.0


def test_large_classes_mean_against_linear_networks():
    # linear nets: δ^l and h^{l−1} depend on disjoint layers, so E[tr F] = C Σ_l q̃^l(M q̂^{l−1}
    # + 1) exactly at any width; C = M makes P/(αM²) ≈ 1.6, far from the printed count
    from meanfield_sym.witnesses import finite_width as E
    L, M, C, N, sw, sb = 3, 12, 12, 2, 1.3, 0.2
    op = R.order_parameters(Linear(), sw, sb, L)
    al = [1.0] * L
    k1, k2 = S.kappas(op, al)
    b = S.large_classes_bounds(k1, k2, S.alpha(al), M, N, C, alphas=al,
                               qtilde_sum=sum(op.qtilde1[l] for l in range(1, L + 1)))
    vals = np.array([E.simulate("linear", depth=L, width=M, samples=N, classes=C, sigma_w2=sw,
                                sigma_b2=sb, seed=ss).fisher_stats().mean
                     for ss in np.random.SeedSequence(99).spawn(300)])
    se = vals.std(ddof=1) / np.sqrt(vals.size)
    assert abs(vals.mean() - b["mean"]) <= Z_MC * se
    assert abs(vals.mean() - b["mean_printed"]) > 10 * se


@pytest.mark.slow
def test_large_classes_mean_against_relu_networks_at_width_400():
    # reproduces the resolution of the "~4 % gap" of mc_ngd_large_c (3 networks at M = 800):
    # with 40 networks the exact-P formula is within noise
    from meanfield_sym.witnesses import finite_width as E
    L, M, N, sw, sb = 3, 400, 10, 2.0, 0.1
    C = M // 10
    st = S.network_statistics("relu", sw, sb, L, width=M, samples=N, classes=C)
    b = st["fim_large_classes"]
    vals = np.array([E.simulate("relu", depth=L, width=M, samples=N, classes=C, sigma_w2=sw,
                                sigma_b2=sb, seed=ss).fisher_stats().mean
                     for ss in np.random.SeedSequence(4242).spawn(40)])
    se = vals.std(ddof=1) / np.sqrt(vals.size)
    # the O(1/M) finite-width bias of tr F is far below the noise (measured: 1.004 ± 0.009)
    assert abs(vals.mean() - b["mean"]) <= Z_MC * se
    assert abs(vals.mean() - b["mean_printed"]) > Z_MC * se


def _momentum_gd_converges(eta, lam, mu, steps=4000):
    x_prev, x = 1.0, 1.0
    for _ in range(steps):
        x_prev, x = x, x - eta * lam * x + mu * (x - x_prev)
        if abs(x) > 1e6:
            return False
    return abs(x) < 1e-3


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_eta_critical_separates_convergence_from_divergence(mu):
    lam = 37.0
    eta_c = float(S.eta_critical(lam, mu))
    assert _momentum_gd_converges(0.98 * eta_c, lam, mu)
    assert not _momentum_gd_converges(1.02 * eta_c, lam, mu)


def test_eta_critical_rejects_bad_momentum():
    with pytest.raises(ValueError, match="momentum"):
        S.eta_critical(10.0, 1.0)


# ---------------------------------------------------------------------------------------------
# Fisher–Rao norm (Universal statistics Theorem 5)
# ---------------------------------------------------------------------------------------------
#: mpmath quadrature at 30 digits against float64 quadrature (target 1e-12) through a few
#: layers of a recursion
MP_TOL = 1e-10


def test_fisher_rao_printed_equality_for_equal_widths_and_bound_otherwise():
    op = R.order_parameters(TextbookReLU(), 1.5, 0.2, 4)
    fr = S.fisher_rao_printed(op, [1, 1, 1, 1], C=3)
    k1, _ = S.kappas(op, [1, 1, 1, 1])
    assert float(fr["value"]) == pytest.approx(3 * 1.5 * 3 * float(k1), rel=SUM_TOL)  # (L−1)σ²Cκ₁
    assert float(fr["bound"]) == pytest.approx(float(fr["value"]), rel=SUM_TOL)
    assert float(fr["bound_printed"]) == pytest.approx(3 * float(fr["value"]), rel=SUM_TOL)
    fr2 = S.fisher_rao_printed(op, [2.0, 1.0, 3.0, 1.0], C=3)
    assert float(fr2["value"]) == pytest.approx(float(fr["value"]), rel=SUM_TOL)  # width-free
    assert float(fr2["value"]) < float(fr2["bound"])


@pytest.mark.parametrize("name,params,second_moment_factor", [
    ("relu", {}, 0.5), ("linear", {}, 1.0), ("leaky_relu", {"slope": 0.2}, (1 + 0.04) / 2)])
def test_fisher_rao_of_bias_free_homogeneous_nets_is_L_squared_q(name, params,
                                                                 second_moment_factor):
    # Euler: θ_Wᵀ∇_W f = L f for degree-1 homogeneous φ without biases, so ⟨‖θ‖_FR⟩ = C L² q^L
    # with the textbook q^L = σ_w² (c σ_w²)^{L−1} q̂⁰ (E[φ(u)²] = c q); (A.50) gives C L q^L
    from meanfield_sym.activation.function import get_activation
    act = get_activation(name, **params)
    sw = np.array([[0.7], [1.9], [3.0]])
    qh0 = np.array([0.5, 1.0, 2.5])
    for L in (1, 2, 4):
        fr = S.fisher_rao(act, sw, 0.0, L, classes=3, qhat1_0=qh0)
        qL = sw * (second_moment_factor * sw) ** (L - 1) * qh0
        np.testing.assert_allclose(fr["value"], 3 * L ** 2 * qL, rtol=SUM_TOL * 10)
        np.testing.assert_allclose(fr["printed"], 3 * L * qL, rtol=SUM_TOL * 10)
        np.testing.assert_allclose(fr["ratio"], L, rtol=SUM_TOL * 10)
        if L > 1:
            assert not np.any(fr["bound_holds"])           # Theorem 5's bound fails


def test_fisher_rao_of_linear_nets_with_biases_and_per_layer_variances():
    # f = W^L⋯W^1 x + Σ_l W^L⋯W^{l+1} b^l: the input path has degree L in the weights and the
    # path of b^l degree L − l, so D = ∂_s f(sW, b)|_(s=1) = L·(input path) + Σ_l (L − l)·(b^l
    # path); the paths are uncorrelated, so at any width
    # E[D²] = L² Π_m σ_w,m² q̂⁰ + Σ_l (L − l)² Π_{m>l} σ_w,m² σ_b,l²
    sw = [1.5, 0.8, 2.0, 1.1]
    sb = [0.2, 0.0, 0.7, 0.3]
    L, qh0 = 4, 1.7
    expect = L ** 2 * np.prod(sw) * qh0
    for l in range(1, L):
        expect += (L - l) ** 2 * np.prod(sw[l:]) * sb[l - 1]
    fr = S.fisher_rao("linear", sw, sb, L, classes=2, qhat1_0=qh0)
    assert float(fr["value"]) == pytest.approx(2 * expect, rel=SUM_TOL * 10)


def _mp_gauss(f, q):
    import mpmath
    s = mpmath.sqrt(q)
    return mpmath.quad(lambda z: f(s * z) * mpmath.exp(-z * z / 2), [-mpmath.inf, 0, mpmath.inf]
                       ) / mpmath.sqrt(2 * mpmath.pi)


def _mp_tangent(phis, sw, sb, qh0, C):
    """The tangent recursion with every Gaussian moment by mpmath quadrature (30 digits)."""
    import mpmath
    with mpmath.workdps(30):
        q = sw[0] * qh0 + sb[0]
        c = r = mpmath.mpf(sw[0]) * qh0
        for l, (phi, dphi) in enumerate(phis, start=1):
            p2 = _mp_gauss(lambda u: phi(u) ** 2, q)
            upd = _mp_gauss(lambda u: u * phi(u) * dphi(u), q)
            u2d2 = _mp_gauss(lambda u: (u * dphi(u)) ** 2, q)
            d2 = _mp_gauss(lambda u: dphi(u) ** 2, q)
            e_hz = p2 + c / q * upd
            e_z2 = p2 + 2 * c / q * upd + (c / q) ** 2 * u2d2 + (r - c * c / q) * d2
            q, c, r = sw[l] * p2 + sb[l], sw[l] * e_hz, sw[l] * e_z2
        return float(C * r)


def test_fisher_rao_tanh_and_mixed_layers_against_mpmath():
    import mpmath
    tanh = (mpmath.tanh, lambda u: mpmath.sech(u) ** 2)
    erf = (mpmath.erf, lambda u: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-u * u))
    fr = S.fisher_rao("tanh", 3.0, 0.64, 3, classes=5)
    assert float(fr["value"]) == pytest.approx(_mp_tangent([tanh, tanh], [3.0] * 3, [0.64] * 3,
                                                           1.0, 5), rel=MP_TOL)
    sw, sb = [1.2, 2.5, 0.9, 1.7], [0.1, 0.3, 0.0, 0.2]
    fr = S.fisher_rao(["tanh", "erf", "tanh"], sw, sb, 4, classes=2, qhat1_0=0.8)
    assert float(fr["value"]) == pytest.approx(
        _mp_tangent([tanh, erf, tanh], sw, sb, 0.8, 2), rel=MP_TOL)


@pytest.mark.parametrize("route", ["printed", "quadrature"])
def test_tangent_moment_u_phi_dphi_is_q_times_the_q_derivative_of_erf_kernel(route):
    # E[u φ φ'] = q d/dq E[φ(√q z)²]; Williams: E[erf²] = (2/π) asin(2q/(1+2q)) (mpmath's
    # numerical derivative of the textbook form is the reference; both evaluation routes)
    import mpmath
    from meanfield_sym.kernels import quadrature
    from meanfield_sym.kernels.kernel_set import kernels_for
    qs = np.array([0.01, 0.3, 1.0, 7.0, 100.0])
    m = (kernels_for("erf").tangent_moments(qs) if route == "printed"
         else quadrature.tangent_moments("erf", qs))
    ref = [float(q * mpmath.diff(lambda x: 2 / mpmath.pi * mpmath.asin(2 * x / (1 + 2 * x)), q))
           for q in qs]
    np.testing.assert_allclose(m["u_phi_dphi"], ref, rtol=MP_TOL)
    # E[u² φ'²] with φ' = (2/√π) e^{-x²}: (4/π) E[u² e^{-2u²}] = (4/π) q (1 + 4q)^{-3/2}
    ref2 = [float(4 / mpmath.pi * q * (1 + 4 * q) ** mpmath.mpf(-1.5)) for q in qs]
    np.testing.assert_allclose(m["u2_dphi2"], ref2, rtol=MP_TOL)


def test_fisher_rao_is_infinite_for_point_masses_and_needs_the_activation():
    assert np.isinf(S.fisher_rao("step", 1.0, 0.1, 3)["value"])
    with pytest.raises(ValueError, match="activation itself"):
        S.fisher_rao(Linear(), 1.0, 0.1, 3)
    with pytest.raises(ValueError, match="per-layer activations"):
        S.fisher_rao(["relu"], 1.0, 0.1, 3)
    with pytest.raises(ValueError, match="classes"):
        S.fisher_rao("relu", 1.0, 0.1, 3, classes=0)
    out = S.network_statistics(Linear(), 1.0, 0.1, 3)          # a bare kernel provider
    assert out["fisher_rao"] is None and out["fisher_rao_printed"] is not None
    assert any("fisher_rao" in n for n in out["notes"])


def _fisher_rao_norm(w):
    """(1/N) Σ_{k,n} (Σ_l δ^l_k(n)·(W^l h^{l−1}(n)))²: θ_Wᵀ F θ_W of one sampled network."""
    d = 0
    for l, delta in enumerate(w.deltas(), start=1):
        d = d + np.einsum("kni,ni->kn", delta, w.forward.h[l - 1] @ w.network.weights[l - 1].T)
    return float(np.sum(d * d) / w.samples)


def test_fisher_rao_against_finite_linear_networks():
    # exact in expectation at every width for linear nets (x ~ N(0, I): E q̂⁰ = 1)
    from meanfield_sym.witnesses import finite_width as E
    L, M, C, N, sw, sb = 3, 10, 2, 2, 1.2, 0.3
    fr = S.fisher_rao("linear", sw, sb, L, classes=C)
    vals = np.array([_fisher_rao_norm(E.simulate("linear", depth=L, width=M, samples=N,
                                                 classes=C, sigma_w2=sw, sigma_b2=sb, seed=ss))
                     for ss in np.random.SeedSequence(5).spawn(2000)])
    se = vals.std(ddof=1) / np.sqrt(vals.size)
    assert abs(vals.mean() - float(fr["value"])) <= Z_MC * se
    assert abs(vals.mean() - float(fr["printed"])) > 10 * se


# ---------------------------------------------------------------------------------------------
# Softmax
# ---------------------------------------------------------------------------------------------

def _random_probs(N, C):
    z = RNG.normal(size=(N, C)) * 1.5
    g = np.exp(z)
    return g / g.sum(axis=1, keepdims=True)


def _Q(g_n):
    return np.diag(g_n) - np.outer(g_n, g_n)


def test_betas_equal_brute_force_sums_of_theorem_3_3():
    g = _random_probs(7, 4)
    N, C = g.shape
    b = S.softmax_betas(g)
    beta1 = 1 - sum((g[n] ** 2).sum() for n in range(N)) / N
    beta2 = sum(np.sum(_Q(g[n]) * _Q(g[m])) for n in range(N) for m in range(N) if n != m) / N ** 2
    beta3 = sum(np.sum(_Q(g[n]) ** 2) for n in range(N)) / N
    beta4 = max(sum(g[n, k] * (1 - g[n, k]) for n in range(N)) / N for k in range(C))
    assert (b["beta1"], b["beta2"], b["beta3"], b["beta4"]) == pytest.approx(
        (beta1, beta2, beta3, beta4), rel=SUM_TOL)
    # the printed β₂ (three sums) is the same number
    printed2 = sum(g[m] @ g[n] - 2 * (g[m] ** 2) @ g[n] + (g[m] @ g[n]) ** 2
                   for n in range(N) for m in range(N) if n != m) / N ** 2
    assert b["beta2"] == pytest.approx(printed2, rel=SUM_TOL)


def test_softmax_statistics_against_explicit_q_times_dual():
    g = _random_probs(6, 3)
    N, C = g.shape
    k1, k2, a, M = 1.4, 0.45, 2.0, 200.0
    # F*_cross = Q F*, with F* = αM/N K ⊗ I_C arranged by (class, sample) (App. B.1)
    Fstar = np.kron(np.eye(C), a * M / N * _K(k1, k2, N))
    Q = np.zeros((C * N, C * N))
    for k, kp in itertools.product(range(C), range(C)):
        Q[k * N:(k + 1) * N, kp * N:(kp + 1) * N] = np.diag(
            g[:, k] * (k == kp) - g[:, k] * g[:, kp])
    X = Q @ Fstar
    P = a * M ** 2
    ev = np.sort(np.real(np.linalg.eigvals(X)))
    out = S.softmax_fim_statistics(S.softmax_betas(g), k1, k2, a, M)
    assert out["mean"] == pytest.approx(np.trace(X) / P, rel=EIG_TOL)
    assert out["second_moment"] == pytest.approx(np.trace(X @ X) / P, rel=EIG_TOL)
    assert out["lambda_max_lower"] <= ev[-1] * (1 + EIG_TOL)
    assert ev[-1] <= out["lambda_max_upper"] * (1 + EIG_TOL)
    assert all(bool(v) for v in out["comparison_28"].values())


@pytest.mark.parametrize("N,C,M", [(6, 3, 150.0), (40, 5, 1000.0), (80, 4, 2000.0)])
def test_softmax_outliers_bound_the_explicit_spectrum(N, C, M):
    # full leading-order dual F* = (αM/N) K ⊗ I_C sandwiched by Q: its top C − 1 eigenvalues lie
    # in [αMκ₂μ_k, αMκ₂μ_k + b], the C-th below b (Weyl); b stays O(1) when N ∝ M
    k1, k2, a = 1.6, 0.5, 2.0
    g = _random_probs(N, C)
    Qn = np.zeros((C * N, C * N))
    for n in range(N):
        idx = np.arange(C) * N + n
        Qn[np.ix_(idx, idx)] = _Q(g[n])
    F = np.kron(np.eye(C), a * M / N * _K(k1, k2, N))
    w, V = np.linalg.eigh(Qn)
    Qh = (V * np.sqrt(np.clip(w, 0, None))) @ V.T
    lam = np.sort(np.linalg.eigvalsh(Qh @ F @ Qh))[::-1]
    out = S.softmax_outliers(g, k1, k2, a, M)
    tol = EIG_TOL * lam[0]
    assert out["count"] == C - 1 and out["outliers"].shape == (C - 1,)
    assert np.all(lam[:C - 1] >= out["outliers"] - tol)
    assert np.all(lam[:C - 1] <= out["outliers_upper"] + tol)
    assert lam[C - 1] <= out["lambda_C_upper"] + tol
    assert abs(out["qbar_eigenvalues"][-1]) <= EIG_TOL          # Q̄ 1 = 0


@pytest.mark.parametrize("probs,match", [
    ([[0.5, 0.6]], "sum to 1"),
    ([[1.2, -0.2]], "non-negative"),
    ([[np.nan, 1.0]], "finite"),
    (np.ones((2, 2, 2)) / 2, "N x C"),
])
def test_bad_probabilities(probs, match):
    with pytest.raises(ValueError, match=match):
        S.softmax_betas(probs)


# ---------------------------------------------------------------------------------------------
# Natural-gradient constants: finite-dimensional identities
# ---------------------------------------------------------------------------------------------
def test_tri_diagonal_constant_against_linear_algebra():
    """1ᵀΣ⁻¹1 by a linear solve where Σ is invertible, 1ᵀΣ⁺1 by the pseudo-inverse where it
    is singular (L = 3s + 2, with 1 in Σ's range), and the damped limit ρ → 0 agrees."""
    for L in range(1, 21):
        sig = np.eye(L) + np.eye(L, k=1) + np.eye(L, k=-1)
        one = np.ones(L)
        singular = np.linalg.matrix_rank(sig) < L
        assert singular == (L % 3 == 2)
        ref = one @ np.linalg.pinv(sig) @ one if singular else one @ np.linalg.solve(sig, one)
        assert S.tri_diagonal_constant(L) == pytest.approx(ref, rel=1e-9)
        damped = one @ np.linalg.solve(sig + 1e-9 * np.eye(L), one)
        assert damped == pytest.approx(ref, rel=1e-6)
    assert S.layer_wise_constant(np.eye(5)) == pytest.approx(5.0)


def test_layer_wise_coefficient_is_one_sigma_inverse_one():
    """J G⁺ Jᵀ/N = (1ᵀΣ⁻¹1) I for G = J̃ᵀ(Σ⊗I)J̃/N with full-row-rank layer Jacobians."""
    N, sizes = 3, [5, 7, 4, 6]
    L = len(sizes)
    blocks = [RNG.normal(size=(N, p)) for p in sizes]
    J = np.hstack(blocks)
    Jt = np.zeros((L * N, sum(sizes)))
    off = 0
    for l, b in enumerate(blocks):
        Jt[l * N:(l + 1) * N, off:off + b.shape[1]] = b
        off += b.shape[1]
    for sig in (np.eye(L), np.eye(L) + np.eye(L, k=1) + np.eye(L, k=-1)):
        G = Jt.T @ np.kron(sig, np.eye(N)) @ Jt / N
        coef = J @ np.linalg.pinv(G, rcond=1e-10) @ J.T / N
        np.testing.assert_allclose(coef, S.layer_wise_constant(sig) * np.eye(N), atol=1e-8)


def _kfac_coefficient(N, widths, averaged):
    """Finite K-FAC: G_l = B_l ⊗ A_{l−1}, C = 1, last layer δ^L = 1."""
    L = len(widths) - 1
    H = [RNG.normal(size=(N, widths[l])) for l in range(L)]        # h^{l−1}(n) rows
    D = [RNG.normal(size=(N, widths[l])) for l in range(1, L)] + [np.ones((N, 1))]
    total = np.zeros((N, N))
    for l in range(L):
        J = np.einsum("ni,nj->nij", D[l], H[l]).reshape(N, -1)   # rows δ(n) ⊗ h(n)
        A = H[l].T @ H[l] / N
        if averaged:
            B = D[l].T @ D[l] / N
        else:
            B = D[l].T @ D[l] if l < L - 1 else np.ones((1, 1))
        G = np.kron(B, A)
        total += J @ np.linalg.pinv(G, rcond=1e-10) @ J.T / N
    return total


def test_kfac_constants_in_both_normalisations():
    N, widths = 3, [4, 6, 5, 7]          # N <= M_0: linearly independent inputs
    L = len(widths) - 1
    out = S.ngd_layer_wise(L, samples=N)
    np.testing.assert_allclose(_kfac_coefficient(N, widths, averaged=False),
                               out["kfac"]["constant"] * np.eye(N), atol=1e-8)
    np.testing.assert_allclose(_kfac_coefficient(N, widths, averaged=True),
                               out["kfac"]["averaged_definition"]["constant"] * np.eye(N),
                               atol=1e-7)


def test_unit_wise_coefficient_counts_active_units():
    """J G_unit⁺ Jᵀ/N = Σ_units diag(1[δ_i(n) ≠ 0]) in a small ReLU network (C = 1)."""
    N, M0, M1, M2 = 4, 6, 9, 8
    X = RNG.normal(size=(N, M0))
    W1, W2, W3 = (RNG.normal(size=s) / np.sqrt(s[1]) for s in [(M1, M0), (M2, M1), (1, M2)])
    b1, b2 = RNG.normal(size=M1) * 0.3, RNG.normal(size=M2) * 0.3
    u1 = X @ W1.T + b1
    h1 = np.maximum(u1, 0)
    u2 = h1 @ W2.T + b2
    h2 = np.maximum(u2, 0)
    d2 = (u2 > 0) * W3[0]                      # δ^2 = φ'(u²) ∘ W³
    d1 = (u1 > 0) * (d2 @ W2)                  # δ^1
    units = [(d1[:, i], np.hstack([X, np.ones((N, 1))])) for i in range(M1)]
    units += [(d2[:, i], np.hstack([h1, np.ones((N, 1))])) for i in range(M2)]
    units += [(np.ones(N), np.hstack([h2, np.ones((N, 1))]))]
    coef = np.zeros((N, N))
    count = np.zeros(N)
    for delta, inp in units:
        J = delta[:, None] * inp              # rows: ∂f(n)/∂(incoming weights, bias)
        coef += J @ np.linalg.pinv(J.T @ J / N, rcond=1e-10) @ J.T / N
        count += delta != 0
    np.testing.assert_allclose(coef, np.diag(count), atol=1e-8)


@pytest.mark.parametrize("name,params,q,expected", [
    ("relu", {}, 2.0, 0.5),
    ("tanh", {}, 0.7, 1.0),
    ("leaky_relu", {"slope": 0}, 1.0, 0.5),
    ("leaky_relu", {"slope": 0.1}, 1.0, 1.0),
    ("step", {}, 1.0, 0.0),
    ("shifted_relu", {"shift": 1}, 4.0, float(ndtr(0.5))),
    ("shifted_relu", {"shift": 2}, 1.0, float(ndtr(2.0))),
])
def test_probability_of_a_nonzero_derivative(name, params, q, expected):
    from meanfield_sym.activation.function import get_activation
    act = get_activation(name, **params)
    assert float(S.nonzero_derivative_probability(act, q)) == pytest.approx(expected, rel=1e-14)


def test_unit_wise_constant_relu_and_shifted_relu_per_layer():
    out = S.ngd_unit_wise("relu", 2.0, 0.1, 4, op=R.order_parameters(TextbookReLU(), 2.0, 0.1, 4,
                                                                      correlations=False))
    assert out["gamma"] == pytest.approx(0.5)
    assert out["optimal_lr_times_M"] == pytest.approx(1 / (0.5 * 3))
    # shifted ReLU: γ_l = Φ(shift/√q_1^l) changes with the layer
    op = R.order_parameters(Linear(), 2.0, 0.1, 3, correlations=False)   # any q's will do
    sr = S.ngd_unit_wise("shifted_relu", 2.0, 0.1, 3, widths=[1, 1, 3], op=op)
    g = [float(ndtr(1 / np.sqrt(float(op.q1[l])))) for l in (1, 2)]
    assert [float(x) for x in sr["gamma_per_layer"]] == pytest.approx(g, rel=1e-14)
    assert float(sr["gamma"]) == pytest.approx((g[0] + 3 * g[1]) / 4, rel=1e-14)
    assert float(sr["optimal_lr_times_M"]) == pytest.approx(1 / (g[0] + 3 * g[1]), rel=1e-14)
