"""Strict JSON of the package's results: arrays become lists, non-finite numbers ``null``.

``NaN`` and ``Infinity`` are not JSON; every ``--json`` output and every stored result goes
through :func:`to_jsonable` (the command line's, the figures' and the data tables').
"""
from __future__ import annotations

import json
import math

import numpy as np

__all__ = ["to_jsonable", "dumps"]


def to_jsonable(obj):
    """Plain JSON values: arrays → (nested) lists, scalars → float, non-finite → None."""
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    arr = np.asarray(obj)
    if arr.dtype == bool:
        return arr.tolist()
    if arr.ndim == 0:
        v = float(arr)
        return v if math.isfinite(v) else None
    return [to_jsonable(v) for v in arr]


def dumps(obj) -> str:
    """Strict JSON text (no NaN/Infinity) of :func:`to_jsonable` (obj)."""
    return json.dumps(to_jsonable(obj), indent=2, allow_nan=False)
