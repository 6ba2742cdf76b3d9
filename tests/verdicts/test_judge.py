"""The one judge: the verdict rule, the consistency checks of a run, the readable output, and
the public check of a user's own kernel formula (against an mpmath quadrature of the
definition, an independent route)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sympy as sp

from meanfield_sym.verdicts.judge import (Definition, Reading, Witness, check_kernel,
                                          equation_key, judge, parse_formula)
from meanfield_sym.verdicts.record import (consistency_problems, format_table, human,
                                           human_symbol)

x, y = sp.symbols("x y", positive=True)
D = [Definition("x", "x is a number", "nowhere")]


def _w(indep=True, d=True, p=True, violation=False):
    return Witness("exact-algebra", "w", indep, d, p, {"n": 1}, violation=violation)


def _j(printed, derived, ws, **kw):
    return judge(id="T", paper="Test paper", equation="(1)", what="t", printed=printed,
                 derived=derived, definitions=D, witnesses=ws, key="(1)", **kw)


def test_holds_needs_equality_and_every_witness():
    assert _j(2 * x + 2, 2 * (x + 1), [_w()]).verdict == "HOLDS"
    r = _j(2 * x + 2, 2 * (x + 1), [_w(), Witness("mpmath", "u", True, None, None)])
    assert r.verdict == "UNDECIDED" and "did not test" in r.reason


def test_misprint_needs_an_independent_witness():
    r = _j(x, 2 * x, [_w(indep=True, d=True, p=False)])
    assert r.verdict == "MISPRINT" and r.corrected == 2 * x
    r = _j(x, 2 * x, [_w(indep=False, d=True, p=False)])
    assert r.verdict == "UNDECIDED" and r.candidates


def test_a_witness_against_the_derivation_is_inconsistent():
    r = _j(x, x, [_w(d=False)])
    assert r.verdict == "UNDECIDED" and not r.consistent


def test_readings_holding_under_one_only_give_undecided():
    rs = [Reading("A", "a", x, x), Reading("B", "b", x, 2 * x)]
    r = _j(x, x, [Witness("finite-width", "n", True, True, {"A": True, "B": False})],
           readings=rs)
    assert r.verdict == "UNDECIDED" and "A" in r.reason
    rs = [Reading("A", "a", x, 3 * x), Reading("B", "b", x, 2 * x)]
    r = _j(x, 2 * x, [Witness("finite-width", "n", True, True, {"A": False, "B": False})],
           readings=rs)
    assert r.verdict == "MISPRINT"


def test_numeric_equality_at_stated_points():
    pts = [{x: sp.Rational(1, 3)}, {x: 2}]
    r = _j(sp.atan(x), sp.asin(x / sp.sqrt(1 + x ** 2)), [_w()], points=pts)
    assert r.verdict == "HOLDS"


def test_a_record_needs_a_witness():
    with pytest.raises(ValueError):
        _j(x, x, [])


def test_consistency_contradiction_and_bound_violation():
    a = _j(x, x, [_w()])
    b = _j(x, 2 * x, [_w(p=False)])
    probs = consistency_problems([a, b])
    assert any("CONTRADICTION" in p for p in probs)
    c = _j(x, x, [_w(violation=True)])
    assert any("BOUND VIOLATED" in p for p in consistency_problems([c]))
    assert consistency_problems([a]) == []


def test_json_keeps_the_contract_and_adds_the_new_fields():
    d = _j(x, 2 * x, [_w(p=False)]).to_json()
    assert {"id", "paper", "equation", "verdict", "printed", "derived", "evidence", "what",
            "corrected", "consistent", "digits", "script", "latex", "steps"} <= set(d)
    assert {"definitions", "readings", "witnesses", "reason", "candidates", "key"} <= set(d)
    json.dumps(d)
    assert d["witnesses"][0]["numbers"] == {"n": 1}


def test_symbols_print_as_a_person_writes_them():
    assert human_symbol("alpha_L-1") == "α_{L−1}"
    assert human_symbol("qhat^(l-1)") == "q̂^{l−1}"
    assert human_symbol("kappa1") == "κ₁"
    assert human(sp.Symbol("sigma_w2") * sp.Symbol("qtilde^l")) in ("q̃^l·σ_w²", "σ_w²·q̃^l")


def test_the_table_wraps_instead_of_cutting():
    r = _j(x, 2 * x, [_w(p=False)], argument="word " * 200)
    text = format_table([r], width=80)
    assert max(len(l) for l in text.splitlines()) <= 80
    assert r.reason.split()[-1].rstrip(".") in text.replace("\n", " ")


def test_equation_keys_group_papers():
    assert equation_key("Universal statistics (suppl.)", "(A.37)") == \
        equation_key("Universal statistics", "(A.37)")


# --- a user's own kernel formula ------------------------------------------------------------
def test_cho_saul_arc_cosine_kernel_holds():
    r = check_kernel("relu", "two_point", "(sqrt(a**2-b**2) + b*(pi - acos(b/a)))/(2*pi)")
    assert r.verdict == "HOLDS" and r.consistent
    assert r.witnesses[0].kind == "mpmath" and r.witnesses[0].independent


def test_williams_erf_kernel_holds():
    assert check_kernel("erf", "two_point", "2/pi*asin(2*b/(1+2*a))").verdict == "HOLDS"


def test_a_missing_factor_is_a_misprint_with_the_derived_form():
    r = check_kernel("erf", "two_point", "1/pi*asin(2*b/(1+2*a))")
    assert r.verdict == "MISPRINT"
    assert sp.simplify(r.corrected - 2 / sp.pi * sp.asin(2 * sp.Symbol("b", real=True) /
                                                        (1 + 2 * sp.Symbol("a", positive=True))))\
        == 0


def test_one_point_misprint():
    r = check_kernel("relu", "one_point", "q")
    assert r.verdict == "MISPRINT" and r.witnesses[0].agrees_printed is False


@pytest.mark.parametrize("text", ["__import__('os')", "q + z", "eval(q)", "q.__class__"])
def test_the_formula_parser_is_a_whitelist(text):
    with pytest.raises(ValueError):
        parse_formula(text, ("q",))


def test_check_cli(tmp_path):
    out = subprocess.run([sys.executable, "-m", "meanfield_sym", "check", "relu", "--kernel",
                          "one_point_prime", "1/2", "--json"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["verdict"] == "HOLDS"
    bad = subprocess.run([sys.executable, "-m", "meanfield_sym", "check", "relu", "--kernel",
                          "one_point", "q + y"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_verify_only_unknown_is_a_usage_error():
    out = subprocess.run([sys.executable, "-m", "meanfield_sym", "verify", "--only", "nosuch"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "us_appB1_erf" in lines[0]
