"""Tests of the finite-width witness (meanfield_sym.witnesses.finite_width) on cases exact at finite width.

Independent routes used as references:
* central finite differences of the network function (the Jacobian and ∇_h f);
* the explicit P × CN Jacobian and P × P primal matrices with NumPy's eigvalsh / pinv;
* products of weight matrices for linear networks; hand-written one-layer formulas;
* textbook identities (a projector's range, indicator sums for ReLU units).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from meanfield_sym.activation.function import get_activation
from meanfield_sym.witnesses.finite_width import (NGD_KINDS, Witness, explicit_jacobian, gaussian_inputs,
                                     layer_widths, range_projector, sample_network, simulate,
                                     spectral_stats)

#: Gram route vs explicit Jacobian: both are sums of O(P) float64 products of O(1) numbers.
EXACT_TOL = 1e-10
#: central differences with step 1e-6 on O(1) smooth functions: truncation ~1e-12·f''',
#: rounding ~eps/1e-6 ~ 1e-10; 1e-7 leaves a wide margin.
FD_TOL = 1e-7
FD_STEP = 1e-6
#: NGD matrices through pseudo-inverses of P × P matrices: rank decisions at rcond 1e-10 and
#: conditioning of the blocks (cond ≲ 1e4 here) cost a few digits.
PINV_TOL = 1e-7
#: relative cut-off for NumPy's pinv on the explicit P × P Gram matrices: their zero
#: eigenvalues come out at ~P·eps·λ_max, far below 1e-10, and the non-zero ones far above.
PINV_RCOND = 1e-10


def _net(act="tanh", widths=(6, 7, 5), classes=2, param="standard", bias=True, seed=3,
         sw2=(3.0, 1.5, 2.0), sb2=(0.64, 0.3, 0.1)):
    return sample_network(act, list(widths), classes, sw2[:len(widths)], sb2[:len(widths)],
                          parameterization=param, bias=bias, seed=seed)


CASES = [
    ("tanh", "standard", True), ("tanh", "ntk", True), ("relu", "standard", True),
    ("relu", "ntk", True), ("erf", "standard", False), ("linear", "ntk", False),
    ("shifted_relu", "standard", True), ("sigmoid", "ntk", True),
]


# ---------------------------------------------------------------------------------------------
# Gram route against the explicit Jacobian
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("act,param,bias", CASES)
def test_gram_dual_equals_explicit_jacobian(act, param, bias):
    net = _net(act, param=param, bias=bias)
    x = gaussian_inputs(4, net.widths[0], seed=11)
    w = Witness(net, x)
    R = explicit_jacobian(net, x)
    assert R.shape == (net.n_params, net.classes * 4)
    N = x.shape[0]
    np.testing.assert_allclose(w.fisher_dual(), R.T @ R / N, rtol=0, atol=EXACT_TOL)
    Rn = explicit_jacobian(net, x, parameterization="ntk")
    np.testing.assert_allclose(w.ntk(), Rn.T @ Rn, rtol=0, atol=EXACT_TOL)
    # diagonal blocks: rows of layer l only
    start = 0
    for l in range(1, net.depth + 1):
        pl = net.layer_params(l)
        Rl = R[start:start + pl]
        start += pl
        np.testing.assert_allclose(w.fisher_dual(layers=[l]), Rl.T @ Rl / N, atol=EXACT_TOL)
        assert w.n_params([l]) == pl
    assert start == net.n_params


def _flat(net):
    parts = []
    for W, b in zip(net.weights, net.biases):
        parts += [W.ravel(), b] if net.bias else [W.ravel()]
    return np.concatenate(parts)


def _unflat(net, theta):
    ws, bs, i = [], [], 0
    for W, b in zip(net.weights, net.biases):
        ws.append(theta[i:i + W.size].reshape(W.shape))
        i += W.size
        if net.bias:
            bs.append(theta[i:i + b.size])
            i += b.size
        else:
            bs.append(b)
    return dataclasses.replace(net, weights=tuple(ws), biases=tuple(bs))


@pytest.mark.parametrize("bias", [True, False])
def test_explicit_jacobian_matches_finite_differences(bias):
    net = _net("tanh", widths=(3, 4, 3), classes=2, bias=bias)
    x = gaussian_inputs(3, 3, seed=5)
    R = explicit_jacobian(net, x)
    theta = _flat(net)
    assert theta.size == net.n_params == R.shape[0]
    fd = np.zeros_like(R)
    for p in range(theta.size):
        tp, tm = theta.copy(), theta.copy()
        tp[p] += FD_STEP
        tm[p] -= FD_STEP
        diff = (_unflat(net, tp).forward(x).f - _unflat(net, tm).forward(x).f) / (2 * FD_STEP)
        fd[p] = diff.T.ravel()  # column k·N + n
    np.testing.assert_allclose(R, fd, rtol=0, atol=FD_TOL)


def test_ntk_jacobian_is_rescaled_standard_jacobian():
    """∂f/∂ω = σ_w/√M_{l-1} ∂f/∂W and ∂f/∂β = σ_b ∂f/∂b ([PS] Eq. (31))."""
    net = _net("relu")
    x = gaussian_inputs(3, net.widths[0], seed=2)
    Rs, Rn = explicit_jacobian(net, x, "standard"), explicit_jacobian(net, x, "ntk")
    scale, start = np.zeros(net.n_params), 0
    for l, W in enumerate(net.weights):
        scale[start:start + W.size] = np.sqrt(net.sigma_w2[l] / W.shape[1])
        start += W.size
        scale[start:start + W.shape[0]] = np.sqrt(net.sigma_b2[l])
        start += W.shape[0]
    np.testing.assert_allclose(Rn, Rs * scale[:, None], atol=EXACT_TOL)


# ---------------------------------------------------------------------------------------------
# Cases computed by hand
# ---------------------------------------------------------------------------------------------
def test_one_layer_by_hand():
    """L = 1: f = W x + b, so ∇_{W_kj} f_k = x_j, ∇_{b_k} f_k = 1 and
    F*[(k,n),(k',m)] = δ_kk' (x(n)·x(m) + 1)/N; Θ = δ_kk' (σ_w²/M_0 x·x + σ_b²)."""
    M0, C, N, sw2, sb2 = 5, 3, 4, 1.7, 0.4
    net = sample_network("tanh", [M0], C, sw2, sb2, seed=0)
    x = gaussian_inputs(N, M0, seed=1)
    w = Witness(net, x)
    by_hand = np.zeros((C * N, C * N))
    ntk = np.zeros((C * N, C * N))
    for k in range(C):
        for n in range(N):
            for m in range(N):
                by_hand[k * N + n, k * N + m] = (x[n] @ x[m] + 1) / N
                ntk[k * N + n, k * N + m] = sw2 / M0 * (x[n] @ x[m]) + sb2
    np.testing.assert_allclose(w.fisher_dual(), by_hand, atol=EXACT_TOL)
    np.testing.assert_allclose(w.ntk(), ntk, atol=EXACT_TOL)
    assert w.n_params() == C * (M0 + 1)
    # feature metric: ∇_x f_k = W_k (row k), independent of n
    W = net.weights[0]
    expected = np.kron(W @ W.T, np.ones((N, N))) / N
    np.testing.assert_allclose(w.feature_metric_dual(), expected, atol=EXACT_TOL)
    assert w.feature_dimension() == M0


def test_linear_network_gram_identities():
    """φ(x) = x: δ^l_k = row k of A_l = W^L ⋯ W^{l+1} for every sample, and
    h^l = W^l h^{l-1} + b^l, so F* = Σ_l (A_l A_lᵀ) ⊗ (H_{l-1} H_{l-1}ᵀ + 1)/N."""
    widths, C, N = (4, 6, 5, 3), 2, 3
    net = sample_network("linear", list(widths), C, 1.3, 0.2, seed=9)
    x = gaussian_inputs(N, widths[0], seed=4)
    w = Witness(net, x)
    L = net.depth
    hs = [x]
    for l in range(L - 1):
        hs.append(hs[-1] @ net.weights[l].T + net.biases[l])
    expected = np.zeros((C * N, C * N))
    expected_a = np.zeros((C * N, C * N))
    for l in range(1, L + 1):
        A = np.eye(C)
        for j in range(L, l, -1):
            A = A @ net.weights[j - 1]
        expected += np.kron(A @ A.T, hs[l - 1] @ hs[l - 1].T + 1) / N
        gA = A @ net.weights[l - 1]  # ∇_{h^{l-1}} f = rows of A_l W^l
        expected_a += np.kron(gA @ gA.T, np.ones((N, N))) / N
    np.testing.assert_allclose(w.fisher_dual(), expected, atol=EXACT_TOL)
    np.testing.assert_allclose(w.feature_metric_dual(), expected_a, atol=EXACT_TOL)


def test_parameter_counts():
    net = sample_network("relu", [7, 5, 4], 3, seed=0)
    assert net.n_params == (5 * 7 + 5) + (4 * 5 + 4) + (3 * 4 + 3)
    nb = sample_network("relu", [7, 5, 4], 3, bias=False, seed=0)
    assert nb.n_params == 5 * 7 + 4 * 5 + 3 * 4
    x = gaussian_inputs(2, 7, seed=0)
    assert explicit_jacobian(nb, x).shape == (nb.n_params, 6)
    w = Witness(net, x)
    assert w.n_params([1, 3]) == (5 * 7 + 5) + (3 * 4 + 3)
    assert w.feature_dimension() == 7 + 5 + 4 and w.feature_dimension([1]) == 5


def test_feature_metric_matches_finite_differences():
    """∇_{h^l} f_k by central differences of the forward map from layer l+1 ([PS] Eq. (12))."""
    net = _net("tanh", widths=(3, 4, 3), classes=2)
    N = 3
    x = gaussian_inputs(N, 3, seed=8)
    fw = net.forward(x)
    w = Witness(net, x)

    def f_from(l, h):
        for j in range(l + 1, net.depth):
            h = net.activations[j - 1].numpy_function(h @ net.weights[j - 1].T + net.biases[j - 1])
        return h @ net.weights[-1].T + net.biases[-1]

    grads = []  # per layer: (C, N, M_l)
    for l in range(net.depth):
        h = fw.h[l]
        g = np.zeros((net.classes, N, h.shape[1]))
        for j in range(h.shape[1]):
            hp, hm = h.copy(), h.copy()
            hp[:, j] += FD_STEP
            hm[:, j] -= FD_STEP
            g[:, :, j] = ((f_from(l, hp) - f_from(l, hm)) / (2 * FD_STEP)).T
        grads.append(g.reshape(net.classes * N, -1))
    full = np.hstack(grads)
    np.testing.assert_allclose(w.feature_metric_dual(), full @ full.T / N, atol=FD_TOL)
    np.testing.assert_allclose(w.feature_metric_dual([0]), grads[0] @ grads[0].T / N,
                               atol=FD_TOL)
    k1 = full.reshape(net.classes, N, -1)[1]  # ∇_h f_1 over the N samples
    np.testing.assert_allclose(w.feature_metric_dual(output=1), k1 @ k1.T / N, atol=FD_TOL)
    with pytest.raises(ValueError):
        w.feature_metric_dual(output=net.classes)


# ---------------------------------------------------------------------------------------------
# Spectra: dual against primal
# ---------------------------------------------------------------------------------------------
def test_dual_and_primal_share_nonzero_eigenvalues():
    net = _net("erf", widths=(5, 6, 4), classes=2)
    N = 3
    x = gaussian_inputs(N, 5, seed=1)
    w = Witness(net, x)
    R = explicit_jacobian(net, x)
    primal = np.linalg.eigvalsh(R @ R.T / N)[::-1]
    dual = np.linalg.eigvalsh(w.fisher_dual())[::-1]
    CN = 2 * N
    np.testing.assert_allclose(primal[:CN], dual, rtol=1e-10, atol=EXACT_TOL)
    assert np.max(np.abs(primal[CN:])) < EXACT_TOL
    s = w.fisher_stats(top=CN)
    P = net.n_params
    assert s.mean == pytest.approx(np.sum(primal) / P, rel=1e-10)
    assert s.second_moment == pytest.approx(np.sum(primal ** 2) / P, rel=1e-10)
    assert s.lambda_max == pytest.approx(primal[0], rel=1e-10)
    np.testing.assert_allclose(s.top, primal[:CN], rtol=1e-10)


def test_spectral_stats_of_a_known_matrix():
    s = spectral_stats(np.diag([4.0, 1.0, 0.0]), dimension=10, top=2)
    assert (s.mean, s.second_moment, s.lambda_max) == (0.5, 1.7, 4.0)
    assert s.top.tolist() == [4.0, 1.0]


def test_softmax_fisher_matches_explicit_primal():
    """F_cross = (1/N) Σ_n Σ_kk' ∇f_k(n) Q_n(k,k') ∇f_k'(n)ᵀ ([PS] Eqs. (25)-(26))."""
    C, N = 3, 4
    net = _net("tanh", widths=(5, 6, 4), classes=C, sw2=(3.0, 3.0, 6.0))
    x = gaussian_inputs(N, 5, seed=2)
    w = Witness(net, x)
    R = explicit_jacobian(net, x)
    f = net.forward(x).f
    g = np.exp(f) / np.exp(f).sum(axis=1, keepdims=True)  # independent softmax
    np.testing.assert_allclose(w.softmax_probs(), g, rtol=1e-13)
    Fc = np.zeros((net.n_params, net.n_params))
    for n in range(N):
        Qn = np.diag(g[n]) - np.outer(g[n], g[n])
        Jn = R[:, [k * N + n for k in range(C)]]  # P × C
        Fc += Jn @ Qn @ Jn.T / N
    primal = np.linalg.eigvalsh(Fc)[::-1][:C * N]
    dual = np.linalg.eigvalsh(w.softmax_fisher_dual())[::-1]
    np.testing.assert_allclose(dual, primal, rtol=1e-9, atol=EXACT_TOL)
    s = w.softmax_stats()
    assert s.top.shape == (C,)
    np.testing.assert_allclose(s.top, primal[:C], rtol=1e-9)
    assert s.mean == pytest.approx(np.trace(Fc) / net.n_params, rel=1e-10)
    assert s.second_moment == pytest.approx(np.sum(Fc * Fc) / net.n_params, rel=1e-9)
    # Q^{1/2} squares to Q; Q 1 = 0 per sample
    qs = w.softmax_q_sqrt()
    np.testing.assert_allclose(qs @ qs, w.softmax_q(), atol=1e-12)
    # λ_i(F_cross) ≤ λ_i(F) ([PS] Eq. (28))
    assert np.all(dual <= np.linalg.eigvalsh(w.fisher_dual())[::-1] + EXACT_TOL)


def test_softmax_probs_validation():
    w = simulate("relu", depth=2, width=4, samples=3, classes=2, seed=0)
    ok = np.full((3, 2), 0.5)
    assert np.isfinite(w.softmax_fisher_dual(probs=ok)).all()
    for bad in (np.full((3, 2), 0.6), np.full((2, 2), 0.5), np.array([[1.5, -0.5]] * 3),
                np.array([[np.nan, 1.0]] * 3)):
        with pytest.raises(ValueError):
            w.softmax_fisher_dual(probs=bad)


# ---------------------------------------------------------------------------------------------
# Natural-gradient coefficient matrices against explicit pseudo-inverses
# ---------------------------------------------------------------------------------------------
def _explicit_ngd(net, x, kind):
    R = explicit_jacobian(net, x)  # P × CN
    N = x.shape[0]
    J = R.T
    P = R.shape[0]
    layer_of = np.concatenate([np.full(net.layer_params(l), l)
                               for l in range(1, net.depth + 1)])
    F = R @ R.T / N
    if kind == "exact":
        G = F
    elif kind in ("block_diagonal", "tri_diagonal"):
        reach = 0 if kind == "block_diagonal" else 1
        G = F * (np.abs(layer_of[:, None] - layer_of[None, :]) <= reach)
    elif kind == "diagonal":
        G = np.diag(np.diag(F))
    elif kind == "unit_wise":
        unit = np.zeros(P, dtype=int)
        start, uid = 0, 0
        for W in net.weights:
            m_out, m_in = W.shape
            wid = np.repeat(np.arange(m_out), m_in) + uid
            bid = np.arange(m_out) + uid if net.bias else np.zeros(0, int)
            ids = np.concatenate([wid, bid])
            unit[start:start + ids.size] = ids
            start += ids.size
            uid += m_out
        G = F * (unit[:, None] == unit[None, :])
    elif kind == "kfac":
        G = np.zeros((P, P))
        fw = net.forward(x)
        start = 0
        for l, delta in enumerate(Witness(net, x).deltas(), start=1):
            # gradients in the network's coordinates: ∇_W f = δ ⊗ √s_w h, ∇_b f = √s_b δ
            sw, sb = net.gradient_scales()[l - 1]
            h = np.sqrt(sw) * fw.h[l - 1]
            hbar = np.hstack([h, np.full((N, 1), np.sqrt(sb))]) if net.bias else h
            d = delta.reshape(-1, delta.shape[-1])
            B = d.T @ d / N
            A = hbar.T @ hbar / N
            # K-FAC block B ⊗ Ā is indexed by (i, j) -> i·(m_in + 1) + j (j = m_in: the
            # bias); reorder to the Jacobian's rows (W row-major, then b)
            m_out, m_in = net.weights[l - 1].shape
            kron = np.kron(B, A)
            if net.bias:
                idx = [i * (m_in + 1) + j for i in range(m_out) for j in range(m_in)]
                idx += [i * (m_in + 1) + m_in for i in range(m_out)]
                kron = kron[np.ix_(idx, idx)]
            pl = net.layer_params(l)
            G[start:start + pl, start:start + pl] = kron
            start += pl
    else:
        raise AssertionError(kind)
    return J @ np.linalg.pinv(G, rcond=PINV_RCOND, hermitian=True) @ J.T / N


@pytest.mark.parametrize("kind", NGD_KINDS)
@pytest.mark.parametrize("act,classes,depth,samples,widths,param", [
    ("relu", 1, 3, 4, (6, 8, 7), "standard"), ("tanh", 2, 3, 4, (6, 8, 7), "standard"),
    ("erf", 1, 4, 4, (6, 8, 7, 7), "standard"), ("relu", 1, 2, 4, (6, 8), "standard"),
    ("tanh", 1, 3, 4, (6, 8, 7), "ntk"),
    # N > M_0, M_1: rank-deficient blocks, where the bias columns matter
    ("tanh", 1, 3, 6, (3, 4, 5), "standard"), ("relu", 1, 3, 6, (3, 4, 5), "ntk"),
])
def test_ngd_matches_explicit_pseudo_inverse(kind, act, classes, depth, samples, widths, param):
    net = sample_network(act, list(widths), classes, 2.0, 0.3, seed=depth + classes,
                         parameterization=param)
    x = gaussian_inputs(samples, widths[0], seed=1)
    res = Witness(net, x).ngd(kind)
    ref = _explicit_ngd(net, x, kind)
    np.testing.assert_allclose(res.matrix, ref, rtol=0, atol=PINV_TOL * max(1, np.abs(ref).max()))
    assert res.constant == pytest.approx(np.trace(ref) / ref.shape[0], rel=1e-6)


def test_unit_wise_ngd_is_the_indicator_sum_for_relu():
    """C = 1, N ≤ M_0 independent inputs: J G_unit⁺ Jᵀ/N = Σ_units diag(1[δ_i(n) ≠ 0])
    (each unit's block is a projector onto span{e_n : δ_i(n) ≠ 0})."""
    widths, N = (8, 10, 9), 5
    net = sample_network("relu", list(widths), 1, 2.0, 0.1, seed=21)
    x = gaussian_inputs(N, widths[0], seed=22)
    w = Witness(net, x)
    res = w.ngd("unit_wise")
    count = np.zeros(N)
    for delta in w.deltas():
        count += np.sum(delta[0] != 0, axis=1)  # (N, M_l) → units active on sample n
    np.testing.assert_allclose(res.matrix, np.diag(count), rtol=0, atol=EXACT_TOL)
    # ReLU at finite width: not all units active, so the count is below the number of units
    assert count.max() < sum(widths[1:]) + 1


def test_layerwise_ngd_is_isotropic_at_full_rank():
    """With every layer's Jacobian of full row rank, J G⁺ Jᵀ/N is a sum of projectors onto
    R^{CN}: L·I (block-diagonal) and I (exact)."""
    net = sample_network("tanh", [6, 8, 7], 1, 2.0, 0.3, seed=0)
    w = Witness(net, gaussian_inputs(4, 6, seed=0))
    np.testing.assert_allclose(w.ngd("block_diagonal").matrix, 3 * np.eye(4), atol=1e-9)
    exact = w.ngd("exact")
    np.testing.assert_allclose(exact.matrix, np.eye(4), atol=1e-9)
    assert exact.condition_number == pytest.approx(1.0, abs=1e-8)
    assert exact.isotropy_error < 1e-9


# ---------------------------------------------------------------------------------------------
# Inputs, seeds, errors
# ---------------------------------------------------------------------------------------------
def test_seeds_and_parameterizations_share_weights():
    a = simulate("tanh", depth=3, width=10, samples=3, classes=2, sigma_w2=2.0, seed=5)
    b = simulate("tanh", depth=3, width=10, samples=3, classes=2, sigma_w2=2.0, seed=5,
                 parameterization="ntk")
    for wa, wb in zip(a.network.weights, b.network.weights):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_allclose(a.ntk(), b.ntk(), atol=EXACT_TOL)
    c = simulate("tanh", depth=3, width=10, samples=3, classes=2, sigma_w2=2.0, seed=6)
    assert not np.allclose(a.fisher_dual(), c.fisher_dual())


def test_gaussian_inputs_normalisation():
    """q̂_1^0 = ‖x‖²/M_0 has mean 1 and standard deviation √(2/M_0) per sample ([PS] Eq. (7))."""
    N, M0 = 400, 300
    x = gaussian_inputs(N, M0, seed=3)
    q1 = np.sum(x ** 2, axis=1) / M0
    assert abs(q1.mean() - 1) < 4 * np.sqrt(2 / M0) / np.sqrt(N)


def test_per_layer_widths_and_activations():
    acts = [get_activation("tanh"), get_activation("relu")]
    net = sample_network(acts, [5, 9, 4], 2, [1.0, 2.0, 3.0], [0.1, 0.2, 0.3], seed=1)
    assert net.widths == (5, 9, 4, 2)
    assert net.activations == tuple(acts)
    x = gaussian_inputs(3, 5, seed=2)
    R = explicit_jacobian(net, x)
    np.testing.assert_allclose(Witness(net, x).fisher_dual(), R.T @ R / 3, atol=EXACT_TOL)
    assert layer_widths(3, 10, [1, 2, 0.5]) == (10, 20, 5)


@pytest.mark.parametrize("call", [
    lambda: sample_network("relu", [], 1),                       # depth < 1
    lambda: sample_network("relu", [3, 0], 1),                   # non-positive width
    lambda: sample_network("relu", [3, -2], 1),
    lambda: sample_network("relu", [3, 2.5], 1),                 # non-integer width
    lambda: sample_network("relu", [3, 2], 0),                   # classes < 1
    lambda: sample_network("relu", [3, 2], 1, sigma_w2=-1.0),    # negative variance
    lambda: sample_network("relu", [3, 2], 1, sigma_b2=np.inf),  # non-finite variance
    lambda: sample_network("relu", [3, 2], 1, sigma_w2=[1.0]),   # wrong per-layer length
    lambda: sample_network("relu", [3, 2], 1, parameterization="mup"),
    lambda: sample_network(["relu", "tanh"], [3, 2], 1),         # wrong activation count
    lambda: gaussian_inputs(0, 3),                               # N < 1
    lambda: simulate("relu", depth=0, width=3, samples=2),
    lambda: simulate("relu", depth=2, width=3, samples=0),
    lambda: simulate("relu", depth=2, width=-3, samples=2),
    lambda: layer_widths(2, 10, [1.0, -1.0]),
    lambda: Witness(sample_network("relu", [3, 2], 1, seed=0), np.zeros((2, 4))),
    lambda: Witness(sample_network("relu", [3, 2], 1, seed=0), np.zeros((0, 3))),
    lambda: Witness(sample_network("relu", [3, 2], 1, seed=0), np.full((2, 3), np.nan)),
    lambda: simulate("relu", depth=2, width=3, samples=2).fisher_dual(layers=[3]),
    lambda: simulate("relu", depth=2, width=3, samples=2).feature_metric_dual(layers=[2]),
    lambda: simulate("relu", depth=2, width=3, samples=2).ngd("quasi_diagonal"),
])
def test_bad_input_raises(call):
    with pytest.raises(ValueError):
        call()


def test_non_finite_activation_values_raise():
    with pytest.raises(ValueError, match="not finite"):
        simulate("exp", depth=3, width=5, samples=2, sigma_w2=1e6, seed=0)


def test_range_projector_is_a_projector():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((6, 3))
    P = range_projector(A @ A.T)
    np.testing.assert_allclose(P @ P, P, atol=1e-12)
    np.testing.assert_allclose(P @ A, A, atol=1e-12)
    assert np.trace(P) == pytest.approx(3.0)


def test_order_parameters_from_definitions():
    """q̂ from the forward signals and q̃ from the bias rows of the explicit Jacobian
    (∂f_k/∂b^l_i = δ^l_{k,i}) ([PS] Eqs. (14), (17))."""
    C, N = 2, 4
    net = _net("tanh", widths=(5, 6, 4), classes=C)
    x = gaussian_inputs(N, 5, seed=6)
    op = Witness(net, x).order_parameters()
    fw = net.forward(x)
    off = ~np.eye(N, dtype=bool)
    for l in range(net.depth):
        g = fw.h[l] @ fw.h[l].T / fw.h[l].shape[1]
        assert op["qhat1"][l] == pytest.approx(np.mean(np.diag(g)), rel=1e-12)
        assert op["qhat2"][l] == pytest.approx(np.mean(g[off]), rel=1e-12)
    R = explicit_jacobian(net, x)
    start = 0
    for l in range(1, net.depth + 1):
        m_out, m_in = net.weights[l - 1].shape
        start += m_out * m_in
        bias_rows = R[start:start + m_out]  # (M_l, C N): δ^l_{k,i}(n)
        start += m_out
        d = bias_rows.T.reshape(C, N, m_out)
        same = np.einsum("kni,kmi->knm", d, d)
        assert op["qtilde1"][l] == pytest.approx(np.mean([np.diag(s) for s in same]),
                                                 rel=1e-12)
        assert op["qtilde2"][l] == pytest.approx(np.mean([s[off] for s in same]), rel=1e-12)
    assert op["qtilde1"][net.depth] == 1.0 and op["qtilde2"][net.depth] == 1.0
    assert op["qhat1"][net.depth] is None and op["qtilde1"][0] is None
