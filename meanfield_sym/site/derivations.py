"""The derivation pages and the errata page, from the derivation scripts run at build time.

One page per script of ``meanfield_sym.derivations`` (plus extra scripts from a folder): the
module docstring, every :class:`~meanfield_sym.verdicts.record.CheckResult` with the printed
formula, the derived closed form, the corrected form, the main steps (LaTeX from SymPy's
printer), the verdict and the evidence, and the script's own source -- so a page can never
drift from its script.  The errata page lists every ``MISPRINT`` with its corrected form.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from meanfield_sym.site.rst import (formula, heading, indent, literal_block, note, prose,
                                    rst_escape, write_page)
from meanfield_sym.verdicts.record import HOLDS, MISPRINT, UNDECIDED

__all__ = ["derivation_page", "errata_page", "run_derivations", "write_derivations"]

_VERDICT_WORDS = {HOLDS: "holds", MISPRINT: "misprint", UNDECIDED: "undecided"}


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


def _indexed(results):
    """(index within its script, result) pairs, matching the labels of :func:`derivation_page`."""
    seen: dict[str, int] = {}
    for r in results:
        i = seen.get(r.script, 0)
        seen[r.script] = i + 1
        yield i, r


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
    lines += heading(script, "=")
    summary, rest = _split_docstring(module)
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
        lines += note("error", "This script raised an exception in this build; "
                               "the docs build fails until it is fixed.")
        lines += literal_block(error, "pytb")
    elif slow_not_run:
        lines += [":Checks: not run in this build (the script is marked ``SLOW``; build with "
                  "``python -m meanfield_sym.site --slow``)", ""]
    else:
        timing = f" in {seconds:.2f} s" if seconds is not None else ""
        lines += [f":Checks: {len(results)} ({_verdict_counts(results)}){timing}", ""]
    if rest:
        lines += prose(rest)
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
        lines += heading(f"{r.id} -- {r.paper}, {r.equation}", "-")
        lines += [rst_escape(r.what), ""]
        consistent = ("the toolkit's witnesses agree" if r.consistent else
                      "**the toolkit's own witnesses disagree** (a bug in the toolkit)")
        lines += [f":Verdict: :verdict-{_VERDICT_WORDS[r.verdict]}:`{r.verdict}`",
                  f":Consistency: {consistent}"]
        if r.digits is not None:
            lines += [f":Agreement: {r.digits:.1f} significant digits"
                      if r.digits != float("inf") else ":Agreement: exact"]
        lines += [""]
        lines += ["**Printed** (as transcribed from the paper):", ""] + formula(r.printed)
        lines += ["**Derived** (by the toolkit):", ""] + formula(r.derived)
        if r.corrected is not None:
            lines += ["**Corrected form:**", ""] + formula(r.corrected)
        if r.steps:
            lines += ["**Main steps:**", ""]
            for k, (text, expr) in enumerate(r.steps, 1):
                item = [f"{k}. {rst_escape(text) or '(step)'}", ""]
                if expr is not None:
                    item += indent(formula(expr))
                lines += item
        lines += [f"**Evidence.** {rst_escape(r.evidence)}", ""]
    if module is not None:
        try:
            source = inspect.getsource(module)
        except (OSError, TypeError):
            source = None
        if source:
            lines += heading("Source of the script", "-")
            lines += ["This is the code that produced the verdicts above, read at build time.", ""]
            lines += literal_block(source, "python")
    return lines


def errata_page(results, scripts_run: int) -> list[str]:
    """reST lines of the errata page: every MISPRINT with its corrected form."""
    lines = [".. _errata:", ""] + heading("Errata", "=")
    mis = [(r, i) for i, r in _indexed(results) if r.verdict == MISPRINT]
    lines += [f"Every printed formula that the derivation scripts found to be misprinted, with "
              f"the corrected form and the evidence. This build ran {len(results)} checks in "
              f"{scripts_run} scripts and found {len(mis)} misprint(s).", ""]
    if not mis:
        lines += ["No misprint was found by the scripts run in this build.", ""]
    for r, i in mis:
        lines += heading(f"{r.paper}, {r.equation} ({r.id})", "-")
        lines += [rst_escape(r.what), "",
                  f"From :ref:`{rst_escape(r.script)} <{_label(r.script, i)}>`.", ""]
        lines += ["**Printed:**", ""] + formula(r.printed)
        lines += ["**Corrected:**", ""] + formula(r.corrected)
        lines += [f"**Evidence.** {rst_escape(r.evidence)}", ""]
    return lines


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
    script that raises gets a page showing its traceback (and the build fails through the
    ``errors`` of :func:`write_derivations`) instead of stopping every other page.

    Returns ``(scripts, results, seconds)``: ``scripts`` lists
    ``(name, module, seconds, ran, error)`` for every script (slow ones included, with
    ``ran=False`` when skipped; ``error`` is a traceback or None); ``results`` is the flat list
    of CheckResults of the scripts that ran.
    """
    entries = list(_package_scripts())
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
            log(f"docs: running derivation script {name}")
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


def write_derivations(out: Path, written: set, include_slow: bool = False, extra_dir=None,
                      log=print) -> dict:
    """Write ``out/derivations/*.rst`` and ``out/errata.rst``; return a summary whose
    ``errors`` lists the scripts that failed (the build reports them as errors)."""
    scripts, results, seconds = run_derivations(include_slow, extra_dir, log)
    by_script: dict[str, list] = {}
    for r in results:
        by_script.setdefault(r.script, []).append(r)
    ran = sum(e[3] for e in scripts)
    index = [".. _derivations:", ""] + heading("Derivations", "=")
    index += ["Each page below is generated at build time from one derivation script in "
              "``derivations/`` (the package ``meanfield_sym.derivations``): the script "
              "transcribes the paper's printed formulas as data, derives the same quantities "
              "with the toolkit, compares them symbolically and numerically, and returns a "
              "verdict: ``HOLDS``, ``MISPRINT`` (with the corrected form, collected in "
              ":ref:`errata`) or ``UNDECIDED`` (with the reason). ``meanfield-sym verify`` "
              "runs the same scripts.", "",
              f"This build ran {ran} scripts, {len(results)} "
              f"checks ({_verdict_counts(results)}), in {seconds:.2f} s.", ""]
    names = [name for name, *_ in scripts]
    orphans = sorted(set(by_script) - set(names))
    if not scripts:
        index += note("note", "No derivation script was found in meanfield_sym.derivations.")
    if scripts or orphans:
        index += [".. list-table::", "   :header-rows: 1", "   :widths: 20 60 20", "",
                  "   * - script", "     - what it checks", "     - verdicts"]
        for name, mod, _dt, done, err in scripts:
            state = ("FAILED" if err is not None else _verdict_counts(by_script.get(name, []))
                     if done else "slow, not run")
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
    for name, mod, dt, done, err in scripts:
        if err is not None:
            errors.append(f"derivation script {name} failed:\n{err}")
        write_page(out / "derivations" / f"{name}.rst",
                   derivation_page(name, mod, by_script.get(name, []), dt,
                                   slow_not_run=not done and err is None, error=err),
                   written)
    for name in orphans:  # results whose .script names no discovered module
        write_page(out / "derivations" / f"{name}.rst",
                   derivation_page(name, None, by_script[name]), written)
    write_page(out / "derivations" / "index.rst", index, written)
    write_page(out / "errata.rst", errata_page(results, ran), written)
    return {"scripts": len(scripts), "checks": len(results), "seconds": seconds,
            "misprints": sum(r.verdict == MISPRINT for r in results), "errors": errors}
