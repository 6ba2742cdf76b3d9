"""No derivation script states a verdict: every verdict comes from the one judge.

The syntax tree of every script in ``derivations/`` is walked; the test fails on any
``HOLDS``/``MISPRINT``/``UNDECIDED`` string literal or name (imported or not) and on any direct
construction of a ``CheckResult`` (which would bypass the judge).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "derivations").glob("*.py"))
VERDICT_WORDS = {"HOLDS", "MISPRINT", "UNDECIDED"}


def offences(source: str) -> list[str]:
    """Verdict literals, verdict names and direct CheckResult calls in a module's source."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.strip() in VERDICT_WORDS:
            out.append(f"line {node.lineno}: string literal {node.value!r}")
        elif isinstance(node, ast.Name) and node.id in VERDICT_WORDS:
            out.append(f"line {node.lineno}: name {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in VERDICT_WORDS:
            out.append(f"line {node.lineno}: attribute .{node.attr}")
        elif isinstance(node, (ast.ImportFrom, ast.Import)):
            for a in node.names:
                if a.name in VERDICT_WORDS or (a.asname or "") in VERDICT_WORDS:
                    out.append(f"line {node.lineno}: imports {a.name}")
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) \
                else ""
            if name == "CheckResult":
                out.append(f"line {node.lineno}: constructs CheckResult directly")
    return out


def test_the_walker_catches_what_it_should():
    bad = ("from meanfield_sym.verdicts.record import HOLDS\n"
           "x = CheckResult('a', 'p', 'e', 'w', 'MISPRINT', 1, 1, 'ev')\n"
           "y = R.UNDECIDED\n")
    found = offences(bad)
    assert len(found) == 4, found
    assert offences("z = judge(printed=1, derived=1)  # HOLDS in a comment is fine\n") == []


def test_there_are_scripts():
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_script_states_no_verdict(path):
    found = offences(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}: " + "; ".join(found)
