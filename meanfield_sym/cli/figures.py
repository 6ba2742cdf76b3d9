"""``meanfield-sym figures``: regenerate the figures of the finite-width experiments.

Draws the papers' figure settings (Universal statistics Fig. 1 and supp. Fig. C.1,
Pathological spectra Fig. 4, NGD isotropy) from sampled networks against the theory, and
Universal statistics Fig. 2 (the critical learning rate, on Gaussian inputs and on the
scikit-learn digits, with its numbers as JSON beside the image; skipped with a message when
scikit-learn is missing unless asked for by ``--only``), writes them into ``--out`` (default
docs/figures) and prints the paths written.  ``--quick`` uses fewer
widths and seeds (a smoke run); ``--only NAME`` (repeatable) draws only the named figures.
The folder, the figure names and matplotlib are checked before anything is computed; bad input
exits with status 2 and one line.
"""
from __future__ import annotations


def add_parser(sub):
    from meanfield_sym.cli.args import plain
    p = sub.add_parser("figures", help="regenerate the figures of the finite-width experiments",
                       description=plain(__doc__.splitlines()[0]), allow_abbrev=False)
    p.add_argument("--quick", action="store_true",
                   help="fewer widths and seeds (a smoke run, minutes instead of hours)")
    p.add_argument("--out", metavar="DIR", default="docs/figures",
                   help="output folder (default docs/figures; created if its parent exists)")
    p.add_argument("--only", metavar="NAME", action="append", default=None,
                   help="draw only this figure (repeatable): universal, dependence_on_t, "
                        "softmax, ngd, learning_rate (the last needs scikit-learn)")
    p.set_defaults(func=run)


def run(args) -> int:
    from meanfield_sym.verdicts.figures import FIGURES, check_output_dir, make_figures
    for name in args.only or ():
        if name not in FIGURES:
            raise ValueError(f"--only {name!r} names no figure; known figures: "
                             + ", ".join(FIGURES))
    check_output_dir(args.out, "--out")
    for path in make_figures(args.out, quick=args.quick, only=args.only):
        print(path)
    return 0
