"""Printed NumPy code of an activation's kernels: written once, run by the library and shipped.

:func:`kernel_source` prints the per-activation functions — the four kernels, the fused
``layer(a, b)``, the forward ``variance_map``, ``chi1`` and ``gamma`` — from their evaluation
forms (:mod:`meanfield_sym.kernels.forms`), with common subexpressions pulled out by
:func:`sympy.cse`.  The same text is what a generated module holds
(:mod:`meanfield_sym.codegen`) and what :func:`compile_source` executes for the library's
:class:`~meanfield_sym.kernels.kernel_set.KernelSet` (as :func:`sympy.lambdify` does, but with
this printer), so the command line, the Python API and a shipped module compute the same
floating-point operations and agree to the last bit.

The printer is :class:`sympy.printing.numpy.NumPyPrinter` with fully qualified names and the
function map of :mod:`meanfield_sym.activation.numpy_names`; powers NumPy evaluates faster
(``1/x``, ``x**2*x``, ``x*numpy.sqrt(x)``) are printed as such.

>>> import sympy as sp
>>> from meanfield_sym.kernels.symbols import A, B, Q
>>> ns = compile_source(kernel_source({"one_point": Q / 2, "one_point_prime": sp.S.Half,
...                                    "two_point": None, "two_point_prime": None}).text)
>>> float(ns["one_point"](3.0)), ns["two_point"] is None
(1.5, True)
"""
from __future__ import annotations

import itertools
import linecache
import textwrap
from dataclasses import dataclass

import numpy
import scipy.special
import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from meanfield_sym.activation.numpy_names import PRINTED, SCIPY_FUNCTIONS
from meanfield_sym.citations import KERNEL_EQUATIONS, KERNEL_LABELS
from meanfield_sym.kernels.forms import C, CM, CP, evaluation_form
from meanfield_sym.kernels.symbols import A, KERNEL_NAMES, Q

__all__ = ["WIDTH", "EvaluatorPrinter", "KernelSource", "kernel_source", "activation_source",
           "compile_source", "wrap", "wrap_string"]

WIDTH = 99  # wrap printed lines at this many characters

_SW, _SB = sp.symbols("sigma_w2 sigma_b2", positive=True)


class EvaluatorPrinter(NumPyPrinter):
    """NumPy printer of the evaluators: ``numpy.``-qualified names, ``numpy.pi``, the function
    map of :data:`meanfield_sym.activation.numpy_names.PRINTED`, ``oo`` → ``numpy.inf``.
    Records whether ``scipy.special`` was used."""

    def __init__(self):
        super().__init__({"fully_qualified_modules": True, "strict": True})
        self.uses_scipy = False

    def _print_mapped(self, expr):
        name = expr.func.__name__
        if name in SCIPY_FUNCTIONS:
            self.uses_scipy = True
        return PRINTED[name].format(self._print(expr.args[0]))

    def _print_Function(self, expr):
        if expr.func.__name__ in PRINTED:
            return self._print_mapped(expr)
        return super()._print_Function(expr)

    _print_erf = _print_erfc = _print_Heaviside = _print_mapped

    def _print_Infinity(self, expr):
        return "numpy.inf"

    def _print_Pow(self, expr, rational=False):
        """Powers NumPy evaluates fast: 1/x (not x**(-1.0)), x**2*x (not x**3),
        x*numpy.sqrt(x) (not x**(3/2)); other exponents as NumPyPrinter prints them."""
        base, e = expr.base, expr.exp
        b = self.parenthesize(base, PRECEDENCE["Pow"])  # results are one atom for the caller
        if e == -1:
            return f"(1/{b})"
        if not e.is_Rational or e == sp.S.Half or base.is_number:
            return super()._print_Pow(expr, rational=rational)
        if e.is_negative:
            return f"(1/{self._print_Pow(sp.Pow(base, -e, evaluate=False))})"
        if e.is_Integer and e in (3, 4):
            return f"({b}**2*{b})" if e == 3 else f"(({b}**2)**2)"
        if e.q == 2 and e > 1:
            whole = (e.p - 1) // 2
            return (f"({b}*numpy.sqrt({self._print(base)}))" if whole == 1 else
                    f"({b}**{whole}*numpy.sqrt({self._print(base)}))")
        return super()._print_Pow(expr, rational=rational)


# ---------------------------------------------------------------------------------------------
# Line layout
# ---------------------------------------------------------------------------------------------
def wrap(lhs: str, rhs: str, indent: str, tail: str = "") -> list[str]:
    """``lhs rhs tail`` in lines of at most WIDTH characters (parenthesised continuation)."""
    line = f"{indent}{lhs}{rhs}{tail}"
    if len(line) <= WIDTH:
        return [line]
    body = textwrap.wrap(rhs, width=WIDTH - len(indent) - 4, break_long_words=False,
                         break_on_hyphens=False)
    return [f"{indent}{lhs}("] + [f"{indent}    {piece}" for piece in body] + [f"{indent}){tail}"]


def wrap_string(lhs: str, text: str, indent: str, tail: str = ",") -> list[str]:
    """``lhs 'text'`` with a long string split into adjacent literals (one per line)."""
    line = f"{indent}{lhs}{text!r}{tail}"
    if len(line) <= WIDTH:
        return [line]
    pieces = textwrap.wrap(text, width=WIDTH - len(indent) - 8, break_long_words=True,
                           drop_whitespace=False, break_on_hyphens=False)
    return [f"{indent}{lhs}("] + [f"{indent}    {p!r}" for p in pieces] + [f"{indent}){tail}"]


def _wrap_tuple(lhs: str, items: list[str], indent: str) -> list[str]:
    line = f"{indent}{lhs}{', '.join(items)}"
    if len(line) <= WIDTH:
        return [line]
    out = [f"{indent}{lhs}("]
    for item in items:
        out += wrap("", item, indent + "    ", tail=",")
    return out + [f"{indent})"]


def _body(printer, exprs: list, indent: str = "    ") -> tuple[list[str], list[str]]:
    """CSE the expressions; return (assignment lines, printed results)."""
    exprs = [sp.sympify(e) for e in exprs]
    replacements, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("t"), order="canonical",
                                   optimizations=None)
    lines = []
    for sym, e in replacements:
        lines += wrap(f"{sym} = ", printer.doprint(e), indent)
    return lines, [printer.doprint(e) for e in reduced]


def _docstring(doc: str) -> list[str]:
    """A docstring wrapped at WIDTH (explicit line breaks kept)."""
    paras = doc.replace("\n    ", " ").split("\n")
    lines = []
    for i, para in enumerate(paras):
        lines += textwrap.wrap(para, width=WIDTH - 7, break_long_words=False) or [""]
    lines[0] = '"""' + lines[0]
    lines[-1] += '"""'
    return ["    " + s if s else "" for s in lines]


def _function(printer, header: str, doc: str, exprs: list, as_tuple: bool = False) -> list[str]:
    lines = [f"def {header}:", *_docstring(doc)]
    if any(sp.sympify(e).has(C) for e in exprs):
        lines.append("    c = b/a  # homogeneous kernel: a^k I(1, c), no overflow in a")
    if any(sp.sympify(e).has(CP) for e in exprs):
        lines.append("    cp = (a + b)/a  # 1 + c, exact near c = -1")
    if any(sp.sympify(e).has(CM) for e in exprs):
        lines.append("    cm = (a - b)/a  # 1 - c, exact near c = 1")
    body, results = _body(printer, exprs)
    lines += body
    if as_tuple:
        return lines + _wrap_tuple("return ", results, "    ")
    return lines + wrap("return ", results[0], "    ")


# ---------------------------------------------------------------------------------------------
# The per-activation source
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KernelSource:
    """Printed code of one activation: ``text`` (needs ``numpy`` and, if ``uses_scipy``,
    ``scipy.special`` in scope) and which kernels have a closed form."""

    text: str
    closed: dict
    uses_scipy: bool


def kernel_source(closed_forms: dict, gamma=None) -> KernelSource:
    """Print the kernels of one activation.

    Parameters
    ----------
    closed_forms : dict
        ``{kernel name: SymPy expression in q (one-point) or a, b (two-point), or None}``
        (``None``: no closed form; the name is then bound to ``None`` in the source).
    gamma : (sympy.Expr, sympy.Expr), optional
        γ(q) = P[φ'(u) ≠ 0] and its q → 0⁺ limit
        (:func:`meanfield_sym.activation.support.gamma_expression`).
    """
    printer = EvaluatorPrinter()
    forms = {k: evaluation_form(closed_forms.get(k)) for k in KERNEL_NAMES}
    closed = {k: forms[k] is not None for k in KERNEL_NAMES}
    sections = []
    for k in KERNEL_NAMES:
        args = "q" if k.startswith("one_point") else "a, b"
        if forms[k] is None:
            sections.append([f"{k} = None  # no closed form"])
            continue
        sections.append(_function(printer, f"{k}({args})",
                                  f"{KERNEL_LABELS[k]} ({KERNEL_EQUATIONS[k]}).", [forms[k]]))
    if all(closed.values()):
        exprs = [forms[k].xreplace({Q: A}) if k.startswith("one_point") else forms[k]
                 for k in KERNEL_NAMES]
        sections.append(_function(
            printer, "layer(a, b)",
            "The four kernels at one layer, (a, b) = (q_1^l, q_2^l), common subexpressions\n"
            "    shared: (E[φ(√a u)²], E[φ'(√a u)²], I_φ[a, b], I_φ'[a, b]).", exprs,
            as_tuple=True))
    else:
        sections.append(["layer = None  # not every kernel has a closed form"])
    if closed["one_point"]:
        sections.append(_function(
            printer, "variance_map(q, sigma_w2, sigma_b2)",
            "q ↦ σ_w² E[φ(√q u)²] + σ_b², the forward map whose fixed point is q*\n"
            "    (Pathological spectra Eq. (15)).", [_SW * forms["one_point"] + _SB]))
    else:
        sections.append(["variance_map = None  # E[φ(√q u)²] has no closed form"])
    if closed["one_point_prime"]:
        sections.append(_function(
            printer, "chi1(q, sigma_w2)",
            "χ₁ = σ_w² E[φ'(√q u)²] (Poole et al. 2016; Schoenholz et al. 2017).",
            [_SW * forms["one_point_prime"]]))
    else:
        sections.append(["chi1 = None  # E[φ'(√q u)²] has no closed form"])
    if closed["one_point"] and closed["one_point_prime"]:
        phi2, dphi2 = closed_forms["one_point"], closed_forms["one_point_prime"]
        m2 = sp.oo if dphi2 == sp.oo else sp.simplify(2 * Q ** 2 * sp.diff(dphi2, Q) + Q * dphi2)
        moments = [evaluation_form(sp.simplify(Q * sp.diff(phi2, Q))), evaluation_form(m2)]
        sections.append(_function(
            printer, "tangent_moments(q)",
            "(E[u φ(u) φ'(u)], E[u² φ'(u)²]), u ~ N(0, q), for the Fisher–Rao tangent recursion\n"
            "    (Universal statistics Theorem 5): q dE[φ²]/dq and 2q² dE[φ'²]/dq + q E[φ'²].",
            moments, as_tuple=True))
    else:
        sections.append(["tangent_moments = None  # the one-point kernels have no closed form"])
    if gamma is not None:
        g_expr, g_zero = gamma
        sections.append(_function(
            printer, "gamma(q)",
            "γ = P[φ'(u) ≠ 0], u ~ N(0, q), q > 0 (Approximate Fisher information Thm 5.1).",
            [g_expr]))
        sections.append([f"GAMMA_AT_ZERO = {printer.doprint(g_zero)}  # q -> 0+: u = 0, "
                         "a kink at 0 counts half"])
    text = "\n\n\n".join("\n".join(s) for s in sections) + "\n"
    return KernelSource(text, closed, printer.uses_scipy)


def activation_source(expr, prime_regular) -> tuple[str, bool]:
    """Print φ and the regular part of φ' as the vectorised NumPy functions ``phi(x)`` and
    ``phi_prime(x)`` (what the quadrature of the kernels without closed forms integrates when
    a generated module is the provider).

    Parameters
    ----------
    expr, prime_regular : sympy.Expr
        φ(x) and the regular part of φ'(x), in the symbol ``x`` of
        :mod:`meanfield_sym.activation.parser`.

    Returns
    -------
    text : str
        The two functions (``numpy`` and, if ``uses_scipy``, ``scipy.special`` in scope).
    uses_scipy : bool

    Examples
    --------
    >>> from meanfield_sym.activation.parser import X
    >>> text, uses_scipy = activation_source(sp.tanh(X), 1 - sp.tanh(X) ** 2)
    >>> float(compile_source(text)["phi"](0.5)) == float(numpy.tanh(0.5)), uses_scipy
    (True, False)
    """
    printer = EvaluatorPrinter()
    sections = [_function(printer, "phi(x)", f"φ(x) = {sp.sstr(expr)}, vectorised.", [expr]),
                _function(printer, "phi_prime(x)",
                          f"φ'(x) = {sp.sstr(prime_regular)} (regular part), vectorised.",
                          [prime_regular])]
    return "\n\n\n".join("\n".join(s) for s in sections) + "\n", printer.uses_scipy


_COUNTER = itertools.count()


def compile_source(text: str, name: str = "kernels") -> dict:
    """Execute printed kernel code and return its namespace (as :func:`sympy.lambdify` does:
    the text is registered with :mod:`linecache`, so tracebacks show the printed lines)."""
    filename = f"<meanfield_sym printed {name} {next(_COUNTER)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = {"numpy": numpy, "scipy": scipy}
    exec(compile(text, filename, "exec"), namespace)  # noqa: S102 -- our own printed code
    return namespace
