"""The reference pages: the command line (from its own ``--help``), an example run of
``meanfield-sym stats``, and the API (autodoc of every module, layer by layer)."""
from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import io
import pkgutil

from meanfield_sym.site.rst import heading, literal_block, note, prose, rst_escape

__all__ = ["cli_reference", "stats_example", "api_reference", "api_modules", "LAYERS",
           "STATS_EXAMPLE"]

#: The sub-packages in the order of the data path; the API reference walks them in this order,
#: then any other sub-package it finds.
LAYERS = ("activation", "kernels", "meanfield", "codegen", "generated", "witnesses", "verdicts",
          "cli", "site")
#: Left out of the API reference: entry points and the derivation scripts (they have pages).
_SKIP_NAMES = ("__main__", "derivations")
#: The command shown (with its output of this build) on the getting-started page.
STATS_EXAMPLE = ["stats", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0.1",
                 "--depth", "3", "--width", "1000", "--samples", "100"]


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------
def _subparsers(parser) -> dict:
    for action in parser._actions:  # argparse has no public accessor for sub-parsers
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _help_text(parser, width: int = 90) -> str:
    cls = parser.formatter_class
    parser.formatter_class = lambda prog, cls=cls: cls(prog, width=width)
    try:
        return parser.format_help()
    finally:
        parser.formatter_class = cls


def cli_reference() -> list[str]:
    """reST lines of the CLI reference, from the help of :func:`meanfield_sym.cli.build_parser`."""
    from meanfield_sym.cli import build_parser

    parser = build_parser()
    lines = [".. _cli:", ""] + heading("Command-line reference", "=")
    lines += ["Generated at build time from the ``--help`` of ``meanfield-sym`` and of each "
              "sub-command (``python -m meanfield_sym`` is the same program). Errors a user "
              "can cause exit with status 2 and one line on standard error.", ""]
    lines += literal_block(_help_text(parser))
    subs = _subparsers(parser)
    if not subs:
        lines += note("note", "No sub-command is registered.")
    for name, sub in sorted(subs.items()):
        lines += heading(f"meanfield-sym {name}", "-")
        lines += literal_block(_help_text(sub))
    return lines


def stats_example(argv=None) -> list[str]:
    """reST lines showing ``meanfield-sym <argv>`` (default :data:`STATS_EXAMPLE`) and its output
    in this build.

    Raises
    ------
    RuntimeError
        When the command exits with a non-zero status (its standard error is in the message).
    """
    from meanfield_sym.cli import main as cli_main

    argv = list(STATS_EXAMPLE if argv is None else argv)
    buf, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
        status = cli_main(argv)
    if status != 0:
        raise RuntimeError(f"meanfield-sym {' '.join(argv)} exited with status {status}:\n"
                           f"{err.getvalue()}")
    return (["Output of ``meanfield-sym " + " ".join(argv) + "`` in this build:", ""]
            + literal_block(buf.getvalue()))


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------
def _children(package) -> list[str]:
    """Full names of the public modules and sub-packages directly inside ``package``."""
    return [f"{package.__name__}.{i.name}"
            for i in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name)
            if not i.name.startswith("_") and i.name not in _SKIP_NAMES]


def api_modules():
    """The modules of the API reference, walked from the installed package.

    Returns ``(sections, failed)``: ``sections`` is a list of ``(title, [module, ...])`` --
    first the top-level modules, then one section per sub-package in the order of
    :data:`LAYERS` (then any other sub-package), each listing the package and its modules
    (depth first); ``failed`` lists ``(name, error)`` for the modules that did not import.
    Only what exists is walked: a layer that is not there is not listed.
    """
    import meanfield_sym

    failed: list[tuple[str, str]] = []

    def load(name):
        try:
            return importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 -- listed on the page, and a build error
            failed.append((name, f"{type(exc).__name__}: {exc}"))
            return None

    def walk(mod) -> list:
        found = [mod]
        if hasattr(mod, "__path__"):
            for child in _children(mod):
                sub = load(child)
                if sub is not None:
                    found += walk(sub)
        return found

    top, packages = [meanfield_sym], {}
    for name in _children(meanfield_sym):
        mod = load(name)
        if mod is None:
            continue
        if hasattr(mod, "__path__"):
            packages[name.rsplit(".", 1)[1]] = mod
        else:
            top.append(mod)
    order = [p for p in LAYERS if p in packages] + sorted(set(packages) - set(LAYERS))
    sections = [("The package", top)]
    sections += [(f"meanfield_sym.{p}", walk(packages[p])) for p in order]
    return sections, failed


def _defines_members(mod) -> bool:
    """Whether a package's ``__init__`` defines public functions or classes of its own (a
    package that only re-exports its modules is documented by its docstring alone, so that no
    object is described twice)."""
    return any((inspect.isfunction(v) or inspect.isclass(v)) and not k.startswith("_")
               and getattr(v, "__module__", None) == mod.__name__ for k, v in vars(mod).items())


def _generated_summary(mod) -> list[str]:
    lines = heading(mod.__name__, "~")
    lines += prose(inspect.getdoc(mod) or "")
    funcs = [n for n, f in vars(mod).items() if inspect.isfunction(f)
             and not n.startswith("_") and f.__module__ == mod.__name__]
    if funcs:
        lines += ["Functions: " + ", ".join(f"``{n}``" for n in funcs) + ".", ""]
    return lines


def api_reference(failed: list | None = None) -> list[str]:
    """reST lines of the API reference: ``automodule`` for every module, layer by layer.

    The generated evaluator modules (``meanfield_sym.generated.*``) are summarised (docstring
    and function names) rather than autodoc'ed.  Modules that do not import are listed at the
    end of the page and appended to ``failed`` as ``(name, error)``.
    """
    sections, bad = api_modules()
    if failed is not None:
        failed.extend(bad)
    lines = [".. _api:", ""] + heading("API reference", "=")
    lines += ["Generated from the docstrings (numpydoc style, rendered by Napoleon), in the "
              "order of the data path: activation, kernels, mean-field recursions and "
              "statistics, code generation and the generated evaluators, the witnesses, the "
              "verdicts, the command line and this documentation site. Each module names the "
              "paper and the equation it implements.", ""]
    for title, mods in sections:
        lines += heading(title, "-")
        generated = [m for m in mods if m.__name__.startswith("meanfield_sym.generated.")]
        for mod in mods:
            if mod in generated:
                continue
            if mod is not mods[0]:  # the section's package sits under the section title
                lines += heading(mod.__name__, "~")
            lines += [f".. automodule:: {mod.__name__}"]
            if not hasattr(mod, "__path__") or (mod.__name__ != "meanfield_sym"
                                                 and _defines_members(mod)):
                lines += ["   :members:"]
            lines += [""]
        if generated:
            lines += ["Plain NumPy/SciPy code generated from the derived closed forms "
                      "(``meanfield-sym codegen``); each module's docstring says from what and "
                      "how to regenerate it.", ""]
            for mod in generated:
                lines += _generated_summary(mod)
    if bad:
        lines += heading("Modules that did not import", "-")
        lines += [f"* ``{name}``: {rst_escape(err)}" for name, err in bad] + [""]
    return lines
