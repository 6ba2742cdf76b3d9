"""Build the documentation site: reST pages generated from the package itself, then Sphinx.

Run ``python -m meanfield_sym.site`` (or ``python -m meanfield_sym.site.build``) from a
checkout: it runs Sphinx on ``docs/`` with warnings as errors and writes the HTML to
``docs/_build/html`` (open ``index.html``).  The site needs no network: MathJax 3 is taken from
the ``sphinx-mathjax-offline`` wheel (the ``docs`` extra) and copied into the build.

Every page that shows a result of the toolkit is *generated* at build time by :func:`generate`
(``docs/conf.py`` calls it, so a plain ``sphinx-build`` does the same), each part by its own
module:

* :mod:`meanfield_sym.site.derivations` -- one page per derivation script and the errata page;
* :mod:`meanfield_sym.site.activations` -- one page per built-in activation with its Gaussian
  kernels (cached between builds by :mod:`meanfield_sym.site.cache`);
* :mod:`meanfield_sym.site.reference` -- the command-line reference, an example run of
  ``meanfield-sym stats``, the worked example of the judge (``meanfield-sym check``), the
  bibliography and the API reference;
* :mod:`meanfield_sym.site.figures` -- the tutorial's phase diagram
  (:func:`meanfield_sym.meanfield.phase.phase_diagram`) and the figures in ``docs/figures/``;
* :mod:`meanfield_sym.site.rst` -- the reST pieces they are made of.

A derivation script that raises, or an activation whose kernels cannot be derived, gets a page
showing the traceback and is listed in the summary's ``errors``, which ``docs/conf.py`` reports
as build errors; a failure of the phase diagram or of the example run stops the build.

Environment: ``MEANFIELD_DOCS_SLOW=1`` also runs the slow derivation scripts;
``MEANFIELD_DOCS_EXTRA_DERIVATIONS=DIR`` documents the scripts ``DIR/*.py`` too (your own
derivations, or a test fixture); ``MEANFIELD_DOCS_CACHE=DIR`` moves the kernel cache
(:class:`~meanfield_sym.site.cache.KernelCache`; empty disables it).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from meanfield_sym.site import activations, derivations, figures, reference
from meanfield_sym.site.rst import write_page

# The page writers under their former names here (``from meanfield_sym.site.build import ...``).
from meanfield_sym.site.activations import activation_page  # noqa: F401
from meanfield_sym.site.cache import KERNEL_KEYS, KernelCache  # noqa: F401
from meanfield_sym.site.derivations import derivation_page, errata_page, run_derivations  # noqa: F401
from meanfield_sym.site.reference import api_reference, cli_reference  # noqa: F401
from meanfield_sym.site.rst import escape_docstring_pipes, rst_escape  # noqa: F401

__all__ = ["GENERATED", "OPTIONAL_PAGES", "optional_pages", "repo_docs_dir", "generate",
           "find_mathjax", "build", "main", "build_arg_parser"]

#: Folder (inside the Sphinx source folder) that :func:`generate` owns and rewrites.
GENERATED = "generated"
#: Hand-written pages that may or may not exist yet in the Sphinx source folder (written by
#: other developers): :func:`optional_pages` lists those that exist in a toctree of the index.
OPTIONAL_PAGES = (("data", "Data"),)


def optional_pages(docs: Path, pages=OPTIONAL_PAGES) -> list[str]:
    """reST lines of ``generated/optional_pages.inc`` (included by ``docs/index.rst``): a
    toctree of the :data:`OPTIONAL_PAGES` that exist in ``docs``, or only a comment when none
    does -- so the index links ``data.rst`` once it is written, and a build without it has no
    warning about a missing document."""
    found = [(name, caption) for name, caption in pages if (Path(docs) / f"{name}.rst").is_file()]
    if not found:
        return [".. No optional page (" + ", ".join(f"{n}.rst" for n, _ in pages)
                + ") exists yet; this include is empty."]
    lines = []
    for name, caption in found:
        lines += [".. toctree::", "   :maxdepth: 2", f"   :caption: {caption}", "",
                  f"   /{name}", ""]
    return lines


def repo_docs_dir() -> Path:
    """``docs/`` of the checkout this package is imported from."""
    return Path(__file__).resolve().parents[2] / "docs"


def generate(docs_dir: str | os.PathLike | None = None, include_slow: bool | None = None,
             extra_derivations: str | os.PathLike | None = None, log=print) -> dict:
    """Write every generated page under ``docs_dir/generated`` and return a summary.

    Files in that folder that this run did not write are removed (a deleted script loses its
    page).  ``include_slow`` and ``extra_derivations`` default to the environment variables
    ``MEANFIELD_DOCS_SLOW`` and ``MEANFIELD_DOCS_EXTRA_DERIVATIONS``.  Kernel closed forms
    are cached in ``$MEANFIELD_DOCS_CACHE`` (default ``docs_dir/_build/cache``; set it empty to
    disable), see :class:`~meanfield_sym.site.cache.KernelCache`.

    The summary has one entry per part (``derivations``, ``activations``, ``figures``,
    ``tutorial``, ``api``), the time taken (``seconds``) and ``errors``: every failure a page
    shows (a derivation script that raised, kernels that could not be derived, a module that
    did not import), which the docs build reports as errors.
    """
    docs = Path(docs_dir) if docs_dir is not None else repo_docs_dir()
    out = docs / GENERATED
    if include_slow is None:
        include_slow = os.environ.get("MEANFIELD_DOCS_SLOW", "") not in ("", "0")
    if extra_derivations is None:
        extra_derivations = os.environ.get("MEANFIELD_DOCS_EXTRA_DERIVATIONS") or None
    cache = os.environ.get("MEANFIELD_DOCS_CACHE")
    cache_dir = None if cache == "" else Path(cache) if cache else docs / "_build" / "cache"
    t0 = time.perf_counter()
    written: set = set()
    summary = {"derivations": derivations.write_derivations(out, written, include_slow,
                                                            extra_derivations, log)}
    summary["activations"] = activations.write_activations(out, written, log, cache_dir)
    write_page(out / "cli.rst", reference.cli_reference(), written)
    failed: list = []
    write_page(out / "api.rst", reference.api_reference(failed), written)
    summary["api"] = {"failed": failed}
    summary["figures"] = figures.write_figures(docs, out, written)
    summary["tutorial"] = figures.write_phase_diagram(out, written, log)
    write_page(out / "stats_example.inc", reference.stats_example(), written)
    write_page(out / "check_example.inc", reference.check_example(), written)
    write_page(out / "optional_pages.inc", optional_pages(docs), written)
    write_page(out / "bibliography.rst", reference.bibliography_page(), written)
    for path in sorted(out.rglob("*"), reverse=True):  # drop pages of vanished sources
        if path.is_file() and path.resolve() not in written:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    summary["errors"] = (summary["derivations"]["errors"] + summary["activations"]["errors"]
                         + [f"module {name} did not import:\n{err}" for name, err in failed])
    summary["seconds"] = time.perf_counter() - t0
    log(f"docs: generated pages in {summary['seconds']:.1f} s "
        f"({summary['derivations']['checks']} checks, "
        f"{summary['derivations']['misprints']} misprints, {len(summary['errors'])} errors)")
    return summary


def find_mathjax() -> Path:
    """Folder holding ``mathjax/tex-chtml.js`` (MathJax 3), shipped with the build.

    Looked up in ``$MEANFIELD_MATHJAX_DIR`` (a folder containing ``mathjax/``), then in the
    ``sphinx-mathjax-offline`` wheel from PyPI (MathJax 3.2.2, all components and fonts).
    """
    candidates = []
    env = os.environ.get("MEANFIELD_MATHJAX_DIR")
    if env:
        candidates.append(Path(env))
    try:
        from importlib.metadata import PackageNotFoundError, distribution
        dist = distribution("sphinx-mathjax-offline")
        candidates.append(Path(dist.locate_file("sphinx-mathjax-offline/static")))
    except PackageNotFoundError:
        pass
    for folder in candidates:
        if (folder / "mathjax" / "tex-chtml.js").is_file():
            return folder.resolve()
    raise FileNotFoundError(
        "MathJax 3 not found: install the docs extra (pip install sphinx-mathjax-offline) "
        "or set MEANFIELD_MATHJAX_DIR to a folder containing mathjax/tex-chtml.js")


def build(docs_dir: str | os.PathLike | None = None, out_dir: str | os.PathLike | None = None,
          builder: str = "html", strict: bool = True) -> int:
    """Run Sphinx (which calls :func:`generate` from ``conf.py``); returns its exit status."""
    try:
        from sphinx.cmd.build import build_main
    except ImportError:
        print("docs: Sphinx is not installed: pip install -e '.[docs]'", file=sys.stderr)
        return 2
    docs = Path(docs_dir) if docs_dir is not None else repo_docs_dir()
    if not (docs / "conf.py").is_file():
        print(f"docs: no conf.py in {docs}; pass --docs DIR", file=sys.stderr)
        return 2
    out = Path(out_dir) if out_dir is not None else docs / "_build" / builder
    argv = (["-W", "--keep-going"] if strict else []) + ["-b", builder, str(docs), str(out)]
    t0 = time.perf_counter()
    status = build_main(argv)
    print(f"docs: sphinx-build {' '.join(argv)} -> exit {status} in "
          f"{time.perf_counter() - t0:.1f} s; open {out / 'index.html'}")
    return status


def build_arg_parser(prog: str = "python -m meanfield_sym.site") -> argparse.ArgumentParser:
    """The options of :func:`main`."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--docs", help="Sphinx source folder (default: docs/ of this checkout)")
    parser.add_argument("--out", help="output folder (default: DOCS/_build/html)")
    parser.add_argument("--slow", action="store_true", help="also run the slow derivations")
    parser.add_argument("--extra-derivations", metavar="DIR",
                        help="also document the derivation scripts DIR/*.py")
    parser.add_argument("--generate-only", action="store_true",
                        help="write the generated pages, do not run Sphinx")
    parser.add_argument("--no-strict", action="store_true",
                        help="do not treat warnings as errors")
    return parser


def main(argv=None, prog: str = "python -m meanfield_sym.site") -> int:
    """``python -m meanfield_sym.site`` (or ``.site.build``): build the documentation site."""
    args = build_arg_parser(prog).parse_args(argv)
    if args.slow:
        os.environ["MEANFIELD_DOCS_SLOW"] = "1"
    if args.extra_derivations:
        os.environ["MEANFIELD_DOCS_EXTRA_DERIVATIONS"] = str(Path(args.extra_derivations).resolve())
    if args.generate_only:
        summary = generate(args.docs)
        for err in summary["errors"]:
            print(f"docs: error: {err.strip().splitlines()[0]}", file=sys.stderr)
        return 1 if summary["errors"] else 0
    return build(args.docs, args.out, strict=not args.no_strict)


if __name__ == "__main__":
    raise SystemExit(main(prog="python -m meanfield_sym.site.build"))
