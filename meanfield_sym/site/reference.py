"""The reference pages: the command line (from its own ``--help``), an example run of
``meanfield-sym stats``, the worked example of the public judge (``check_kernel`` and
``meanfield-sym check``, run at build time), the bibliography (from
:data:`meanfield_sym.citations.REFERENCES`) and the API (autodoc of every module, layer by
layer)."""
from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import io
import pkgutil

from meanfield_sym.site.rst import heading, literal_block, note, prose, rst_escape

__all__ = ["cli_reference", "stats_example", "api_reference", "api_modules", "LAYERS",
           "STATS_EXAMPLE", "bibliography_page", "check_example", "CHECK_EXAMPLES"]

#: The sub-packages in the order of the data path; the API reference walks them in this order,
#: then any other sub-package it finds.
LAYERS = ("activation", "kernels", "meanfield", "codegen", "generated", "witnesses", "verdicts",
          "cli", "site")
#: Left out of the API reference: entry points and the derivation scripts (they have pages).
_SKIP_NAMES = ("__main__", "derivations")
#: The command shown (with its output of this build) on the getting-started page.
STATS_EXAMPLE = ["stats", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0.1",
                 "--depth", "3", "--width", "1000", "--samples", "100"]
#: The formulas of the worked example of the judge (``docs/checking.rst``), from outside the
#: three papers: (label, activation, kernel, formula, citation key or None).
CHECK_EXAMPLES = (
    ("Cho & Saul's arc-cosine kernel of order 1", "relu", "two_point",
     "(sqrt(a**2-b**2) + b*(pi - acos(b/a)))/(2*pi)", "ChoSaul2009"),
    ("Williams' erf kernel", "erf", "two_point", "2/pi*asin(2*b/(1+2*a))", "Williams1997"),
    ("a deliberately wrong erf kernel (the factor 2 of b dropped)", "erf", "two_point",
     "2/pi*asin(b/(1+2*a))", None),
)


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
# The public judge, run on formulas from outside the papers
# ---------------------------------------------------------------------------------------------
def _run_cli(argv) -> tuple[int, str, str]:
    from meanfield_sym.cli import main as cli_main

    buf, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
        status = cli_main(list(argv))
    return status, buf.getvalue(), err.getvalue()


def _shell_quote(arg: str) -> str:
    return arg if all(c.isalnum() or c in "-_./=" for c in arg) else "'" + arg + "'"


def check_example(examples=None) -> list[str]:
    """reST lines of the worked example of the judge, every output produced in this build.

    The first example is run through the Python API
    (:func:`meanfield_sym.verdicts.judge.check_kernel`), the others through
    ``meanfield-sym check``; the last is rendered as a derivation page renders a record
    (:func:`meanfield_sym.site.derivations.record_lines`).

    Raises
    ------
    RuntimeError
        When ``meanfield-sym check`` exits with a non-zero status (the package's derivation
        and its quadrature disagree, or the input is bad).
    """
    from meanfield_sym.citations import REFERENCES
    from meanfield_sym.site.derivations import record_lines
    from meanfield_sym.verdicts.judge import check_kernel

    examples = list(CHECK_EXAMPLES if examples is None else examples)
    lines: list[str] = []
    last = None
    for k, (label, act, kernel, text, key) in enumerate(examples):
        source = f" (:ref:`{rst_escape(REFERENCES[key][0])} <ref-{key.lower()}>`)" \
            if key in REFERENCES else ""
        lines += heading(f"{label[0].upper()}{label[1:]}", "-")
        if k == 0:
            r = check_kernel(act, kernel, text)
            session = [
                ">>> from meanfield_sym.verdicts.judge import check_kernel",
                f">>> r = check_kernel({act!r}, {kernel!r},",
                f"...                  {text!r})",
                ">>> r.verdict, r.consistent", repr((r.verdict, r.consistent)),
                ">>> r.key, r.kind", repr((r.key, r.kind)),
                ">>> r.to_json()['text']", repr(r.to_json()["text"]),
                ">>> r.reason", repr(r.reason),
                ">>> [(w.kind, w.independent, w.agrees_derived, w.agrees_printed) "
                "for w in r.witnesses]",
                repr([(w.kind, w.independent, w.agrees_derived, w.agrees_printed)
                      for w in r.witnesses]),
                ">>> r.witnesses[0].numbers",
                "{" + ",\n ".join(f"{n!r}: {v!r}" for n, v in r.witnesses[0].numbers.items())
                + "}",
            ]
            lines += [f"The formula{source}, for φ = ``{act}``, in Python. The verdict of this "
                      f"build: :verdict-{r.verdict.lower()}:`{r.verdict}`.", ""]
            lines += literal_block("\n".join(session), "pycon")
            last = r
            continue
        argv = ["check", act, "--kernel", kernel, text]
        status, out, err = _run_cli(argv)
        if status != 0:
            raise RuntimeError(f"meanfield-sym {' '.join(argv)} exited with status {status}:\n"
                               f"{err}")
        r = check_kernel(act, kernel, text) if k == len(examples) - 1 else None
        verdict = next((w for w in out.split() if w in ("HOLDS", "MISPRINT", "UNDECIDED")),
                       None)
        lines += [f"The formula{source}, for φ = ``{act}``, on the command line"
                  + (f"; the verdict of this build: :verdict-{verdict.lower()}:`{verdict}`"
                     if verdict else "") + ".", ""]
        lines += literal_block("$ meanfield-sym " + " ".join(_shell_quote(a) for a in argv)
                               + "\n" + out.rstrip("\n") + f"\n$ echo $?\n{status}", "console")
        if r is not None:
            last = r
    if last is not None and len(examples) > 1:
        lines += heading("The last record as a derivation page shows it", "-")
        lines += ["The same record, from ``check_kernel`` "
                  f"({', '.join(repr(x) for x in examples[-1][1:4])}), rendered by "
                  ":func:`meanfield_sym.site.derivations.record_lines` as the "
                  ":ref:`derivations` pages render the papers' records:", ""]
        lines += record_lines(last)
    return lines


# ---------------------------------------------------------------------------------------------
# Bibliography
# ---------------------------------------------------------------------------------------------
def bibliography_page(references=None) -> list[str]:
    """reST lines of the bibliography, from :data:`meanfield_sym.citations.REFERENCES`
    (key -> (short title, full citation)); each entry has the label ``ref-<key>``."""
    from meanfield_sym.citations import REFERENCES

    refs = REFERENCES if references is None else references
    lines = [".. _bibliography:", ""] + heading("Bibliography", "=")
    lines += ["The works the package implements and checks, as "
              ":data:`meanfield_sym.citations.REFERENCES` lists them (generated at build "
              "time). Docstrings and pages cite them by short title and equation, e.g. "
              "*Universal statistics* Eq. (9).", ""]
    if not refs:
        lines += note("note", "meanfield_sym.citations.REFERENCES is empty.")
    for key, (short, full) in refs.items():
        lines += [f".. _ref-{key.lower()}:", "", f"**{rst_escape(short)}** (``{key}``)", "",
                  f"   {rst_escape(full)}", ""]
    return lines


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
