"""Gram matrices of a dataset: the exact equal-norm reduction to the papers' order parameters,
finite-width networks on the same inputs, the data statistics, input checks."""
from __future__ import annotations

import numpy as np
import pytest

from meanfield_sym.kernels.provider import resolve
from meanfield_sym.meanfield.data import data_statistics, top_eigenvalues
from meanfield_sym.meanfield.gram import check_overlaps, gram, load_inputs
from meanfield_sym.meanfield.network import network_statistics
from meanfield_sym.meanfield.recursions import order_parameters
from meanfield_sym.witnesses.finite_width import Witness, sample_network

#: tanh's equal-variance kernels come from Chebyshev tables whose float64 evaluation is not
#: bit-reproducible across array shapes (BLAS sums): a few ulp.
TABLE_RTOL = 1e-14
#: Statistics from the same K by two routes (λ_max by eigh vs the closed rank-one form).
STAT_RTOL = 1e-11
#: Finite-width witness: |mean over networks − theory| <= Z_BOUND standard errors of the mean
#: (+ a 1/M allowance for the finite-width bias of the Gram entries, O(1/M) by the papers).
Z_BOUND = 5.0


def _equal_inputs(N=4, d=8):
    """x_n = e_0 + e_{n+1}: |x_n|²/d = 2/d and x_n·x_m/d = 1/d exactly (d a power of 2)."""
    X = np.zeros((N, d))
    X[:, 0] = 1.0
    X[np.arange(N), np.arange(1, N + 1)] = 1.0
    return X


def _off(N):
    return ~np.eye(N, dtype=bool)


@pytest.mark.parametrize("name", ["relu", "erf", "step", "sin", "tanh"])
def test_equal_norms_reproduce_order_parameters(name):
    X = _equal_inputs()
    L = 4
    g = gram(name, X, 2.0, 0.1, depth=L)
    op = order_parameters(resolve(name), 2.0, 0.1, L, qhat1_0=0.25, qhat2_0=0.125)
    off = _off(4)
    rtol = TABLE_RTOL if name == "tanh" else 0.0
    pairs = [(g.q, op.q1, op.q2, range(1, L + 1)), (g.qhat, op.qhat1, op.qhat2, range(0, L)),
             (g.qtilde, op.qtilde1, op.qtilde2, range(1, L + 1))]
    if name == "step":   # I_φ' of the step has an atom (∞ on the diagonal): forward only
        pairs = pairs[:2]
    for mats, one, two, layers in pairs:
        for l in layers:
            np.testing.assert_allclose(np.diag(mats[l]), one[l], rtol=rtol, atol=0)
            np.testing.assert_allclose(mats[l][off], two[l], rtol=rtol, atol=0)


def test_equal_norms_reproduce_statistics():
    X = _equal_inputs()
    N, L, M = 4, 3, 500.0
    al = [1.0, 1.0, 1.0]
    g = gram("erf", X, 2.0, 0.1, depth=L, widths=al)
    st = data_statistics(g, M)
    ref = network_statistics("erf", 2.0, 0.1, L, widths=al, width=M, samples=N,
                             qhat1_0=0.25, qhat2_0=0.125)
    for key in ("mean", "second_moment", "lambda_max"):
        assert np.isclose(st["fim"][key], ref["fim"][key], rtol=STAT_RTOL, atol=0), key
        assert np.isclose(st["ntk"][key], ref["ntk"][key], rtol=STAT_RTOL, atol=0), key
    assert np.isclose(st["eta_critical"], ref["eta_critical"], rtol=STAT_RTOL, atol=0)
    assert np.isclose(st["kappa1_mean"], ref["kappa1"], rtol=STAT_RTOL)
    assert np.isclose(st["kappa2_mean"], ref["kappa2"], rtol=STAT_RTOL)


@pytest.mark.parametrize("name", ["relu", "tanh"])
def test_finite_width_networks(name):
    """Wide sampled networks on the same inputs (different norms): per-layer q̂, q̃ and the
    NTK against the theory, within Z_BOUND standard errors over 10 networks."""
    rng = np.random.default_rng(11)
    N, d, M, L, nets = 5, 40, 500, 3, 10
    X = rng.standard_normal((N, d)) * np.array([0.5, 0.8, 1.0, 1.4, 2.0])[:, None]
    g = gram(name, X, 1.8, 0.2, depth=L)
    theta = g.ntk("ntk")
    samples = {"qhat1": [], "qhat2": [], "qt1": [], "ntk": []}
    for s in range(nets):
        net = sample_network(name, [d, M, M], sigma_w2=1.8, sigma_b2=0.2,
                             parameterization="ntk", seed=100 + s)
        w = Witness(net, X)
        samples["qhat1"].append(w.hgram[1] / M)
        samples["qhat2"].append(w.hgram[2] / M)
        samples["qt1"].append(w.dgram[0])
        samples["ntk"].append(w.ntk(parameterization="ntk"))
    for key, theory in (("qhat1", g.qhat[1]), ("qhat2", g.qhat[2]), ("qt1", g.qtilde[1]),
                        ("ntk", theta)):
        arr = np.array(samples[key])
        mean = arr.mean(axis=0)
        se = arr.std(axis=0, ddof=1) / np.sqrt(nets)
        bound = Z_BOUND * se + np.abs(theory) / M
        assert np.all(np.abs(mean - theory) <= bound), (key, np.max(np.abs(mean - theory) / bound))


def test_fisher_dual_matches_finite_network():
    """N F* of a sampled network (standard parameterisation) ≈ αM K + Σ_l q̃^l."""
    rng = np.random.default_rng(5)
    N, d, M, L, nets = 4, 30, 400, 3, 8
    X = rng.standard_normal((N, d)) * np.array([0.6, 1.0, 1.3, 1.7])[:, None]
    al = [d / M, 1.0, 1.0]
    g = gram("erf", X, 2.0, 0.1, depth=L, widths=al)
    theory = g.ntk("standard", width=M)
    assert np.allclose(theory - sum(g.qtilde[l] for l in range(1, L + 1)),
                       g.alpha * M * g.fisher_dual(), rtol=1e-12)
    arr = np.array([Witness(sample_network("erf", [d, M, M], sigma_w2=2.0, sigma_b2=0.1,
                                           seed=s), X).fisher_dual() * N for s in range(nets)])
    se = arr.std(axis=0, ddof=1) / np.sqrt(nets)
    assert np.all(np.abs(arr.mean(axis=0) - theory) <= Z_BOUND * se + np.abs(theory) / M)


def test_symmetry_and_chunking():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((37, 9)) * rng.uniform(0.3, 3, (37, 1))
    a = gram("tanh", X, 2.0, 0.1, depth=3)
    b = gram("tanh", X, 2.0, 0.1, depth=3, chunk=50)
    e = gram("erf", X, 2.0, 0.1, depth=3)
    f = gram("erf", X, 2.0, 0.1, depth=3, chunk=50)
    for l in range(1, 3):
        assert np.array_equal(a.qhat[l], a.qhat[l].T) and np.array_equal(a.qhat[l], b.qhat[l])
        assert np.array_equal(e.qhat[l], f.qhat[l]) and np.array_equal(e.qhat[l], e.qhat[l].T)


def test_top_eigenvalues():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((30, 30))
    S = A @ A.T
    full = np.sort(np.linalg.eigvalsh(S))[::-1]
    assert np.allclose(top_eigenvalues(S, 4), full[:4], rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Input checks: one clear line each
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("X, match", [
    (np.array([[1.0, np.nan], [1.0, 2.0]]), "row 0 holds NaN"),
    (np.ones((1, 3)), "at least 2 inputs"),
    (np.ones(4), "2-d array"),
    (np.array([["a", "b"], ["c", "d"]]), "must be numbers"),
    (np.array([[0.0, 0.0], [1.0, 2.0]]), "row 0 is zero"),
])
def test_bad_inputs(X, match):
    with pytest.raises(ValueError, match=match) as exc:
        gram("relu", X, 2.0, 0.1, depth=2)
    assert "\n" not in str(exc.value)


def test_bad_overlaps():
    with pytest.raises(ValueError, match=r"q\(n,m\)\^2 > q\(n,n\) q\(m,m\)"):
        check_overlaps(np.array([[1.0, 1.1], [1.1, 1.0]]))
    ok = check_overlaps(np.array([[1.0, 1.0 + 1e-15], [1.0 + 1e-15, 1.0]]))   # rounding
    assert ok[0, 1] == 1.0
    with pytest.raises(ValueError, match="symmetric"):
        check_overlaps(np.array([[1.0, 0.5], [0.2, 1.0]]))
    # normalised inputs: X Xᵀ/d has a diagonal of 1 ± a few ulp, accepted
    rng = np.random.default_rng(3)
    X = rng.standard_normal((50, 7))
    X /= np.linalg.norm(X, axis=1, keepdims=True) / np.sqrt(7)
    gram("erf", X, 2.0, 0.1, depth=3)


def test_files(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\nx,3\n")
    with pytest.raises(ValueError, match="cannot read .* as numbers"):
        load_inputs(str(bad))
    with pytest.raises(ValueError, match="not found"):
        load_inputs(str(tmp_path / "missing.npy"))
    txt = tmp_path / "x.txt"
    txt.write_text("1 2\n3 4\n")
    with pytest.raises(ValueError, match=r"\.npy or \.csv"):
        load_inputs(str(txt))
    good = tmp_path / "x.csv"
    good.write_text("1,2\n3,4.5\n")
    assert load_inputs(str(good)).shape == (2, 2)
