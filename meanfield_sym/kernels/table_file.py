"""Table files: the Chebyshev tables of one activation's kernels as plain NumPy arrays.

The shipped modules of tanh and sigmoid (:mod:`meanfield_sym.codegen.emit`) have no closed
forms; their kernels are evaluated by the validated tables of
:class:`~meanfield_sym.kernels.tables.TabulatedKernels`, which take seconds to build.  Each
module names a table file next to it (``tanh_tables.npz``) holding the four tables, so that no
process builds them.  The file is an ``.npz`` archive of plain arrays, read with
``allow_pickle=False``:

* ``format`` (:data:`FORMAT`), ``activation`` (its name), ``fingerprint`` (of φ's canonical
  expression, as the module's ``FINGERPRINT``), ``code`` (the
  :func:`~meanfield_sym.kernels.tables.code_digest` of the table and quadrature code that built
  the tables) and ``checksum`` (SHA-256 of every other array: name, dtype, shape and bytes);
* for a one-point kernel ``K``: ``K__breaks``, ``K__coef``, ``K__ok``, ``K__max_error``
  (the fields of :class:`~meanfield_sym.kernels.tables.ChebyshevTable1D`);
* for a two-point kernel ``K``: ``K__xb``, ``K__cells`` (cells per column), ``K__yb`` (the
  columns' θ breakpoints, concatenated), ``K__coef`` (the cells' coefficients, column after
  column), ``K__ok``, ``K__max_error``
  (:class:`~meanfield_sym.kernels.tables.ChebyshevTable2D`).

:func:`read` refuses, with :class:`TableFileError`, a file that is missing or unreadable, of
another format, for another activation, built by other table or quadrature code (stale), whose
checksum fails (corrupted) or whose arrays do not form tables; the provider then computes the
kernels by the library's route instead (:func:`meanfield_sym.kernels.provider.from_module`).
:func:`spot_check` compares tables with fresh quadrature at fixed points off the interpolation
nodes, cell edges included: what ``meanfield-sym codegen --check`` runs, since rebuilding the
tables on another machine need not reproduce them bit for bit.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from meanfield_sym.kernels import quadrature, tables
from meanfield_sym.kernels.names import KERNEL_NAMES

__all__ = ["FORMAT", "CHECK_RTOL", "TableFileError", "TableFileWarning", "write", "read",
           "spot_check"]

#: Version of the layout above.
FORMAT = 1
#: Largest deviation :func:`spot_check` accepts between a table and fresh quadrature, relative
#: to the quadrature's scale ``max(|I|, 1e-3 E|f g|)`` (:func:`~meanfield_sym.kernels.
#: quadrature.target`): both aim at 1e-12, so an intact table passes with a margin of 5 and a
#: table that differs beyond its own accuracy fails.
CHECK_RTOL = 1e-11
#: Fixed check points in local cell coordinates [-1, 1]² (none is an interpolation node nor
#: one of the build's validation points), and the cell edges ±1.
_INTERIOR = np.array([[0.377, -0.622], [-0.811, 0.233], [0.59, 0.871], [-0.254, -0.933]])
_EDGES = np.array([-1.0, 1.0])
_HEADER = ("format", "activation", "fingerprint", "code", "checksum")


class TableFileError(ValueError):
    """A table file that must not be used (missing, unreadable, stale or corrupted)."""


class TableFileWarning(UserWarning):
    """A shipped table file was refused; the kernels come from the library's route."""


def _checksum(arrays: dict) -> str:
    h = hashlib.sha256()
    for key in sorted(k for k in arrays if k != "checksum"):
        arr = np.ascontiguousarray(arrays[key])
        h.update(f"{key}|{arr.dtype.str}|{arr.shape}|".encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def _arrays(tabs: dict, activation: str, fingerprint: str) -> dict:
    out = {"format": np.array(FORMAT), "activation": np.array(activation),
           "fingerprint": np.array(fingerprint), "code": np.array(tables.code_digest())}
    for name in KERNEL_NAMES:
        t = tabs[name]
        if name.startswith("one_point"):
            out.update({f"{name}__breaks": np.asarray(t.breaks, float),
                        f"{name}__coef": np.asarray(t.coef, float),
                        f"{name}__ok": np.asarray(t.ok, bool)})
        else:
            out.update({f"{name}__xb": np.asarray(t.xb, float),
                        f"{name}__cells": np.array([len(o) for o in t.ok], np.int64),
                        f"{name}__yb": np.concatenate([np.asarray(y, float) for y in t.yb]),
                        f"{name}__coef": np.concatenate([np.asarray(c, float) for c in t.coef]),
                        f"{name}__ok": np.concatenate([np.asarray(o, bool) for o in t.ok])})
        out[f"{name}__max_error"] = np.array(float(t.max_error))
    out["checksum"] = np.array(_checksum(out))
    return out


def write(path, tabs: dict, activation: str, fingerprint: str) -> Path:
    """Write the four tables ``tabs`` (``{kernel name: table}``) of an activation to ``path``
    (atomically: a temporary file renamed into place).

    Parameters
    ----------
    path : str or Path
        The ``.npz`` file.
    tabs : dict
        :class:`~meanfield_sym.kernels.tables.ChebyshevTable1D` for the one-point kernels,
        :class:`~meanfield_sym.kernels.tables.ChebyshevTable2D` for the two-point ones.
    activation, fingerprint : str
        The activation's name and fingerprint, recorded for :func:`read` to compare.
    """
    path = Path(path)
    missing = [k for k in KERNEL_NAMES if k not in tabs]
    if missing:
        raise ValueError(f"tables missing for {', '.join(missing)}")
    arrays = _arrays(tabs, activation, fingerprint)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.chmod(tmp, 0o644)            # a package file, not a private one (mkstemp: 0600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _text(arrays, key) -> str:
    arr = arrays[key]
    if arr.shape != () or arr.dtype.kind not in "US":
        raise TableFileError(f"field {key!r} is not a text")
    return str(arr)


def _sorted_breaks(arr, what):
    if arr.ndim != 1 or arr.size < 2 or not np.all(np.isfinite(arr)) or \
            not np.all(np.diff(arr) > 0):
        raise TableFileError(f"{what}: breakpoints are not an increasing sequence")
    return arr


def _table(arrays, name):
    def get(field, kind):
        arr = arrays.get(f"{name}__{field}")
        if arr is None:
            raise TableFileError(f"{name}: field {field!r} missing")
        if arr.dtype.kind not in kind:
            raise TableFileError(f"{name}: field {field!r} has dtype {arr.dtype}")
        return arr

    coef = get("coef", "f")
    ok = get("ok", "b")
    max_error = get("max_error", "f")
    if max_error.shape != () or not np.isfinite(max_error):
        raise TableFileError(f"{name}: max_error is not a number")
    if not np.all(np.isfinite(coef)):
        raise TableFileError(f"{name}: coefficients are not finite")
    if name.startswith("one_point"):
        breaks = _sorted_breaks(get("breaks", "f"), name)
        if coef.ndim != 2 or coef.shape[0] != breaks.size - 1 or ok.shape != (coef.shape[0],):
            raise TableFileError(f"{name}: {breaks.size - 1} cells but coefficients of shape "
                                 f"{coef.shape} and {ok.size} flags")
        return tables.ChebyshevTable1D(breaks=breaks, coef=coef, ok=ok,
                                       max_error=float(max_error))
    xb = _sorted_breaks(get("xb", "f"), name)
    cells = get("cells", "iu")
    yb = get("yb", "f")
    if cells.shape != (xb.size - 1,) or np.any(cells < 1) or coef.ndim != 3 or \
            coef.shape[0] != int(cells.sum()) or ok.shape != (coef.shape[0],) or \
            yb.shape != (int(cells.sum()) + cells.size,):
        raise TableFileError(f"{name}: the columns' cell counts do not match the coefficients, "
                             "flags and breakpoints")
    ycut = np.cumsum(cells + 1)[:-1]
    ccut = np.cumsum(cells)[:-1]
    ybs = [_sorted_breaks(y, name) for y in np.split(yb, ycut)]
    return tables.ChebyshevTable2D(xb=xb, yb=ybs, coef=list(np.split(coef, ccut)),
                                   ok=list(np.split(ok, ccut)), max_error=float(max_error))


def read(path, activation: str, fingerprint: str) -> dict:
    """The four tables of a table file, after checking that it may be used.

    Parameters
    ----------
    path : str or Path
    activation, fingerprint : str
        What the file must be for (the module's ``ACTIVATION`` and ``FINGERPRINT``).

    Returns
    -------
    dict
        ``{kernel name: table}``, as :meth:`TabulatedKernels.tables
        <meanfield_sym.kernels.tables.TabulatedKernels.tables>` returns them.

    Raises
    ------
    TableFileError
        The file is missing or unreadable, of another format or activation, built by other
        table or quadrature code than this package's (stale), fails its checksum (corrupted),
        or its arrays do not form tables.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise TableFileError(f"{path}: cannot be read ({type(exc).__name__}: "
                             f"{' '.join(str(exc).split())})") from None
    try:
        missing = [k for k in _HEADER if k not in arrays]
        if missing:
            raise TableFileError(f"fields {', '.join(missing)} missing")
        if arrays["format"].shape != () or arrays["format"].dtype.kind not in "iu" or \
                int(arrays["format"]) != FORMAT:
            raise TableFileError(f"format {arrays['format']!s}, expected {FORMAT}")
        if _text(arrays, "checksum") != _checksum(arrays):
            raise TableFileError("checksum mismatch (the file is corrupted)")
        if _text(arrays, "activation") != activation or \
                _text(arrays, "fingerprint") != fingerprint:
            raise TableFileError(f"tables of {_text(arrays, 'activation')} "
                                 f"({_text(arrays, 'fingerprint')}), expected {activation} "
                                 f"({fingerprint})")
        if _text(arrays, "code") != tables.code_digest():
            raise TableFileError(f"built by other table/quadrature code ({_text(arrays, 'code')}, "
                                 f"now {tables.code_digest()}): stale")
        return {name: _table(arrays, name) for name in KERNEL_NAMES}
    except TableFileError as exc:
        raise TableFileError(f"{path}: {exc}") from None


def _points_2d(tab, par):
    """(a, b) off the nodes in every cell, and on every cell edge, of a two-point table."""
    xs, ys = [], []
    for col in range(len(tab.yb)):
        xlo, xhi = tab.xb[col], tab.xb[col + 1]
        for lo, hi in zip(tab.yb[col][:-1], tab.yb[col][1:]):
            loc = np.concatenate([_INTERIOR, [[u, v] for u in (0.377, -0.811) for v in _EDGES],
                                  [[u, v] for u in _EDGES for v in (0.233,)]])
            xs.append(0.5 * (xlo + xhi) + 0.5 * (xhi - xlo) * loc[:, 0])
            ys.append(0.5 * (lo + hi) + 0.5 * (hi - lo) * loc[:, 1])
    x, theta = np.concatenate(xs), np.concatenate(ys)
    a = 10.0 ** x
    c = np.clip(np.cos(theta), -1.0, 1.0)
    if par:      # the table covers |c| = cos θ: both signs of c
        a, c = np.concatenate([a, a]), np.concatenate([c, -c])
    return a, a * c


def _points_1d(tab):
    xs = []
    for lo, hi in zip(tab.breaks[:-1], tab.breaks[1:]):
        loc = np.concatenate([_INTERIOR[:, 0], _EDGES])
        xs.append(0.5 * (lo + hi) + 0.5 * (hi - lo) * loc)
    return 10.0 ** np.concatenate(xs)


def spot_check(kernels: tables.TabulatedKernels) -> dict:
    """Compare tabulated kernels with fresh quadrature at fixed points off the nodes.

    In every cell of every table: four interior points and points on the cell's edges (c = 1,
    c = 0 and the decade boundaries among them), both signs of c where a table covers |c|.
    The kernel as evaluated (:meth:`TabulatedKernels.two_point
    <meanfield_sym.kernels.tables.TabulatedKernels.two_point>`, …) against
    :meth:`QuadratureKernels.regular
    <meanfield_sym.kernels.quadrature.QuadratureKernels.regular>` at the same points.

    Returns
    -------
    dict
        ``{kernel name: (points, worst deviation relative to max(|I|, 1e-3 E|f g|))}``; a
        table agrees when the worst deviation is at most :data:`CHECK_RTOL` and the quadrature
        met its own target (its error estimates are part of the deviation).
    """
    out = {}
    qk = kernels.quad
    tabs = kernels.tables()
    for name in KERNEL_NAMES:
        if name.startswith("one_point"):
            args = (_points_1d(tabs[name]),)
        else:
            par = qk._par if name == "two_point" else qk._dpar
            args = _points_2d(tabs[name], par)
        got = getattr(kernels, name)(*args)
        ref, err, l1 = qk.regular(name, *args)
        scale = quadrature.target(ref, l1, 1.0)
        dev = (np.abs(got - ref) + err) / scale
        out[name] = (int(args[0].size), float(np.max(dev)) if np.all(np.isfinite(dev))
                     else float("inf"))
    return out
