"""The ``meanfield-sym`` command line.

Sub-commands live in :mod:`meanfield_sym.cli` (one module each, ``add_parser``).  Every
error a user can cause (bad numbers, unknown activation, ...) ends with exit status 2 and one
line on stderr naming what is wrong; no traceback.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
import warnings


__all__ = ["main", "UserError"]


#: Default derivation budget of the command line (seconds): an answer, or a clear fallback,
#: well within ten seconds.
CLI_BUDGET = 5.0


class UserError(Exception):
    """An input problem to report as one clear line (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    #: values such as -1e299, -inf and -.5 are numbers, not options
    _NEGATIVE = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^-(inf|nan)$", re.IGNORECASE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = self._NEGATIVE

    def error(self, message):  # one line, exit 2, like argparse but without the usage block
        self.exit(2, f"{self.prog}: error: {message}\n")


class _ListBuiltins(argparse.Action):
    """``--list``: the built-in activations with their parameters, then exit."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from meanfield_sym.activation.function import BUILTINS
        from meanfield_sym.kernels.provider import SHIPPED, TABULATED
        print("built-in activations (name, parameters with defaults, definition; "
              "* = shipped generated module):")
        for name in sorted(BUILTINS):
            _, defaults, text = BUILTINS[name]
            params = ", ".join(f"{k}={v}" for k, v in defaults.items()
                               if name != "polynomial" or v != 0 or k == "c1")
            if name == "polynomial":
                params += ", … c9=0"
            mark = "*" if name in SHIPPED or name in TABULATED else " "
            print(f"  {mark} {name:13s} {params:22s} {text}")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    from meanfield_sym import __version__
    parser = _Parser(prog="meanfield-sym", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"meanfield-sym {__version__}")
    parser.add_argument("--budget", type=float, metavar="SECONDS", default=None,
                        help=f"time a symbolic derivation may take before the kernels are "
                             f"evaluated by quadrature instead (default {CLI_BUDGET:g} s; also "
                             "MEANFIELD_SYM_BUDGET)")
    parser.add_argument("--list", action=_ListBuiltins,
                        help="list the built-in activations and their parameters, then exit")
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
    if args.budget is not None:
        if not args.budget > 0:
            print(f"meanfield-sym: error: --budget must be positive, got {args.budget:g}",
                  file=sys.stderr)
            return 2
        os.environ["MEANFIELD_SYM_BUDGET"] = repr(args.budget)
    else:
        os.environ.setdefault("MEANFIELD_SYM_BUDGET", repr(CLI_BUDGET))
    try:
        with warnings.catch_warnings():
            # floating-point warnings never reach the user: every evaluator refuses NaN with a
            # message of its own, and ∞ is a value where the mathematics says so
            warnings.simplefilter("ignore", RuntimeWarning)
            # other warnings (e.g. a refused table file) as one line each
            warnings.showwarning = lambda message, *_, **__: print(
                f"meanfield-sym {args.command}: warning: {_one_line(message)}", file=sys.stderr)
            return int(args.func(args) or 0)
    except (UserError, ValueError) as exc:
        print(f"meanfield-sym {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"meanfield-sym {args.command}: error: out of memory; choose a smaller problem",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"meanfield-sym {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 -- one line, never a traceback (MEANFIELD_SYM_DEBUG=1 shows it)
        if os.environ.get("MEANFIELD_SYM_DEBUG"):
            raise
        print(f"meanfield-sym {args.command}: internal error ({type(exc).__name__}: "
              f"{_one_line(exc)}); set MEANFIELD_SYM_DEBUG=1 for the traceback", file=sys.stderr)
        return 70


def _one_line(exc) -> str:
    return " ".join(str(exc).split())


if __name__ == "__main__":
    raise SystemExit(main())
