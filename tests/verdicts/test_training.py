"""Tests of the network's loss gradient and of gradient descent on the teacher-student problem.

Independent references: central finite differences of the loss (computed from the forward pass
alone) for the gradient; a plain re-statement of the momentum iteration with its own
back-propagation, written out here, for the descent; and Lemma 6 of Universal statistics
(η_c = 2(1 + μ)/λ_max of the network's own Fisher) for its outcome.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from meanfield_sym.verdicts.training import gradient_descent
from meanfield_sym.witnesses import finite_width as E

#: Central differences with step H: truncation O(H² f''') and rounding O(eps/H) give a relative
#: error near 1e-9 for the smooth tanh network below; 1e-7 leaves two orders of margin.
H = 1e-5
FD_RTOL = 1e-7
#: the descent is compared with a re-statement doing the same float64 operations in the same
#: order, so the losses agree to rounding
SAME_OPS_RTOL = 1e-12


def _loss(net, x, y):
    f = net.forward(x).f
    return 0.5 * float(np.sum((f - y) ** 2)) / x.shape[0]


def _with(net, layer, which, index, delta):
    ws, bs = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    (ws if which == "w" else bs)[layer][index] += delta
    return E.Network(weights=tuple(ws), biases=tuple(bs), activations=net.activations,
                     sigma_w2=net.sigma_w2, sigma_b2=net.sigma_b2,
                     parameterization=net.parameterization, bias=net.bias)


@pytest.mark.parametrize("activation", ["tanh", "sin(x) + x**2/4"])
def test_loss_gradient_matches_finite_differences(activation):
    net = E.sample_network(activation, [3, 4, 5], classes=2, sigma_w2=1.5, sigma_b2=0.2, seed=11)
    x = E.gaussian_inputs(6, 3, seed=12)
    y = np.random.default_rng(13).standard_normal((6, 2))
    loss, gw, gb = net.loss_gradient(x, y)
    assert math.isclose(loss, _loss(net, x, y), rel_tol=SAME_OPS_RTOL)
    assert [g.shape for g in gw] == [w.shape for w in net.weights]
    assert [g.shape for g in gb] == [b.shape for b in net.biases]
    grads = {"w": gw, "b": gb}
    params = {"w": net.weights, "b": net.biases}
    for which in ("w", "b"):
        for layer, p in enumerate(params[which]):
            fd = np.empty(p.shape)
            for index in np.ndindex(p.shape):
                up = _loss(_with(net, layer, which, index, H), x, y)
                down = _loss(_with(net, layer, which, index, -H), x, y)
                fd[index] = (up - down) / (2 * H)
            scale = np.max(np.abs(fd))
            assert scale > 0
            assert np.max(np.abs(grads[which][layer] - fd)) <= FD_RTOL * scale, (which, layer)


def test_loss_gradient_at_the_teacher_is_zero_and_without_biases_none():
    net = E.sample_network("relu", [4, 3], classes=2, sigma_w2=2.0, sigma_b2=0.0, bias=False,
                           seed=1)
    x = E.gaussian_inputs(5, 4, seed=2)
    loss, gw, gb = net.loss_gradient(x, net.forward(x).f)
    assert loss == 0.0 and gb is None
    assert all(np.all(g == 0) for g in gw)


@pytest.mark.parametrize("y, fragment", [
    (np.zeros((5, 3)), "targets must have shape"),
    (np.full((5, 2), np.nan), "non-finite"),
])
def test_loss_gradient_refuses_bad_targets(y, fragment):
    net = E.sample_network("relu", [4, 3], classes=2, seed=1)
    with pytest.raises(ValueError, match=fragment):
        net.loss_gradient(E.gaussian_inputs(5, 4, seed=2), y)


def _reference_descent(net, x, eta, mu, steps, eps, seed, blowup):
    """The momentum iteration of [US] Eq. (19), back-propagation written out independently."""
    acts = net.activations

    def fwd(ws, bs):
        hs, dps = [x], []
        for l in range(len(ws) - 1):
            u = hs[-1] @ ws[l].T + bs[l]
            hs.append(np.broadcast_to(acts[l].numpy_function(u), u.shape).astype(float))
            dps.append(np.broadcast_to(acts[l].numpy_prime(u), u.shape).astype(float))
        return hs, dps, hs[-1] @ ws[-1].T + bs[-1]

    y = fwd(list(net.weights), list(net.biases))[2]
    rng = np.random.default_rng(seed)
    ws = [w + eps * np.sqrt(s / w.shape[1]) * rng.standard_normal(w.shape)
          for w, s in zip(net.weights, net.sigma_w2)]
    bs = [b + eps * np.sqrt(s) * rng.standard_normal(b.shape)
          for b, s in zip(net.biases, net.sigma_b2)]
    vw, vb = [0 * w for w in ws], [0 * b for b in bs]
    losses = []
    for t in range(steps + 1):
        hs, dps, f = fwd(ws, bs)
        err = f - y
        losses.append(0.5 * float(np.sum(err * err)) / x.shape[0])
        if not math.isfinite(losses[-1]) or losses[-1] > blowup * losses[0] or t == steps:
            break
        g = err / x.shape[0]
        for l in range(len(ws) - 1, -1, -1):
            gw, gb = g.T @ hs[l], g.sum(axis=0)
            if l > 0:
                g = (g @ ws[l]) * dps[l - 1]
            vw[l] = mu * vw[l] - eta * gw
            vb[l] = mu * vb[l] - eta * gb
            ws[l] = ws[l] + vw[l]
            bs[l] = bs[l] + vb[l]
    return np.array(losses)


@pytest.mark.parametrize("factor, mu", [(0.9, 0.0), (0.9, 0.5), (1.1, 0.0), (1.1, 0.5)])
def test_descent_reproduces_the_momentum_iteration(factor, mu):
    net = E.sample_network("tanh", [12, 12], 1, 3.0, 0.64, seed=5)
    x = E.gaussian_inputs(6, 12, seed=6)
    lam = E.Witness(net, x).fisher_stats().lambda_max
    eta = factor * 2 * (1 + mu) / lam
    r = gradient_descent(net, x, eta=eta, momentum=mu, steps=60, seed=7, blowup=1e4)
    ref = _reference_descent(net, x, eta, mu, 60, 1e-3, 7, 1e4)
    assert r["losses"].shape == ref.shape
    np.testing.assert_allclose(r["losses"], ref, rtol=SAME_OPS_RTOL, atol=0)
    assert r["steps"] == len(ref) - 1


def test_descent_threshold_of_lemma_6():
    net = E.sample_network("relu", [30, 30], 1, 2.0, 0.1, seed=3)
    x = E.gaussian_inputs(8, 30, seed=4)
    lam = E.Witness(net, x).fisher_stats().lambda_max
    below = gradient_descent(net, x, eta=0.9 * 2 / lam, steps=200, seed=0, blowup=1e4)
    above = gradient_descent(net, x, eta=1.1 * 2 / lam, steps=200, seed=0, blowup=1e4)
    assert below["converged"] and not below["diverged"]
    assert above["diverged"] and not above["converged"]
    assert below["steps"] == 200 and above["steps"] < 200


def test_descent_on_a_fixed_seed_is_reproducible():
    net = E.sample_network("relu", [10, 10], 2, 2.0, 0.1, seed=8)
    x = E.gaussian_inputs(5, 10, seed=9)
    a = gradient_descent(net, x, eta=0.05, steps=20, seed=3)
    b = gradient_descent(net, x, eta=0.05, steps=20, seed=3)
    c = gradient_descent(net, x, eta=0.05, steps=20, seed=4)
    assert np.array_equal(a["losses"], b["losses"])
    assert not np.array_equal(a["losses"], c["losses"])


def test_descent_overflowing_activation_counts_as_divergence():
    net = E.sample_network("exp", [4, 4], 1, 1.0, 0.1, seed=2)
    x = E.gaussian_inputs(4, 4, seed=3)
    r = gradient_descent(net, x, eta=1e3, steps=50, seed=0, blowup=1e300)
    assert r["diverged"] and not r["converged"]
    assert r["losses"][-1] == math.inf


@pytest.mark.parametrize("kw, fragment", [
    (dict(eta=0.0), "eta must be positive"), (dict(eta=math.inf), "eta must be positive"),
    (dict(eta=0.1, momentum=1.0), "momentum"), (dict(eta=0.1, momentum=math.nan), "momentum"),
    (dict(eta=0.1, steps=0), "steps"), (dict(eta=0.1, steps=True), "steps"),
])
def test_descent_refuses_bad_settings(kw, fragment):
    net = E.sample_network("relu", [4, 3], classes=1, seed=1)
    with pytest.raises(ValueError, match=fragment):
        gradient_descent(net, E.gaussian_inputs(3, 4, seed=2), **kw)
