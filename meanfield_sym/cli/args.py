"""Argument helpers shared by the sub-commands: one parser for each kind of option.

Numbers arrive as text; they are checked here (finite, variances >= 0, one value or one per
layer) so that every sub-command refuses bad input with the same one-line message.  JSON output
is strict: non-finite numbers become ``null`` (``to_jsonable``).
"""
from __future__ import annotations

import math

from meanfield_sym.strict_json import dumps, to_jsonable

__all__ = ["plain", "parse_params", "numbers", "variance", "depth", "widths", "positive_int",
           "add_network_options", "add_size_options", "to_jsonable", "dumps"]


def plain(text: str) -> str:
    """Help text without reST markup: double-backquoted text, starred text and role markup
    (a role name between colons before a backquoted name) become the bare text."""
    import re
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", text)
    text = re.sub(r"``([^`]+)``", r"\1", text)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"\1", text)


def parse_params(items):
    """['slope=0.1', ...] -> {'slope': '0.1'} (values stay text: read exactly later)."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f"--param expects NAME=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        k = k.strip()
        if not k.isidentifier():
            raise ValueError(f"--param name {k!r} is not a valid name")
        if k in out:
            raise ValueError(f"--param {k} given twice")
        out[k] = v.strip()
    return out


def numbers(text: str, name: str) -> list[float]:
    parts = [p.strip() for p in str(text).split(",")]
    if not parts or any(p == "" for p in parts):
        raise ValueError(f"{name} must be a number or a comma-separated list, got {text!r}")
    out = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            raise ValueError(f"{name} must be numbers, got {p!r}") from None
        if not math.isfinite(v):
            raise ValueError(f"{name} must be finite, got {p!r}")
        out.append(v)
    return out


def variance(text: str, name: str, depth: int):
    vals = numbers(text, name)
    if any(v < 0 for v in vals):
        raise ValueError(f"{name} is a variance and must be >= 0, got {text}")
    if len(vals) == 1:
        return vals[0]
    if len(vals) != depth:
        raise ValueError(f"{name}: {len(vals)} per-layer values for depth {depth} (need 1 or "
                         f"{depth})")
    return list(vals)


def depth(value) -> int:
    if value is None:
        raise ValueError("--depth is required")
    if value < 1:
        raise ValueError(f"depth must be >= 1, got {value}")
    return int(value)


def widths(text, depth: int):
    if text is None:
        return None
    vals = numbers(text, "--widths")
    if len(vals) != depth:
        raise ValueError(f"--widths needs alpha_0..alpha_{depth - 1} ({depth} values for depth "
                         f"{depth}), got {len(vals)}")
    if any(v <= 0 for v in vals):
        raise ValueError(f"--widths must be positive, got {text}")
    return vals


def positive_int(value, flag: str) -> int:
    if value is None:
        return None
    if value < 1:
        raise ValueError(f"{flag} must be >= 1, got {value}")
    return int(value)


def add_network_options(p, required: bool = True):
    p.add_argument("--activation", required=required, help="built-in name or expression in x")
    p.add_argument("--param", action="append", metavar="K=V",
                   help="activation parameter (repeatable), e.g. --param slope=0.1")
    p.add_argument("--sigma-w2", help="weight variance σ_w² (or L comma-separated values)")
    p.add_argument("--sigma-b2", help="bias variance σ_b² (or L comma-separated values)")
    p.add_argument("--depth", type=int, help="number of weight layers L (>= 1)")
    p.add_argument("--widths", help="α_0,…,α_{L−1}: input and hidden widths in units of M")
    p.add_argument("--qhat1-0", type=float, default=1.0, help="input q̂_1^0 (default 1)")
    p.add_argument("--qhat2-0", type=float, default=0.0, help="input overlap q̂_2^0 (default 0)")


def add_size_options(p, defaults: bool = True):
    p.add_argument("--width", type=float, default=1000.0 if defaults else None,
                   help="width scale M (default 1000)")
    p.add_argument("--samples", type=int, default=100 if defaults else None,
                   help="number of samples N (default 100)")
    p.add_argument("--classes", type=int, default=1 if defaults else None,
                   help="number of outputs C (default 1)")
    p.add_argument("--momentum", type=float, default=0.0, help="momentum μ for η_c (default 0)")
