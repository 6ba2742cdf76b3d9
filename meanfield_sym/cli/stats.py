"""``meanfield-sym stats | softmax | ngd``: order parameters and every statistic of the papers.

* ``stats`` -- κ's, order parameters, Fisher / NTK / feature-metric statistics, η_c,
  Fisher–Rao norm (``fisher_rao``: the corrected wide-network value; ``fisher_rao_printed``:
  supplement Eq. A.50), diagonal blocks (Universal statistics; Pathological spectra).
* ``softmax`` -- β₁–β₄ from an N × C array of softmax outputs and, with the network options,
  the cross-entropy Fisher statistics (Pathological spectra Theorem 3.3, comparison (28)) and
  its C − 1 leading-order outliers (Theorem 3.4 as corrected, ``fim_cross_outliers``).
* ``ngd`` -- natural-gradient constants (Karakida & Osawa): unit-wise γ and the layer-wise
  family (block-diagonal, tri-diagonal, K-FAC).

Bad input exits with status 2 and one line on stderr.
"""
from __future__ import annotations

import math

import numpy as np

from meanfield_sym.cli.args import (add_network_options, add_size_options, depth, dumps,  # noqa: F401 (re-exported)
                                    numbers, parse_params, positive_int, to_jsonable,
                                    variance, widths)

# the names the experiment sub-command imports from here
_depth, _numbers, _positive_int, _variance = depth, numbers, positive_int, variance

__all__ = ["add_parser", "to_jsonable"]


# ---------------------------------------------------------------------------------------------
# Network options
# ---------------------------------------------------------------------------------------------
def _network(args):
    """Validated network options (activation resolved last, so bad numbers fail fast)."""
    L = depth(args.depth)
    if args.sigma_w2 is None or args.sigma_b2 is None:
        raise ValueError("--sigma-w2 and --sigma-b2 are required")
    sw = variance(args.sigma_w2, "--sigma-w2", L)
    sb = variance(args.sigma_b2, "--sigma-b2", L)
    al = widths(args.widths, L)
    width = getattr(args, "width", None)
    if width is not None and not (math.isfinite(width) and width > 0):
        raise ValueError(f"--width must be positive, got {width}")
    q1 = args.qhat1_0
    q2 = args.qhat2_0
    if not (math.isfinite(q1) and q1 > 0):
        raise ValueError(f"--qhat1-0 must be positive, got {q1}")
    if not (math.isfinite(q2) and abs(q2) <= q1):
        raise ValueError(f"--qhat2-0 must satisfy |qhat2_0| <= qhat1_0, got {q2}")
    from meanfield_sym.kernels.provider import resolve
    if args.activation is None:
        raise ValueError("--activation is required")
    return resolve(args.activation, **parse_params(args.param)), sw, sb, L, al


def _emit(payload: dict, as_json: bool):
    data = to_jsonable(payload)
    if as_json:
        print(dumps(data))
        return
    from meanfield_sym.cli.report import render
    for line in render(data):
        print(line)


def _three(d):
    return None if d is None else {k: d[k] for k in ("mean", "second_moment", "lambda_max")}


# ---------------------------------------------------------------------------------------------
# Sub-commands
# ---------------------------------------------------------------------------------------------
def _describe(prov, sw, sb, depth, widths):
    from meanfield_sym.kernels.provider import describe
    who = describe(prov)
    return {"activation": who["activation"], "params": who["params"],
            "sigma_w2": sw, "sigma_b2": sb, "depth": depth,
            "widths": widths if widths is not None else [1.0] * depth}


def _network_payload(act, sw, sb, depth, widths, args):
    from meanfield_sym import meanfield as S
    from meanfield_sym.meanfield.recursions import fixed_point
    M = args.width
    N = positive_int(args.samples, "--samples")
    C = positive_int(args.classes, "--classes")
    if not (math.isfinite(args.momentum) and -1 < args.momentum < 1):
        raise ValueError(f"--momentum must satisfy -1 < mu < 1, got {args.momentum}")
    st = S.network_statistics(act, sw, sb, depth, widths=widths, width=M, samples=N,
                              classes=C, momentum=args.momentum, qhat1_0=args.qhat1_0,
                              qhat2_0=args.qhat2_0)
    payload = _describe(act, sw, sb, depth, widths)
    payload.update({"width": M, "samples": N, "classes": C, "momentum": args.momentum})
    payload.update({k: st[k] for k in ("alpha", "kappa1", "kappa2", "kappa1_ntk", "kappa2_ntk",
                                       "order_parameters")})
    payload["fim"] = _three(st["fim"])
    payload["ntk"] = _three(st["ntk"])
    fm = _three(st["feature_metric"])
    fm["blocks"] = [_three(b) for b in st["feature_metric"]["blocks"]]
    payload["feature_metric"] = fm
    payload["eta_critical"] = st["eta_critical"]
    # Theorem 5: the corrected wide-network value (tangent recursion); the supplement's
    # (A.50) and the bound, judged on the corrected value, as extra keys
    payload["fisher_rao"] = st["fisher_rao"]
    payload["fisher_rao_printed"] = st["fisher_rao_printed"]
    payload["fisher_rao_bound"] = st.get("fisher_rao_bound")
    payload["fisher_rao_bound_holds"] = st.get("fisher_rao_bound_holds")
    payload["fim_blocks"] = None if st["fim_blocks"] is None else [_three(b) for b in
                                                                   st["fim_blocks"]]
    payload["fim_large_classes"] = st["fim_large_classes"]
    if not isinstance(sw, list) and not isinstance(sb, list):
        fp = fixed_point(act, sw, sb)
        payload["fixed_point"] = {"q_star": fp.q_star if fp.converged else None,
                                  "chi1": fp.chi1 if fp.converged else None,
                                  "converged": bool(fp.converged),
                                  "diverged": bool(fp.diverged), "iterations": fp.iterations}
    if "notes" in st:
        payload["notes"] = st["notes"]
    return payload, st


def _run_stats(args) -> int:
    if getattr(args, "inputs", None) is not None:
        return _run_stats_inputs(args)
    act, sw, sb, depth, widths = _network(args)
    payload, _ = _network_payload(act, sw, sb, depth, widths, args)
    _emit(payload, args.json)
    return 0


#: How many of the largest Fisher eigenvalues ``stats --inputs`` reports.
INPUTS_TOP = 10


def _run_stats_inputs(args) -> int:
    """``stats --inputs X``: the Fisher / NTK statistics and η_c of the network on these
    inputs (their own Gram matrices; :mod:`meanfield_sym.meanfield.data`)."""
    from meanfield_sym.kernels.pair import pair_kernels
    from meanfield_sym.meanfield.data import data_statistics
    from meanfield_sym.meanfield.gram import gram, load_inputs
    L = depth(args.depth)
    if args.sigma_w2 is None or args.sigma_b2 is None:
        raise ValueError("--sigma-w2 and --sigma-b2 are required")
    sw = variance(args.sigma_w2, "--sigma-w2", L)
    sb = variance(args.sigma_b2, "--sigma-b2", L)
    al = widths(args.widths, L)
    M = args.width
    if not (math.isfinite(M) and M > 0):
        raise ValueError(f"--width must be positive, got {M}")
    C = positive_int(args.classes, "--classes")
    if not (math.isfinite(args.momentum) and -1 < args.momentum < 1):
        raise ValueError(f"--momentum must satisfy -1 < mu < 1, got {args.momentum}")
    if L < 2:
        raise ValueError("the Fisher statistics of the papers need depth >= 2 (alpha > 0)")
    if args.activation is None:
        raise ValueError("--activation is required")
    X = load_inputs(args.inputs)
    N, d = X.shape
    if al is None:   # the input layer has the data's d units: α_0 = d/M
        al = [d / M] + [1.0] * (L - 1)
    pk = pair_kernels(args.activation, **parse_params(args.param))
    g = gram(pk, X, sw, sb, L, widths=al, progress=True)
    st = data_statistics(g, M, C, args.momentum, top=INPUTS_TOP)
    payload = _describe(pk.equal, sw, sb, L, al)
    payload.update({"inputs": args.inputs, "features": d, "width": M, "samples": N,
                    "classes": C, "momentum": args.momentum, "alpha": st["alpha"],
                    "kappa1_mean": st["kappa1_mean"], "kappa2_mean": st["kappa2_mean"],
                    "fim": _three(st["fim"]), "ntk": _three(st["ntk"]),
                    "eta_critical": st["eta_critical"], "fim_top": st["fim"]["top"],
                    "routes": g.meta["routes"], "seconds": g.meta["seconds"]})
    _emit(payload, args.json)
    return 0


def _load_probs(path: str) -> np.ndarray:
    from meanfield_sym import checks
    arr = checks.read_array(path, "--probs")
    return np.asarray(arr, dtype=float) if arr.dtype != object else arr


def _run_softmax(args) -> int:
    from meanfield_sym import meanfield as S
    probs = _load_probs(args.probs)
    if probs.ndim != 2:
        raise ValueError(f"--probs must hold an N x C array, got shape {probs.shape}")
    betas = S.softmax_betas(probs)
    N, C = betas["N"], betas["C"]
    payload = {"samples": N, "classes": C,
               **{k: betas[k] for k in ("beta1", "beta2", "beta3", "beta4")}}
    network_given = any(v is not None for v in (args.activation, args.sigma_w2, args.sigma_b2,
                                                args.depth))
    if network_given:
        if args.samples is not None and args.samples != N:
            raise ValueError(f"--samples {args.samples} disagrees with the {N} rows of --probs")
        if args.classes is not None and args.classes != C:
            raise ValueError(f"--classes {args.classes} disagrees with the {C} columns of "
                             "--probs")
        args.samples, args.classes = N, C
        if args.width is None:
            args.width = 1000.0
        act, sw, sb, depth, widths = _network(args)
        net, st = _network_payload(act, sw, sb, depth, widths, args)
        if st["kappa1"] is None:
            raise ValueError("the softmax Fisher statistics need depth >= 2 (alpha > 0)")
        fc = S.softmax_fim_statistics(betas, st["kappa1"], st["kappa2"], st["alpha"],
                                      args.width)
        payload.update(_describe(act, sw, sb, depth, widths))
        payload.update({"width": args.width, "alpha": st["alpha"], "kappa1": st["kappa1"],
                        "kappa2": st["kappa2"]})
        payload["fim_cross"] = {k: fc[k] for k in ("mean", "second_moment", "lambda_max_lower",
                                                   "lambda_max_upper")}
        payload["fim_linear"] = net["fim"]
        payload["comparison_28"] = fc["comparison_28"]
        # Theorem 3.4 as corrected: C − 1 outliers of O(M) (the leading-order values)
        out = S.softmax_outliers(probs, st["kappa1"], st["kappa2"], st["alpha"], args.width)
        payload["fim_cross_outliers"] = {k: out[k] for k in ("outliers", "outliers_upper",
                                                             "lambda_C_upper", "count")}
    elif args.samples is not None or args.classes is not None:
        pass  # sizes without a network: nothing to compare
    _emit(payload, args.json)
    return 0


def _run_ngd(args) -> int:
    from meanfield_sym import meanfield as S
    act, sw, sb, depth, widths = _network(args)
    N = positive_int(args.samples, "--samples")
    payload = _describe(act, sw, sb, depth, widths)
    uw = S.ngd_unit_wise(act, sw, sb, depth, widths, qhat1_0=args.qhat1_0)
    payload["unit_wise"] = uw
    payload.update(S.ngd_layer_wise(depth, samples=N))
    _emit(payload, args.json)
    return 0


def add_parser(subparsers):
    """Register ``stats``, ``softmax`` and ``ngd``."""
    p = subparsers.add_parser(
        "stats", help="order parameters, κ's and Fisher/NTK/feature-metric statistics",
        description="Order parameters and every linear-output statistic of a wide network "
                    "(Universal statistics; Pathological spectra).")
    add_network_options(p)
    add_size_options(p)
    p.add_argument("--inputs", metavar="X.npy|X.csv", default=None,
                   help="N × d inputs (one per row, any norms): statistics of these inputs "
                        "from their own Gram matrices, N = rows (--samples and --qhat*-0 are "
                        "ignored; --widths defaults to d/M, 1, …, 1)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=_run_stats)

    p = subparsers.add_parser(
        "softmax", help="β1–β4 and cross-entropy Fisher statistics from softmax outputs",
        description="β1–β4 of Pathological spectra Theorem 3.3 from an N × C array of softmax "
                    "outputs; with the network options, the cross-entropy Fisher statistics.")
    p.add_argument("--probs", required=True, help="N × C softmax outputs (.npy or .csv)")
    add_network_options(p, required=False)
    add_size_options(p, defaults=False)
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=_run_softmax)

    p = subparsers.add_parser(
        "ngd", help="natural-gradient constants (unit-wise γ, block-diagonal, tri-diagonal, "
                    "K-FAC)",
        description="Natural-gradient learning-rate constants of Karakida & Osawa (NeurIPS "
                    "2020) for C = 1 and N <= M_0 linearly independent inputs.")
    add_network_options(p)
    p.add_argument("--samples", type=int, default=None,
                   help="N: also report K-FAC with the usual sample-averaged factors")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=_run_ngd)
