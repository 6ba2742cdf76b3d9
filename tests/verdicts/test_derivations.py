"""Every derivation script runs, reaches verdicts, and the toolkit agrees with itself.

Also: the verdicts on supplement App. B that independent reasoning fixes in advance (a
misprint must be found where the print is provably wrong, and nothing else), the verify CLI
contract, and the freshness of the stored quadrature references (slow).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from meanfield_sym.verdicts.record import VERDICTS, discover_scripts

SCRIPTS = [m.__name__.rsplit(".", 1)[-1] for m in discover_scripts(include_slow=False)]


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_reaches_verdicts_consistently(name):
    import importlib
    mod = importlib.import_module(f"meanfield_sym.derivations.{name}")
    results = mod.checks()
    assert results
    for r in results:
        assert r.verdict in VERDICTS
        assert r.consistent, (r.id, r.evidence)
        assert r.evidence
        assert r.witnesses, f"{r.id}: a record without computation"
        assert r.definitions or r.id.startswith("US-B.1"), f"{r.id}: no definition quoted"
        json.dumps(r.to_json())  # serialisable


# Expected verdicts, fixed by arguments independent of the engine:
# * B.12: φ' = H(x) is invariant under x -> s x, so I_φ'[a, b] depends on b/a only; the printed
#   form grows linearly in a, so it cannot hold.
# * B.10 boundary: with f = u^L, δ^L = 1 identically, so q̃^L = 1, not 1/2.
# * every other App. B formula is a textbook Gaussian integral (arc-cosine kernel, Williams'
#   erf kernel, linear maps) and must hold.
EXPECTED_MISPRINTS = {"US-B.10b", "US-B.12"}


def test_appendix_B_verdicts():
    import importlib
    results = []
    for name in ("us_appB1_erf", "us_appB2_relu", "us_appB3_linear"):
        results += importlib.import_module(f"meanfield_sym.derivations.{name}").checks()
    ids = {r.id for r in results}
    eqs = {r.equation for r in results}
    assert {f"(B.{i})" for i in range(1, 17)} <= eqs, "every App. B equation is judged"
    mis = {r.id for r in results if r.verdict == "MISPRINT"}
    assert mis == EXPECTED_MISPRINTS, mis
    assert all(r.verdict == "HOLDS" for r in results if r.id not in EXPECTED_MISPRINTS), ids


def test_verify_cli_json_contract():
    out = subprocess.run([sys.executable, "-m", "meanfield_sym", "verify", "--json", "--only",
                          "us_appB3"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data and all({"id", "paper", "equation", "verdict", "printed", "derived",
                         "evidence"} <= set(d) for d in data)


@pytest.mark.slow
def test_reference_table_is_current():
    """Recompute a sample of references.json with its recipe (highprec quadrature)."""
    import mpmath
    from meanfield_sym.derivations import _common as C
    table = C._load()["values"]
    keys = sorted(table)[:: max(1, len(table) // 8)]
    for key in keys:
        act, kernel, args = key.split(":")
        import sympy as sp
        fresh = C.compute_reference(act, kernel, tuple(sp.Rational(a) for a in args.split(",")))
        with mpmath.workdps(C.REF_DPS):
            assert C.digits_of_agreement(mpmath.mpf(fresh), mpmath.mpf(table[key])) >= 28, key
