"""Build the documentation site: reST pages generated from the package itself, then Sphinx.

Run ``python -m meanfield_sym.site.build`` from a checkout: it runs Sphinx on ``docs/`` with
warnings as errors and writes the HTML to ``docs/_build/html`` (open ``index.html``).  The
site needs no network: MathJax 3 is taken from the ``sphinx-mathjax-offline`` wheel (the
``docs`` extra) and copied into the build.

Every page that shows a result of the toolkit is *generated* at build time by :func:`generate`
(``docs/conf.py`` calls it, so a plain ``sphinx-build`` does the same):

* one page per derivation script (``meanfield_sym.derivations.*``): the module docstring, every
  :class:`~meanfield_sym.verdicts.record.CheckResult` with the printed formula, the derived closed
  form, the corrected form, the main steps (LaTeX from SymPy's printer), the verdict and the
  evidence, and the script's own source -- so a page can never drift from its script;
* an errata page listing every ``MISPRINT`` with its corrected form;
* one page per built-in activation with its four Gaussian kernels
  (:func:`meanfield_sym.kernels.kernel_set.kernels_for`), or a note when there is no closed form;
* the command-line reference (from :func:`meanfield_sym.cli.build_parser`), the API reference
  (autodoc of every importable module), the figures found in ``docs/figures/``, and the
  tutorial's phase diagram of the critical learning rate ``eta_c = 2 (1 + mu) / lambda_max``
  (Universal statistics, Lemma 6 / Theorem 7) over ``(sigma_w^2, sigma_b^2)``.

Parts that need a module which is not there yet (the kernel engine, the statistics) are
replaced by a visible note, never by a silent gap.

Environment: ``MEANFIELD_DOCS_SLOW=1`` also runs the slow derivation scripts;
``MEANFIELD_DOCS_EXTRA_DERIVATIONS=DIR`` documents the scripts ``DIR/*.py`` too (your own
derivations, or a test fixture); ``MEANFIELD_DOCS_CACHE=DIR`` moves the kernel cache
(:class:`KernelCache`; empty disables it).
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import inspect
import io
import json
import os
import re
import sys
import time
import traceback
from pathlib import Path

import sympy as sp

from meanfield_sym.verdicts import record as verification
from meanfield_sym.verdicts.record import HOLDS, MISPRINT, UNDECIDED

__all__ = ["generate", "build", "main", "find_mathjax", "phase_diagram", "rst_escape",
           "escape_docstring_pipes", "KernelCache",
           "derivation_page", "errata_page", "GENERATED", "KERNEL_KEYS"]

#: Folder (inside the Sphinx source folder) that :func:`generate` owns and rewrites.
GENERATED = "generated"
#: The four kernels of an activation, in the order they are shown.
KERNEL_KEYS = ("one_point", "one_point_prime", "two_point", "two_point_prime")
_KERNEL_DEFS = {
    "one_point": (r"\hat q(q) = \mathbb{E}_{u\sim\mathcal N(0,1)}\big[\phi(\sqrt{q}\,u)^2\big]",
                  "Q"),
    "one_point_prime": (r"\mathbb{E}_{u\sim\mathcal N(0,1)}\big[\phi'(\sqrt{q}\,u)^2\big]", "Q"),
    "two_point": (r"I_\phi[a, b] = \mathbb{E}\big[\phi(u_1)\,\phi(u_2)\big],\quad "
                  r"(u_1, u_2) \sim \mathcal N\!\left(0, \begin{pmatrix} a & b \\ b & a "
                  r"\end{pmatrix}\right)", "A, B"),
    "two_point_prime": (r"I_{\phi'}[a, b] = \mathbb{E}\big[\phi'(u_1)\,\phi'(u_2)\big]", "A, B"),
}
_VERDICT_WORDS = {HOLDS: "holds", MISPRINT: "misprint", UNDECIDED: "undecided"}


# ---------------------------------------------------------------------------------------------
# reST helpers
# ---------------------------------------------------------------------------------------------
def rst_escape(text) -> str:
    """One line of plain text made safe for reST inline markup.

    Whitespace is collapsed to single spaces and the characters that start inline markup
    (backslash, backquote, ``*``, ``_``, ``|``) are backslash-escaped.

    >>> rst_escape("|b| <= a and f_*(x)")
    '\\\\|b\\\\| <= a and f\\\\_\\\\*(x)'
    """
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_|])", r"\\\1", text)


_DIRECTIVE = re.compile(r"^(\s*)\.\. [A-Za-z][\w:-]*::")
_INLINE_LITERAL = re.compile(r"(``.+?``|:[\w:-]+:`[^`]*`|`[^`]*`_{0,2})")


def escape_docstring_pipes(lines: list[str]) -> list[str]:
    """Escape ``|`` in docstring prose, where it means an absolute value, not a substitution.

    Docstrings here write ``|b| <= a`` as plain text; reST would read ``|b|`` as an undefined
    substitution and a warnings-as-errors build would fail.  Pipes are left alone in inline
    literals and roles (``:math:`|b|```), literal blocks (after ``::``), directive bodies
    (``.. math::``), doctest blocks, tables and line blocks.  Used by ``docs/conf.py`` as an
    ``autodoc-process-docstring`` hook.

    >>> escape_docstring_pipes(["Needs |b| <= a; see :math:`|b|`.", "", ">>> abs(-1) | 2"])
    ['Needs \\\\|b\\\\| <= a; see :math:`|b|`.', '', '>>> abs(-1) | 2']
    """
    out = []
    block_indent = None  # indentation of the line that opened a literal/directive block
    in_doctest = False
    for line in lines:
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped or indent > block_indent:
                out.append(line)
                continue
            block_indent = None
        if in_doctest:
            if stripped:
                out.append(line)
                continue
            in_doctest = False
        if stripped.startswith(">>>"):
            in_doctest = True
            out.append(line)
            continue
        if _DIRECTIVE.match(line) or line.rstrip().endswith("::"):
            block_indent = indent
        if "|" not in line or stripped.startswith(("| ", "+-", "+=", "|-")) or \
                stripped.endswith("|") and stripped.startswith("|"):
            out.append(line)
            continue
        parts = _INLINE_LITERAL.split(line)
        out.append("".join(p if k % 2 else re.sub(r"(?<!\\)\|", r"\\|", p)
                           for k, p in enumerate(parts)))
    return out


def _heading(text: str, char: str) -> list[str]:
    text = rst_escape(text)
    return [text, char * (len(text) + 2), ""]


def _indent(lines, prefix="   "):
    return [(prefix + line) if line.strip() else "" for line in lines]


def _math_block(latex: str) -> list[str]:
    body = [line for line in latex.splitlines() if line.strip()]
    return [".. math::", ""] + _indent(body) + [""]


def _literal_block(text: str, language: str = "text") -> list[str]:
    body = str(text).rstrip("\n").splitlines() or [""]
    return [f".. code-block:: {language}", ""] + _indent(body) + [""]


def _formula(value) -> list[str]:
    """A SymPy expression as display math; anything else as a literal block."""
    if value is None:
        return ["(none)", ""]
    if isinstance(value, sp.Basic):
        return _math_block(sp.latex(value))
    return _literal_block(str(value))


def _is_clean_rst(text: str) -> bool:
    """True when ``text`` parses as reST with no warning and no section of its own.

    Sphinx-only roles and directives are not errors here (Sphinx knows them); anything else
    that docutils would warn about makes the caller fall back to a literal block, so a
    docstring written as plain text can never break a build that treats warnings as errors.
    """
    from docutils import nodes
    from docutils.core import publish_doctree

    try:
        tree = publish_doctree(text, settings_overrides={
            "report_level": 2, "halt_level": 5, "warning_stream": io.StringIO(),
            "file_insertion_enabled": False, "raw_enabled": False})
    except Exception:  # noqa: BLE001 -- any parser failure means "not clean"
        return False
    if tree.next_node(nodes.section) is not None or tree.next_node(nodes.title) is not None:
        return False
    tolerated = set()
    for msg in tree.findall(nodes.system_message):
        body = msg.astext()
        if msg["level"] < 2:
            continue
        if "Unknown interpreted text role" in body or "Unknown directive type" in body:
            tolerated.update(msg["ids"])
            continue
        return False
    for prob in tree.findall(nodes.problematic):
        if prob.get("refid") not in tolerated:
            return False
    return True


def _prose(text: str) -> list[str]:
    """A docstring as reST when it is clean reST, else verbatim."""
    text = inspect.cleandoc(text or "")
    if not text:
        return []
    text = "\n".join(escape_docstring_pipes(text.splitlines()))
    if _is_clean_rst(text):
        return text.splitlines() + [""]
    return _literal_block(text)


def _write(path: Path, lines, written: set) -> None:
    """Write ``lines`` to ``path`` only if the content changed (keeps Sphinx incremental)."""
    text = "\n".join(lines).rstrip("\n") + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    written.add(path.resolve())


def _note(kind: str, text: str) -> list[str]:
    return [f".. {kind}::", ""] + _indent([rst_escape(line) for line in text.splitlines()]) + [""]


# ---------------------------------------------------------------------------------------------
# Derivations and errata
# ---------------------------------------------------------------------------------------------
def _label(script: str, index: int) -> str:
    return f"deriv-{script}-{index}".lower().replace("_", "-")


def _split_docstring(module) -> tuple[str, str]:
    """(summary paragraph joined on one line, the rest) of a module docstring."""
    doc = (inspect.getdoc(module) if module is not None else None) or ""
    paras = doc.strip().split("\n\n", 1)
    summary = " ".join(paras[0].split())
    return summary, (paras[1].strip() if len(paras) > 1 else "")


def _verdict_counts(results) -> str:
    parts = []
    for v in (HOLDS, MISPRINT, UNDECIDED):
        n = sum(r.verdict == v for r in results)
        if n:
            parts.append(f"{n} {v}")
    return ", ".join(parts) or "no checks"


def derivation_page(script: str, module, results, seconds: float | None = None,
                    slow_not_run: bool = False, error: str | None = None) -> list[str]:
    """reST lines of the page of one derivation script.

    Parameters
    ----------
    script : str
        The script's module name (``meanfield_sym.derivations.<script>``).
    module : module or None
        The imported script (its docstring and source are shown); None if unavailable.
    results : list of CheckResult
        What its ``checks()`` returned in this build.
    seconds : float, optional
        How long ``checks()`` took.
    slow_not_run : bool
        The script is marked ``SLOW`` and was not run in this build.
    error : str, optional
        The traceback when the script failed to import or its ``checks()`` raised.
    """
    lines = [f".. _deriv-{script.lower().replace('_', '-')}:", ""]
    lines += _heading(script, "=")
    summary = _split_docstring(module)[0]
    if summary:
        lines += [f"*{rst_escape(summary)}*" if not summary.endswith("\\") else
                  rst_escape(summary), ""]
    modname = getattr(module, "__name__", f"meanfield_sym.derivations.{script}")
    if modname.startswith("meanfield_sym.derivations."):
        lines += [f":Script: ``{modname}`` (run it alone: ``python -m {modname}``)"]
    else:  # an extra script documented from a folder
        path = getattr(module, "__file__", None) or script
        lines += [f":Script: ``{rst_escape(path)}`` (not part of the package)"]
    if error is not None:
        lines += [":Checks: **the script failed** (see below)", ""]
        lines += _note("error", "This script raised an exception in this build; "
                                "the docs build fails until it is fixed.")
        lines += _literal_block(error, "pytb")
    elif slow_not_run:
        lines += [":Checks: not run in this build (the script is marked ``SLOW``; build with "
                  "``python -m meanfield_sym.site.build --slow``)", ""]
    else:
        timing = f" in {seconds:.2f} s" if seconds is not None else ""
        lines += [f":Checks: {len(results)} ({_verdict_counts(results)}){timing}", ""]
    rest = _split_docstring(module)[1]
    if rest:
        lines += _prose(rest)
    if results:
        lines += [".. list-table:: Verdicts", "   :header-rows: 1", "",
                  "   * - check", "     - paper and equation", "     - what", "     - verdict"]
        for i, r in enumerate(results):
            lines += [f"   * - :ref:`{rst_escape(r.id)} <{_label(script, i)}>`",
                      f"     - {rst_escape(r.paper)}, {rst_escape(r.equation)}",
                      f"     - {rst_escape(r.what)}",
                      f"     - :verdict-{_VERDICT_WORDS[r.verdict]}:`{r.verdict}`"
                      + ("" if r.consistent else " (toolkit INCONSISTENT)")]
        lines += [""]
    for i, r in enumerate(results):
        lines += [f".. _{_label(script, i)}:", ""]
        lines += _heading(f"{r.id} -- {r.paper}, {r.equation}", "-")
        lines += [rst_escape(r.what), ""]
        consistent = ("the toolkit's witnesses agree" if r.consistent else
                      "**the toolkit's own witnesses disagree** (a bug in the toolkit)")
        lines += [f":Verdict: :verdict-{_VERDICT_WORDS[r.verdict]}:`{r.verdict}`",
                  f":Consistency: {consistent}"]
        if r.digits is not None:
            lines += [f":Agreement: {r.digits:.1f} significant digits"
                      if r.digits != float("inf") else ":Agreement: exact"]
        lines += [""]
        lines += ["**Printed** (as transcribed from the paper):", ""] + _formula(r.printed)
        lines += ["**Derived** (by the toolkit):", ""] + _formula(r.derived)
        if r.corrected is not None:
            lines += ["**Corrected form:**", ""] + _formula(r.corrected)
        if r.steps:
            lines += ["**Main steps:**", ""]
            for k, (text, expr) in enumerate(r.steps, 1):
                item = [f"{k}. {rst_escape(text) or '(step)'}", ""]
                if expr is not None:
                    item += _indent(_formula(expr))
                lines += item
        lines += [f"**Evidence.** {rst_escape(r.evidence)}", ""]
    if module is not None:
        try:
            source = inspect.getsource(module)
        except (OSError, TypeError):
            source = None
        if source:
            lines += _heading("Source of the script", "-")
            lines += ["This is the code that produced the verdicts above, read at build time.", ""]
            lines += _literal_block(source, "python")
    return lines


def errata_page(results, scripts_run: int) -> list[str]:
    """reST lines of the errata page: every MISPRINT with its corrected form."""
    lines = [".. _errata:", ""] + _heading("Errata", "=")
    mis = [(r, i) for i, r in _indexed(results) if r.verdict == MISPRINT]
    lines += [f"Every printed formula that the derivation scripts found to be misprinted, with "
              f"the corrected form and the evidence. This build ran {len(results)} checks in "
              f"{scripts_run} scripts and found {len(mis)} misprint(s).", ""]
    if not mis:
        lines += ["No misprint was found by the scripts run in this build.", ""]
    for r, i in mis:
        lines += _heading(f"{r.paper}, {r.equation} ({r.id})", "-")
        lines += [rst_escape(r.what), "",
                  f"From :ref:`{rst_escape(r.script)} <{_label(r.script, i)}>`.", ""]
        lines += ["**Printed:**", ""] + _formula(r.printed)
        lines += ["**Corrected:**", ""] + _formula(r.corrected)
        lines += [f"**Evidence.** {rst_escape(r.evidence)}", ""]
    return lines


def _indexed(results):
    """(index within its script, result) pairs, matching the labels of :func:`derivation_page`."""
    seen: dict[str, int] = {}
    for r in results:
        i = seen.get(r.script, 0)
        seen[r.script] = i + 1
        yield i, r


def _load_extra_scripts(folder: Path):
    """Import ``folder/*.py`` as derivation scripts (modules with ``checks()``)."""
    mods = []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = f"meanfield_sym_docs_extra_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        if hasattr(mod, "checks"):
            mods.append((path.stem, mod))
    return mods


def _package_scripts():
    """``(name, module or None, import error or None)`` for every derivation script, sorted,
    as :func:`meanfield_sym.verdicts.record.discover_scripts` finds them, one import at a time so
    that one broken script does not hide the others."""
    import pkgutil

    pkg = importlib.import_module("meanfield_sym.derivations")
    found = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        try:
            mod = importlib.import_module(f"meanfield_sym.derivations.{info.name}")
        except Exception:  # noqa: BLE001 -- shown on the script's page, fails the build
            found.append((info.name, None, traceback.format_exc()))
            continue
        if hasattr(mod, "checks"):
            found.append((info.name, mod, None))
    return found


def run_derivations(include_slow: bool = False, extra_dir: str | os.PathLike | None = None,
                    log=print):
    """Run every derivation script once for the docs, as ``meanfield-sym verify`` does.

    Like :func:`meanfield_sym.verdicts.record.run_all`, but each script runs on its own, so a
    script that raises gets a page showing its traceback (and the build fails through
    :func:`generate`'s ``errors``) instead of stopping every other page.

    Returns ``(scripts, results, seconds)``: ``scripts`` lists
    ``(name, module, seconds, ran, error)`` for every script (slow ones included, with
    ``ran=False`` when skipped; ``error`` is a traceback or None); ``results`` is the flat list
    of CheckResults of the scripts that ran.
    """
    entries = [(name, mod, err) for name, mod, err in _package_scripts()]
    if extra_dir:
        for name, mod in _load_extra_scripts(Path(extra_dir)):
            entries.append((name, mod, None))
    scripts, results, total = [], [], 0.0
    for name, mod, err in entries:
        if err is None and getattr(mod, "SLOW", False) and not include_slow:
            scripts.append((name, mod, None, False, None))
            continue
        dt = None
        if err is None:
            log(f"docsgen: running derivation script {name}")
            t0 = time.perf_counter()
            try:
                got = list(mod.checks())
            except Exception:  # noqa: BLE001 -- reported on the page and as a build error
                err = traceback.format_exc()
                got = []
            dt = time.perf_counter() - t0
            total += dt
            for r in got:
                r.script = r.script or name
            results.extend(got)
        scripts.append((name, mod, dt, err is None, err))
    return scripts, results, total


def _write_derivations(out: Path, written: set, include_slow: bool, extra_dir, log) -> dict:
    scripts, results, seconds = run_derivations(include_slow, extra_dir, log)
    by_script: dict[str, list] = {}
    for r in results:
        by_script.setdefault(r.script, []).append(r)
    index = [".. _derivations:", ""] + _heading("Derivations", "=")
    index += ["Each page below is generated at build time from one derivation script in "
              "``derivations/`` (the package ``meanfield_sym.derivations``): the script "
              "transcribes the paper's printed formulas as data, derives the same quantities "
              "with the toolkit, compares them symbolically and numerically, and returns a "
              "verdict: ``HOLDS``, ``MISPRINT`` (with the corrected form, collected in "
              ":ref:`errata`) or ``UNDECIDED`` (with the reason). ``meanfield-sym verify`` "
              "runs the same scripts.", "",
              f"This build ran {sum(e[3] for e in scripts)} scripts, {len(results)} "
              f"checks ({_verdict_counts(results)}), in {seconds:.2f} s.", ""]
    names = [name for name, *_ in scripts]
    orphans = sorted(set(by_script) - set(names))
    if not scripts:
        index += _note("note", "No derivation script was found in meanfield_sym.derivations.")
    if scripts or orphans:
        index += [".. list-table::", "   :header-rows: 1", "   :widths: 20 60 20", "",
                  "   * - script", "     - what it checks", "     - verdicts"]
        for name, mod, _dt, ran, err in scripts:
            state = ("FAILED" if err is not None else _verdict_counts(by_script.get(name, []))
                     if ran else "slow, not run")
            index += [f"   * - :doc:`{name} <{name}>`",
                      f"     - {rst_escape(_split_docstring(mod)[0]) or '(no docstring)'}",
                      f"     - {state}"]
        for name in orphans:
            index += [f"   * - :doc:`{name} <{name}>`", "     - (results naming no script module)",
                      f"     - {_verdict_counts(by_script[name])}"]
        index += [""]
    index += [".. toctree::", "   :hidden:", ""]
    index += [f"   {name} <{name}>" for name in names + orphans] + [""]
    errors = []
    for name, mod, dt, ran, err in scripts:
        if err is not None:
            errors.append(f"derivation script {name} failed:\n{err}")
        _write(out / "derivations" / f"{name}.rst",
               derivation_page(name, mod, by_script.get(name, []), dt,
                               slow_not_run=not ran and err is None, error=err),
               written)
    for name in orphans:  # results whose .script names no discovered module
        _write(out / "derivations" / f"{name}.rst",
               derivation_page(name, None, by_script[name]), written)
    _write(out / "derivations" / "index.rst", index, written)
    _write(out / "errata.rst", errata_page(results, sum(e[3] for e in scripts)), written)
    return {"scripts": len(scripts), "checks": len(results), "seconds": seconds,
            "misprints": sum(r.verdict == MISPRINT for r in results), "errors": errors}


# ---------------------------------------------------------------------------------------------
# Activations and their kernels
# ---------------------------------------------------------------------------------------------
def _kernel_engine():
    """``(kernels_for, None)`` or ``(None, reason)`` when the engine is not importable."""
    try:
        from meanfield_sym.kernels.kernel_set import kernels_for
    except Exception as exc:  # noqa: BLE001 -- reported on the page
        return None, f"{type(exc).__name__}: {exc}"
    return kernels_for, None


def _engine_digest() -> str:
    """Hash of what a closed form depends on: the engine's and the activations' source, SymPy."""
    import hashlib

    h = hashlib.sha256(sp.__version__.encode())
    for mod in ("meanfield_sym.kernels.engine", "meanfield_sym.activation.function",
                "meanfield_sym.activation.parser"):
        spec = importlib.util.find_spec(mod)
        if spec is not None and spec.origin and os.path.isfile(spec.origin):
            h.update(Path(spec.origin).read_bytes())
    return h.hexdigest()[:16]


class KernelCache:
    """Closed forms of earlier builds, keyed by activation fingerprint and :func:`_engine_digest`.

    Deriving the kernels of all built-ins takes about a minute (GELU and shifted ReLU dominate);
    a build whose engine source, activation source and SymPy version are unchanged reuses the
    forms of the previous build (stored as ``srepr``).  Delete the folder, or change the
    engine, to derive afresh.  ``folder=None`` disables the cache.
    """

    def __init__(self, folder: Path | None):
        self.path = None if folder is None else Path(folder) / f"kernels-{_engine_digest()}.json"
        self.data = {}
        if self.path is not None and self.path.is_file():
            try:
                self.data = json.loads(self.path.read_text(encoding="utf-8"))
            except ValueError:
                self.data = {}
        self.dirty = False

    def get(self, act):
        entry = self.data.get(act.fingerprint)
        if entry is None:
            return None
        return {k: (None if v is None else sp.sympify(v)) for k, v in entry["forms"].items()}, \
            entry["seconds"]

    def put(self, act, forms: dict, seconds: float) -> None:
        self.data[act.fingerprint] = {
            "name": act.name, "seconds": seconds,
            "forms": {k: (None if forms.get(k) is None else sp.srepr(sp.sympify(forms[k])))
                      for k in KERNEL_KEYS}}
        self.dirty = True

    def save(self) -> None:
        if self.path is not None and self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for old in self.path.parent.glob("kernels-*.json"):
                if old != self.path:
                    old.unlink()
            self.path.write_text(json.dumps(self.data, indent=1, sort_keys=True),
                                 encoding="utf-8")


def activation_page(name: str, kernels_for, engine_error: str | None, log=print,
                    cache: KernelCache | None = None) -> list[str]:
    """reST lines of the page of one built-in activation with its four Gaussian kernels."""
    from meanfield_sym.activation.function import BUILTINS, get_activation

    lines = [f".. _activation-{name.replace('_', '-')}:", ""] + _heading(name, "=")
    desc = BUILTINS[name][2] if name in BUILTINS else ""
    if desc:
        lines += [rst_escape(desc), ""]
    act = get_activation(name)
    defaults = BUILTINS[name][1] if name in BUILTINS else {}
    params = ", ".join(f"``{k}={v}``" for k, v in defaults.items()
                       if v != 0 or name != "polynomial")
    lines += [f"Python: ``get_activation({name!r})``; command line: ``--activation {name}``"
              + (f"; default parameters {params} (change them with ``--param K=V``)"
                 if params else "") + ".", ""]
    lines += ["**Function** (canonical form, kinks written with Heaviside steps):", ""]
    lines += _math_block(r"\phi(x) = " + sp.latex(act.expr))
    lines += ["**Derivative** (as a distribution; point masses are Dirac deltas):", ""]
    lines += _math_block(r"\phi'(x) = " + sp.latex(act.prime))
    kinks = ", ".join(str(k) for k in act.kinks) or "none"
    atoms = ", ".join(f"{w} at x = {k}" for k, w in act.prime_atoms) or "none"
    lines += [f":Kinks: {rst_escape(kinks)}", f":Point masses of φ′: {rst_escape(atoms)}", ""]
    lines += _heading("Gaussian kernels", "-")
    if kernels_for is None:
        lines += _note("warning", "The kernel engine meanfield_sym.kernels.engine is not importable in "
                       f"this build ({engine_error}); the kernels are omitted.")
        return lines
    hit = cache.get(act) if cache is not None else None
    if hit is not None:
        closed, seconds = hit
        how = ("Derived by :func:`meanfield_sym.kernels.kernel_set.kernels_for` (reused from an earlier "
               "build with the same engine source and SymPy version).")
    else:
        t0 = time.perf_counter()
        try:
            ks = kernels_for(act)
            closed = dict(ks.closed_form)
        except Exception as exc:  # noqa: BLE001 -- shown on the page, and logged
            log(f"docsgen: kernels_for({name}) failed: {exc!r}")
            lines += _note("warning", f"kernels_for({name}) raised {type(exc).__name__}: {exc}")
            return lines
        seconds = time.perf_counter() - t0
        if cache is not None:
            cache.put(act, closed, seconds)
        how = "Derived by :func:`meanfield_sym.kernels.kernel_set.kernels_for` for this build."
    lines += [how + " One-point kernels are "
              "functions of the variance :math:`q`, two-point kernels of the variance "
              ":math:`a` and the covariance :math:`b` (:math:`|b| \\le a`).", ""]
    subs = {}
    try:
        from meanfield_sym.kernels.symbols import A, B, Q
        subs = {Q: sp.Symbol("q", positive=True), A: sp.Symbol("a", positive=True),
                B: sp.Symbol("b", real=True)}
    except Exception:  # noqa: BLE001 -- keep the engine's own symbol names
        pass
    for key in KERNEL_KEYS:
        definition, _ = _KERNEL_DEFS[key]
        lines += [f"**{key}**", ""] + _math_block(definition)
        expr = closed.get(key)
        if expr is None:
            lines += ["No closed form: evaluated by quadrature "
                      "(:mod:`meanfield_sym.kernels.quadrature`, 1e-12 relative), through validated "
                      "Chebyshev tables of quadrature values for tanh and sigmoid "
                      "(:mod:`meanfield_sym.kernels.tables`).", ""]
        else:
            expr = sp.sympify(expr).xreplace(subs)
            lines += ["Closed form:", ""] + _math_block(sp.latex(expr))
    return lines


def _write_activations(out: Path, written: set, log, cache_dir: Path | None) -> dict:
    from meanfield_sym.activation.function import builtin_names

    kernels_for, error = _kernel_engine()
    names = builtin_names()
    index = [".. _activations:", ""] + _heading("Activations", "=")
    index += ["One page per built-in activation: the function, its distributional derivative, "
              "and its four Gaussian kernels as derived by the kernel engine at build time. "
              "Any other activation can be given as an expression "
              "(``--activation \"x*erf(x)\"``).", ""]
    if kernels_for is None:
        index += _note("warning", "The kernel engine meanfield_sym.kernels.engine is not importable in "
                       f"this build ({error}); the pages show no kernels.")
    index += [".. toctree::", "   :maxdepth: 1", ""] + [f"   {n}" for n in names] + [""]
    t0 = time.perf_counter()
    cache = KernelCache(cache_dir) if kernels_for is not None else None
    for name in names:
        _write(out / "activations" / f"{name}.rst",
               activation_page(name, kernels_for, error, log, cache), written)
    if cache is not None:
        cache.save()
    _write(out / "activations" / "index.rst", index, written)
    return {"activations": len(names), "kernel_engine": error is None,
            "seconds": time.perf_counter() - t0}


# ---------------------------------------------------------------------------------------------
# Command line and API reference
# ---------------------------------------------------------------------------------------------
def _subparsers(parser):
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
    lines = [".. _cli:", ""] + _heading("Command-line reference", "=")
    lines += ["Generated at build time from the ``--help`` of ``meanfield-sym`` and of each "
              "sub-command (``python -m meanfield_sym`` is the same program). Errors a user "
              "can cause exit with status 2 and one line on standard error.", ""]
    lines += _literal_block(_help_text(parser))
    subs = _subparsers(parser)
    if not subs:
        lines += _note("note", "No sub-command is registered in this build.")
    for name, sub in sorted(subs.items()):
        lines += _heading(f"meanfield-sym {name}", "-")
        lines += _literal_block(_help_text(sub))
    return lines


#: Modules left out of the API reference: entry points and generated code.
_API_SKIP = ("meanfield_sym.__main__",)


def api_reference() -> list[str]:
    """reST lines of the API reference: ``automodule`` for every importable module."""
    import pkgutil

    import meanfield_sym

    lines = [".. _api:", ""] + _heading("API reference", "=")
    lines += ["Generated from the docstrings (numpydoc style, rendered by Napoleon). Each "
              "module names the paper and the equation it implements.", ""]
    names = ["meanfield_sym"]
    for info in sorted(pkgutil.iter_modules(meanfield_sym.__path__), key=lambda i: i.name):
        full = f"meanfield_sym.{info.name}"
        if full in _API_SKIP or info.name.startswith("_") or info.name == "derivations":
            continue
        names.append(full)
    failed = []
    for full in names:
        try:
            importlib.import_module(full)
        except Exception as exc:  # noqa: BLE001 -- listed on the page
            failed.append((full, f"{type(exc).__name__}: {exc}"))
            continue
        lines += _heading(full, "-")
        lines += [f".. automodule:: {full}"]
        if full != "meanfield_sym":
            lines += ["   :members:"]
        lines += [""]
    gen_pkg = importlib.import_module("meanfield_sym.generated")
    gen_mods = sorted(i.name for i in pkgutil.iter_modules(gen_pkg.__path__)
                      if not i.name.startswith("_"))
    if gen_mods:
        lines += _heading("Generated evaluator modules", "-")
        lines += ["Shipped in ``meanfield_sym.generated``: plain NumPy/SciPy code generated from "
                  "the derived closed forms (``meanfield-sym codegen``); each module's docstring "
                  "says from what and how to regenerate it.", ""]
    for name in gen_mods:
        full = f"meanfield_sym.generated.{name}"
        try:
            mod = importlib.import_module(full)
        except Exception as exc:  # noqa: BLE001 -- listed on the page
            failed.append((full, f"{type(exc).__name__}: {exc}"))
            continue
        lines += _heading(full, "~")
        lines += _prose(inspect.getdoc(mod) or "")
        funcs = [n for n, f in vars(mod).items() if inspect.isfunction(f)
                 and not n.startswith("_") and f.__module__ == full]
        if funcs:
            lines += ["Functions: " + ", ".join(f"``{n}``" for n in funcs) + ".", ""]
    if failed:
        lines += _heading("Modules that did not import", "-")
        lines += [f"* ``{full}``: {rst_escape(err)}" for full, err in failed] + [""]
    return lines


# ---------------------------------------------------------------------------------------------
# Figures: the tutorial's phase diagram and the empirical figures
# ---------------------------------------------------------------------------------------------
def _stats_available() -> str | None:
    """None when the statistics (``network_statistics`` and ``meanfield-sym stats``) exist,
    else the reason."""
    if importlib.util.find_spec("meanfield_sym.meanfield") is None:
        return "the statistics module meanfield_sym.meanfield is not in this build"
    try:
        from meanfield_sym.meanfield import network_statistics  # noqa: F401
        from meanfield_sym.cli import build_parser
        if "stats" not in _subparsers(build_parser()):
            return "the command meanfield-sym stats is not registered in this build"
    except Exception as exc:  # noqa: BLE001
        return f"the statistics did not import ({type(exc).__name__}: {exc})"
    return None


def _generated_module(activation: str):
    """The shipped generated evaluator module of a built-in activation, or None."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", activation):
        return None
    if importlib.util.find_spec(f"meanfield_sym.generated.{activation}") is None:
        return None
    try:
        return importlib.import_module(f"meanfield_sym.generated.{activation}")
    except Exception:  # noqa: BLE001 -- a broken generated module: use the library route
        return None


def phase_diagram(activation: str = "erf", sigma_w2=None, sigma_b2=None, depth: int = 3,
                  width: float = 1000, samples: int = 100, classes: int = 1,
                  momentum: float = 0.0):
    """lambda_max of the Fisher and the critical learning rate over a (sigma_w^2, sigma_b^2) grid.

    Universal statistics, Theorem 4 (``lambda_max``) and Lemma 6 / Theorem 7
    (``eta_c = 2 (1 + mu) / lambda_max``), evaluated on the whole grid at once by the
    generated evaluator ``meanfield_sym.generated.<activation>.network_statistics`` when the
    package ships one, else by :func:`meanfield_sym.meanfield.network_statistics` (the
    evaluator behind ``meanfield-sym stats``); ``phase_diagram.evaluator`` names the one used.
    Also the order-to-chaos quantity ``chi_1`` of the fixed point
    (:func:`meanfield_sym.meanfield.recursions.fixed_point`).

    Returns
    -------
    sigma_w2, sigma_b2 : ndarray
        The grid axes (1-D).
    lambda_max, eta_c, chi1 : ndarray
        Shape ``(len(sigma_b2), len(sigma_w2))``; ``chi1`` is None when unavailable.
    """
    import numpy as np

    from meanfield_sym.meanfield import network_statistics

    sw = np.asarray(np.linspace(0.25, 4.0, 76) if sigma_w2 is None else sigma_w2, float)
    sb = np.asarray(np.linspace(0.0, 1.0, 51) if sigma_b2 is None else sigma_b2, float)
    SW, SB = np.meshgrid(sw, sb)
    kwargs = dict(depth=depth, width=width, samples=samples, classes=classes, momentum=momentum)
    out = None
    gen = _generated_module(activation)
    if gen is not None and hasattr(gen, "network_statistics"):
        try:
            out = gen.network_statistics(SW, SB, **kwargs)
            phase_diagram.evaluator = f"{gen.__name__}.network_statistics (generated)"
        except Exception:  # noqa: BLE001 -- fall back to the library route below
            out = None
    if out is None:
        out = network_statistics(activation, SW, SB, **kwargs)
        phase_diagram.evaluator = "meanfield_sym.meanfield.network_statistics"
    chi1 = None
    try:
        from meanfield_sym.activation.function import get_activation
        from meanfield_sym.kernels.kernel_set import kernels_for
        from meanfield_sym.meanfield.recursions import fixed_point
        chi1 = np.asarray(fixed_point(kernels_for(get_activation(activation)), SW, SB).chi1)
    except Exception:  # noqa: BLE001 -- the boundary is an extra; the figure says if absent
        chi1 = None
    return sw, sb, np.asarray(out["fim"]["lambda_max"]), np.asarray(out["eta_critical"]), chi1


phase_diagram.evaluator = None


def _write_phase_diagram(out: Path, written: set, log) -> dict:
    snippet = out / "phase_diagram.inc"
    reason = _stats_available()
    if reason is None:
        try:
            import matplotlib
        except ImportError:
            reason = "matplotlib is not installed (pip install matplotlib)"
    if reason is not None:
        _write(snippet, _note("warning", f"The phase diagram is not drawn in this build: "
                                         f"{reason}."), written)
        log(f"docsgen: phase diagram skipped: {reason}")
        return {"phase_diagram": False, "reason": reason}
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    settings = dict(activation="erf", depth=3, width=1000, samples=100, classes=1, momentum=0.0)
    t0 = time.perf_counter()
    try:
        sw, sb, lam, eta, chi1 = phase_diagram(**settings)
    except Exception as exc:  # noqa: BLE001 -- a failure of the statistics is shown, not hidden
        log(f"docsgen: phase diagram failed: {exc!r}")
        _write(snippet, _note("warning", f"The phase diagram could not be computed: "
                                         f"{type(exc).__name__}: {exc}"), written)
        return {"phase_diagram": False, "reason": str(exc)}
    dt = time.perf_counter() - t0
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for ax, data, title in ((axes[0], np.log10(lam), r"$\log_{10}\lambda_{\max}$"),
                            (axes[1], np.log10(eta), r"$\log_{10}\eta_c$")):
        mesh = ax.pcolormesh(sw, sb, data, shading="nearest", cmap="viridis")
        cs = ax.contour(sw, sb, data, levels=8, colors="white", linewidths=0.6)
        ax.clabel(cs, fontsize=7, fmt="%.1f")
        if chi1 is not None and np.nanmin(chi1) < 1 < np.nanmax(chi1):
            ax.contour(sw, sb, chi1, levels=[1.0], colors="red", linewidths=1.4,
                       linestyles="--")
        fig.colorbar(mesh, ax=ax)
        ax.set_xlabel(r"$\sigma_w^2$")
        ax.set_ylabel(r"$\sigma_b^2$")
        ax.set_title(title)
    fig.suptitle(f"{settings['activation']}, L = {settings['depth']}, M = {settings['width']}, "
                 f"N = {settings['samples']}, C = {settings['classes']}"
                 + ("; red dashes: order-to-chaos line $\\chi_1 = 1$" if chi1 is not None
                    else ""))
    png = out / "figures" / "phase_diagram.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110, metadata={"Software": None})
    plt.close(fig)
    written.add(png.resolve())
    i, j = np.unravel_index(np.argmin(eta), eta.shape)
    _write(snippet, [
        f".. figure:: /{GENERATED}/figures/phase_diagram.png", "   :width: 100%",
        "   :alt: lambda_max and eta_c over (sigma_w^2, sigma_b^2)", "",
        f"   Largest Fisher eigenvalue and critical learning rate of an ``erf`` network with "
        f"L = {settings['depth']}, M = {settings['width']}, N = {settings['samples']}, "
        f"C = {settings['classes']}, on a {sw.size} x {sb.size} grid, computed in "
        f"{dt:.2f} s by ``{phase_diagram.evaluator}``"
        + (" (the dashed red line is the order-to-chaos boundary chi_1 = 1 of "
           ":func:`meanfield_sym.meanfield.recursions.fixed_point`)" if chi1 is not None else "")
        + f". The smallest admissible step on this grid is eta_c = {eta[i, j]:.3g}, at "
        f"sigma_w^2 = {sw[j]:.3g}, sigma_b^2 = {sb[i]:.3g}; the largest is "
        f"{np.max(eta):.3g}.", ""], written)
    log(f"docsgen: phase diagram drawn in {dt:.1f} s")
    return {"phase_diagram": True, "seconds": dt}


def _write_stats_example(out: Path, written: set) -> None:
    snippet = out / "stats_example.inc"
    reason = _stats_available()
    if reason is not None:
        _write(snippet, _note("note", f"(Example output not shown: {reason}.)"), written)
        return
    from meanfield_sym.cli import main as cli_main

    argv = ["stats", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0.1",
            "--depth", "3", "--width", "1000", "--samples", "100"]
    buf, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
        status = cli_main(argv)
    text = buf.getvalue() if status == 0 else f"(exit status {status})\n{err.getvalue()}"
    _write(snippet, ["Output of ``meanfield-sym " + " ".join(argv) + "`` in this build:", ""]
           + _literal_block(text), written)


def _write_figures(docs: Path, out: Path, written: set) -> dict:
    figs = sorted((docs / "figures").glob("*.png")) if (docs / "figures").is_dir() else []
    lines = [".. _figures:", ""] + _heading("Figures of the finite-width experiments", "=")
    lines += ["Theory against finite-width random networks (``meanfield-sym experiment "
              "--plot``): the settings of the papers' figures, reproduced by the empirical "
              "witness. Files are taken from ``docs/figures/*.png`` at build time.", ""]
    if not figs:
        lines += _note("note", "No figure in docs/figures/ yet: run the experiments of the "
                               "empirical issue with --plot docs/figures/NAME.png.")
    for png in figs:
        title = png.stem.replace("_", " ").replace("-", " ")
        lines += _heading(title, "-")
        lines += [f".. figure:: /figures/{png.name}", "   :width: 90%",
                  f"   :alt: {rst_escape(title)}", "", f"   ``docs/figures/{png.name}``", ""]
    _write(out / "figures.rst", lines, written)
    return {"figures": len(figs)}


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------
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
    disable), see :class:`KernelCache`.
    """
    docs = Path(docs_dir) if docs_dir is not None else repo_docs_dir()
    out = docs / GENERATED
    if include_slow is None:
        include_slow = os.environ.get("MEANFIELD_DOCS_SLOW", "") not in ("", "0")
    if extra_derivations is None:
        extra_derivations = os.environ.get("MEANFIELD_DOCS_EXTRA_DERIVATIONS") or None
    t0 = time.perf_counter()
    written: set = set()
    summary = {"derivations": _write_derivations(out, written, include_slow,
                                                 extra_derivations, log)}
    cache = os.environ.get("MEANFIELD_DOCS_CACHE")
    cache_dir = None if cache == "" else Path(cache) if cache else docs / "_build" / "cache"
    summary["activations"] = _write_activations(out, written, log, cache_dir)
    _write(out / "cli.rst", cli_reference(), written)
    _write(out / "api.rst", api_reference(), written)
    summary["figures"] = _write_figures(docs, out, written)
    summary["tutorial"] = _write_phase_diagram(out, written, log)
    _write_stats_example(out, written)
    for path in sorted(out.rglob("*"), reverse=True):  # drop pages of vanished sources
        if path.is_file() and path.resolve() not in written:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    summary["seconds"] = time.perf_counter() - t0
    log(f"docsgen: generated pages in {summary['seconds']:.1f} s "
        f"({summary['derivations']['checks']} checks, "
        f"{summary['derivations']['misprints']} misprints)")
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
        print("docsgen: Sphinx is not installed: pip install -e '.[docs]'", file=sys.stderr)
        return 2
    docs = Path(docs_dir) if docs_dir is not None else repo_docs_dir()
    if not (docs / "conf.py").is_file():
        print(f"docsgen: no conf.py in {docs}; pass --docs DIR", file=sys.stderr)
        return 2
    out = Path(out_dir) if out_dir is not None else docs / "_build" / builder
    argv = (["-W", "--keep-going"] if strict else []) + ["-b", builder, str(docs), str(out)]
    t0 = time.perf_counter()
    status = build_main(argv)
    print(f"docsgen: sphinx-build {' '.join(argv)} -> exit {status} in "
          f"{time.perf_counter() - t0:.1f} s; open {out / 'index.html'}")
    return status


def main(argv=None) -> int:
    """``python -m meanfield_sym.site.build``: build the documentation site."""
    parser = argparse.ArgumentParser(prog="python -m meanfield_sym.site.build",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--docs", help="Sphinx source folder (default: docs/ of this checkout)")
    parser.add_argument("--out", help="output folder (default: DOCS/_build/html)")
    parser.add_argument("--slow", action="store_true", help="also run the slow derivations")
    parser.add_argument("--extra-derivations", metavar="DIR",
                        help="also document the derivation scripts DIR/*.py")
    parser.add_argument("--generate-only", action="store_true",
                        help="write the generated pages, do not run Sphinx")
    parser.add_argument("--no-strict", action="store_true",
                        help="do not treat warnings as errors")
    args = parser.parse_args(argv)
    if args.slow:
        os.environ["MEANFIELD_DOCS_SLOW"] = "1"
    if args.extra_derivations:
        os.environ["MEANFIELD_DOCS_EXTRA_DERIVATIONS"] = str(Path(args.extra_derivations).resolve())
    if args.generate_only:
        generate(args.docs)
        return 0
    return build(args.docs, args.out, strict=not args.no_strict)


if __name__ == "__main__":
    raise SystemExit(main())
