r"""Generated modules: the printed kernels of one activation, written as a Python file.

A generated module is a *kernel provider* that imports only NumPy (and ``scipy.special`` when
an ``erf`` appears).  It holds what is generated per activation and nothing else:

1. a banner: the expression, its fingerprint, the SymPy version, the digest of the derivation
   code that printed it and the command that regenerates it;
2. the closed forms as derived (strings) and the derivation digest (``DERIVATION``);
3. the printed functions of :func:`meanfield_sym.kernels.printing.kernel_source`: the four
   kernels, the fused ``layer(a, b)``, ``variance_map``, ``chi1``, ``tangent_moments`` and
   ``gamma`` (raw: arguments are not checked).

The recursions and statistics are the library's (:mod:`meanfield_sym.meanfield`), which take
the module itself as their provider and check the arguments::

    import meanfield_sym.generated.relu as relu
    from meanfield_sym.meanfield import network_statistics
    network_statistics(relu, 2.0, 0.1, 3)        # NumPy only: SymPy is never imported

Generation is deterministic (canonical CSE order, sorted parameters, no time stamps), so
``meanfield-sym codegen --check`` regenerates the shipped modules into a temporary folder and
compares them byte for byte.
"""
from __future__ import annotations

import difflib
import importlib.util
import os
import shlex
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from meanfield_sym.activation.function import Activation, get_activation
from meanfield_sym.citations import KERNEL_EQUATIONS, KERNEL_LABELS
from meanfield_sym.kernels.kernel_set import derive, kernels_for
from meanfield_sym.kernels.printing import WIDTH, wrap_string
from meanfield_sym.kernels.digest import derivation_digest
from meanfield_sym.kernels.provider import SHIPPED
from meanfield_sym.kernels.symbols import KERNEL_NAMES

__all__ = ["SHIPPED", "GENERATED_DIR", "GeneratedModule", "generate_module", "write_module",
           "write_shipped", "check_shipped", "load_module", "regenerate_command", "shipped_path"]

GENERATED_DIR = Path(__file__).resolve().parents[1] / "generated"


def shipped_path(name: str) -> str:
    """Repository-relative path of a shipped module, as written in its banner."""
    return f"meanfield_sym/generated/{name}.py"


def regenerate_command(activation: Activation, out: str) -> str:
    """The ``meanfield-sym codegen`` command line that writes this activation's module."""
    spec = activation.name if activation.name else sp.sstr(activation.expr)
    parts = ["meanfield-sym", "codegen", spec]
    for k in sorted(activation.params):
        parts += ["--param", f"{k}={sp.sstr(activation.params[k])}"]
    return shlex.join(parts + ["--out", out])


def _command_lines(command: str) -> list[str]:
    """The command as banner comment lines, continued with backslashes when too long."""
    lines, current = [], "#  "
    for word in shlex.split(command):
        word = shlex.quote(word)
        if len(current) + 1 + len(word) + 2 > WIDTH and current.strip("# "):
            lines.append(current + " \\")
            current = "#    "
        current += " " + word
    lines.append(current)
    return lines


@dataclass
class GeneratedModule:
    """Source text of a generated module and what it covers."""

    activation: Activation
    source: str
    closed: dict        # kernel name -> bool (closed form printed)
    uses_scipy: bool

    @property
    def delegated(self) -> list[str]:
        """Kernels without printed code (the library evaluates them)."""
        return [k for k in KERNEL_NAMES if not self.closed[k]]


def generate_module(activation, command: str | None = None, fresh: bool = False,
                    **params) -> GeneratedModule:
    """Generate the module of an activation.

    Parameters
    ----------
    activation : str, sympy.Expr or Activation
        Anything :func:`~meanfield_sym.activation.function.get_activation` accepts.
    command : str, optional
        The regeneration command written in the banner (default: ``--out <name>.py``).
    fresh : bool
        Derive in-process without budget or cache (the shipped modules and their check);
        otherwise :func:`~meanfield_sym.kernels.kernel_set.kernels_for` (budget, cache).
    **params
        Built-in parameters (e.g. ``slope="1/10"``).
    """
    act = get_activation(activation, **params)
    ks = derive(act) if fresh else kernels_for(act)
    code = ks.source()
    if command is None:
        command = regenerate_command(act, f"{act.name if act.name.isidentifier() else 'module'}.py")
    spec = act.name if act.name else sp.sstr(act.expr)
    expr_text = sp.sstr(act.expr)
    param_text = ", ".join(f"{k}={sp.sstr(v)}" for k, v in sorted(act.params.items()))
    digest = derivation_digest()
    banner = [
        "# " + "-" * (WIDTH - 2),
        "# GENERATED FILE: do not edit by hand.",
        f"# Activation: {spec}" + (f"  ({param_text})" if param_text else ""),
        f"#   φ(x) = {expr_text}",
        f"#   fingerprint {act.fingerprint}",
        f"# Printed by meanfield_sym.kernels.printing (derivation code {digest}, SymPy "
        f"{sp.__version__}).",
        "# Regenerate with:",
        *_command_lines(command),
        "# " + "-" * (WIDTH - 2),
    ]
    runtime = "NumPy and scipy.special" if code.uses_scipy else "NumPy only"
    doc = [f'"""Kernels of the activation ``{spec}`` ({runtime}), printed from their closed forms.',
           "", f"φ(x) = {expr_text}", ""]
    for k in KERNEL_NAMES:
        cf = ks.closed_form[k]
        text = "no closed form (the library evaluates it)" if cf is None else sp.sstr(cf)
        doc += textwrap.wrap(f"{KERNEL_LABELS[k]} = {text}   [{KERNEL_EQUATIONS[k]}]",
                             width=WIDTH - 4, initial_indent="* ", subsequent_indent="  ",
                             break_long_words=False)
    doc += [
        "",
        "The functions are raw (arguments unchecked, NumPy broadcasting).  The library's",
        "recursions and statistics take this module as their kernel provider and check the",
        "arguments, without importing SymPy::",
        "",
        f"    import meanfield_sym.generated.{spec if spec.isidentifier() else 'NAME'} as kernels",
        "    from meanfield_sym.meanfield import network_statistics",
        "    network_statistics(kernels, 2.0, 0.1, 3)",
        "",
    ]
    if code.closed["one_point"] and code.closed["two_point"]:
        doc += [">>> bool(numpy.isclose(two_point(2.0, 2.0), one_point(2.0), rtol=1e-13, atol=0))",
                "True"]
    doc.append('"""')
    imports = ["import numpy"] + (["import scipy.special"] if code.uses_scipy else [])
    meta = [
        f"ACTIVATION = {spec!r}",
        f"PARAMS = {{{', '.join(f'{k!r}: {sp.sstr(v)!r}' for k, v in sorted(act.params.items()))}}}",
        f"EXPRESSION = {expr_text!r}",
        f"PRIME = {sp.sstr(act.prime)!r}",
        f"FINGERPRINT = {act.fingerprint!r}",
        f"SYMPY_VERSION = {sp.__version__!r}",
        "#: Digest of the derivation code that printed this module (see",
        "#: meanfield_sym.kernels.digest.derivation_digest).",
        f"DERIVATION = {digest!r}",
        "#: Closed forms as derived (before the evaluation rewrites); None: no closed form.",
        "CLOSED_FORMS = {",
    ]
    for k in KERNEL_NAMES:
        cf = ks.closed_form[k]
        meta += (wrap_string(f"{k!r}: ", sp.sstr(cf), "    ") if cf is not None
                 else [f"    {k!r}: None,"])
    meta.append("}")
    meta.append("#: Where the Gaussian expectations exist: one-point q < bound, two-point")
    meta.append("#: a + |b| < bound (kernel -> (exact bound, float)); absent: everywhere.")
    meta.append(f"DOMAIN = {{{', '.join(f'{k!r}: ({v[0]!r}, {v[1]!r})' for k, v in ks.domain.items())}}}")
    meta.append("#: How each closed form was derived.")
    meta.append("METHODS = {")
    for k in KERNEL_NAMES:
        meta += wrap_string(f"{k!r}: ", ks.methods[k], "    ")
    meta.append("}")
    parts = ["\n".join(banner), "\n".join(doc), "\n".join(imports), "\n".join(meta),
             code.text.rstrip("\n")]
    return GeneratedModule(act, "\n\n\n".join(parts) + "\n", code.closed, code.uses_scipy)


def _check_writable(out: Path) -> None:
    if out.suffix != ".py":
        raise ValueError(f"--out must name a .py file, got {str(out)!r}")
    if not out.parent.is_dir():
        raise ValueError(f"folder {str(out.parent)!r} does not exist")
    if out.exists() and out.is_dir():
        raise ValueError(f"{str(out)!r} is a folder")
    if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ValueError(f"cannot write {str(out)!r} (permission denied)")


def write_module(activation, out, command: str | None = None, **params) -> GeneratedModule:
    """Generate the module of an activation and write it to ``out`` (a ``.py`` path; checked
    to be writable before the derivation starts, written atomically)."""
    out = Path(out)
    _check_writable(out)
    act = get_activation(activation, **params)
    mod = generate_module(act, command=command or regenerate_command(act, str(out)))
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    tmp.write_text(mod.source, encoding="utf-8")
    os.replace(tmp, out)
    return mod


def _names(names):
    if names is None:
        return list(SHIPPED)
    names = list(names)
    unknown = [n for n in names if n not in SHIPPED]
    if unknown:
        raise ValueError(f"not a shipped module: {', '.join(unknown)} (shipped: {', '.join(SHIPPED)})")
    return names


def write_shipped(names=None, folder=None) -> list[Path]:
    """(Re)write the shipped modules (default: all of :data:`SHIPPED` into :data:`GENERATED_DIR`)."""
    folder = Path(folder) if folder is not None else GENERATED_DIR
    written = []
    for name in _names(names):
        act = get_activation(name)
        path = folder / f"{name}.py"
        path.write_text(generate_module(act, regenerate_command(act, shipped_path(name)),
                                        fresh=True).source, encoding="utf-8")
        written.append(path)
    return written


def check_shipped(names=None, folder=None, diff_lines: int = 0) -> list[tuple[str, str]]:
    """Regenerate shipped modules into a temporary folder and compare with ``folder``.

    Returns ``[(file, reason), ...]`` for every module that is missing or differs (empty when
    all are up to date); ``reason`` holds the first ``diff_lines`` lines of a unified diff.
    """
    folder = Path(folder) if folder is not None else GENERATED_DIR
    bad = []
    with tempfile.TemporaryDirectory(prefix="mfs-codegen-") as tmp:
        for path in write_shipped(names, tmp):
            target = folder / path.name
            if not target.exists():
                bad.append((str(target), "missing"))
                continue
            new, old = path.read_text(encoding="utf-8"), target.read_text(encoding="utf-8")
            if new != old:
                diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(),
                                                 str(target), "regenerated", lineterm="", n=1))
                bad.append((str(target), "\n".join(diff[:diff_lines]) if diff_lines else "differs"))
    return bad


def load_module(path, name: str | None = None):
    """Import a generated module from a file path (without touching ``sys.modules``)."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(name or f"_mfs_generated_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
