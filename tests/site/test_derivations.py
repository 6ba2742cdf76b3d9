"""Derivation pages and the errata page (meanfield_sym.site.derivations)."""
import pytest
import textwrap

import sympy as sp

from meanfield_sym.site import derivations
from meanfield_sym.verdicts.record import HOLDS, MISPRINT, UNDECIDED, CheckResult


def _results():
    a, b = sp.symbols("a b", positive=True)
    return [
        CheckResult(id="h1", paper="P", equation="(1)", what="w |b| <= a", verdict=HOLDS,
                    printed=sp.sqrt(a) / b, derived=sp.sqrt(a) / b, evidence="e_1 *x",
                    steps=[("step one", sp.Integral(a, (b, 0, 1))), ("no formula", None)],
                    script="s1"),
        CheckResult(id="m1", paper="P", equation="(2)", what="w", verdict=MISPRINT,
                    printed=a / (1 + b), derived=a / 2, corrected=a / 2, evidence="ev",
                    script="s1"),
        CheckResult(id="u1", paper="Q", equation="Thm 3", what="w", verdict=UNDECIDED,
                    printed="text only", derived=None, evidence="no printed form",
                    script="s2"),
    ]


def test_derivation_page_shows_every_part_of_a_check():
    res = _results()
    text = "\n".join(derivations.derivation_page("s1", None, res[:2], 0.5))
    assert text.count(".. math::") == 6  # h1: printed, derived, step; m1: + corrected
    assert sp.latex(res[0].printed) in text and sp.latex(res[1].corrected) in text
    assert "\\|b\\|" in text  # plain-text pipes escaped, not a substitution
    assert "e\\_1 \\*x" in text
    assert ":verdict-holds:`HOLDS`" in text and ":verdict-misprint:`MISPRINT`" in text
    assert "1. step one" in text and "2. no formula" in text
    assert ".. _deriv-s1-0:" in text and ".. _deriv-s1-1:" in text
    assert ":Checks: 2 (1 HOLDS, 1 MISPRINT) in 0.50 s" in text


def test_slow_and_failed_scripts_say_so():
    slow = "\n".join(derivations.derivation_page("s", None, [], slow_not_run=True))
    assert "not run in this build" in slow and "SLOW" in slow
    failed = "\n".join(derivations.derivation_page("s", None, [], error="Traceback: boom"))
    assert ".. error::" in failed and ".. code-block:: pytb" in failed and "boom" in failed


def test_errata_lists_exactly_the_misprints_with_their_corrected_form():
    res = _results()
    text = "\n".join(derivations.errata_page(res, scripts_run=2))
    assert "found 1 misprint(s)" in text
    assert "(m1)" in text and "(h1)" not in text and "(u1)" not in text
    assert ":ref:`s1 <deriv-s1-1>`" in text  # link to the check's label on its page
    assert text.count(".. math::") == 2


GOOD = '''
"""A fixture script that holds."""
import sympy as sp
from meanfield_sym.verdicts.record import CheckResult, HOLDS

def checks():
    x = sp.Symbol("x")
    return [CheckResult(id="good-1", paper="P", equation="(1)", what="x = x", verdict=HOLDS,
                        printed=x, derived=x, evidence="equal")]
'''
BROKEN = '''
"""A fixture script whose checks() raises."""
def checks():
    raise RuntimeError("the fixture fails on purpose")
'''


def test_a_failing_script_gets_its_traceback_page_and_is_a_build_error(tmp_path, monkeypatch):
    monkeypatch.setattr(derivations, "_package_scripts", lambda: [])  # only the fixtures
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "good.py").write_text(textwrap.dedent(GOOD))
    (extra / "broken.py").write_text(textwrap.dedent(BROKEN))
    out, written = tmp_path / "generated", set()
    summary = derivations.write_derivations(out, written, extra_dir=extra, log=lambda *a: None)
    assert summary["scripts"] == 2 and summary["checks"] == 1
    assert len(summary["errors"]) == 1 and "broken" in summary["errors"][0]
    assert "the fixture fails on purpose" in summary["errors"][0]
    broken = (out / "derivations" / "broken.rst").read_text()
    assert "the fixture fails on purpose" in broken and ".. error::" in broken
    index = (out / "derivations" / "index.rst").read_text()
    assert "FAILED" in index and "1 HOLDS" in index
    assert {p.name for p in (out / "derivations").iterdir()} == {"good.rst", "broken.rst",
                                                                "index.rst"}
    assert (out / "errata.rst").resolve() in written


# ---------------------------------------------------------------------------------------------
# The fields of records made by the one judge
# ---------------------------------------------------------------------------------------------
def _mc_data():
    """Deterministic per-network values: the experiment matches form "right" (up to a 1/M
    correction and a little spread) and is 10 % above form "wrong"."""
    from meanfield_sym.verdicts.sweeps import MCData

    values = {"kappa1": {}}
    for M, K in ((250, 8), (500, 8), (1000, 8)):
        rows = []
        for i in range(K):
            e = 2.0 * (1 + 0.5 / M) * (1 + 0.002 * ((-1) ** i) * (1 + i % 3))
            rows.append((e, {"right": 2.0, "wrong": 2.0 / 1.1}))
        values["kappa1"][M] = rows
    return MCData("fixture networks (relu, L = 3)", values)


def _judged():
    """A MISPRINT with two readings, a quoted definition, an mpmath witness and a Monte
    Carlo witness, and an UNDECIDED record whose printed form holds under one reading only --
    both made by the judge."""
    from meanfield_sym.verdicts.judge import Definition, Reading, Witness, judge
    from meanfield_sym.verdicts.sweeps import mc_witness

    q = sp.Symbol("q", positive=True)
    defs = [Definition("κ₁", "kappa_1 := sum_i E[u_i^2] / M |b| <= a", "Fixture paper, Sec. 2")]
    mpm = Witness("mpmath", "quadrature at q = 1", True, True, False,
                  {"quadrature at q = 1": "0.5000000000000000000000", "digits": 25.0})
    mc = mc_witness(_mc_data(), "kappa1", "right", ["wrong"], "mean")
    mis = judge(id="fx-mis", paper="Fixture paper", equation="Eq. (7)", what="κ₁ of relu",
                printed=q / (1 + q), derived=q / 2, definitions=defs, witnesses=[mpm, mc],
                key="(7)", readings=[
                    Reading("per unit", "κ₁ divided by M", q / (1 + q), q / 2,
                            supported_by="Sec. 2, line 3"),
                    Reading("total", "κ₁ summed over units", q / (1 + q), q),
                ], argument="A fixture.")
    und = judge(id="fx-und", paper="Fixture paper", equation="Eq. (8)", what="two readings",
                printed=q, derived=q, definitions=defs, key="(8)",
                witnesses=[Witness("exact-algebra", "rational arithmetic", True, True,
                                   {"per unit": True, "total": False}, {"value": 1})],
                readings=[Reading("per unit", "divided by M", q, q),
                          Reading("total", "summed", q, 2 * q)])
    mis.script = und.script = "fx"  # as run_derivations sets it
    return mis, und


def test_judged_records_carry_the_new_fields():
    mis, und = _judged()
    assert mis.verdict == MISPRINT and und.verdict == UNDECIDED
    j = mis.to_json()
    assert j["witnesses"][1]["data"]["right"]["per_width"][0]["M"] == 250


def test_derivation_page_renders_every_field_of_a_judged_record():
    mis, und = _judged()
    j = mis.to_json()
    text = "\n".join(derivations.derivation_page("fx", None, [mis, und]))
    # verdict, reason, kind, key
    assert ":verdict-misprint:`MISPRINT`" in text and ":verdict-undecided:`UNDECIDED`" in text
    assert f"**Reason.** {derivations.rst_escape(mis.reason)}" in text
    assert ":Kind: formula" in text and f":Equation key: ``{mis.key}``" in text
    # text forms next to the math
    assert f"As text: ``{j['text']['printed']}``" in text
    assert f"As text: ``{j['text']['corrected']}``" in text
    assert j["latex"]["corrected"] in text
    # the definition as a quotation with its location
    assert "   “kappa\\_1 := sum\\_i E[u\\_i^2] / M \\|b\\| <= a”" in text
    assert "   -- Fixture paper, Sec. 2" in text
    # the readings as a table
    assert ".. rubric:: Readings" in text and "   * - per unit" in text
    assert "     - Sec. 2, line 3" in text and "printed = derived" in text
    assert "The printed form holds under none of the readings judged." in text
    assert "The printed form holds under the reading(s) *per unit* only." in text
    # the witnesses, their numbers as a table, the per-width Monte Carlo table and the fit
    assert "**Witness 1** (``mpmath``, independent of the derivation)" in text
    assert ".. list-table:: Numbers of witness 1" in text
    assert "     - 0.5000000000000000000000" in text
    assert ":Printed form: under per unit: agrees; under total: rejects" in text
    assert ":Source: computed in this run" in text
    fit = j["witnesses"][1]["data"]["right"]["fit"]
    assert f"a = {fit['a']:.6g} ± {fit['a_stderr']:.6g}" in text
    assert ".. list-table:: Witness 2, form ``right``: per width" in text
    assert ".. list-table:: Witness 2, form ``wrong``: per width" in text
    row = j["witnesses"][1]["data"]["right"]["per_width"][0]
    assert f"     - {row['mean_ratio']:.6g}" in text
    assert f"{row['experiment_mean']:.6g} ± {row['experiment_stderr']:.6g}" in text
    # candidates, only when not HOLDS
    assert ".. rubric:: Candidate forms" in text
    assert all(derivations.rst_escape(c["label"]) in text for c in j["candidates"])


def test_derivation_page_of_judged_records_is_clean_rst():
    pytest.importorskip("docutils", reason="the docs extra is not installed: "
                                           "pip install -e '.[docs]'")
    from docutils.core import publish_doctree

    mis, und = _judged()
    text = "\n".join(derivations.derivation_page("fx", None, [mis, und]))
    prolog = "\n".join(f".. role:: verdict-{w}" for w in ("holds", "misprint", "undecided"))
    import io
    warnings = io.StringIO()
    publish_doctree(prolog + "\n\n" + text, settings_overrides={
        "report_level": 2, "halt_level": 5, "warning_stream": warnings})
    problems = [line for line in warnings.getvalue().splitlines()
                if "Unknown interpreted text role" not in line and "ref" not in line
                and line.strip()]
    assert not problems, warnings.getvalue()


def test_errata_lists_the_misprint_with_readings_and_the_reading_dependent_records():
    mis, und = _judged()
    text = "\n".join(derivations.errata_page([mis, und], scripts_run=1))
    assert "(fx-mis)" in text and "found 1 misprint(s) on 1 equation(s)" in text
    assert "2 checks on 2 distinct equations" in text
    assert "**Readings under which the printed form would hold:** none of the 2 judged " \
           "(*per unit*, *total*)" in text
    assert "**Corrected:**" in text and mis.to_json()["latex"]["corrected"] in text
    assert "Printed forms that hold under some readings only" in text
    assert ":ref:`fx-und <deriv-fx-1>`" in text and "holds under *per unit*; not under *total*" \
        in text


def test_summary_counts_records_and_distinct_equations_and_explains_exit_status():
    mis, und = _judged()
    again = _judged()[0]  # a second record on the same equation
    text = "\n".join(derivations.verdict_summary([mis, und, again]))
    assert "   * - all\n     - 3\n     - 2" in text
    assert "   * - :verdict-misprint:`MISPRINT`\n     - 2\n     - 1" in text
    for code in ("**0**", "**1**", "**2**"):
        assert code in text
    assert "bound" in text and "bad input" in text
    assert "exits with 0" in text


def test_summary_names_the_problems_that_make_verify_exit_1():
    mis, und = _judged()
    holds = CheckResult(id="fx-h", paper="Fixture paper", equation="Eq. (7)", what="w",
                        verdict=HOLDS, printed=1, derived=1, evidence="e", key=mis.key)
    text = "\n".join(derivations.verdict_summary([mis, holds]))
    assert "would make ``verify`` exit with **1**" in text and "CONTRADICTION" in text
