"""The kernel cache of the docs build: closed forms of earlier builds, reused when nothing they
depend on changed.

Deriving the kernels of all built-in activations takes about a minute (GELU and shifted ReLU
dominate).  :class:`KernelCache` stores the forms of one build as ``srepr`` in
``kernels-<digest>.json``, keyed by the activation's fingerprint; the digest
(:func:`engine_digest`) hashes the engine's and the activations' source and the SymPy version,
so a change to any of them derives afresh.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path

import sympy as sp

from meanfield_sym.kernels.names import KERNEL_NAMES

__all__ = ["KernelCache", "engine_digest", "KERNEL_KEYS", "ENGINE_MODULES"]

#: The four kernels of an activation, in the order they are stored and shown.
KERNEL_KEYS = KERNEL_NAMES
#: The modules whose source a closed form depends on.
ENGINE_MODULES = ("meanfield_sym.kernels.engine", "meanfield_sym.kernels.forms",
                  "meanfield_sym.kernels.kernel_set", "meanfield_sym.activation.function",
                  "meanfield_sym.activation.parser", "meanfield_sym.activation.support")


def engine_digest() -> str:
    """Hash (16 hex digits) of what a closed form depends on: :data:`ENGINE_MODULES`' source
    and the SymPy version."""
    h = hashlib.sha256(sp.__version__.encode())
    for mod in ENGINE_MODULES:
        spec = importlib.util.find_spec(mod)
        if spec is not None and spec.origin and os.path.isfile(spec.origin):
            h.update(Path(spec.origin).read_bytes())
    return h.hexdigest()[:16]


class KernelCache:
    """Closed forms of earlier builds, keyed by activation fingerprint and :func:`engine_digest`.

    A build whose engine source, activation source and SymPy version are unchanged reuses the
    forms of the previous build.  Delete the folder, or change the engine, to derive afresh.

    Parameters
    ----------
    folder : path or None
        Where ``kernels-<digest>.json`` lives; ``None`` disables the cache.
    """

    def __init__(self, folder: Path | None):
        self.path = None if folder is None else Path(folder) / f"kernels-{engine_digest()}.json"
        self.data = {}
        if self.path is not None and self.path.is_file():
            try:
                self.data = json.loads(self.path.read_text(encoding="utf-8"))
            except ValueError:
                self.data = {}
        self.dirty = False

    def get(self, act):
        """``(forms, seconds)`` stored for the activation ``act``, or None."""
        entry = self.data.get(act.fingerprint)
        if entry is None:
            return None
        return {k: (None if v is None else sp.sympify(v)) for k, v in entry["forms"].items()}, \
            entry["seconds"]

    def put(self, act, forms: dict, seconds: float) -> None:
        """Remember the closed ``forms`` of ``act`` (None: no closed form) and their cost."""
        self.data[act.fingerprint] = {
            "name": act.name, "seconds": seconds,
            "forms": {k: (None if forms.get(k) is None else sp.srepr(sp.sympify(forms[k])))
                      for k in KERNEL_KEYS}}
        self.dirty = True

    def save(self) -> None:
        """Write the file if something was added; remove the files of other digests."""
        if self.path is not None and self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for old in self.path.parent.glob("kernels-*.json"):
                if old != self.path:
                    old.unlink()
            self.path.write_text(json.dumps(self.data, indent=1, sort_keys=True),
                                 encoding="utf-8")
