"""``meanfield-sym codegen``: write a generated NumPy evaluator module, or check the shipped ones.

* ``meanfield-sym codegen ACTIVATION [--param K=V] --out FILE.py`` writes the module of any
  activation (kernels without a closed form are left to the library, which evaluates them);
* ``meanfield-sym codegen --check [--only NAMES] [--dir DIR]`` regenerates the shipped modules of
  ``meanfield_sym/generated`` into a temporary folder and exits 1, listing the files that
  differ, when any is out of date (CI runs it); the table files of tanh and sigmoid must be
  current and agree with fresh quadrature at fixed points;
* ``meanfield-sym codegen --update [--only NAMES]`` rewrites the shipped modules in place and
  builds the table files that are not current.
"""
from __future__ import annotations

import sys

from meanfield_sym.cli.args import parse_params, plain


def add_parser(sub):
    p = sub.add_parser("codegen", help="write generated NumPy evaluator modules / check the "
                       "shipped ones", description=plain(__doc__.split("\n\n")[0]))
    p.add_argument("activation", nargs="?", default=None,
                   help="a built-in name or an expression in x, e.g. 'sin(x) + x/2'")
    p.add_argument("--param", metavar="NAME=VALUE", action="append", default=[],
                   help="a built-in's parameter, e.g. --param slope=1/10 (repeatable)")
    p.add_argument("--out", metavar="FILE.py", default=None, help="where to write the module")
    p.add_argument("--check", action="store_true",
                   help="regenerate the shipped modules into a temporary folder and fail "
                        "(exit 1) if any differs or a table file is not current")
    p.add_argument("--update", action="store_true",
                   help="rewrite the shipped modules in place and build the table files that "
                        "are not current")
    p.add_argument("--only", metavar="NAMES", default=None,
                   help="comma-separated subset of the shipped modules for --check/--update")
    p.add_argument("--dir", metavar="DIR", default=None,
                   help="folder holding the modules to --check (default: the package's "
                        "meanfield_sym/generated)")
    p.add_argument("--diff", type=int, metavar="N", default=12,
                   help="with --check, show up to N lines of diff per file (default 12)")
    p.set_defaults(func=run)


def _only(text):
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise ValueError("--only needs at least one name")
    return names


def run(args) -> int:
    from pathlib import Path

    from meanfield_sym.codegen import emit as codegen
    from meanfield_sym.kernels import table_file

    shipped_mode = args.check or args.update
    if args.check and args.update:
        raise ValueError("--check and --update exclude each other")
    if shipped_mode:
        if args.activation is not None or args.out is not None or args.param:
            raise ValueError("--check/--update work on the shipped modules: give no ACTIVATION, "
                             "--param or --out")
        names = _only(args.only)
        if args.update:
            if args.dir is not None:
                raise ValueError("--dir is for --check")
            for path in codegen.write_shipped(names):
                print(f"wrote {path}")
            return 0
        folder = Path(args.dir) if args.dir is not None else codegen.GENERATED_DIR
        if not folder.is_dir():
            raise ValueError(f"--dir {str(folder)!r} is not a folder")
        if args.diff < 0:
            raise ValueError(f"--diff must be >= 0 (lines of diff per file), got {args.diff}")
        bad = codegen.check_shipped(names, folder, diff_lines=args.diff)
        checked = len(names) if names is not None else \
            len(codegen.SHIPPED) + len(codegen.TABULATED)
        if not bad:
            tabulated = [n for n in (names or codegen.TABULATED) if n in codegen.TABULATED]
            tables = (f"; the table files of {', '.join(tabulated)} current and within "
                      f"{table_file.CHECK_RTOL:g} of fresh quadrature" if tabulated else "")
            print(f"codegen --check: {checked} generated module(s) up to date in {folder}"
                  f"{tables}")
            return 0
        print(f"codegen --check: {len(bad)} file(s) of the {checked} generated module(s) differ "
              "from a fresh generation or are not current (regenerate with "
              "`meanfield-sym codegen --update`):", file=sys.stderr)
        for path, reason in bad:
            print(f"  {path}", file=sys.stderr)
            if reason not in ("differs", "missing") and reason:
                print("    " + reason.replace("\n", "\n    "), file=sys.stderr)
            elif reason == "missing":
                print("    (missing)", file=sys.stderr)
        return 1
    if args.only is not None or args.dir is not None:
        raise ValueError("--only/--dir go with --check or --update")
    if args.activation is None:
        raise ValueError("give an ACTIVATION and --out FILE.py, or --check / --update")
    if args.out is None:
        raise ValueError("--out FILE.py is required")
    params = parse_params(args.param)
    mod = codegen.write_module(args.activation, args.out, **params)
    print(f"wrote {args.out}  (activation {mod.activation.name}, fingerprint "
          f"{mod.activation.fingerprint})")
    if mod.delegated:
        print(f"note: no closed form for {', '.join(mod.delegated)}; the library evaluates "
              "these kernels when it takes the module as provider (SymPy needed then)",
              file=sys.stderr)
    return 0
