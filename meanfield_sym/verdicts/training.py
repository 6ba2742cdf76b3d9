"""Gradient descent on a teacher-student problem ([US] Lemma 6, Theorem 7).

The network's forward pass and back-propagation are the finite-width witness's own
(:meth:`meanfield_sym.witnesses.finite_width.Network.forward` and
:meth:`~meanfield_sym.witnesses.finite_width.Network.loss_gradient`); this module only runs the
iteration and decides whether it converged or diverged.

Examples
--------
>>> from meanfield_sym.witnesses import finite_width as E
>>> net = E.sample_network("relu", [20, 20], 1, 2.0, 0.1, seed=3)
>>> x = E.gaussian_inputs(6, 20, seed=4)
>>> lam = E.Witness(net, x).fisher_stats().lambda_max
>>> gradient_descent(net, x, eta=0.5 * 2 / lam, steps=50)["converged"]
True
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from meanfield_sym import checks
from meanfield_sym.witnesses import finite_width as E

__all__ = ["gradient_descent", "perturbed", "train"]


def _loss_grad(network: E.Network, x, y):
    """(loss, ∂E/∂W, ∂E/∂b); a forward pass that leaves the finite numbers (the iteration
    ran away) gives an infinite loss."""
    try:
        return network.loss_gradient(x, y)
    except ValueError as exc:
        if "not finite" not in str(exc):
            raise
        return math.inf, None, None


def train(network: E.Network, x, y, *, eta: float, momentum: float = 0.0, steps: int = 100,
          blowup: float = 1e6) -> dict:
    """Full-batch gradient descent with momentum on the squared loss, from ``network``'s own
    parameters.

    θ_{t+1} = θ_t − η∇E(θ_t) + μ(θ_t − θ_{t−1}) ([US] Eq. (19)) on
    E(θ) = Σ_n ‖f(x_n; θ) − y_n‖²/(2N) ([US] Eq. (4)), θ = (W, b) the actual weights (biases
    stay fixed when the network has none).

    Parameters
    ----------
    network : Network
        The starting point (a random initialisation, or a perturbed teacher).
    x : (N, M_0) array
    y : (N, C) array
        Targets.
    eta : float
        Learning rate η > 0.
    momentum : float
        μ, −1 < μ < 1.
    steps : int
        Number of updates.
    blowup : float
        The run has diverged once the loss exceeds ``blowup`` × its initial value (or is not
        finite, which includes a forward pass whose activations overflow).

    Returns
    -------
    dict
        ``{"losses": array, "diverged": bool, "converged": bool, "steps": int}``: converged
        when, after all steps, it has not diverged and the loss is below its initial value.
    """
    if not (math.isfinite(eta) and eta > 0):
        raise ValueError(f"eta must be positive and finite, got {eta!r}")
    if not (math.isfinite(momentum) and -1 < momentum < 1):
        raise ValueError(f"momentum must satisfy -1 < mu < 1, got {momentum!r}")
    steps = checks.positive_int(steps, "steps")
    if not (math.isfinite(blowup) and blowup > 1):
        raise ValueError(f"blowup must be a finite number > 1, got {blowup!r}")
    x = np.asarray(x, dtype=float)
    ws = [np.array(w) for w in network.weights]
    bs = [np.array(b) for b in network.biases]
    vw = [np.zeros_like(w) for w in ws]
    vb = [np.zeros_like(b) for b in bs]
    losses = []
    diverged = False
    for _ in range(steps + 1):
        student = dataclasses.replace(network, weights=tuple(ws), biases=tuple(bs))
        loss, gw, gb = _loss_grad(student, x, y)
        losses.append(loss)
        if not math.isfinite(loss) or loss > blowup * losses[0]:
            diverged = True
            break
        if len(losses) == steps + 1:
            break
        for l in range(len(ws)):
            vw[l] = momentum * vw[l] - eta * gw[l]
            ws[l] = ws[l] + vw[l]
            if network.bias:
                vb[l] = momentum * vb[l] - eta * gb[l]
                bs[l] = bs[l] + vb[l]
    losses = np.array(losses)
    converged = bool(not diverged and losses[-1] < losses[0])
    return {"losses": losses, "diverged": diverged, "converged": converged,
            "steps": len(losses) - 1}


def perturbed(network: E.Network, perturbation: float = 1e-3, seed=0) -> E.Network:
    """θ* + ε ξ: ``network`` with every weight and bias moved by ε times a draw with its
    initialisation variance (σ_w²/M_{l−1}, σ_b²); ε = ``perturbation``."""
    rng = np.random.default_rng(seed)
    ws = [w + perturbation * np.sqrt(sw / w.shape[1]) * rng.standard_normal(w.shape)
          for w, sw in zip(network.weights, network.sigma_w2)]
    bs = [b + perturbation * np.sqrt(sb) * rng.standard_normal(b.shape) if network.bias
          else b.copy() for b, sb in zip(network.biases, network.sigma_b2)]
    return dataclasses.replace(network, weights=tuple(ws), biases=tuple(bs))


def gradient_descent(network: E.Network, x, *, eta: float, momentum: float = 0.0,
                     steps: int = 100, perturbation: float = 1e-3, seed=0,
                     blowup: float = 1e6) -> dict:
    """Gradient descent with momentum from a small perturbation of a global minimum.

    Teacher-student problem of [US] Theorem 7: the teacher is ``network`` (θ*, a random
    network of [US] Eq. (8)), the targets are its outputs y = f(x; θ*), so θ* is a global
    minimum with zero loss of E(θ) = Σ_n ‖f(x_n; θ) − y_n‖²/(2N), whose Hessian there is the
    FIM F.  The student starts at θ* + ε ξ (:func:`perturbed`, ε = ``perturbation``) and runs
    :func:`train`; [US] Lemma 6 says it diverges from θ* when η > 2(1 + μ)/λ_max(F).

    Returns ``{"losses": array, "diverged": bool, "converged": bool, "steps": int}`` as
    :func:`train`.
    """
    x = np.asarray(x, dtype=float)
    y = network.forward(x).f
    return train(perturbed(network, perturbation, seed), x, y, eta=eta, momentum=momentum,
                 steps=steps, blowup=blowup)
