"""The product speaks of the product: no word of how or by whom it was built.

A grep over everything a user reads — package code and docstrings, generated modules, the
derivation scripts (whose evidence strings reach ``verify``), the documentation sources and the
README — for phrases that only make sense to the people who built it (ticket numbers, work
sessions, remarks about an unfinished engine or about a damaged copy of a paper).
"""
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLACES = ["meanfield_sym", "derivations", "docs", "README.md"]
SUFFIXES = {".py", ".rst", ".md", ".txt", ".json"}
PATTERNS = [
    r"\bissues? ?#?\d", r"\bissue's\b", r"\bour copy\b", r"developers' guide", r"still being written",
    r"not there yet", r"\bin this session\b", r"\b(a|the|earlier|previous) session\b",
    r"\bhelper session", r"\bsubagent", r"\bticket\b",
]
PHRASE = re.compile("|".join(PATTERNS), re.IGNORECASE)


def _files():
    for place in PLACES:
        path = REPO / place
        if path.is_file():
            yield path
            continue
        for f in path.rglob("*"):
            if f.is_file() and f.suffix in SUFFIXES and "_build" not in f.parts \
                    and "__pycache__" not in f.parts and not f.name.endswith(".egg-info"):
                yield f


def test_the_patterns_catch_what_they_should():
    """The grep itself can fail: each pattern matches a phrase it is meant to catch."""
    for text in ("see issue 3", "Issue #12", "the issue's target", "lost in our copy",
                 "the engine is still being written", "as the developers' guide says"):
        assert PHRASE.search(text), text
    for text in ("the covariance matrix", "tissue", "a Gaussian session of sampling"[:10]):
        assert not PHRASE.search(text), text


def test_no_process_phrases_in_the_product():
    hits = []
    for f in _files():
        for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if PHRASE.search(line):
                hits.append(f"{f.relative_to(REPO)}:{n}: {line.strip()[:100]}")
    assert not hits, "process phrases in the product:\n" + "\n".join(hits)
