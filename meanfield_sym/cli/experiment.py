"""``meanfield-sym experiment``: a width sweep of random networks against the mean-field theory.

Samples ``--seeds`` networks at each width of ``--width`` and prints, per width and statistic
(m_λ, s_λ, λ_max), the experiment (mean over seeds ± standard error), the theory and their
ratio.  Standard parameterisation: the FIM (Universal statistics Thms 1, 3, 4; Pathological
spectra Thm 3.1); ``--parameterization ntk``: the NTK Θ (Pathological spectra Sec. 4.1);
``--softmax``: the cross-entropy Fisher (Pathological spectra Thm 3.3, λ_max bracketed by its
lower and upper bound).  A progress bar goes to stderr; ``--json`` prints
``{"settings": {...}, "rows": [...]}``; ``--plot FILE.png`` draws theory lines against
experiment points (needs matplotlib).  Bad input exits with status 2 and one line.
"""
from __future__ import annotations

import json
import math
import os
import sys

from meanfield_sym.cli.kernel import parse_params
from meanfield_sym.cli.stats import _depth, _numbers, _positive_int, _variance, to_jsonable


def add_parser(sub):
    p = sub.add_parser("experiment", help="width sweep: finite random networks against theory",
                       description=__doc__.splitlines()[0])
    p.add_argument("--activation", required=True, help="built-in name or expression in x")
    p.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="activation parameter (repeatable), e.g. --param slope=0.1")
    p.add_argument("--sigma-w2", required=True, help="weight variance σ_w² (all layers)")
    p.add_argument("--sigma-b2", required=True, help="bias variance σ_b² (all layers)")
    p.add_argument("--depth", type=int, required=True, help="number of weight layers L (>= 2)")
    p.add_argument("--width", required=True, help="comma-separated widths M1,M2,...")
    p.add_argument("--samples", type=int, default=100, help="N Gaussian inputs (default 100)")
    p.add_argument("--classes", type=int, default=1, help="C outputs (default 1)")
    p.add_argument("--seeds", type=int, default=4, help="networks per width (default 4)")
    p.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    p.add_argument("--softmax", action="store_true",
                   help="cross-entropy (softmax) Fisher instead of the linear-output FIM")
    p.add_argument("--parameterization", choices=("standard", "ntk"), default="standard",
                   help="standard: FIM statistics; ntk: NTK statistics (default standard)")
    p.add_argument("--json", action="store_true", help="print {settings, rows} as JSON")
    p.add_argument("--plot", metavar="FILE.png", help="draw theory vs experiment (matplotlib)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _widths(text: str) -> tuple[int, ...]:
    vals = _numbers(text, "--width")
    out = []
    for v in vals:
        if v != int(v) or v < 1:
            raise ValueError(f"--width must be positive integers, got {text!r}")
        out.append(int(v))
    if len(set(out)) != len(out):
        raise ValueError(f"--width values must be distinct, got {text!r}")
    return tuple(out)


def _settings(args):
    from meanfield_sym.verdicts.sweeps import SweepSettings
    depth = _depth(args.depth)
    if depth < 2:
        raise ValueError("--depth must be >= 2: the Fisher statistics need a hidden layer")
    sw = _variance(args.sigma_w2, "--sigma-w2", depth)
    sb = _variance(args.sigma_b2, "--sigma-b2", depth)
    if isinstance(sw, list) or isinstance(sb, list):
        raise ValueError("experiment takes one --sigma-w2 and one --sigma-b2 for all layers")
    widths = _widths(args.width)
    samples = _positive_int(args.samples, "--samples")
    classes = _positive_int(args.classes, "--classes")
    seeds = _positive_int(args.seeds, "--seeds")
    if args.seed < 0:
        raise ValueError(f"--seed must be >= 0, got {args.seed}")
    if args.plot is not None:
        if not args.plot.lower().endswith(".png"):
            raise ValueError(f"--plot must name a .png file, got {args.plot!r}")
        folder = os.path.dirname(os.path.abspath(args.plot))
        if not os.path.isdir(folder):
            raise ValueError(f"--plot: folder {folder!r} does not exist")
        from meanfield_sym.verdicts.sweeps import _pyplot
        _pyplot()  # a missing matplotlib is reported before the sweep runs
    return SweepSettings(activation=args.activation, params=parse_params(args.param),
                         sigma_w2=sw, sigma_b2=sb, depth=depth, widths=widths,
                         samples=samples, classes=classes, seeds=seeds, softmax=args.softmax,
                         parameterization=args.parameterization, seed=args.seed)


def run(args) -> int:
    from meanfield_sym.verdicts.sweeps import format_rows, plot_sweep, progress_bar, width_sweep
    settings = _settings(args)
    total = sum(settings.seeds_at(w) for w in settings.widths)
    bar = None if args.quiet else progress_bar(total)
    result = width_sweep(settings, bar)
    if args.plot:
        plot_sweep(result, args.plot)
    if args.json:
        print(json.dumps(to_jsonable(result.to_json()), indent=2))
    else:
        s = settings
        kind = ("softmax Fisher F_cross" if s.softmax else
                "NTK Θ" if s.parameterization == "ntk" else "FIM F")
        print(f"{kind}: {s.activation} σ_w²={s.sigma_w2:g} σ_b²={s.sigma_b2:g} L={s.depth} "
              f"N={s.samples} C={s.classes}, {s.seeds} networks per width (seed {s.seed})")
        print(format_rows(result.rows))
        if args.plot:
            print(f"plot: {args.plot}")
    return 0
