"""``meanfield-sym verify``: run every derivation script and print the verdict table.

Exit status 0 when every check reached a verdict and the toolkit's own witnesses agreed with each
other (derivation vs quadrature vs finite width); 1 when the toolkit is inconsistent.
"""
from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("verify", help="check the papers' printed formulas (derivation + numerics)",
                       description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true", help="print a JSON list of check objects")
    p.add_argument("--slow", action="store_true",
                   help="also run the slow scripts (finite-width Monte Carlo verdicts)")
    p.add_argument("--only", metavar="NAME", action="append", default=[],
                   help="run only scripts whose name contains NAME (repeatable)")
    p.set_defaults(func=run)


def run(args) -> int:
    from meanfield_sym.verdicts.record import (MISPRINT, discover_scripts, format_table, results_to_json)
    import time

    start = time.perf_counter()
    results = []
    for mod in discover_scripts(include_slow=args.slow):
        name = mod.__name__.rsplit(".", 1)[-1]
        if args.only and not any(o in name for o in args.only):
            continue
        print(f"[verify] {name}", file=sys.stderr, flush=True)
        for r in mod.checks():
            r.script = r.script or name
            results.append(r)
    seconds = time.perf_counter() - start
    if args.json:
        print(results_to_json(results))
    else:
        print(format_table(results))
        mis = [r for r in results if r.verdict == MISPRINT]
        if mis:
            print("\nMisprints (corrected forms):")
            for r in mis:
                print(f"  {r.id} {r.paper} {r.equation}: printed {r.printed}  ->  {r.corrected}")
        counts = {v: sum(r.verdict == v for r in results) for v in ("HOLDS", "MISPRINT",
                                                                      "UNDECIDED")}
        print(f"\n{len(results)} checks: {counts['HOLDS']} hold, {counts['MISPRINT']} misprints, "
              f"{counts['UNDECIDED']} undecided; {seconds:.1f} s")
    bad = [r for r in results if not r.consistent]
    for r in bad:
        print(f"meanfield-sym verify: INCONSISTENT {r.id}: {r.evidence}", file=sys.stderr)
    return 1 if bad else 0
