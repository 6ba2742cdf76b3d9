"""``meanfield-sym kernel``: the four Gaussian kernels of an activation, closed form or quadrature.

Prints E[φ(√q u)²], E[φ'(√q u)²], I_φ[a, b], I_φ'[a, b] as derived by the engine (or "no closed
form: quadrature"), and with ``--a/--b`` their values (one-point ones at q = A).
"""
from __future__ import annotations

import math

from meanfield_sym.cli.args import dumps, parse_params, plain


def add_parser(sub):
    p = sub.add_parser("kernel", help="derive the four Gaussian kernels of an activation",
                       description=plain(__doc__.split("\n\n")[0]))
    p.add_argument("activation", help="a built-in name (see meanfield-sym --list) or an expression in x, "
                   "e.g. 'sin(x) + x/2'")
    p.add_argument("--param", metavar="NAME=VALUE", action="append", default=[],
                   help="a built-in's parameter, e.g. --param slope=0.1 (repeatable)")
    p.add_argument("--a", type=str, default=None, help="variance a (> 0); q = a for one-point")
    p.add_argument("--b", type=str, default=None, help="covariance b (|b| ≤ a; default 0)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--latex", action="store_true", help="print the closed forms as LaTeX")
    p.set_defaults(func=run)


def _number(name, text):
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"--{name} must be a number, got {text!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"--{name} must be finite, got {text!r}")
    return v


def run(args) -> int:
    from meanfield_sym.kernels.names import KERNEL_NAMES
    from meanfield_sym.kernels.provider import describe, resolve

    params = parse_params(args.param)
    a = b = None
    if args.b is not None and args.a is None:
        raise ValueError("--b needs --a")
    if args.a is not None:
        a = _number("a", args.a)
        b = _number("b", args.b) if args.b is not None else 0.0
        if a <= 0:
            raise ValueError(f"--a must be > 0 (a variance), got {args.a}")
        if abs(b) > a:
            raise ValueError(f"|b| must not exceed a (a covariance), got a={args.a}, b={args.b}")
    ks = resolve(args.activation, **params)
    who = describe(ks)
    domain = who.get("domain") or {}
    values = None
    if a is not None:
        values = {"one_point": float(ks.one_point(a)), "one_point_prime": float(ks.one_point_prime(a)),
                  "two_point": float(ks.two_point(a, b)),
                  "two_point_prime": float(ks.two_point_prime(a, b))}
    forms = who["closed_form"]
    latex = None
    if args.latex:
        import sympy as sp

        from meanfield_sym.kernels.kernel_set import kernels_for
        derived = kernels_for(args.activation, **params).closed_form
        latex = {k: (None if derived[k] is None else sp.latex(derived[k])) for k in KERNEL_NAMES}
    if args.json:
        out = {"activation": who["activation"], "expression": who["expression"],
               "params": who["params"], "closed_form": forms, "methods": who["methods"],
               "domain": domain, "values": values}
        if latex is not None:
            out["latex"] = latex
        print(dumps(out))
        return 0
    labels = {"one_point": "E[φ(√q u)²]", "one_point_prime": "E[φ'(√q u)²]",
              "two_point": "I_φ[a, b]", "two_point_prime": "I_φ'[a, b]"}
    print(f"activation: {who['activation']}    φ(x) = {who['expression']}")
    print(f"            φ'(x) = {who['prime']}")
    for k in KERNEL_NAMES:
        f = forms[k]
        text = (who["methods"].get(k) or "no closed form: quadrature") if f is None else (
            latex[k] if latex else f)
        where = domain.get(k)
        if where is not None:
            text += f"    (exists for {'q' if k.startswith('one_point') else 'a + |b|'} < {where})"
        print(f"{labels[k]:>14} = {text}")
    if values is not None:
        print(f"\nvalues at a = q = {a:g}, b = {b:g}:")
        for k in KERNEL_NAMES:
            print(f"{labels[k]:>14} = {values[k]!r}")
    return 0
