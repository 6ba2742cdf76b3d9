"""Input checks shared by every layer: one validator for each kind of argument.

Every public function of the package validates its arguments through these, so a bad value
gets the same one-line message wherever it enters (the command line prints it after
``error:``).  The argument order is always ``(value, name)``.

>>> variance_pair(2.0, -1.0)
(array(2.), array(-1.))
>>> variance_pair(1.0, 1.5)
Traceback (most recent call last):
...
ValueError: |b| must not exceed the variance a (the covariance matrix [[a, b], [b, a]] must be positive semi-definite), got a=1.0, b=1.5
"""
from __future__ import annotations

import numbers
import os
import warnings

import numpy as np

__all__ = ["read_array", "ROUNDING_SLACK", "depth", "positive_int", "positive_number", "real_array",
           "variance", "variance_array", "positive_variance", "variance_pair", "momentum", "layer_values"]

#: Relative excess of a computed overlap over its variance that is still read as rounding
#: (q_2 = q_1 when the two inputs coincide, or X Xᵀ/d with a diagonal of 1 + 8e-16); larger
#: excesses are reported as errors.
ROUNDING_SLACK = 1e-12


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def positive_int(value, name: str) -> int:
    """An integer >= 1 (``True``, ``2.5`` and ``"3"`` are refused)."""
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and not _is_bool(value) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer (>= 1), got {value}")
    return int(value)


def depth(value) -> int:
    """The number of weight layers L >= 1."""
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise ValueError(f"depth must be an integer >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"depth must be >= 1, got {value}")
    return int(value)


def positive_number(value, name: str) -> float:
    """A finite real number > 0."""
    if _is_bool(value):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return v


def real_array(value, name: str) -> np.ndarray:
    """A float array of finite values."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got a non-finite value (NaN or ±inf)")
    return arr


def variance(value, name: str) -> float:
    """One finite real number >= 0 (a variance; ``True`` and strings are refused)."""
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if v < 0:
        raise ValueError(f"{name} is a variance and must be >= 0, got {value!r}")
    return v


def variance_array(value, name: str) -> np.ndarray:
    """A float array of finite values >= 0 (a variance, possibly zero)."""
    arr = real_array(value, name)
    if np.any(arr < 0):
        raise ValueError(f"{name} is a variance and must be >= 0, got {float(np.min(arr))!r}")
    return arr


def positive_variance(value, name: str = "q") -> np.ndarray:
    """A float array of finite values > 0 (the variance argument of a kernel)."""
    arr = real_array(value, name)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0 (a variance), got {float(np.min(arr))!r}")
    return arr


def variance_pair(a, b, names: tuple[str, str] = ("a", "b")) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast float arrays ``(a, b)``: a > 0 a variance, |b| <= a a covariance."""
    a = positive_variance(a, names[0])
    b = real_array(b, names[1])
    a, b = np.broadcast_arrays(a, b)
    bad = np.abs(b) > a
    if np.any(bad):
        i = int(np.argmax(np.abs(b) - a))
        raise ValueError(f"|{names[1]}| must not exceed the variance {names[0]} (the covariance "
                         f"matrix [[a, b], [b, a]] must be positive semi-definite), got "
                         f"{names[0]}={float(a.flat[i])!r}, {names[1]}={float(b.flat[i])!r}")
    return a, b


def momentum(value) -> np.ndarray:
    """The momentum μ of heavy-ball gradient descent, -1 < μ < 1."""
    mu = real_array(value, "momentum")
    if np.any(np.abs(mu) >= 1):
        raise ValueError(f"momentum must satisfy -1 < mu < 1, got {value!r}")
    return mu


def layer_values(value, L: int, name: str, nonnegative: bool = True) -> list[np.ndarray]:
    """Per-layer values ``[v_1, ..., v_L]`` from one broadcastable value or a list of L.

    A ``list``/``tuple`` is read as one entry per layer (its length must be ``L``); anything
    else (a number or a NumPy array) is the same value in every layer.
    """
    L = depth(L)
    check = variance_array if nonnegative else real_array
    if isinstance(value, (list, tuple)):
        if len(value) != L:
            raise ValueError(f"{name}: {len(value)} per-layer values given for depth {L} "
                             f"(need one per layer l = 1..{L})")
        return [check(v, f"{name}[layer {i + 1}]") for i, v in enumerate(value)]
    return [check(value, name)] * L


def read_array(path, flag: str) -> np.ndarray:
    """The array in a ``.npy`` (no pickles) or ``.csv`` file named by the option ``flag``;
    a missing, empty, unreadable or non-numeric file is one ValueError line."""
    path = str(path)
    if not os.path.isfile(path):
        raise ValueError(f"{flag}: file {path!r} not found")
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".npy", ".csv"):
        raise ValueError(f"{flag} must be a .npy or .csv file, got {path!r}")
    try:
        if ext == ".npy":
            arr = np.load(path, allow_pickle=False)
        else:
            with warnings.catch_warnings():  # an empty file: one error line, no warning
                warnings.simplefilter("ignore", UserWarning)
                arr = np.loadtxt(path, delimiter=",", ndmin=2, dtype=float)
            if arr.size == 0:
                raise ValueError(f"{flag}: file {path!r} holds no numbers (it is empty)")
    except ValueError as exc:
        if str(exc).startswith(f"{flag}: "):
            raise
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"cannot read {path!r} as numbers: {msg}") from None
    except (OSError, EOFError) as exc:
        raise ValueError(f"cannot read {path!r}: {exc or 'the file is empty'}") from None
    return arr
