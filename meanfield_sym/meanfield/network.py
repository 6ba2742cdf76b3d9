r"""Every linear-output statistic of one network at once (what ``meanfield-sym stats`` prints)."""
from __future__ import annotations

from meanfield_sym import checks
from meanfield_sym.meanfield.fisher import (alpha, alpha_tilde, eta_critical, feature_metric_blocks,
                                            feature_metric_statistics, fim_blocks, fim_statistics,
                                            kappas, kappas_ntk, large_classes_bounds,
                                            ntk_statistics, width_ratios)
from meanfield_sym.meanfield.fisher_rao import fisher_rao, fisher_rao_printed, has_tangent_moments
from meanfield_sym.meanfield.recursions import OrderParameters, _layer_kernels, order_parameters

__all__ = ["network_statistics"]


def network_statistics(activation, sigma_w2, sigma_b2, depth: int, widths=None, width=1000,
                       samples: int = 100, classes: int = 1, momentum=0.0, qhat1_0=1.0,
                       qhat2_0=0.0, op: OrderParameters | None = None) -> dict:
    """Order parameters and every linear-output statistic of one network (the ``stats`` CLI).

    Returns a dict of NumPy arrays with keys ``alpha``, ``kappa1``, ``kappa2``,
    ``kappa1_ntk``, ``kappa2_ntk``, ``order_parameters``, ``fim``, ``ntk``,
    ``feature_metric`` (with ``blocks``), ``eta_critical``, ``fisher_rao`` (the corrected
    wide-network value, :func:`fisher_rao`; ``None`` when ``activation`` is a bare kernel
    provider), ``fisher_rao_printed`` (supplement Eq. A.50), ``fisher_rao_bound`` and
    ``fisher_rao_bound_holds`` (Theorem 5's bound with one C, judged on the corrected value),
    ``fim_blocks``, ``fim_large_classes`` (exact parameter count, :func:`large_classes_bounds`).
    For depth 1 (no hidden layer, α = 0) the α-normalised statistics are ``None``.
    """
    L = checks.depth(depth)
    al = width_ratios(widths, L)
    M = checks.positive_number(width, "width M")
    N = checks.positive_int(samples, "samples N")
    C = checks.positive_int(classes, "classes C")
    mu = checks.momentum(momentum)
    provs = _layer_kernels(activation, L)
    if op is None:
        op = order_parameters(provs, sigma_w2, sigma_b2, L, qhat1_0, qhat2_0)
    out = {"alpha": alpha(al), "alpha_tilde": alpha_tilde(al), "widths": al,
           "order_parameters": op.as_lists()}
    fr = fisher_rao_printed(op, al, C)
    out["fisher_rao_printed"] = fr["value"]
    out["fisher_rao_bound"] = fr["bound"]
    if not all(has_tangent_moments(p) for p in provs):   # a bare provider: no φ
        out["fisher_rao"] = out["fisher_rao_bound_holds"] = None
        out.setdefault("notes", []).append(
            "fisher_rao needs the activation itself (the tangent recursion uses φ and φ'); "
            "only the printed (A.50) value is given")
    else:
        frc = fisher_rao(provs, sigma_w2, sigma_b2, L, widths=al, classes=C, op=op)
        out["fisher_rao"] = frc["value"]
        out["fisher_rao_bound_holds"] = frc["bound_holds"]
    fm = feature_metric_statistics(op, al, M, N, C)
    fm["blocks"] = feature_metric_blocks(op, al, M, N, C)
    out["feature_metric"] = fm
    if out["alpha"] <= 0:
        out.update(kappa1=None, kappa2=None, kappa1_ntk=None, kappa2_ntk=None, fim=None,
                   ntk=None, eta_critical=None, fim_blocks=None, fim_large_classes=None,
                   fisher_rao_bound=None, fisher_rao_bound_holds=None)
        out.setdefault("notes", []).append("depth 1: no hidden layer (alpha = 0); the papers' "
                                           "Fisher statistics need depth >= 2")
        return out
    k1, k2 = kappas(op, al)
    k1n, k2n = kappas_ntk(op, al)
    fim = fim_statistics(k1, k2, out["alpha"], M, N, C)
    out.update(kappa1=k1, kappa2=k2, kappa1_ntk=k1n, kappa2_ntk=k2n, fim=fim,
               ntk=ntk_statistics(k1n, k2n, out["alpha"], N, C),
               eta_critical=eta_critical(fim["lambda_max"], mu),
               fim_blocks=fim_blocks(op, al, M, N, C),
               fim_large_classes=large_classes_bounds(
                   k1, k2, out["alpha"], M, N, C, alphas=al,
                   qtilde_sum=sum(op.qtilde1[l] for l in range(1, L + 1))))
    return out

