"""Sphinx configuration of the meanfield_sym documentation.

Build with ``python -m meanfield_sym.site`` (or ``sphinx-build -W --keep-going -b html docs
docs/_build/html``): both run :func:`meanfield_sym.site.build.generate` first, which writes the
pages under ``docs/generated/`` from the derivation scripts, the activations, the CLI and the
statistics of this checkout.

Why these choices
-----------------
* Sphinx, because NumPy, SciPy, SymPy and mpmath document themselves with it: autodoc reads the
  numpydoc docstrings (through ``sphinx.ext.napoleon``, which ships with Sphinx, so the docs
  need no extra docstring package), and ``.. math::`` takes SymPy's LaTeX as it is.
* MathJax 3 (3.2.2) rendered in the browser, from the PyPI wheel ``sphinx-mathjax-offline``
  (the ``docs`` extra): ``pip install`` fetches it from a registry in a reproducible step, it
  holds the complete MathJax component tree with its fonts (about 6 MB, which we do not commit),
  and we copy it into ``_build/html/_static/mathjax`` through ``html_static_path``.  The pages
  then load nothing from outside the site: no CDN, so the docs work offline.  KaTeX was the
  alternative; its PyPI packaging for Sphinx renders on the server with a Node.js runtime,
  another system dependency for no gain here.  The browser test (``tests/site/test_browser.py``)
  checks in headless Chromium that every request of a page stays on the local server and that
  no raw LaTeX is left.
* The built-in ``alabaster`` theme: no extra dependency, no web fonts.
"""
from __future__ import annotations

import os
from pathlib import Path

DOCS = Path(__file__).resolve().parent
# The package is documented as installed (pip install -e '.[docs]'): its derivation scripts
# are the package meanfield_sym.derivations, which only an install maps to derivations/.

import meanfield_sym  # noqa: E402
from meanfield_sym.site import build as site_build  # noqa: E402
from meanfield_sym.site.rst import escape_docstring_pipes  # noqa: E402

project = "meanfield_sym"
author = "the meanfield_sym developers"
copyright = "the meanfield_sym developers, MIT licence"
release = version = meanfield_sym.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]

exclude_patterns = ["_build", "figures/README*", "**/.*"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
templates_path: list[str] = []

# Generated pages first: every page that shows a result of the toolkit is written here.
_SUMMARY = site_build.generate(DOCS)

# --- math: MathJax 3 from the local build, never from a CDN ---------------------------------
_MATHJAX_PARENT = site_build.find_mathjax()  # folder holding mathjax/tex-chtml.js
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {
    "tex": {"macros": {}},
    "options": {"enableMenu": False},  # the context menu lazy-loads extra components
}

# --- HTML -----------------------------------------------------------------------------------
html_theme = "alabaster"
html_static_path = ["_static", str(_MATHJAX_PARENT)]
html_css_files = ["custom.css"]
html_favicon = "_static/favicon.svg"  # also stops browsers asking for /favicon.ico
html_title = f"meanfield_sym {release}"
html_theme_options = {
    "description": "Mean-field Fisher information of wide deep networks, machine-checked",
    "fixed_sidebar": True,
    "page_width": "1180px",
    "sidebar_width": "240px",
    "show_relbars": True,
}
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False

# Verdict badges used by the generated pages: :verdict-holds:`HOLDS` etc.
rst_prolog = """
.. role:: verdict-holds
.. role:: verdict-misprint
.. role:: verdict-undecided
"""

# --- autodoc / napoleon (numpydoc-style docstrings) -----------------------------------------
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc "Parameters" sections say the types
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

# Warnings are errors (-W); nothing here may fetch from the network.  One class is silenced:
# "more than one target found for cross-reference" -- a parameter type written as a plain
# word (``activation``) matches attributes of two classes; the link is cosmetic, the page is
# right either way.
suppress_warnings = ["ref.python"]
os.environ.setdefault("MPLBACKEND", "Agg")


def _plain_pipes(app, what, name, obj, options, lines):
    """Docstrings write |b| for an absolute value: keep it text, not a substitution."""
    lines[:] = escape_docstring_pipes(lines)


def _report_generation_errors(app):
    """What a generated page shows as failed is a build error: a derivation script that raised,
    kernels that could not be derived, a module that did not import (the page has the
    traceback)."""
    from sphinx.util import logging

    logger = logging.getLogger("meanfield_sym.site.build")
    for err in _SUMMARY["errors"]:
        lines = err.strip().splitlines()
        logger.warning("%s %s (full traceback on its page)", lines[0], lines[-1])


def setup(app):
    # before Napoleon (priority 500), which turns numpydoc sections into directive bodies
    app.connect("autodoc-process-docstring", _plain_pipes, priority=400)
    app.connect("builder-inited", _report_generation_errors)
    return {"parallel_read_safe": True}
