"""The digest of the derivation code: what a generated module or a cache entry was made by.

A generated module carries the digest of the source files that determine its text (and the
SymPy version); when it equals :func:`derivation_digest` today, the module is exactly what the
current derivation would print, and the library may use it instead of deriving.  The on-disk
cache keys its entries with the same digest.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
from functools import lru_cache
from pathlib import Path

__all__ = ["DERIVATION_SOURCES", "derivation_digest"]

_PACKAGE = Path(__file__).resolve().parents[1]
#: The files whose code determines a generated module's text (package-relative).
DERIVATION_SOURCES = (
    "activation/parser.py", "activation/function.py", "activation/support.py",
    "activation/numpy_names.py", "kernels/names.py", "kernels/symbols.py", "kernels/engine.py",
    "kernels/binomial.py", "kernels/forms.py",
    "kernels/printing.py", "kernels/kernel_set.py", "activation/growth.py", "citations.py",
    "codegen/emit.py",
)


@lru_cache(maxsize=1)
def derivation_digest() -> str:
    """SHA-256 (12 hex digits) of the derivation code and the SymPy version: a generated
    module carrying the same digest is exactly what the derivation would print today."""
    h = hashlib.sha256()
    for rel in DERIVATION_SOURCES:
        h.update(rel.encode())
        h.update((_PACKAGE / rel).read_bytes())
    h.update(importlib.metadata.version("sympy").encode())
    return h.hexdigest()[:12]
