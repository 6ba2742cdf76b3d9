r"""The Fisher–Rao norm of a wide network (*Universal statistics* Theorem 5, supplement A.6).

The printed closed form (supplement Eq. A.50) is kept as :func:`fisher_rao_printed`; the value
itself comes from a forward tangent recursion (:func:`fisher_rao_tangent`), which the
finite-width witness confirms (``derivations/mc_us_fisher_rao.py``).  The recursion needs three
one-point Gaussian moments of φ, printed from the kernels' closed forms (or, without them,
evaluated by the 1e-12 quadrature of :mod:`meanfield_sym.kernels.quadrature`).
"""
from __future__ import annotations

import numpy as np

from meanfield_sym import checks
from meanfield_sym.meanfield.fisher import alpha, kappas, width_ratios
from meanfield_sym.meanfield.recursions import OrderParameters, _layer_kernels, order_parameters

__all__ = ["fisher_rao_tangent", "fisher_rao_printed", "fisher_rao", "has_tangent_moments"]


def has_tangent_moments(provider) -> bool:
    """Whether a kernel provider can give the tangent moments (a kernel set or a generated
    module can; a bare object with the four kernels cannot)."""
    return callable(getattr(provider, "tangent_moments", None))


def _moments(provider, q) -> dict:
    if not has_tangent_moments(provider):
        raise ValueError("the Fisher–Rao norm needs the activation itself (a name, expression, "
                         "Activation or generated module), not only its kernels")
    return provider.tangent_moments(q)


def fisher_rao_tangent(activation, sigma_w2, sigma_b2, depth: int, qhat1_0=1.0,
                       op: OrderParameters | None = None) -> dict:
    """Forward *tangent* recursion for ``D = θ_Wᵀ ∇_{θ_W} f`` (the directional derivative of
    the output along the weights themselves), the building block of the Fisher–Rao norm
    (:func:`fisher_rao`).

    Scaling all weights, ``f_s = f(sW, b)``, gives ``D = ∂_s f_s |_{s=1} = Σ_{l,ij}
    W^l_ij ∂f/∂W^l_ij``.  Forward-mode differentiation of ``u^l = s W^l h^{l−1} + b^l``,
    ``h^l = φ_l(u^l)`` gives, with ``v^l = ∂_s u^l``,

    .. math::

        v^1 = W^1 x, \\qquad v^l = W^l z^{l-1}, \\qquad z^l = φ_l(u^l) + φ_l'(u^l)\\, v^l,
        \\qquad D = v^L .

    ``W^l`` is independent of the previous layer's ``(h, z)``, so in the wide limit each unit's
    ``(u^l_i, v^l_i)`` is a centred Gaussian pair (the same argument as for ``q^l``) with

    .. math::

        E[u^2] = q^l = σ_w^2 \\hat q^{l-1} + σ_b^2, \\quad
        c^l := E[u v] = σ_w^2 E[h z], \\quad r^l := E[v^2] = σ_w^2 E[z^2]

    (moments of layer l − 1), ``c^1 = r^1 = σ_{w,1}^2 \\hat q^0``.  Writing
    ``v = (c/q) u + \\sqrt{r − c²/q}\\, w`` with w independent,

    .. math::

        E[hz] &= E[φ^2] + \\tfrac{c}{q} E[uφφ'], \\\\
        E[z^2] &= E[φ^2] + 2\\tfrac{c}{q} E[uφφ'] + \\tfrac{c^2}{q^2} E[u^2φ'^2]
                  + \\big(r - \\tfrac{c^2}{q}\\big) E[φ'^2]

    (:meth:`Kernels.tangent_moments <meanfield_sym.kernels.checked.Kernels.tangent_moments>`).  Checks: for bias-free positively homogeneous φ (ReLU, leaky
    ReLU, linear) Euler's theorem gives ``D = L f`` and the recursion gives
    ``c^l = l q^l``, ``r^l = l² q^l``; for linear networks it is exact at any width.

    Returns
    -------
    dict
        ``c`` and ``r``: lists indexed by layer 0..L (index 0 is None), arrays of the
        broadcast shape of the inputs; ``op`` the order parameters used.
    """
    L = checks.depth(depth)
    sw = checks.layer_values(sigma_w2, L, "sigma_w2")
    provs = _layer_kernels(activation, L)
    if op is None:
        op = order_parameters(provs, sigma_w2, sigma_b2, L, qhat1_0=qhat1_0, correlations=False)
    shape = op.shape
    c: list = [None] * (L + 1)
    r: list = [None] * (L + 1)
    c[1] = np.broadcast_to(sw[0] * op.qhat1[0], shape).astype(float)
    r[1] = c[1].copy()
    for l in range(1, L):
        q = np.asarray(op.q1[l], dtype=float)
        m = _moments(provs[l - 1], q)
        rho = c[l] / q
        cond = np.maximum(r[l] - rho * c[l], 0.0)          # Var[v | u] >= 0 (rounding)
        e_hz = m["phi2"] + rho * m["u_phi_dphi"]
        with np.errstate(invalid="ignore"):
            dterm = np.where(cond > 0, cond * m["dphi2"], 0.0)
            e_z2 = (m["phi2"] + 2 * rho * m["u_phi_dphi"] + rho ** 2 * m["u2_dphi2"]
                    + dterm)
        c[l + 1] = np.broadcast_to(sw[l] * e_hz, shape).astype(float)
        r[l + 1] = np.broadcast_to(sw[l] * e_z2, shape).astype(float)
    return {"c": c, "r": r, "op": op}


def fisher_rao_printed(op: OrderParameters, alphas, C: int = 1) -> dict:
    """The Fisher–Rao norm *as printed*: Universal statistics supplement Eq. (A.50),
    ``⟨‖θ‖_FR⟩ = C Σ_{l=1}^{L} σ_{w,l}² q̃_1^l q̂_1^{l−1}``, and Theorem 5's bound
    ``(α/α_min) σ_w² C κ₁`` (with the largest σ_w² when it varies by layer; equality when all
    α_l are equal; the supplement prints the factor C twice, ``bound_printed``).

    (A.50) is **not** the wide-network value: steps (A.46)–(A.47) replace
    ``⟨F(θ) W W⟩`` by ``⟨F(θ*)⟩⟨W W⟩``, dropping the O(1) correlation between the Fisher and
    the weights it multiplies.  :func:`fisher_rao` gives the corrected value.
    """
    C = checks.positive_int(C, "classes C")
    L = op.depth
    value = C * sum(op.sigma_w2[l] * op.qtilde1[l] * op.qhat1[l - 1] for l in range(1, L + 1))
    out = {"value": np.asarray(value, dtype=float), "bound": None, "bound_printed": None}
    if alpha(alphas) > 0:
        k1, _ = kappas(op, alphas)
        amin = float(np.min(np.asarray(alphas, dtype=float)))
        smax = np.max(np.stack([np.broadcast_to(op.sigma_w2[l], op.shape)
                                for l in range(1, L + 1)]), axis=0)
        out["bound"] = alpha(alphas) / amin * smax * C * k1
        out["bound_printed"] = C * out["bound"]
    return out


def fisher_rao(activation, sigma_w2, sigma_b2, depth: int, widths=None, classes: int = 1,
               qhat1_0=1.0, op: OrderParameters | None = None) -> dict:
    """Average Fisher–Rao norm of the weights (Universal statistics Theorem 5; supplement
    Eqs. A.44–A.50), corrected.

    Definition (A.44) and Liang et al.: ``‖θ‖_FR = θ_Wᵀ F θ_W`` over the weights, with
    ``F = (1/T) Σ_t Σ_k ∇f_k(t) ∇f_k(t)ᵀ``, i.e.

    .. math::

        ‖θ‖_{FR} = \\frac{1}{T} \\sum_{t} \\sum_{k=1}^{C} \\big(θ_W^\\top ∇_{θ_W} f_k(t)\\big)^2
        \\;\\longrightarrow\\; ⟨‖θ‖_{FR}⟩ = C\\, r^L

    in the wide limit, with ``r^L = E[D_k²]`` from the forward tangent recursion
    (:func:`fisher_rao_tangent`).  The printed (A.50),
    ``σ_w² C Σ_l q̃^l q̂^{l−1}`` (``printed``; :func:`fisher_rao_printed`), takes F at
    ``W = 0`` and averages it separately from ``W W`` (A.46)–(A.47); but F depends on the
    weights it multiplies, and the cross terms ``(l, ij) ≠ (l', ab)`` add up to O(1).  E.g.
    for bias-free ReLU or linear nets ``D = L f`` (Euler), so the truth is ``C L² q^L``
    against (A.50)'s ``C L q^L``.  Finite networks agree with the tangent value and reject
    (A.50) (``derivations/mc_us_fisher_rao.py``: experiment/tangent 1.00 ± 0.05 tanh,
    1.08 ± 0.06 ReLU, 1.03 ± 0.06 linear; (A.50) off by 0.69, 3.18, 2.95).

    Theorem 5's bound ``⟨‖θ‖_FR⟩ <= (α/α_min) σ_w² C κ₁`` (one C, as derived from (A.50);
    ``bound``) is reported with ``bound_holds`` evaluated on the corrected value: it fails
    whenever ``r^L > σ_w² Σ_l q̃^l q̂^{l−1}`` at equal widths (ReLU, linear: by a factor ≈ L),
    and the printed copy with C twice (``bound_printed``) fails too when C is small.

    Parameters
    ----------
    activation : name, expression, Activation, or a list of L − 1 of them
        The activation itself (the recursion needs φ and φ', not only the kernels).
    sigma_w2, sigma_b2 : array_like or per-layer list
    depth : int
    widths : sequence of float, optional
        ``[α_0, ..., α_{L−1}]`` (only the bound depends on them).
    classes : int
        C.
    qhat1_0 : array_like
        ``q̂^0`` (input second moment).
    op : OrderParameters, optional
        Reuse computed order parameters (must match the other arguments).

    Returns
    -------
    dict
        ``value`` (C r^L), ``printed`` ((A.50)), ``ratio`` (value/printed), ``bound``,
        ``bound_printed``, ``bound_holds`` (None for depth 1), ``tangent_c``, ``tangent_r``.
        ``inf`` when some φ' has point masses.

    Examples
    --------
    Bias-free linear network, L = 3, σ_w² = 1, C = 2: ``D = 3f``, so ``2·9·q^3 = 18``,
    while (A.50) gives ``2·3 = 6``:

    >>> fr = fisher_rao("linear", 1.0, 0.0, 3, classes=2)
    >>> round(float(fr["value"]), 12), round(float(fr["printed"]), 12)
    (18.0, 6.0)
    """
    L = checks.depth(depth)
    C = checks.positive_int(classes, "classes C")
    al = width_ratios(widths, L)
    tan = fisher_rao_tangent(activation, sigma_w2, sigma_b2, L, qhat1_0=qhat1_0, op=op)
    op = tan["op"]
    value = C * tan["r"][L]
    pr = fisher_rao_printed(op, al, C)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = value / pr["value"]
    holds = None if pr["bound"] is None else value <= pr["bound"] * (1 + 1e-12)
    return {"value": np.asarray(value, dtype=float), "printed": pr["value"],
            "ratio": np.asarray(ratio, dtype=float), "bound": pr["bound"],
            "bound_printed": pr["bound_printed"], "bound_holds": holds,
            "tangent_c": tan["c"], "tangent_r": tan["r"]}

