"""Derivation pages and the errata page (meanfield_sym.site.derivations)."""
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
