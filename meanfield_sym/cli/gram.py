"""``meanfield-sym gram``: per-layer NNGP, NTK and Fisher-dual Gram matrices of given inputs.

Reads N inputs (one per row of a .npy or .csv file, any norms), runs the mean-field recursion
for every pair of inputs with the kernels of two variances and writes an .npz holding
``nngp`` (q^L), ``ntk``, ``fisher_dual`` (N × N each) and the stacks ``q``, ``qhat``,
``qtilde`` (L × N × N).  Bad input exits with status 2 and one line on stderr.
"""
from __future__ import annotations

import os
import time

import numpy as np

from meanfield_sym.cli.args import (depth, dumps, parse_params, plain, to_jsonable, variance,
                                    widths)


def add_parser(sub):
    p = sub.add_parser("gram", help="NNGP / NTK / Fisher-dual Gram matrices of given inputs",
                       description=plain(__doc__.split("\n\n")[1]))
    p.add_argument("--inputs", required=True, metavar="X.npy|X.csv",
                   help="N × d inputs, one per row")
    p.add_argument("--activation", required=True, help="built-in name or expression in x")
    p.add_argument("--param", action="append", metavar="K=V", default=[],
                   help="a built-in's parameter, e.g. --param slope=1/10 (repeatable)")
    p.add_argument("--sigma-w2", required=True, help="weight variance σ_w² (or L values)")
    p.add_argument("--sigma-b2", required=True, help="bias variance σ_b² (or L values)")
    p.add_argument("--depth", type=int, required=True, help="number of weight layers L (>= 1)")
    p.add_argument("--widths", help="α_0,…,α_{L−1}: input and hidden widths in units of M "
                                    "(default all 1; used by fisher_dual and the standard NTK)")
    p.add_argument("--parameterization", choices=("standard", "ntk"), default="ntk",
                   help="NTK parameterisation (default) or standard (then ntk is Θ/M to "
                        "leading order, or Θ itself with --width)")
    p.add_argument("--width", type=float, default=None,
                   help="M, for the standard-parameterisation NTK with its bias terms")
    p.add_argument("--out", required=True, metavar="K.npz", help="where to write the matrices")
    p.add_argument("--json", action="store_true", help="print a summary as JSON")
    p.set_defaults(func=run)


def _check_out(path: str) -> str:
    if not path.endswith(".npz"):
        raise ValueError(f"--out must name a .npz file, got {path!r}")
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise ValueError(f"--out: folder {folder!r} does not exist")
    if os.path.isdir(path):
        raise ValueError(f"--out {path!r} is a folder")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise ValueError(f"--out {path!r} is not writable")
    return path


def _range(mat):
    d = np.diag(mat)
    return [float(d.min()), float(d.max())]


def run(args) -> int:
    from meanfield_sym.kernels.pair import pair_kernels
    from meanfield_sym.meanfield.gram import gram, load_inputs, peak_bytes
    start = time.perf_counter()
    out = _check_out(args.out)
    L = depth(args.depth)
    sw = variance(args.sigma_w2, "--sigma-w2", L)
    sb = variance(args.sigma_b2, "--sigma-b2", L)
    al = widths(args.widths, L)
    if args.width is not None and not (np.isfinite(args.width) and args.width > 0):
        raise ValueError(f"--width must be positive, got {args.width}")
    X = load_inputs(args.inputs)
    pk = pair_kernels(args.activation, **parse_params(args.param))
    g = gram(pk, X, sw, sb, L, widths=al, progress=True)
    ntk = g.ntk(args.parameterization, args.width)
    dual = g.fisher_dual() if g.alpha > 0 else np.full_like(ntk, np.nan)
    st = g.stacks()
    np.savez(out, nngp=g.nngp, ntk=ntk, fisher_dual=dual, **st)
    seconds = time.perf_counter() - start
    if args.json:
        N, d = X.shape
        summary = {"out": out, "activation": g.meta["activation"], "routes": g.meta["routes"],
                   "samples": N, "features": d, "depth": L,
                   "parameterization": args.parameterization,
                   "shapes": {"nngp": list(g.nngp.shape), "ntk": list(ntk.shape),
                              "fisher_dual": list(dual.shape),
                              **{k: list(v.shape) for k, v in st.items()}},
                   "diagonal_range": {"qhat0": _range(g.qhat[0]), "nngp": _range(g.nngp),
                                      "ntk": _range(ntk),
                                      "fisher_dual": (_range(dual) if g.alpha > 0 else None)},
                   "peak_bytes": peak_bytes(N, L), "seconds": seconds}
        if g.alpha <= 0:
            summary["notes"] = ["depth 1: no hidden layer (alpha = 0); fisher_dual is NaN"]
        print(dumps(to_jsonable(summary)))
    else:
        print(f"wrote {out} (N = {X.shape[0]}, L = {L}, {seconds:.2f} s)")
    return 0
