"""``meanfield-sym check``: judge your own printed kernel formula.

The formula (text in q for the one-point kernels, in a and b for the two-point kernels) is
parsed by the package's whitelist parser (no ``eval``), compared with the engine's derivation
and with an mpmath quadrature of the kernel's definition, and judged by the same judge as the
papers' formulas (:func:`meanfield_sym.verdicts.judge.check_kernel`).  Exit status 0 when a
verdict was reached, 1 when the package's derivation and its quadrature disagree, 2 on bad input.
"""
from __future__ import annotations

import json

from meanfield_sym.cli.args import parse_params

KERNELS = ("one_point", "one_point_prime", "two_point", "two_point_prime")


def add_parser(sub):
    p = sub.add_parser("check", help="judge a printed kernel formula against the derivation "
                       "and a quadrature of the definition", description=__doc__.splitlines()[0])
    p.add_argument("activation", help="a built-in name or an expression in x")
    p.add_argument("formula", help="the printed formula, e.g. '(sqrt(a**2-b**2) + "
                   "b*(pi - acos(b/a)))/(2*pi)'")
    p.add_argument("--kernel", required=True, choices=KERNELS,
                   help="which kernel the formula claims to be")
    p.add_argument("--param", metavar="NAME=VALUE", action="append", default=[],
                   help="a built-in's parameter, e.g. --param slope=0.1 (repeatable)")
    p.add_argument("--json", action="store_true", help="print the record as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from meanfield_sym.verdicts.judge import check_kernel
    from meanfield_sym.verdicts.record import format_record

    params = parse_params(args.param)
    r = check_kernel(args.activation, args.kernel, args.formula, params)
    if args.json:
        print(json.dumps(r.to_json(), indent=2))
    else:
        print(format_record(r))
    return 0 if r.consistent else 1
