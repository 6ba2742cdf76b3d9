"""``meanfield-sym experiment``: a width sweep of random networks against the mean-field theory.

Samples ``--seeds`` networks at each width of ``--width`` and prints, per width and statistic
(m_λ, s_λ, λ_max), the experiment (mean over seeds ± standard error), the theory and their
ratio.  Standard parameterisation: the FIM (Universal statistics Thms 1, 3, 4; Pathological
spectra Thm 3.1); ``--parameterization ntk``: the NTK Θ (Pathological spectra Sec. 4.1);
``--softmax``: the cross-entropy Fisher (Pathological spectra Thm 3.3, λ_max bracketed by its
lower and upper bound).  ``--inputs X.npy|X.csv``: the networks run on these N × d inputs (one
per row, any norms; N and the input width d from the file, hidden widths M) instead of N
Gaussian ones, and the theory is the data kernel (meanfield_sym.meanfield.data: the per-pair
order parameters of these inputs, α_0 = d/M); the file is refused in one line as by
``stats --inputs``.  A progress bar goes to stderr; ``--json`` prints
``{"settings": {...}, "rows": [...]}`` (strict JSON: a non-finite number is null);
``--plot FILE.png`` draws theory lines against experiment points (needs matplotlib; any image
suffix matplotlib writes).  Everything is checked before the first network is sampled: the
numbers, the plot destination, and the memory one network needs at the largest width (a
request beyond the memory available is refused with the estimate), and with ``--inputs`` the
file and the data kernel's theory at every width.  Bad input exits with status 2 and one
line.
"""
from __future__ import annotations

import os

from meanfield_sym.cli.args import (depth, dumps, numbers, parse_params, positive_int, plain,
                                    variance)

#: Fraction of the available memory one network may use: the interpreter, the kernel tables
#: and the sweep's own arrays need the rest.
MEMORY_FRACTION = 0.8


def add_parser(sub):
    p = sub.add_parser("experiment", help="width sweep: finite random networks against theory",
                       description=plain(__doc__.splitlines()[0]), allow_abbrev=False)
    p.add_argument("--activation", required=True, help="built-in name or expression in x")
    p.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="activation parameter (repeatable), e.g. --param slope=0.1")
    p.add_argument("--sigma-w2", required=True, help="weight variance σ_w² (all layers)")
    p.add_argument("--sigma-b2", required=True, help="bias variance σ_b² (all layers)")
    p.add_argument("--depth", type=int, required=True, help="number of weight layers L (>= 2)")
    p.add_argument("--width", required=True, help="comma-separated widths M1,M2,...")
    p.add_argument("--samples", type=int, default=None,
                   help="N Gaussian inputs (default 100; with --inputs the file's rows)")
    p.add_argument("--inputs", metavar="X.npy|X.csv", default=None,
                   help="N × d inputs (one per row, any norms) instead of Gaussian ones; the "
                        "theory is then the data kernel of these inputs (needs --depth >= 3 "
                        "for the FIM; not with --softmax)")
    p.add_argument("--classes", type=int, default=1, help="C outputs (default 1)")
    p.add_argument("--seeds", type=int, default=4, help="networks per width (default 4)")
    p.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    p.add_argument("--softmax", action="store_true",
                   help="cross-entropy (softmax) Fisher instead of the linear-output FIM")
    p.add_argument("--parameterization", choices=("standard", "ntk"), default="standard",
                   help="standard: FIM statistics; ntk: NTK statistics (default standard)")
    p.add_argument("--json", action="store_true", help="print {settings, rows} as JSON")
    p.add_argument("--plot", metavar="FILE.png",
                   help="draw theory vs experiment (matplotlib; .png, .pdf, .svg, ...)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _widths(text: str) -> tuple[int, ...]:
    vals = numbers(text, "--width")
    out = []
    for v in vals:
        if v != int(v) or v < 1:
            raise ValueError(f"--width must be positive integers, got {text!r}")
        out.append(int(v))
    if len(set(out)) != len(out):
        raise ValueError(f"--width values must be distinct, got {text!r}")
    return tuple(out)


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (MemAvailable of /proc/meminfo, else the
    physical memory), or None when the system does not say."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def _gib(n: float) -> str:
    return f"{n / 2 ** 30:.3g} GiB"


def check_memory(settings, available: int | None = None) -> int:
    """Refuse a sweep whose largest network does not fit: returns the estimated bytes
    (:func:`meanfield_sym.verdicts.sweeps.memory_bytes` at the largest width, plus for given
    inputs the Gram matrices of the theory, :func:`meanfield_sym.meanfield.gram.peak_bytes`)."""
    from meanfield_sym.meanfield.gram import peak_bytes
    from meanfield_sym.verdicts.sweeps import memory_bytes
    s = settings
    need = memory_bytes(s.depth, max(s.widths), s.samples, s.classes, s.features)
    if s.inputs is not None:
        need += peak_bytes(s.samples, s.depth)
    have = available_memory() if available is None else available
    if have is not None and need > MEMORY_FRACTION * have:
        raise ValueError(
            f"one network at width {max(s.widths)} (L = {s.depth}, N = {s.samples}, "
            f"C = {s.classes}) needs about {_gib(need)} of memory (weights, forward signals and "
            f"{s.classes * s.samples}² dual Gram matrices"
            + (", and the theory's N × N Gram matrices" if s.inputs is not None else "")
            + "), more than "
            f"{MEMORY_FRACTION:.0%} of the {_gib(have)} available; choose a smaller --width, "
            "--depth, --samples or --classes")
    return need


def _settings(args):
    from meanfield_sym.verdicts.sweeps import SweepSettings
    if args.depth is not None and args.depth < 2:
        raise ValueError(f"--depth must be >= 2: the Fisher statistics need a hidden layer, "
                         f"got {args.depth}")
    L = depth(args.depth)
    sw = variance(args.sigma_w2, "--sigma-w2", L)
    sb = variance(args.sigma_b2, "--sigma-b2", L)
    if isinstance(sw, list) or isinstance(sb, list):
        raise ValueError("experiment takes one --sigma-w2 and one --sigma-b2 for all layers")
    widths = _widths(args.width)
    samples = positive_int(args.samples, "--samples")
    classes = positive_int(args.classes, "--classes")
    seeds = positive_int(args.seeds, "--seeds")
    if args.seed < 0:
        raise ValueError(f"--seed must be >= 0, got {args.seed}")
    if args.inputs is not None:
        if args.softmax:
            raise ValueError("--softmax cannot be combined with --inputs: the softmax Fisher "
                             "statistics (Pathological spectra Thm 3.3) need the equal-norm "
                             "κ₁, κ₂ of Gaussian inputs")
        if L < 3 and args.parameterization == "standard":
            raise ValueError("--inputs needs --depth >= 3 for the FIM: with the data's d input "
                             "units fixed, depth 2 has no M × M layer and its O(M) biases and "
                             "output weights are not negligible against the theory's αM² "
                             "parameters")
    if args.plot is not None:
        from meanfield_sym.verdicts.figures import check_plot_path
        check_plot_path(args.plot, "--plot")  # also reports a missing matplotlib
    inputs = None
    if args.inputs is not None:
        from meanfield_sym.meanfield.gram import load_inputs
        inputs = load_inputs(args.inputs)
        if samples is not None and samples != inputs.shape[0]:
            raise ValueError(f"--samples {samples} disagrees with the {inputs.shape[0]} rows of "
                             f"--inputs {args.inputs!r} (N is taken from the file; leave "
                             "--samples out)")
        samples = inputs.shape[0]
    elif samples is None:
        samples = 100
    settings = SweepSettings(activation=args.activation, params=parse_params(args.param),
                             sigma_w2=sw, sigma_b2=sb, depth=L, widths=widths,
                             samples=samples, classes=classes, seeds=seeds,
                             softmax=args.softmax, parameterization=args.parameterization,
                             seed=args.seed, inputs=inputs,
                             inputs_label=args.inputs or "")
    check_memory(settings)
    if inputs is not None:   # the data kernel, before any network: its failure is one line
        from meanfield_sym.verdicts.sweeps import theory_for
        for width in widths:
            theory_for(settings, width)
    return settings


def run(args) -> int:
    import sys

    from meanfield_sym.verdicts.sweeps import format_rows, progress_bar, width_sweep
    settings = _settings(args)
    total = sum(settings.seeds_at(w) for w in settings.widths)
    bar = None if args.quiet else progress_bar(total)
    result = width_sweep(settings, bar)
    # the results are printed first: a plot that fails to write loses nothing
    if args.json:
        print(dumps(result.to_json()))
    else:
        s = settings
        kind = ("softmax Fisher F_cross" if s.softmax else
                "NTK Θ" if s.parameterization == "ntk" else "FIM F")
        data = ("" if s.inputs is None else
                f" on {s.inputs_label} ({s.samples} inputs × {s.features} features; theory: "
                "data kernel)")
        print(f"{kind}: {s.activation} σ_w²={s.sigma_w2:g} σ_b²={s.sigma_b2:g} L={s.depth} "
              f"N={s.samples} C={s.classes}, {s.seeds} networks per width (seed {s.seed})"
              + data)
        print(format_rows(result.rows))
    if args.plot:
        from meanfield_sym.verdicts.figures import plot_sweep
        sys.stdout.flush()
        try:
            plot_sweep(result, args.plot)
        except (OSError, ValueError) as exc:
            raise ValueError(f"--plot: could not write {args.plot!r} ({exc}); the results "
                             "above are complete") from None
        if not args.json:
            print(f"plot: {args.plot}")
    return 0
