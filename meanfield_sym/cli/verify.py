"""``meanfield-sym verify``: run every derivation script and print the verdicts.

Exit status 0 when the run is consistent; 1 when a record's witnesses contradict its
derivation, when two records about the same equation reach contradictory verdicts (HOLDS and
MISPRINT), or when a bound record's witness violates the bound beyond its error (each named on
stderr); 2 for a usage error (e.g. ``--only`` naming no script).
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
    p.add_argument("--wide", action="store_true",
                   help="one line per record (no wrapping) instead of one block per record")
    p.set_defaults(func=run)


def run(args) -> int:
    import time

    from meanfield_sym.verdicts.record import (consistency_problems, discover_scripts,
                                               format_table, results_to_json, summary_line)

    mods = discover_scripts(include_slow=args.slow)
    if args.only:
        known = [m.__name__.rsplit(".", 1)[-1] for m in mods]
        for o in args.only:
            if not any(o in n for n in known):
                slow = [m.__name__.rsplit(".", 1)[-1] for m in discover_scripts(True)
                        if getattr(m, "SLOW", False) and o in m.__name__.rsplit(".", 1)[-1]]
                hint = f" (slow, needs --slow: {', '.join(slow)})" if slow else ""
                raise ValueError(f"--only {o!r} names no derivation script{hint}; known "
                                 "scripts: " + ", ".join(known))
    start = time.perf_counter()
    results = []
    for mod in mods:
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
        print(format_table(results, wide=args.wide))
        print("\n" + summary_line(results, seconds))
    problems = consistency_problems(results)
    for p in problems:
        print(f"meanfield-sym verify: {p}", file=sys.stderr)
    return 1 if problems else 0
