"""Symbolic work under a time budget: a forked process, stopped when the budget runs out.

SymPy's simplification and integration cannot be interrupted inside the process, so a
derivation that may run long is done in a forked child; the parent waits at most ``budget``
seconds (printing one progress line on stderr after 2 s) and terminates the child past it.
"""
from __future__ import annotations

import math
import multiprocessing
import sys

__all__ = ["within_budget"]


def _child(fn, args, conn):
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as exc:  # noqa: BLE001 -- reported to the parent as text
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def within_budget(fn, args: tuple, budget: float, label: str, progress: bool = True):
    """``(True, fn(*args))``, or ``(False, None)`` when it did not finish within ``budget``
    seconds (``inf``: in-process, no limit); an exception in ``fn`` becomes a ValueError."""
    if math.isinf(budget):
        return True, fn(*args)
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, send), daemon=True)
    proc.start()
    send.close()
    ready = recv.poll(min(2.0, budget))
    if not ready and budget > 2.0:
        if progress:
            print(f"meanfield-sym: {label} (budget {budget:g} s) ...", file=sys.stderr, flush=True)
        ready = recv.poll(budget - 2.0)
    try:
        data = recv.recv() if ready else None
    except EOFError:
        data = None
    if proc.is_alive():
        proc.terminate()
    proc.join()
    if data is None:
        return False, None
    if data[0] == "error":
        raise ValueError(f"{label} failed: {data[1]}")
    return True, data[1]
