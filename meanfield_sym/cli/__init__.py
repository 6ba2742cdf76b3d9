"""The ``meanfield-sym`` command line.

Sub-commands live in :mod:`meanfield_sym.cli` (one module each, ``add_parser``).  Every
error a user can cause (bad numbers, unknown activation, ...) ends with exit status 2 and one
line on stderr naming what is wrong; no traceback.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys


__all__ = ["main", "UserError"]


class UserError(Exception):
    """An input problem to report as one clear line (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, like argparse but without the usage block
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="meanfield-sym", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "add_parser"):
            mod.add_parser(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (UserError, ValueError) as exc:
        print(f"meanfield-sym {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
