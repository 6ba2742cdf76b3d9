"""The asymptotic and statement records (``derivations/asymptotics_*.py``,
``derivations/statements_*.py``): every fast script runs, each record is consistent, carries an
independent witness that computed its numbers, quotes its definitions, and reports digits."""
from __future__ import annotations

import importlib
import json

import pytest

from meanfield_sym.verdicts.record import VERDICTS, discover_scripts

PREFIXES = ("asymptotics_", "statements_")
FAST = [m.__name__.rsplit(".", 1)[-1] for m in discover_scripts(include_slow=False)
        if m.__name__.rsplit(".", 1)[-1].startswith(PREFIXES)]
SLOW = [m.__name__.rsplit(".", 1)[-1] for m in discover_scripts(include_slow=True)
        if m.__name__.rsplit(".", 1)[-1].startswith(PREFIXES)
        and getattr(m, "SLOW", False)]


def _assert_record(r):
    assert r.verdict in VERDICTS
    assert r.consistent, (r.id, r.evidence)
    assert r.evidence
    assert r.witnesses, f"{r.id}: a record without computation"
    assert any(w.independent for w in r.witnesses), f"{r.id}: no independent witness"
    assert all(w.numbers for w in r.witnesses), f"{r.id}: a witness without numbers"
    assert r.definitions, f"{r.id}: no definition quoted"
    assert all(d.where for d in r.definitions), r.id
    json.dumps(r.to_json())


def test_there_are_fast_scripts():
    assert FAST


@pytest.mark.parametrize("name", FAST)
def test_fast_script_records(name):
    mod = importlib.import_module(f"meanfield_sym.derivations.{name}")
    results = mod.checks()
    assert results
    ids = [r.id for r in results]
    assert len(ids) == len(set(ids)), "duplicate record ids"
    for r in results:
        _assert_record(r)


def test_asymptotic_witnesses_report_digits():
    """Each mpmath witness of the asymptotic scripts states the digits it reached."""
    for name in FAST:
        if not name.startswith("asymptotics_"):
            continue
        for r in importlib.import_module(f"meanfield_sym.derivations.{name}").checks():
            for w in r.witnesses:
                if w.kind == "mpmath":
                    assert isinstance(w.numbers.get("digits"), (int, float)), (r.id, w.numbers)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_slow_script_records(name):
    for r in importlib.import_module(f"meanfield_sym.derivations.{name}").checks():
        _assert_record(r)
