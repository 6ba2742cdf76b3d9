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

tanh and sigmoid (:data:`~meanfield_sym.kernels.provider.TABULATED`) have no closed forms.
Their shipped modules also print φ and φ' (``phi``, ``phi_prime``) with their parities and
name a table file next to them (``tanh_tables.npz``: the validated Chebyshev tables of
:mod:`meanfield_sym.kernels.tables`, written by :mod:`meanfield_sym.kernels.table_file`), so
that the library evaluates their kernels without SymPy and without building tables.
``codegen --update`` builds a table file when the one in place is not current;
``codegen --check`` does not rebuild it (tables built on two machines need not agree bit for
bit) but reads it — recorded code digest, checksum, activation — and compares it with fresh
quadrature at fixed points off the interpolation nodes (:func:`meanfield_sym.kernels.
table_file.spot_check`).
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
from meanfield_sym.kernels.printing import WIDTH, activation_source, wrap_string
from meanfield_sym.kernels.digest import derivation_digest
from meanfield_sym.kernels.provider import SHIPPED, TABULATED
from meanfield_sym.kernels.symbols import KERNEL_NAMES

__all__ = ["SHIPPED", "TABULATED", "GENERATED_DIR", "GeneratedModule", "generate_module",
           "write_module", "write_shipped", "check_shipped", "write_tables", "check_tables",
           "load_module", "regenerate_command", "shipped_path", "tables_name"]

GENERATED_DIR = Path(__file__).resolve().parents[1] / "generated"


def shipped_path(name: str) -> str:
    """Repository-relative path of a shipped module, as written in its banner."""
    return f"meanfield_sym/generated/{name}.py"


def tables_name(name: str) -> str:
    """File name of the table file of a shipped module without closed forms."""
    return f"{name}_tables.npz"


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
                    tables: str | None = None, **params) -> GeneratedModule:
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
    tables : str, optional
        The name of a table file next to the module (:mod:`meanfield_sym.kernels.table_file`)
        holding the tables of the kernels without closed forms: the module then also prints
        φ, φ' (``phi``, ``phi_prime``), their parities and ``TABLES``.  For smooth activations
        (no kinks, no Dirac atoms in φ').
    **params
        Built-in parameters (e.g. ``slope="1/10"``).
    """
    act = get_activation(activation, **params)
    ks = derive(act) if fresh else kernels_for(act)
    code = ks.source()
    numeric = None
    if tables is not None:
        from meanfield_sym.kernels.quadrature import NumericActivation
        if act.kinks or act.prime_atoms:
            raise ValueError(f"{act.name}: only smooth activations have table files")
        if Path(tables).name != tables or not tables.endswith(".npz"):
            raise ValueError(f"tables must name a .npz file next to the module, got {tables!r}")
        numeric = NumericActivation.from_activation(act)
        if numeric.prime_is_zero:
            raise ValueError(f"{act.name}: φ' vanishes; there is nothing to tabulate")
        phi_text, phi_scipy = activation_source(act.expr, act.prime_regular)
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
    uses_scipy = code.uses_scipy or (numeric is not None and phi_scipy)
    runtime = "NumPy and scipy.special" if uses_scipy else "NumPy only"
    if numeric is None:
        doc = [f'"""Kernels of the activation ``{spec}`` ({runtime}), printed from their closed '
               'forms.', "", f"φ(x) = {expr_text}", ""]
        missing = "no closed form (the library evaluates it)"
    else:
        doc = [f'"""Kernels of the activation ``{spec}`` ({runtime}): tables of their quadrature.',
               "", f"φ(x) = {expr_text}", "",
               *textwrap.wrap(f"The kernels have no closed forms: the library evaluates them by "
                              f"the validated Chebyshev tables of {tables} (next to this file), "
                              "and by quadrature of the printed phi, phi_prime outside them.",
                              width=WIDTH - 4), ""]
        missing = f"no closed form (tables in {tables})"
    for k in KERNEL_NAMES:
        cf = ks.closed_form[k]
        text = missing if cf is None else sp.sstr(cf)
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
    imports = ["import numpy"] + (["import scipy.special"] if uses_scipy else [])
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
    if numeric is not None:
        parts += [phi_text.rstrip("\n"), "\n".join([
            "#: Parities of φ and of φ' (1 even, -1 odd, 0 neither), as the derivation decided.",
            f"PARITY = {numeric.parity!r}",
            f"PRIME_PARITY = {numeric.prime_parity!r}",
            "#: The Chebyshev tables of the kernels (meanfield_sym.kernels.table_file), next to",
            "#: this file.",
            f"TABLES = {tables!r}"])]
    return GeneratedModule(act, "\n\n\n".join(parts) + "\n", code.closed, uses_scipy)


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
    everything = list(SHIPPED) + list(TABULATED)
    if names is None:
        return everything
    names = list(names)
    unknown = [n for n in names if n not in everything]
    if unknown:
        raise ValueError(f"not a shipped module: {', '.join(unknown)} (shipped: "
                         f"{', '.join(everything)})")
    return names


def _shipped_source(name: str) -> str:
    act = get_activation(name)
    if name in TABULATED:
        return generate_module(act, shlex.join(["meanfield-sym", "codegen", "--update",
                                                "--only", name]),
                               fresh=True, tables=tables_name(name)).source
    return generate_module(act, regenerate_command(act, shipped_path(name)), fresh=True).source


def write_shipped(names=None, folder=None, tables: bool = True) -> list[Path]:
    """(Re)write the shipped modules (default: all of :data:`SHIPPED` and :data:`TABULATED`
    into :data:`GENERATED_DIR`) and, with ``tables``, the table file of each module of
    :data:`TABULATED` that is not current (:func:`write_tables`).  Returns the files written."""
    folder = Path(folder) if folder is not None else GENERATED_DIR
    written = []
    for name in _names(names):
        path = folder / f"{name}.py"
        path.write_text(_shipped_source(name), encoding="utf-8")
        written.append(path)
        if tables and name in TABULATED:
            out = write_tables(name, folder)
            if out is not None:
                written.append(out)
    return written


def _tabulated_kernels(name: str, folder: Path):
    """The module ``folder/name.py`` and its TabulatedKernels over the table file next to it
    (read and checked; raises TableFileError)."""
    from meanfield_sym.kernels import table_file
    from meanfield_sym.kernels.provider import numeric_activation
    from meanfield_sym.kernels.tables import TabulatedKernels
    module = load_module(folder / f"{name}.py")
    if module.TABLES != tables_name(name):
        raise table_file.TableFileError(f"{folder / f'{name}.py'}: TABLES = {module.TABLES!r}, "
                                        f"expected {tables_name(name)!r}")
    tabs = table_file.read(folder / module.TABLES, module.ACTIVATION, module.FINGERPRINT)
    return module, TabulatedKernels(numeric_activation(module), tabulate=True, prebuilt=tabs)


def check_tables(name: str, folder=None) -> str | None:
    """Why the table file of the shipped module ``name`` in ``folder`` must not be shipped
    (None: it may).  It must be readable and current (:func:`meanfield_sym.kernels.table_file.
    read`: format, activation, code digest, checksum) and agree with fresh quadrature of the
    module's φ, φ' at fixed points off the interpolation nodes within
    :data:`~meanfield_sym.kernels.table_file.CHECK_RTOL` (:func:`~meanfield_sym.kernels.
    table_file.spot_check`)."""
    from meanfield_sym.kernels import table_file
    from meanfield_sym.kernels.quadrature import QuadratureError
    folder = Path(folder) if folder is not None else GENERATED_DIR
    if not (folder / tables_name(name)).exists():
        return "missing"
    try:
        _, kernels = _tabulated_kernels(name, folder)
        report = table_file.spot_check(kernels)
    except (table_file.TableFileError, QuadratureError) as exc:
        return " ".join(str(exc).split())
    bad = {k: v for k, v in report.items() if not v[1] <= table_file.CHECK_RTOL}
    if bad:
        return "; ".join(f"{k}: deviation {dev:.2g} (relative) from fresh quadrature at {n} "
                         f"points exceeds {table_file.CHECK_RTOL:g}"
                         for k, (n, dev) in bad.items())
    return None


def write_tables(name: str, folder=None) -> Path | None:
    """Build and write the table file of the shipped module ``folder/name.py`` (its printed
    φ, φ') unless the one in place is current (:func:`check_tables`); the path written, or
    None when kept."""
    from meanfield_sym.kernels import table_file
    from meanfield_sym.kernels.provider import numeric_activation
    from meanfield_sym.kernels.tables import TabulatedKernels
    folder = Path(folder) if folder is not None else GENERATED_DIR
    if check_tables(name, folder) is None:
        return None
    module = load_module(folder / f"{name}.py")
    kernels = TabulatedKernels(numeric_activation(module), tabulate=True)
    return table_file.write(folder / module.TABLES, kernels.tables(), module.ACTIVATION,
                            module.FINGERPRINT)


def check_shipped(names=None, folder=None, diff_lines: int = 0) -> list[tuple[str, str]]:
    """Regenerate shipped modules into a temporary folder and compare with ``folder``; check
    the table files of the modules of :data:`TABULATED` (:func:`check_tables`).

    Returns ``[(file, reason), ...]`` for every file that is missing, differs or is refused
    (empty when all are up to date); ``reason`` holds the first ``diff_lines`` lines of a
    unified diff.
    """
    folder = Path(folder) if folder is not None else GENERATED_DIR
    bad = []
    with tempfile.TemporaryDirectory(prefix="mfs-codegen-") as tmp:
        for path in write_shipped(names, tmp, tables=False):
            target = folder / path.name
            if not target.exists():
                bad.append((str(target), "missing"))
                continue
            new, old = path.read_text(encoding="utf-8"), target.read_text(encoding="utf-8")
            if new != old:
                diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(),
                                                 str(target), "regenerated", lineterm="", n=1))
                bad.append((str(target), "\n".join(diff[:diff_lines]) if diff_lines else "differs"))
            elif path.stem in TABULATED:
                reason = check_tables(path.stem, folder)
                if reason is not None:
                    bad.append((str(folder / tables_name(path.stem)), reason))
    return bad


def load_module(path, name: str | None = None):
    """Import a generated module from a file path (without touching ``sys.modules``)."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(name or f"_mfs_generated_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
