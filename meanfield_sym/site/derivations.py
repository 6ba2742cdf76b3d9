"""The derivation pages and the errata page, from the derivation scripts run at build time.

One page per script of ``meanfield_sym.derivations`` (plus extra scripts from a folder): the
module docstring, every :class:`~meanfield_sym.verdicts.record.CheckResult` with the printed
formula, the derived closed form, the corrected form, the main steps (LaTeX from SymPy's
printer), the verdict and the evidence, and the script's own source -- so a page can never
drift from its script.  The errata page lists every ``MISPRINT`` with its corrected form.

Each record is rendered from :meth:`~meanfield_sym.verdicts.record.CheckResult.to_json`, the
same object ``meanfield-sym verify --json`` prints: the verdict, the reason and the equation
``key``; the printed, derived and corrected forms as math and as text; the definitions used,
quoted from the paper with where they are stated; the readings of an ambiguous definition (a
small table: under which reading the printed form holds); every witness with its numbers (a
table), its source and, for a Monte Carlo witness, the per-width table and the fit of each
form; and the candidate forms when the verdict is not ``HOLDS``.
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

from threadpoolctl import threadpool_limits

from meanfield_sym.site.rst import (formula, heading, indent, literal_block, note, prose,
                                    rst_escape, write_page)
from meanfield_sym.verdicts.record import (HOLDS, MISPRINT, UNDECIDED, consistency_problems,
                                           human)

__all__ = ["derivation_page", "errata_page", "run_derivations", "write_derivations",
           "record_lines", "verdict_summary", "VERDICT_MEANINGS", "EXIT_STATUS"]

#: What each verdict means (the rule of :func:`meanfield_sym.verdicts.judge.judge`).
VERDICT_MEANINGS = (
    (HOLDS, "the printed form equals the derived form under every reading of its definitions "
            "(exact symbolic equivalence, or agreement to a stated number of digits at stated "
            "points) and every witness agrees with the derived form."),
    (MISPRINT, "the printed form differs from the derived form under every reading, and at "
               "least one witness independent of the derivation confirms the derived "
               "(corrected) form and rejects the printed one; the corrected form is given."),
    (UNDECIDED, "anything else -- the printed form holds under some readings only, no "
                "independent witness separates the forms, or a witness contradicts the "
                "derivation; the reason and the candidate forms are given."),
)
#: The exit status of ``meanfield-sym verify``.
EXIT_STATUS = (
    (0, "when the run is consistent (whatever the verdicts are: a MISPRINT is a finding about a "
        "paper, not a failure)."),
    (1, "when the toolkit contradicts itself or a bound is violated: a record whose witness "
        "disagrees with its derivation (INCONSISTENT), two records on the same equation with "
        "contradictory verdicts (HOLDS and MISPRINT), or a bound record whose witness violates "
        "the bound beyond its error; each is named on standard error."),
    (2, "on bad input (a usage error, e.g. ``--only`` naming no script), with one line on "
        "standard error."),
)

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


# ---------------------------------------------------------------------------------------------
# One record, rendered from its to_json() object
# ---------------------------------------------------------------------------------------------
def _record_json(r) -> dict:
    """``r.to_json()``, with the fields older records may lack filled in."""
    try:
        j = dict(r.to_json())
    except Exception:  # noqa: BLE001 -- a record that cannot serialise still gets its page
        j = {}
    j.setdefault("text", {"printed": human(r.printed), "derived": human(r.derived),
                          "corrected": human(r.corrected) if r.corrected is not None else None})
    for k in ("definitions", "readings", "witnesses", "candidates"):
        j[k] = list(j.get(k) or [])
    j.setdefault("reason", getattr(r, "reason", ""))
    j.setdefault("kind", getattr(r, "kind", "formula"))
    j.setdefault("key", getattr(r, "key", ""))
    return j


def _fmt(v) -> str:
    """A number (or short text, list, dict) of a witness as one line of table text."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if v is None:
        return "--"
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_fmt(x) for x in v) or "--"
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_fmt(x)}" for k, x in v.items()) or "--"
    try:
        import numpy as np
        if isinstance(v, np.generic):
            return _fmt(v.item())
    except ImportError:  # pragma: no cover
        pass
    return str(v)


def _cell(v) -> str:
    """Table-cell text: escaped, never empty."""
    return rst_escape(_fmt(v) if not isinstance(v, str) else v) or "--"


def _lit(text) -> str:
    """Text shown as an inline literal (falls back to escaped text if it holds a backquote)."""
    text = " ".join(str(text).split())
    if not text:
        return "--"
    return rst_escape(text) if "`" in text or text.startswith(" ") else f"``{text}``"


def _agrees(v) -> str:
    """What a witness says about a form: agrees / rejects / not tested, or per reading."""
    if isinstance(v, dict):
        return "; ".join(f"under {k}: {_agrees(x)}" for k, x in v.items()) or "not tested"
    return {True: "agrees", False: "rejects", None: "not tested"}.get(v, str(v))


def _table(title: str, header, rows, widths=None) -> list[str]:
    """A ``list-table`` (cells already reST text)."""
    out = [f".. list-table:: {title}" if title else ".. list-table::", "   :header-rows: 1"]
    if widths:
        out.append("   :widths: " + " ".join(str(w) for w in widths))
    out.append("")
    for row in [list(header)] + [list(r) for r in rows]:
        out.append(f"   * - {row[0]}")
        out += [f"     - {c}" for c in row[1:]]
    return out + [""]


def _form(label: str, latex, text) -> list[str]:
    """A printed / derived / corrected form: display math when there is LaTeX, and its text."""
    lines = [f"**{label}**", ""]
    if latex:
        lines += [".. math::", ""] + ["   " + x for x in latex.splitlines() if x.strip()] + [""]
        if text:
            lines += [f"As text: {_lit(text)}", ""]
    elif text:
        lines += literal_block(text)
    else:
        lines += ["(none)", ""]
    return lines


def _definition_lines(defs) -> list[str]:
    lines = [".. rubric:: Definitions used", ""]
    for d in defs:
        lines += [f"{_lit(d.get('symbol', ''))}, as the paper states it:", "",
                  f"   “{rst_escape(d.get('text', ''))}”", ""]
        if d.get("where"):
            lines += [f"   -- {rst_escape(d['where'])}", ""]
    return lines


def _reading_lines(readings) -> list[str]:
    rows = []
    for rd in readings:
        eq = rd.get("printed_equals_derived")
        rows.append([rst_escape(rd.get("name", "")) or "--", _cell(rd.get("description", "")),
                     _lit(rd.get("printed_text") or rd.get("printed") or ""),
                     _lit(rd.get("derived_text") or rd.get("derived") or ""),
                     _cell(rd.get("supported_by") or "--"),
                     {True: "**yes**", False: "no", None: "--"}.get(eq, _cell(eq)),
                     _cell(rd.get("how") or "--")])
    holds = [rd.get("name", "") for rd in readings if rd.get("printed_equals_derived")]
    intro = ("The printed form holds under " + (
        "every reading judged." if holds and len(holds) == len(readings) else
        ("the reading(s) " + ", ".join(f"*{rst_escape(h)}*" for h in holds) + " only.")
        if holds else "none of the readings judged."))
    return ([".. rubric:: Readings", "", intro, ""]
            + _table("", ["reading", "description", "printed", "derived", "supported by",
                          "printed = derived", "how"], rows))


def _mc_lines(data: dict, k: int) -> list[str]:
    """The per-width tables and the fit of each form of a Monte Carlo witness."""
    lines = []
    for form, d in data.items():
        if not isinstance(d, dict):
            continue
        fit = d.get("fit") or {}
        z, agrees = d.get("z"), d.get("agrees")
        fit_text = (f"fit {_lit(fit.get('form', 'a + c·M^-p'))} with p = {_fmt(fit.get('p'))} "
                    f"(fixed in advance): a = {_fmt(fit.get('a'))} ± "
                    f"{_fmt(fit.get('a_stderr'))}, c = {_fmt(fit.get('c'))}, "
                    f"χ²/dof = {_fmt(fit.get('chi2_dof'))}; z = (a − 1)/se(a) = {_fmt(z)}; "
                    f"{'**agrees**' if agrees else 'does not agree' if agrees is False else 'agreement not stated'}")
        lines += [f"Monte Carlo, form {_lit(form)}: {fit_text}.", ""]
        rows = []
        for row in d.get("per_width") or []:
            em, es = row.get("experiment_mean"), row.get("experiment_stderr")
            rows.append([_cell(row.get("M")), _cell(row.get("networks")),
                         _cell(row.get("mean_ratio")), _cell(row.get("stderr")),
                         "--" if em is None else rst_escape(f"{_fmt(em)} ± {_fmt(es)}"),
                         _cell(row.get("theory"))])
        if rows:
            lines += _table(f"Witness {k}, form {_lit(form)}: per width",
                            ["width M", "networks", "mean ratio experiment/theory",
                             "standard error", "experiment mean ± se", "theory"], rows)
    return lines


def _witness_lines(witnesses) -> list[str]:
    lines = [".. rubric:: Witnesses", ""]
    for k, w in enumerate(witnesses, 1):
        indep = "independent of the derivation" if w.get("independent") else \
            "not independent of the derivation"
        lines += [f"**Witness {k}** ({_lit(w.get('kind', ''))}, {indep}): "
                  f"{rst_escape(w.get('description', ''))}", ""]
        lines += [f":Derived form: {_agrees(w.get('agrees_derived'))}",
                  f":Printed form: {rst_escape(_agrees(w.get('agrees_printed')))}",
                  f":Source: {rst_escape(w.get('source') or '--')}"]
        if w.get("violation"):
            lines += [":Bound: **violated** beyond its error"]
        lines += [""]
        nums = w.get("numbers") or {}
        if nums:
            lines += _table(f"Numbers of witness {k}", ["quantity", "value"],
                            [[_cell(name), _cell(v)] for name, v in nums.items()], [40, 60])
        if isinstance(w.get("data"), dict):
            lines += _mc_lines(w["data"], k)
    return lines


def _candidate_lines(cands) -> list[str]:
    rows = [[_cell(c.get("label", "")), _lit(c.get("text") or c.get("form") or "")]
            for c in cands]
    return [".. rubric:: Candidate forms", "",
            "The verdict is not HOLDS; these are the forms the record weighed:", ""] + \
        _table("", ["candidate", "form"], rows, [30, 70])


def record_lines(r) -> list[str]:
    """reST lines of one record (everything below its section title)."""
    j = _record_json(r)
    lines = [rst_escape(r.what), ""]
    consistent = ("the toolkit's witnesses agree" if r.consistent else
                  "**the toolkit's own witnesses disagree** (a bug in the toolkit)")
    lines += [f":Verdict: :verdict-{_VERDICT_WORDS[r.verdict]}:`{r.verdict}`",
              f":Consistency: {consistent}",
              f":Kind: {rst_escape(j.get('kind') or 'formula')}",
              f":Equation key: {_lit(j.get('key') or '')}"]
    if r.digits is not None:
        lines += [f":Agreement: {r.digits:.1f} significant digits"
                  if r.digits != float("inf") else ":Agreement: exact"]
    lines += [""]
    if j.get("reason"):
        lines += [f"**Reason.** {rst_escape(j['reason'])}", ""]
    latex, text = j.get("latex") or {}, j.get("text") or {}
    lines += _form("Printed (as transcribed from the paper):", latex.get("printed"), text.get("printed") or
                   (None if r.printed is None else str(r.printed)))
    lines += _form("Derived (by the toolkit):", latex.get("derived"),
                   text.get("derived") or (None if r.derived is None else str(r.derived)))
    if r.corrected is not None:
        lines += _form("Corrected form:", latex.get("corrected"),
                       text.get("corrected") or str(r.corrected))
    if j["definitions"]:
        lines += _definition_lines(j["definitions"])
    if j["readings"]:
        lines += _reading_lines(j["readings"])
    if j["witnesses"]:
        lines += _witness_lines(j["witnesses"])
    if j["candidates"] and r.verdict != HOLDS:
        lines += _candidate_lines(j["candidates"])
    if r.steps:
        lines += [".. rubric:: Main steps", ""]
        for k, (step, expr) in enumerate(r.steps, 1):
            item = [f"{k}. {rst_escape(step) or '(step)'}", ""]
            if expr is not None:
                item += indent(formula(expr))
            lines += item
    lines += [f"**Evidence** (as ``meanfield-sym verify`` prints it). {rst_escape(r.evidence)}",
              ""]
    return lines


def _keys(results, verdict=None) -> int:
    return len({_record_json(r)["key"] or f"{r.paper}:{r.equation}" for r in results
                if verdict is None or r.verdict == verdict})


def verdict_summary(results) -> list[str]:
    """reST lines: records and distinct equations per verdict, what the verdicts mean, the
    exit status of ``verify`` and what this run's status would be."""
    rows = [[f":verdict-{_VERDICT_WORDS[v]}:`{v}`", str(sum(r.verdict == v for r in results)),
             str(_keys(results, v)), rst_escape(meaning)] for v, meaning in VERDICT_MEANINGS]
    rows.append(["all", str(len(results)), str(_keys(results)),
                 "an equation checked by several records (e.g. symbolically and by Monte "
                 "Carlo) is counted once, by its key"])
    lines = _table("Records and distinct equations (by ``key``) per verdict",
                   ["verdict", "records", "equations", "meaning"], rows, [12, 8, 10, 70])
    lines += ["``meanfield-sym verify`` exits with", ""]
    lines += [f"* **{code}** {text}" for code, text in EXIT_STATUS] + [""]
    try:
        problems = consistency_problems(results)
    except Exception as exc:  # noqa: BLE001 -- shown, not fatal
        problems = [f"the consistency check failed: {type(exc).__name__}: {exc}"]
    if problems:
        lines += [f"The records of this build would make ``verify`` exit with **1**: "
                  f"{len(problems)} problem(s):", ""]
        lines += [f"* {rst_escape(p)}" for p in problems] + [""]
    else:
        lines += ["The records of this build are consistent: ``verify`` on the same scripts "
                  "exits with 0.", ""]
    return lines


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
        lines += record_lines(r)
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


def _holds_under(j: dict) -> tuple[list[str], list[str]]:
    """(readings under which the printed form equals the derived form, readings under which a
    witness finds the printed form in agreement) of one record's JSON."""
    by_comparison = [rd.get("name", "") for rd in j["readings"]
                     if rd.get("printed_equals_derived")]
    by_witness = []
    for k, w in enumerate(j["witnesses"], 1):
        ap = w.get("agrees_printed")
        if isinstance(ap, dict):
            by_witness += [f"{name} (witness {k})" for name, ok in ap.items() if ok]
    return by_comparison, by_witness


def _errata_readings(j: dict) -> list[str]:
    comp, wit = _holds_under(j)
    names = [rd.get("name", "") for rd in j["readings"]]
    if not names:
        return ["**Readings:** the record judges no reading (plain comparison).", ""]
    line = ("**Readings under which the printed form would hold:** "
            + (", ".join(f"*{rst_escape(n)}*" for n in comp) if comp else
               f"none of the {len(names)} judged ("
               + ", ".join(f"*{rst_escape(n)}*" for n in names) + ")"))
    if wit:
        line += "; a witness finds the printed form in agreement under " + ", ".join(
            rst_escape(x) for x in wit)
    return [line + ".", ""] + _reading_lines(j["readings"])[4:]


def errata_page(results, scripts_run: int) -> list[str]:
    """reST lines of the errata page: every MISPRINT with its corrected form and the readings
    under which the printed form would hold, then the printed forms that hold under some
    readings only (UNDECIDED)."""
    lines = [".. _errata:", ""] + heading("Errata", "=")
    indexed = [(r, i, _record_json(r)) for i, r in _indexed(results)]
    mis = [x for x in indexed if x[0].verdict == MISPRINT]
    partial = [x for x in indexed if x[0].verdict == UNDECIDED and _holds_under(x[2])[0]]
    lines += [f"Every printed formula that the derivation scripts found to be misprinted, with "
              f"the corrected form, the readings under which the printed form would hold, and "
              f"the evidence. This build ran {len(results)} checks on {_keys(results)} distinct "
              f"equations in {scripts_run} scripts and found {len(mis)} misprint(s) on "
              f"{_keys([x[0] for x in mis])} equation(s).", ""]
    if not mis:
        lines += ["No misprint was found by the scripts run in this build.", ""]
    for r, i, j in mis:
        lines += heading(f"{r.paper}, {r.equation} ({r.id})", "-")
        lines += [rst_escape(r.what), "",
                  f"From :ref:`{rst_escape(r.script)} <{_label(r.script, i)}>`; equation key "
                  f"{_lit(j['key'])}.", ""]
        latex, text = j.get("latex") or {}, j.get("text") or {}
        lines += _form("Printed:", latex.get("printed"), text.get("printed") or str(r.printed))
        lines += _form("Corrected:", latex.get("corrected"),
                       text.get("corrected") or str(r.corrected))
        lines += _errata_readings(j)
        if j.get("reason"):
            lines += [f"**Reason.** {rst_escape(j['reason'])}", ""]
        lines += [f"**Evidence.** {rst_escape(r.evidence)}", ""]
    if partial:
        lines += heading("Printed forms that hold under some readings only", "-")
        lines += ["These records are UNDECIDED: the printed form holds under one reading of an "
                  "ambiguous definition and not under another, and the paper supports each.", ""]
        for r, i, j in partial:
            lines += [f"* :ref:`{rst_escape(r.id)} <{_label(r.script, i)}>` "
                      f"({rst_escape(r.paper)}, {rst_escape(r.equation)}): holds under "
                      + ", ".join(f"*{rst_escape(n)}*" for n in _holds_under(j)[0]) + "; not "
                      "under " + (", ".join(f"*{rst_escape(rd.get('name', ''))}*"
                                            for rd in j["readings"]
                                            if not rd.get("printed_equals_derived")) or "--")]
        lines += [""]
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
                with threadpool_limits(limits=1, user_api="blas"):   # as verify runs them
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
              "transcribes the paper's printed formulas and the definitions they use as data, "
              "derives the same quantities with the toolkit, runs its witnesses (quadrature, "
              "exact algebra, finite-width networks), and hands everything to the one judge "
              "(:func:`meanfield_sym.verdicts.judge.judge`), which computes the verdict: "
              "``HOLDS``, ``MISPRINT`` (with the corrected form, collected in :ref:`errata`) "
              "or ``UNDECIDED`` (with the reason). ``meanfield-sym verify`` runs the same "
              "scripts; :doc:`/checking` shows the judge on formulas of your own.", "",
              f"This build ran {ran} scripts, {len(results)} checks on {_keys(results)} "
              f"distinct equations ({_verdict_counts(results)}), in {seconds:.2f} s.", ""]
    index += verdict_summary(results)
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
