r"""Symbolic → numerical: generated NumPy evaluator modules for one activation.

The engine (:mod:`meanfield_sym.kernels.engine`) derives the four Gaussian kernels of an activation as
SymPy expressions.  This module prints them, and the statistics built on them, as a plain
Python module that needs only NumPy (and ``scipy.special`` when an ``erf`` appears): the
mean-field evaluators of Karakida, Akaho & Amari (*Universal statistics of Fisher information in
deep neural networks*, main text Eqs. (9)–(12), supplement App. A–B; *Pathological spectra of
the Fisher information metric and its variants*, Eqs. (15)–(18), Theorem 3.1, Sec. 4.1,
Theorem 3.3) and the unit-wise natural-gradient constant of Karakida & Osawa (NeurIPS 2020,
Theorem 5.1).

Stages, each visible in the output:

1. **closed forms** from :func:`meanfield_sym.kernels.engine.kernels_for` (shown verbatim in the
   module's docstring);
2. **stable forms** by :func:`meanfield_sym.kernels.engine.stable_form` (asin/acos → ``arctan2``,
   factored radicands clamped at 0) — no other rewriting is done here;
3. **common subexpressions** pulled out by :func:`sympy.cse` (canonical order, symbols
   ``t0, t1, …``), separately for each kernel and jointly for the fused per-layer function
   ``_layer(a, b)`` that returns all four kernels at ``(q_1^l, q_2^l)``;
4. **printing** with :class:`EvaluatorPrinter`, a :class:`sympy.printing.numpy.NumPyPrinter`
   with fully qualified names, ``clamp0(z)`` → ``numpy.maximum(z, 0.0)`` and ``erf`` →
   ``scipy.special.erf``.

The statistics read off κ (Fisher m_λ, s_λ, λ_max; NTK; η_c), the diagonal blocks F^{ll}, the
feature metric A and its blocks A^{ll} are printed from the dual-matrix expressions of
:func:`dual_statistics_expressions` (:func:`block_statistics_expressions`); the softmax bounds
of Theorem 3.3 from :func:`softmax_expressions`; the forward variance map and
χ₁ = σ_w² E[φ'(√q u)²] from the one-point kernels; γ = P[φ'(u) ≠ 0] from the support of φ'
found by :mod:`meanfield_sym.meanfield.statistics`.  The loops (recursions over layers, the fixed-point
iteration), validation and β₁–β₄ are fixed NumPy code (:data:`_RUNTIME`) with the conventions
of :mod:`meanfield_sym.meanfield.recursions` and :mod:`meanfield_sym.meanfield.statistics`.

Generation is deterministic (no time stamps, canonical CSE order, sorted parameters), so
``meanfield-sym codegen --check`` can regenerate the shipped modules of
:data:`SHIPPED` into a temporary folder and compare them byte for byte.

Kernels without a closed form (e.g. tanh) are generated as calls to the engine's quadrature
(:func:`meanfield_sym.kernels.engine.kernels_for`), which imports SymPy on first use; the banner
says so.
"""
from __future__ import annotations

import difflib
import importlib.util
import shlex
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import sympy as sp
from sympy.codegen.cfunctions import expm1
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from meanfield_sym.activation.function import Activation, get_activation
from meanfield_sym.kernels.engine import A, B, KERNEL_NAMES, Q, kernels_for, stable_form

__all__ = ["SHIPPED", "GENERATED_DIR", "EvaluatorPrinter", "evaluation_form", "GeneratedModule", "generate_module",
           "write_module", "shipped_path", "regenerate_command", "check_shipped",
           "write_shipped", "load_module", "dual_statistics_expressions", "gamma_expression",
           "block_statistics_expressions", "softmax_expressions"]

#: Built-in activations (default parameters) whose modules ship in ``meanfield_sym/generated``.
SHIPPED = ("abs", "cos", "erf", "exp", "gaussian", "gelu", "leaky_relu", "linear", "polynomial",
           "relu", "sin", "step")

#: Folder of the shipped modules.
GENERATED_DIR = Path(__file__).resolve().parents[1] / "generated"

_WIDTH = 99  # wrap generated lines at this many characters

_KERNEL_DOC = {
    "one_point": ("E[φ(√q u)²]", "Universal statistics Eq. (9); supplement (B.3), (B.9)"),
    "one_point_prime": ("E[φ'(√q u)²]", "Universal statistics Eq. (11); supplement (B.4), (B.10)"),
    "two_point": ("I_φ[a, b] = E[φ(u1) φ(u2)]",
                  "Universal statistics Eq. (10); supplement (B.7), (B.11)"),
    "two_point_prime": ("I_φ'[a, b] = E[φ'(u1) φ'(u2)]",
                        "Universal statistics Eq. (12); supplement (B.8), (B.12)"),
}


# ---------------------------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------------------------
class EvaluatorPrinter(NumPyPrinter):
    """NumPy printer for the evaluators: ``numpy.``-qualified names, ``numpy.pi``,
    ``clamp0(z)`` → ``numpy.maximum(z, 0.0)``, ``erf``/``erfc`` → ``scipy.special``,
    ``oo`` → ``numpy.inf``.  Records whether ``scipy.special`` was used."""

    def __init__(self):
        super().__init__({"fully_qualified_modules": True, "strict": True})
        self.uses_scipy = False

    def _print_Function(self, expr):
        if expr.func.__name__ == "clamp0":
            return f"numpy.maximum({self._print(expr.args[0])}, 0.0)"
        return super()._print_Function(expr)

    def _print_erf(self, expr):
        self.uses_scipy = True
        return f"scipy.special.erf({self._print(expr.args[0])})"

    def _print_erfc(self, expr):
        self.uses_scipy = True
        return f"scipy.special.erfc({self._print(expr.args[0])})"

    def _print_Infinity(self, expr):
        return "numpy.inf"

    def _print_Pow(self, expr, rational=False):
        """Powers NumPy evaluates fast: 1/x (not x**(-1.0)), x**2*x (not x**3),
        x*numpy.sqrt(x) (not x**(3/2)); other exponents as NumPyPrinter prints them."""
        base, e = expr.base, expr.exp
        # results are parenthesised: the caller sees one atom (e.g. q/(x*numpy.sqrt(x)))
        b = self.parenthesize(base, PRECEDENCE["Pow"])
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


def _wrap(lhs: str, rhs: str, indent: str, tail: str = "") -> list[str]:
    """``lhs rhs tail`` in lines of at most _WIDTH characters (parenthesised continuation)."""
    line = f"{indent}{lhs}{rhs}{tail}"
    if len(line) <= _WIDTH:
        return [line]
    body = textwrap.wrap(rhs, width=_WIDTH - len(indent) - 4, break_long_words=False,
                         break_on_hyphens=False)
    out = [f"{indent}{lhs}("]
    out += [f"{indent}    {piece}" for piece in body]
    out.append(f"{indent}){tail}")
    return out


def _wrap_string(lhs: str, text: str, indent: str, tail: str = ",") -> list[str]:
    """``lhs 'text'`` with a long string split into adjacent literals (one per line)."""
    line = f"{indent}{lhs}{text!r}{tail}"
    if len(line) <= _WIDTH:
        return [line]
    pieces = textwrap.wrap(text, width=_WIDTH - len(indent) - 8, break_long_words=True,
                           drop_whitespace=False, break_on_hyphens=False)
    out = [f"{indent}{lhs}("]
    out += [f"{indent}    {piece!r}" for piece in pieces]
    out.append(f"{indent}){tail}")
    return out


def _wrap_tuple(lhs: str, items: list[str], indent: str) -> list[str]:
    """``lhs a, b, c`` or, when too long, one item per line (each wrapped)."""
    line = f"{indent}{lhs}{', '.join(items)}"
    if len(line) <= _WIDTH:
        return [line]
    out = [f"{indent}{lhs}("]
    for item in items:
        out += _wrap("", item, indent + "    ", tail=",")
    out.append(f"{indent})")
    return out


def _body(printer: EvaluatorPrinter, exprs: list, indent: str = "    ") -> tuple[list[str], list[str]]:
    """CSE the expressions; return (assignment lines, printed results)."""
    exprs = [sp.sympify(e) for e in exprs]
    replacements, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("t"), order="canonical",
                                   optimizations=None)
    lines = []
    for sym, e in replacements:
        lines += _wrap(f"{sym} = ", printer.doprint(e), indent)
    return lines, [printer.doprint(e) for e in reduced]


# ---------------------------------------------------------------------------------------------
# Exact identities applied before printing (a, q > 0, b real)
# ---------------------------------------------------------------------------------------------
def _is_clamp(e) -> bool:
    return isinstance(e, sp.Function) and e.func.__name__ == "clamp0"


def _perfect_square_root(den):
    """E with den = E**2 and E > 0 provably, free of radicals; else None."""
    root = sp.sqrt(den)
    if root.is_positive and not any(p.exp.is_Rational and p.exp.q != 1
                                    for p in root.atoms(sp.Pow)):
        return root
    return None


def _clamp_rule(e):
    """clamp0(z) → z when z ≥ 0 provably; clamp0(P/E²)^k → clamp0(P)^k / E^(2k) for E > 0."""
    z = e.args[0]
    if z.is_nonnegative:
        return z
    return e


def _radical_rule(e):
    base, k = e.base, e.exp
    if not _is_clamp(base):
        return e
    z = _clamp_rule(base)
    if not _is_clamp(z):
        return sp.Pow(z, k)
    num, den = sp.fraction(sp.factor(z.args[0]))
    if den != 1:
        root = _perfect_square_root(den)
        if root is not None:
            inner = _clamp_rule(z.func(num))
            return sp.Pow(inner, k) / root ** (2 * k)
    return e


def _atan2_rule(e):
    """atan2(p y, p x) → atan2(y, x) for a common factor p > 0 (atan2 is invariant under
    positive scaling of both arguments)."""
    y, x = e.args
    ys, xs = list(sp.Mul.make_args(y)), list(sp.Mul.make_args(x))
    common = [f for f in ys if f in xs and f.is_positive]
    if not common:
        return e
    for f in common:
        ys.remove(f)
        xs.remove(f)
    return sp.atan2(sp.Mul(*ys), sp.Mul(*xs))


def _expm1_rule(e):
    """d + c·exp(x) + … with d = −c → c·expm1(x) + … (no cancellation as x → 0)."""
    terms = list(sp.Add.make_args(e))
    const = [t for t in terms if t.is_number]
    if len(const) != 1:
        return e
    d = const[0]
    for t in terms:
        c, rest = t.as_coeff_Mul()
        if isinstance(rest, sp.exp) and c == -d:
            others = [u for u in terms if u is not t and u is not d]
            return sp.Add(c * expm1(rest.args[0]), *others)
    return e


def evaluation_form(expr: sp.Expr) -> sp.Expr:
    """Exact identities, valid for a, q > 0 and real b, applied to a stable form before
    printing; each removes float operations (and roundings) without changing the value:

    * ``clamp0(z) → z`` when z ≥ 0 follows from the assumptions (e.g. ``4q + 1``);
    * ``clamp0(P/E²)^k → clamp0(P)^k / E^{2k}`` for E > 0 (e.g. ``(a − b)(a + b)/a²``);
    * ``atan2(p·y, p·x) → atan2(y, x)`` for a common factor p > 0;
    * ``c·exp(x) − c → c·expm1(x)`` (e.g. sin: ``(e^{2b} − 1) e^{−a−b}/2`` near b = 0).

    >>> from meanfield_sym.kernels.engine import kernels_for, stable_form
    >>> evaluation_form(stable_form(kernels_for("relu").closed_form["two_point_prime"]))
    atan2(sqrt(clamp0((a - b)*(a + b))), -b)/(2*pi)
    """
    expr = expr.replace(lambda e: isinstance(e, sp.Pow) and _is_clamp(e.base), _radical_rule)
    expr = expr.replace(_is_clamp, _clamp_rule)
    expr = expr.replace(lambda e: isinstance(e, sp.atan2), _atan2_rule)
    return expr.replace(lambda e: isinstance(e, sp.Add) and e.has(sp.exp), _expm1_rule)


# ---------------------------------------------------------------------------------------------
# Symbolic pieces
# ---------------------------------------------------------------------------------------------
_K1, _K2, _ALPHA, _M, _N, _C, _MU, _LAM = sp.symbols("kappa1 kappa2 alpha M N C momentum "
                                                     "lambda_max", positive=True)
_AT, _AIN, _AOUT, _SW, _SB = sp.symbols("alpha_tilde alpha_in alpha_out sigma_w2 sigma_b2",
                                        positive=True)
_BETAS = sp.symbols("beta1 beta2 beta3 beta4", real=True)


def dual_statistics_expressions(scale, dim) -> dict:
    """Mean, second moment and largest eigenvalue of a D × D Gram matrix whose dual is
    ``scale · K ⊗ I_C`` with ``K = (κ₁ − κ₂) I_N + κ₂ 1 1ᵀ`` (Pathological spectra App. A.1,
    Eqs. A.4–A.6): eigenvalues ``scale((N − 1) κ₂ + κ₁)`` once and ``scale(κ₁ − κ₂)``
    N − 1 times, each C times, then divided by D.  Derived here from the spectrum of K.

    >>> e = dual_statistics_expressions(_ALPHA * _M / _N, _ALPHA * _M ** 2)
    >>> e["mean"]
    C*kappa1/M
    """
    top = scale * ((_N - 1) * _K2 + _K1)
    rest = scale * (_K1 - _K2)
    mean = _C * (top + (_N - 1) * rest) / dim
    second = _C * (top ** 2 + (_N - 1) * rest ** 2) / dim
    return {"mean": sp.factor(sp.simplify(mean)), "second_moment": sp.factor(sp.simplify(second)),
            "lambda_max": sp.factor(sp.simplify(top))}


def gamma_expression(act: Activation):
    """γ(q) = P[φ'(u) ≠ 0] for u ~ N(0, q) as a SymPy expression in q, and its q → 0⁺ limit.

    The line is split at the activation's kinks and an interval counts where the regular part
    of φ' is not identically zero (the rule of
    :func:`meanfield_sym.meanfield.statistics.nonzero_derivative_probability`, whose interval finder is
    reused); ``P[a < u < b] = Φ(b/√q) − Φ(a/√q)`` with ``Φ(x) = (1 + erf(x/√2))/2``.
    NGD paper (Karakida & Osawa) Theorem 5.1: 1 for tanh, 1/2 for ReLU.
    """
    from meanfield_sym.meanfield.statistics import _derivative_support
    exact = {float(k): sp.nsimplify(k) for k in act.kinks}

    def cdf(edge):
        if edge == float("inf"):
            return sp.S.One
        if edge == float("-inf"):
            return sp.S.Zero
        return (1 + sp.erf(exact[edge] / sp.sqrt(2 * Q))) / 2

    expr, at_zero = sp.S.Zero, sp.S.Zero
    for lo, hi in _derivative_support(act):
        expr += cdf(hi) - cdf(lo)
        if lo < 0 < hi:
            at_zero += 1
        elif lo == 0 or hi == 0:
            at_zero += sp.Rational(1, 2)
    return sp.simplify(expr), at_zero


def block_statistics_expressions() -> dict:
    """Dual-matrix statistics of the diagonal blocks and of the feature metric, as SymPy
    expressions of the printed arguments (each from :func:`dual_statistics_expressions`):

    * ``fim_block``: F^{ll} (Pathological spectra Sec. 3.2, App. A.2): dual
      ``C·(α_{l−1}M/N)·K`` on ``D = α_l α_{l−1} M²`` parameters (``alpha_in`` = α_{l−1},
      ``alpha_out`` = α_l, or C/M for the output layer);
    * ``feature_metric``: A (Pathological spectra Sec. 5, Theorem 5.1, App. D.1, Eq. D.6): dual
      ``C·(α̃/N)·K̃`` on ``M_h = α̃M`` features, K̃ built from κ̃₁, κ̃₂;
    * ``feature_block``: A^{ll} (App. D.2, Eq. D.8): dual ``C·(σ_{w,l+1}²/N)·K`` on
      ``M_l = α_l M`` features, K built from q̃^{l+1} (``alpha_in`` = α_l).

    >>> block_statistics_expressions()["fim_block"]["mean"]
    C*kappa1/(M*alpha_out)
    """
    return {
        "fim_block": dual_statistics_expressions(_AIN * _M / _N, _AOUT * _AIN * _M ** 2),
        "feature_metric": dual_statistics_expressions(_AT / _N, _AT * _M),
        "feature_block": dual_statistics_expressions(_SW / _N, _AIN * _M),
    }


def softmax_expressions() -> dict:
    """Cross-entropy Fisher statistics of Pathological spectra Theorem 3.3 (App. B.1) as SymPy
    expressions of β₁–β₄, κ₁, κ₂, α, M, N, in the derived form of
    :func:`meanfield_sym.meanfield.statistics.softmax_fim_statistics`: ``m_λ = β₁κ₁/M``,
    ``s_λ = α(β₂κ₂² + β₃κ₁²/N)``, ``β₄ λ^lin_max <= λ_max <= √(α s_λ) M`` with the
    linear-output ``λ^lin_max = α((N−1)/N κ₂ + κ₁/N) M`` (Theorem 3.1).

    >>> softmax_expressions()["lambda_max_upper"]
    M*alpha*sqrt(beta2*kappa2**2 + beta3*kappa1**2/N)
    """
    b1, b2, b3, b4 = _BETAS
    lin = dual_statistics_expressions(_ALPHA * _M / _N, _ALPHA * _M ** 2)["lambda_max"]
    second = _ALPHA * (b2 * _K2 ** 2 + b3 * _K1 ** 2 / _N)
    return {"mean": b1 * _K1 / _M, "second_moment": second, "lambda_max_lower": b4 * lin,
            "lambda_max_upper": sp.sqrt(_ALPHA * second) * _M, "lambda_max_linear": lin}


# ---------------------------------------------------------------------------------------------
# Module text
# ---------------------------------------------------------------------------------------------
def shipped_path(name: str) -> str:
    """Repository-relative path of a shipped module, as written in its banner."""
    return f"meanfield_sym/generated/{name}.py"


def _param_text(value) -> str:
    return sp.sstr(value)


def regenerate_command(activation: Activation, out: str) -> str:
    """The ``meanfield-sym codegen`` command line that writes this activation's module."""
    spec = activation.name if activation.name else sp.sstr(activation.expr)
    parts = ["meanfield-sym", "codegen", spec]
    for k in sorted(activation.params):
        parts += ["--param", f"{k}={_param_text(activation.params[k])}"]
    parts += ["--out", out]
    return shlex.join(parts)


def _command_lines(command: str) -> list[str]:
    """The command as banner comment lines, continued with backslashes when too long."""
    lines, current = [], "#  "
    for word in shlex.split(command):
        word = shlex.quote(word)
        if len(current) + 1 + len(word) + 2 > _WIDTH and current.strip("# "):
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
    closed: dict        # kernel name -> bool (closed form printed, else delegated)
    uses_scipy: bool

    @property
    def delegated(self) -> list[str]:
        return [k for k in KERNEL_NAMES if not self.closed[k]]


def _kernel_function(printer, name, expr, doc_lines) -> list[str]:
    args = "q" if name.startswith("one_point") else "a, b"
    label, ref = doc_lines
    lines = [f"def _{name}({args}):", f'    """{label}, unvalidated:', f'    {ref}."""']
    if expr is None:
        lines.append(f"    return _delegate({name!r}, {args})")
        return lines
    body, (result,) = _body(printer, [expr])
    lines += body
    lines += _wrap("return ", result, "    ")
    return lines


def _layer_function(printer, forms) -> list[str]:
    """Fused kernels at (a, b) = (q_1^l, q_2^l): (q̂_1, E[φ'²], q̂_2, I_φ')."""
    order = ("one_point", "one_point_prime", "two_point", "two_point_prime")
    lines = ["def _layer(a, b):",
             '    """All four kernels at one layer, (a, b) = (q_1^l, q_2^l), common subexpressions',
             "    shared: returns (E[φ(√a u)²], E[φ'(√a u)²], I_φ[a, b], I_φ'[a, b]).\"\"\""]
    closed = [k for k in order if forms[k] is not None]
    exprs = [forms[k].xreplace({Q: A}) if k.startswith("one_point") else forms[k] for k in closed]
    body, results = _body(printer, exprs) if exprs else ([], [])
    lines += body
    printed = dict(zip(closed, results))
    out = []
    for k in order:
        if k in printed:
            out.append(printed[k])
        else:
            out.append(f"_delegate({k!r}, a)" if k.startswith("one_point")
                       else f"_delegate({k!r}, a, b)")
    lines += _wrap_tuple("return ", out, "    ")
    return lines


def _map_function(printer, name, args, form, build, delegated: str, doc: str) -> list[str]:
    """``name(args)`` returning ``build(kernel)`` with the one-point kernel's evaluation form
    substituted (CSE'd), or the text ``delegated`` when the kernel has no closed form."""
    lines = [f"def {name}({args}):", f'    """{doc}"""']
    if form is None:
        return lines + [f"    return {delegated}"]
    body, (result,) = _body(printer, [build(form)])
    return lines + body + _wrap("return ", result, "    ")


def _stat_function(printer, name, args, exprs: dict, doc: str) -> list[str]:
    lines = [f"def {name}({args}):", f'    """{doc}"""']
    keys = list(exprs)
    body, results = _body(printer, [exprs[k] for k in keys])
    lines += body
    lines.append("    return {")
    for k, r in zip(keys, results):
        lines += _wrap(f"{k!r}: ", r, "        ", tail=",")
    lines.append("    }")
    return lines


def generate_module(activation, command: str | None = None, **params) -> GeneratedModule:
    """Generate the evaluator module of an activation.

    Parameters
    ----------
    activation : str, sympy.Expr or Activation
        Anything :func:`~meanfield_sym.activation.function.get_activation` accepts.
    command : str, optional
        The regeneration command written in the banner (default: ``--out <name>.py``).
    **params
        Built-in parameters (e.g. ``slope="1/10"``).

    Returns
    -------
    GeneratedModule
    """
    act = get_activation(activation, **params)
    ks = kernels_for(act)
    forms = {k: (None if ks.closed_form[k] is None
                 else evaluation_form(stable_form(ks.closed_form[k]))) for k in KERNEL_NAMES}
    closed = {k: forms[k] is not None for k in KERNEL_NAMES}
    if command is None:
        command = regenerate_command(act, f"{act.name if act.name.isidentifier() else 'module'}.py")
    printer = EvaluatorPrinter()
    spec = act.name if act.name else sp.sstr(act.expr)

    # ---- banner and docstring ---------------------------------------------------------------
    expr_text = sp.sstr(act.expr)
    banner = [
        "# " + "-" * (_WIDTH - 2),
        "# GENERATED FILE: do not edit by hand.",
        f"# Activation: {spec}" + (f"  ({', '.join(f'{k}={_param_text(v)}' for k, v in sorted(act.params.items()))})"
                                   if act.params else ""),
        f"#   φ(x) = {expr_text}",
        f"#   fingerprint {act.fingerprint}",
        f"# Generated by meanfield_sym.codegen with SymPy {sp.__version__} from the closed forms of",
        "# meanfield_sym.kernels.engine.kernels_for, rewritten by gaussian.stable_form and",
        "# codegen.evaluation_form (exact identities for a, q > 0), common subexpressions by cse.",
        "# Regenerate with:",
        *_command_lines(command),
        "# " + "-" * (_WIDTH - 2),
    ]
    doc = [f'"""Generated mean-field evaluators for the activation ``{spec}`` ({{runtime}}).', ""]
    doc.append(f"φ(x) = {expr_text}")
    doc.append("")
    doc.append("Closed forms (Karakida, Akaho & Amari, *Universal statistics*, Eqs. (9)-(12)):")
    doc.append("")
    for k in KERNEL_NAMES:
        label = _KERNEL_DOC[k][0]
        cf = ks.closed_form[k]
        text = "no closed form: quadrature of meanfield_sym (imports SymPy on first use)" \
            if cf is None else sp.sstr(cf)
        doc += textwrap.wrap(f"{label} = {text}", width=_WIDTH - 4, initial_indent="* ",
                             subsequent_indent="  ", break_long_words=False)
    doc += [
        "",
        "Functions: the kernels ``one_point(q)``, ``one_point_prime(q)``, ``two_point(a, b)``,",
        "``two_point_prime(a, b)``; the fused recursions ``order_parameters`` and ``kappas``",
        "(κ₁, κ₂, κ₁', κ₂'); ``fim_statistics``, ``ntk_statistics``, ``eta_critical``,",
        "``network_statistics``; ``fim_blocks``, ``feature_metric_statistics``,",
        "``feature_metric_blocks``; ``fixed_point`` and ``chi1``; ``softmax_betas`` and",
        "``softmax_fim_statistics``; ``gamma`` and ``ngd_unit_wise``.  Conventions are those of",
        "meanfield_sym.meanfield.recursions and meanfield_sym.meanfield.statistics.",
        "",
        ">>> bool(numpy.isclose(two_point(2.0, 2.0), one_point(2.0), rtol=1e-13, atol=0))",
        "True",
        '"""',
    ]

    # ---- symbolic sections ------------------------------------------------------------------
    sections: list[list[str]] = []
    for k in KERNEL_NAMES:
        label, ref = _KERNEL_DOC[k]
        sections.append(_kernel_function(printer, k, forms[k], (label, ref)))
    sections.append(_layer_function(printer, forms))
    sections.append(_map_function(
        printer, "_variance_map", "q, sigma_w2, sigma_b2", forms["one_point"],
        lambda k: _SW * k + _SB, "sigma_w2*_one_point(q) + sigma_b2",
        "Forward variance map q ↦ σ_w² E[φ(√q u)²] + σ_b², unvalidated (Pathological\n"
        "    spectra Eq. 15 with q̂ = E[φ²]; its fixed point is q*)."))
    sections.append(_map_function(
        printer, "_chi1", "q, sigma_w2", forms["one_point_prime"], lambda k: _SW * k,
        "sigma_w2*_one_point_prime(q)",
        "χ₁ = σ_w² E[φ'(√q u)²], unvalidated (Poole et al. 2016; Schoenholz et al. 2017,\n"
        "    cited as [18, 19] in Pathological spectra)."))
    g_expr, g_zero = gamma_expression(act)
    g_lines = ["def _gamma(q):",
               '    """P[φ\'(u) ≠ 0] for u ~ N(0, q), q > 0 (support of φ\' split at the kinks)."""']
    body, (res,) = _body(printer, [g_expr])
    g_lines += body + _wrap("return ", res, "    ")
    sections.append(g_lines)
    sections.append([f"_GAMMA_AT_ZERO = {printer.doprint(g_zero)}  # limit q -> 0+ "
                     "(u = 0; a kink at 0 counts half)"])
    fim = dual_statistics_expressions(_ALPHA * _M / _N, _ALPHA * _M ** 2)
    sections.append(_stat_function(
        printer, "_fim", "kappa1, kappa2, alpha, M, N, C", fim,
        "Fisher (MSE) statistics from κ (Universal statistics Thms 1, 3, 4;\n"
        "    Pathological spectra Thm 3.1): dual C·(αM/N)·K on D = αM² parameters."))
    ntk = dual_statistics_expressions(_ALPHA, _C * _N)
    sections.append(_stat_function(
        printer, "_ntk", "kappa1, kappa2, alpha, N, C", ntk,
        "NTK statistics from κ' (Pathological spectra Sec. 4.1, App. C):\n"
        "    Θ = α K' ⊗ I_C over its CN eigenvalues."))
    eta = {"eta_critical": 2 * (1 + _MU) / _LAM}
    sections.append(_stat_function(
        printer, "_eta", "lambda_max, momentum", eta,
        "η_c = 2(1 + μ)/λ_max (Universal statistics Lemma 6, Theorem 7)."))
    blocks = block_statistics_expressions()
    sections.append(_stat_function(
        printer, "_fim_block", "kappa1, kappa2, alpha_in, alpha_out, M, N, C",
        blocks["fim_block"],
        "Diagonal block F^{ll} from k_i = q̃_i^l q̂_i^{l-1} (Pathological spectra Sec. 3.2,\n"
        "    App. A.2): dual C·(α_{l-1}M/N)·K on D = α_l α_{l-1} M² parameters."))
    sections.append(_stat_function(
        printer, "_feature_metric", "kappa1, kappa2, alpha_tilde, M, N, C",
        blocks["feature_metric"],
        "Feature metric A from κ̃ (Pathological spectra Sec. 5, Thm 5.1, App. D.1, Eq. D.6):\n"
        "    dual C·(α̃/N)·K̃ on M_h = α̃M features."))
    sections.append(_stat_function(
        printer, "_feature_block", "kappa1, kappa2, sigma_w2, alpha_in, M, N, C",
        blocks["feature_block"],
        "Feature-metric block A^{ll} from k_i = q̃_i^{l+1} (Pathological spectra App. D.2,\n"
        "    Eq. D.8): dual C·(σ_{w,l+1}²/N)·K on M_l = α_l M features."))
    sections.append(_stat_function(
        printer, "_softmax_fim", "beta1, beta2, beta3, beta4, kappa1, kappa2, alpha, M, N",
        softmax_expressions(),
        "Cross-entropy Fisher from β1-β4 and κ (Pathological spectra Theorem 3.3,\n"
        "    App. B.1; derived m_λ = β1 κ1/M)."))

    imports = ["import numpy"]
    if printer.uses_scipy:
        imports.append("import scipy.special")
    runtime = "NumPy and scipy.special" if printer.uses_scipy else "NumPy only"
    if not all(closed.values()):
        runtime += "; kernels without a closed form use meanfield_sym's quadrature"
    doc[0] = doc[0].replace("{runtime}", runtime)
    if len(doc[0]) > _WIDTH:
        first, rest = doc[0].split(" (", 1)
        doc[0:1] = [first, f"({rest}"]

    meta = [
        f"ACTIVATION = {spec!r}",
        f"PARAMS = {{{', '.join(f'{k!r}: {_param_text(v)!r}' for k, v in sorted(act.params.items()))}}}",
        f"EXPRESSION = {expr_text!r}",
        f"FINGERPRINT = {act.fingerprint!r}",
        f"SYMPY_VERSION = {sp.__version__!r}",
        "#: Closed forms as derived (before the stable rewrite); None: delegated to quadrature.",
        "CLOSED_FORMS = {",
    ]
    for k in KERNEL_NAMES:
        cf = ks.closed_form[k]
        meta += (_wrap_string(f"{k!r}: ", sp.sstr(cf), "    ") if cf is not None
                 else [f"    {k!r}: None,"])
    meta.append("}")

    parts = ["\n".join(banner), "\n".join(doc), "\n".join(imports), "\n".join(meta),
             _RUNTIME_HEAD.strip("\n")]
    parts.append("# " + "-" * (_WIDTH - 2) + "\n# Kernels (generated from the closed forms)\n"
                 "# " + "-" * (_WIDTH - 2))
    parts += ["\n".join(s) for s in sections]
    parts.append(_RUNTIME.strip("\n"))
    source = "\n\n\n".join(parts) + "\n"
    # collapse the double blank lines between one-line constants
    return GeneratedModule(act, source, closed, printer.uses_scipy)


def write_module(activation, out, command: str | None = None, **params) -> GeneratedModule:
    """Generate the module of an activation and write it to ``out`` (a ``.py`` path)."""
    out = Path(out)
    if out.suffix != ".py":
        raise ValueError(f"--out must name a .py file, got {str(out)!r}")
    if not out.parent.exists():
        raise ValueError(f"folder {str(out.parent)!r} does not exist")
    act = get_activation(activation, **params)
    mod = generate_module(act, command=command or regenerate_command(act, str(out)))
    out.write_text(mod.source, encoding="utf-8")
    return mod


def _shipped_source(name: str) -> str:
    act = get_activation(name)
    return generate_module(act, command=regenerate_command(act, shipped_path(name))).source


def write_shipped(names=None, folder=None) -> list[Path]:
    """(Re)write the shipped modules (default: all of :data:`SHIPPED` into :data:`GENERATED_DIR`)."""
    folder = Path(folder) if folder is not None else GENERATED_DIR
    written = []
    for name in _names(names):
        path = folder / f"{name}.py"
        path.write_text(_shipped_source(name), encoding="utf-8")
        written.append(path)
    return written


def _names(names):
    if names is None:
        return list(SHIPPED)
    names = list(names)
    unknown = [n for n in names if n not in SHIPPED]
    if unknown:
        raise ValueError(f"not a shipped module: {', '.join(unknown)} (shipped: {', '.join(SHIPPED)})")
    return names


def check_shipped(names=None, folder=None, diff_lines: int = 0) -> list[tuple[str, str]]:
    """Regenerate shipped modules into a temporary folder and compare with ``folder``.

    Returns ``[(file, reason), ...]`` for every module that is missing or differs (empty when
    all are up to date); ``reason`` holds the first ``diff_lines`` lines of a unified diff.
    """
    folder = Path(folder) if folder is not None else GENERATED_DIR
    bad = []
    with tempfile.TemporaryDirectory(prefix="mfs-codegen-") as tmp:
        fresh = write_shipped(names, tmp)
        for path in fresh:
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


# ---------------------------------------------------------------------------------------------
# Fixed runtime code of every generated module (validation, recursions, statistics)
# ---------------------------------------------------------------------------------------------
_RUNTIME_HEAD = r'''
# -------------------------------------------------------------------------------------------------
# Input validation (messages and rules of meanfield_sym.meanfield.recursions / meanfield_sym.meanfield.statistics)
# -------------------------------------------------------------------------------------------------
#: Row sums of a softmax probability array must equal 1 within this (issue 3 contract).
PROB_SUM_TOL = 1e-9

_DELEGATE = []


def _delegate(name, *args):
    """Kernels without a closed form: the engine's quadrature (imports meanfield_sym, SymPy)."""
    if not _DELEGATE:
        from meanfield_sym.kernels.engine import kernels_for
        _DELEGATE.append(kernels_for(ACTIVATION, **PARAMS))
    return getattr(_DELEGATE[0], name)(*args)


def _as_float_array(value, name, nonnegative=True):
    try:
        arr = numpy.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, "
                         f"got {value!r}") from None
    if not numpy.all(numpy.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if nonnegative and numpy.any(arr < 0):
        raise ValueError(f"{name} is a variance and must be >= 0, got {numpy.min(arr)!r}")
    return arr


def _check_depth(depth):
    if isinstance(depth, (bool, numpy.bool_)) or not isinstance(depth, (int, numpy.integer)):
        raise ValueError(f"depth must be an integer >= 1, got {depth!r}")
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    return int(depth)


def _positive_int(value, name):
    if isinstance(value, (bool, numpy.bool_)):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    try:
        iv = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive integer, got {value!r}") from None
    if iv != value or iv < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return iv


def _positive_number(value, name):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not numpy.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return v


def _layer_values(value, depth, name):
    """[v_1, ..., v_L]: a list/tuple is one value per layer, anything else is every layer's."""
    if isinstance(value, (list, tuple)):
        if len(value) != depth:
            raise ValueError(f"{name}: {len(value)} per-layer values given for depth {depth} "
                             f"(need one per layer l = 1..{depth})")
        return [_as_float_array(v, f"{name}[layer {i + 1}]") for i, v in enumerate(value)]
    return [_as_float_array(value, name)] * depth


def width_ratios(widths, depth):
    """[α_0, ..., α_{L-1}] (input and hidden widths in units of M); default all ones."""
    depth = _check_depth(depth)
    if widths is None:
        return numpy.ones(depth)
    try:
        arr = numpy.asarray(widths, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"widths must be numbers, got {widths!r}") from None
    if arr.size != depth:
        raise ValueError(f"widths must list alpha_0..alpha_{depth - 1} ({depth} values for "
                         f"depth {depth}), got {arr.size}")
    if not numpy.all(numpy.isfinite(arr)) or numpy.any(arr <= 0):
        raise ValueError(f"widths must be positive and finite, got {list(arr)}")
    return arr


def alpha(widths, depth):
    """α = Σ_{l=1}^{L-1} α_l α_{l-1} (Pathological spectra Thm 3.1; P ≈ α M²)."""
    al = width_ratios(widths, depth)
    return float(numpy.sum(al[1:] * al[:-1]))


def _validate_q(q):
    q = _as_float_array(q, "q", nonnegative=False)
    if numpy.any(q <= 0):
        raise ValueError(f"variance q must be > 0, got min {q.min()!r}")
    return q


def _validate_ab(a, b):
    a = _as_float_array(a, "a", nonnegative=False)
    b = _as_float_array(b, "b", nonnegative=False)
    a, b = numpy.broadcast_arrays(a, b)
    if numpy.any(a <= 0):
        raise ValueError(f"variance a must be > 0, got min {a.min()!r}")
    if numpy.any(numpy.abs(b) > a):
        i = numpy.argmax(numpy.abs(b) - a)
        raise ValueError(f"|covariance| must not exceed the variance: |b| = {abs(b.flat[i])!r} > "
                         f"a = {a.flat[i]!r}")
    return a, b


def _finite_or_raise(name, value):
    if numpy.any(numpy.isnan(value)):
        raise ValueError(f"{name} is undefined (NaN) at some inputs: float64 overflow (inf - inf, "
                         "0 * inf), e.g. for an activation whose E[phi'^2] is infinite")
    return value


def _shaped(value, shape):
    out = numpy.asarray(value, dtype=float)
    return out if out.shape == shape else numpy.broadcast_to(out, shape).copy()


def one_point(q):
    """E[φ(√q u)²], u ~ N(0, 1), vectorised, q > 0 (Universal statistics Eq. (9))."""
    q = _validate_q(q)
    with numpy.errstate(divide="ignore"):
        return _finite_or_raise("one_point", _shaped(_one_point(q), q.shape))


def one_point_prime(q):
    """E[φ'(√q u)²], vectorised, q > 0 (Universal statistics Eq. (11))."""
    q = _validate_q(q)
    with numpy.errstate(divide="ignore"):
        return _finite_or_raise("one_point_prime", _shaped(_one_point_prime(q), q.shape))


def two_point(a, b):
    """I_φ[a, b] = E[φ(u1) φ(u2)], (u1, u2) ~ N(0, [[a, b], [b, a]]), a > 0, |b| <= a
    (Universal statistics Eq. (10))."""
    a, b = _validate_ab(a, b)
    with numpy.errstate(divide="ignore"):
        return _finite_or_raise("two_point", _shaped(_two_point(a, b), a.shape))


def two_point_prime(a, b):
    """I_φ'[a, b] = E[φ'(u1) φ'(u2)], a > 0, |b| <= a (Universal statistics Eq. (12))."""
    a, b = _validate_ab(a, b)
    with numpy.errstate(divide="ignore"):
        return _finite_or_raise("two_point_prime", _shaped(_two_point_prime(a, b), a.shape))
'''

_RUNTIME = r'''
# -------------------------------------------------------------------------------------------------
# Fused recursions (Pathological spectra Eqs. 15-18; Universal statistics Eqs. 9-12)
# -------------------------------------------------------------------------------------------------
def _inputs(sigma_w2, sigma_b2, depth, qhat1_0, qhat2_0):
    depth = _check_depth(depth)
    sw = _layer_values(sigma_w2, depth, "sigma_w2")
    sb = _layer_values(sigma_b2, depth, "sigma_b2")
    h1 = _as_float_array(qhat1_0, "qhat1_0")
    h2 = _as_float_array(qhat2_0, "qhat2_0", nonnegative=False)
    if numpy.any(numpy.abs(h2) > h1):
        raise ValueError("input overlap qhat2_0 must satisfy |qhat2_0| <= qhat1_0")
    shape = numpy.broadcast_shapes(h1.shape, h2.shape, *(v.shape for v in sw + sb))
    return depth, sw, sb, numpy.broadcast_to(h1, shape), numpy.broadcast_to(h2, shape), shape


def _require_positive(q1, layer):
    if not q1.min() > 0:
        raise ValueError(f"layer {layer}: the pre-activation variance q_1 is 0 somewhere "
                         "(sigma_w2 * qhat1 + sigma_b2 = 0); the kernels need q_1 > 0")


def _run(depth, sw, sb, h1, h2, shape):
    """Forward then backward order parameters, lists indexed 0..L (None where undefined)."""
    q1, q2, qh1, qh2 = ([None] * (depth + 1) for _ in range(4))
    qt1, qt2, d1, d2 = ([None] * (depth + 1) for _ in range(4))
    qh1[0], qh2[0] = h1, h2
    with numpy.errstate(divide="ignore"):
        for l in range(1, depth + 1):
            q1[l] = sw[l - 1] * qh1[l - 1] + sb[l - 1]
            q2[l] = sw[l - 1] * qh2[l - 1] + sb[l - 1]
            if l == depth:
                break  # linear outputs: no activation moments at layer L
            _require_positive(q1[l], l)
            qh1[l], d1[l], qh2[l], d2[l] = _layer(q1[l], q2[l])
    qt1[depth] = qt2[depth] = numpy.ones(shape)
    with numpy.errstate(invalid="ignore"):  # 0 * inf = NaN is reported by the caller
        for l in range(depth - 1, 0, -1):
            qt1[l] = sw[l] * qt1[l + 1] * d1[l]
            qt2[l] = sw[l] * qt2[l + 1] * d2[l]
    return q1, q2, qh1, qh2, qt1, qt2




def order_parameters(sigma_w2, sigma_b2, depth, qhat1_0=1.0, qhat2_0=0.0):
    """Order parameters q1, q2 (l = 1..L), qhat1, qhat2 (l = 0..L-1), qtilde1, qtilde2
    (l = 1..L) as {name: list indexed 0..L, None where undefined}, arrays of the broadcast
    shape of the inputs (Pathological spectra Eqs. 15-18).

    ``sigma_w2``, ``sigma_b2``: broadcastable arrays (the same in every layer) or lists of L
    per-layer values; inputs ``qhat1_0`` (default 1) and ``qhat2_0`` (default 0).
    """
    depth, sw, sb, h1, h2, shape = _inputs(sigma_w2, sigma_b2, depth, qhat1_0, qhat2_0)
    lists = _run(depth, sw, sb, h1, h2, shape)
    names = ("q1", "q2", "qhat1", "qhat2", "qtilde1", "qtilde2")
    return {n: [None if v is None else _finite_or_raise(n, _shaped(v, shape)) for v in vals]
            for n, vals in zip(names, lists)}


def kappas(sigma_w2, sigma_b2, depth, widths=None, qhat1_0=1.0, qhat2_0=0.0, ntk=True):
    """κ1, κ2 (Universal statistics Eq. A.6, Theorem 3) and the NTK-parameterisation κ1', κ2'
    (Pathological spectra Sec. 4.1, App. C), fused with the recursions:

    κ_i = Σ_{l=1}^{L} (α_{l-1}/α) q̃_i^l q̂_i^{l-1},
    κ_i' = (1/α) Σ_{l=1}^{L} (σ_{w,l}² q̃_i^l q̂_i^{l-1} + σ_{b,l}² q̃_i^l).

    Returns {"alpha", "kappa1", "kappa2"} and, with ``ntk=True``, "kappa1_ntk",
    "kappa2_ntk"; depth >= 2.
    """
    depth, sw, sb, h1, h2, shape = _inputs(sigma_w2, sigma_b2, depth, qhat1_0, qhat2_0)
    al = width_ratios(widths, depth)
    a = float(numpy.sum(al[1:] * al[:-1]))
    if a <= 0:
        raise ValueError("depth 1 has no hidden layer (alpha = 0): the Fisher statistics of the "
                         "papers need depth >= 2")
    # forward: keep only q̂^{l-1} and the derivative kernels (less memory than _run)
    hat1, hat2, d1, d2 = [h1], [h2], [None], [None]
    with numpy.errstate(divide="ignore"):
        for l in range(1, depth):
            q1 = sw[l - 1] * hat1[l - 1] + sb[l - 1]
            q2 = sw[l - 1] * hat2[l - 1] + sb[l - 1]
            _require_positive(q1, l)
            qh1, p1, qh2, p2 = _layer(q1, q2)
            hat1.append(qh1)
            hat2.append(qh2)
            d1.append(p1)
            d2.append(p2)
    # backward: q̃^L = 1, q̃^l = σ_{w,l+1}² q̃^{l+1} E[φ'²] (resp. I_φ'), summed on the fly
    t1 = t2 = 1.0
    k1 = k2 = n1 = n2 = 0.0
    with numpy.errstate(invalid="ignore"):
        for l in range(depth, 0, -1):  # (0 * inf = NaN is reported below, not warned about)
            if l < depth:
                t1 = sw[l] * t1 * d1[l]
                t2 = sw[l] * t2 * d2[l]
            p1 = t1 * hat1[l - 1]
            p2 = t2 * hat2[l - 1]
            if al[l - 1] == 1.0:
                k1, k2 = k1 + p1, k2 + p2
            else:
                k1, k2 = k1 + al[l - 1] * p1, k2 + al[l - 1] * p2
            if ntk:
                n1 = n1 + sw[l - 1] * p1 + sb[l - 1] * t1
                n2 = n2 + sw[l - 1] * p2 + sb[l - 1] * t2
    out = {"alpha": a}
    pairs = (("kappa1", k1), ("kappa2", k2)) + ((("kappa1_ntk", n1), ("kappa2_ntk", n2))
                                                 if ntk else ())
    for name, value in pairs:
        out[name] = _finite_or_raise(name, _shaped(value / a, shape))
    return out


# -------------------------------------------------------------------------------------------------
# Statistics read off κ (dual-matrix algebra; meanfield_sym.meanfield.statistics conventions)
# -------------------------------------------------------------------------------------------------
def fim_statistics(kappa1, kappa2, alpha, M, N, C=1):
    """Fisher information for regression: m_λ = C κ1/M, s_λ = αC((N-1)/N κ2² + κ1²/N),
    λ_max = α((N-1)/N κ2 + κ1/N) M (Universal statistics Theorems 1, 3, 4; Pathological
    spectra Theorem 3.1).  N is the number of samples (T in Universal statistics)."""
    M = _positive_number(M, "width M")
    N = _positive_int(N, "samples N")
    C = _positive_int(C, "classes C")
    return _fim(numpy.asarray(kappa1, dtype=float), numpy.asarray(kappa2, dtype=float),
                float(alpha), M, N, C)


def ntk_statistics(kappa1_ntk, kappa2_ntk, alpha, N, C=1):
    """NTK Θ (NTK parameterisation, Pathological spectra Sec. 4.1, App. C) over its CN
    eigenvalues: m_λ = α κ1', s_λ = α²((N-1) κ2'² + κ1'²),
    λ_max = α((N-1) κ2' + κ1')."""
    N = _positive_int(N, "samples N")
    C = _positive_int(C, "classes C")
    return _ntk(numpy.asarray(kappa1_ntk, dtype=float), numpy.asarray(kappa2_ntk, dtype=float),
                float(alpha), N, C)


def eta_critical(lambda_max, momentum=0.0):
    """Critical learning rate η_c = 2(1 + μ)/λ_max, |μ| < 1 (Universal statistics Lemma 6,
    Theorem 7)."""
    mu = numpy.asarray(momentum, dtype=float)
    if numpy.any(~numpy.isfinite(mu)) or numpy.any(numpy.abs(mu) >= 1):
        raise ValueError(f"momentum must satisfy -1 < mu < 1, got {momentum!r}")
    lam = numpy.asarray(lambda_max, dtype=float)
    if numpy.any(lam <= 0):
        raise ValueError("lambda_max must be positive")
    return _eta(lam, mu)["eta_critical"]


def network_statistics(sigma_w2, sigma_b2, depth, widths=None, width=1000, samples=100,
                       classes=1, momentum=0.0, qhat1_0=1.0, qhat2_0=0.0):
    """Order parameters and the linear-output statistics of one network over a (σ_w², σ_b²)
    grid, from one run of the recursions (the generated counterpart of
    meanfield_sym.meanfield.statistics.network_statistics).

    Parameters
    ----------
    sigma_w2, sigma_b2 : array_like or list of L array_likes
        Weight and bias variances (>= 0): broadcastable arrays (the same in every layer, e.g.
        a grid) or one value per layer l = 1..L.
    depth : int
        L >= 1 weight layers (L - 1 hidden layers).
    widths : sequence of L floats, optional
        [α_0, ..., α_{L-1}] with M_l = α_l M (Pathological spectra Eq. 2); default all ones.
    width, samples, classes : float, int, int
        M > 0, N >= 1 samples, C >= 1 linear outputs.
    momentum : float
        μ with |μ| < 1, for η_c.
    qhat1_0, qhat2_0 : array_like
        Input order parameters q̂_1^0 (default 1) and q̂_2^0 (default 0).

    Returns
    -------
    dict
        "alpha" (α = Σ α_l α_{l-1}), "alpha_tilde" (α̃ = Σ α_l), "widths",
        "order_parameters" (as :func:`order_parameters`), "kappa1", "kappa2", "kappa1_ntk",
        "kappa2_ntk" (:func:`kappas`), "fim" and "ntk" ({"mean", "second_moment", "lambda_max"};
        Universal statistics Theorems 1, 3, 4, Pathological spectra Theorem 3.1, Sec. 4.1),
        "eta_critical" (Universal statistics Theorem 7), "feature_metric"
        (:func:`feature_metric_statistics` with "blocks" = :func:`feature_metric_blocks`)
        and "fim_blocks" (:func:`fim_blocks`).  For depth 1 (no hidden layer, α = 0) the
        α-normalised entries are None and "notes" says why.  Not generated: the Fisher-Rao
        norm (quadrature of tangent moments) and the C = O(M) bounds, see
        meanfield_sym.meanfield.statistics.

    Examples
    --------
    The diagonal blocks carry the whole trace: Σ_l m^l D_l = tr F = m_λ α M²
    (D_l = α_l α_{l-1} M², α_L = C/M):

    >>> st = network_statistics(1.5, 0.2, 3, width=100, classes=2)
    >>> tr = sum(b["mean"] * d for b, d in zip(st["fim_blocks"], (100**2, 100**2, 2 * 100)))
    >>> bool(numpy.isclose(tr, st["fim"]["mean"] * st["alpha"] * 100**2, rtol=1e-13))
    True
    """
    mu = _momentum(momentum)
    depth, sw, sb, shape, al, M, N, C, lists = _network(
        sigma_w2, sigma_b2, depth, widths, width, samples, classes, qhat1_0, qhat2_0)
    a = float(numpy.sum(al[1:] * al[:-1]))
    names = ("q1", "q2", "qhat1", "qhat2", "qtilde1", "qtilde2")
    out = {"alpha": a, "alpha_tilde": float(numpy.sum(al)), "widths": al,
           "order_parameters": {
               n: [None if v is None else _finite_or_raise(n, _shaped(v, shape)) for v in vals]
               for n, vals in zip(names, lists)}}
    fm = _feature_from(lists, depth, sw, al, M, N, C, shape)
    fm["blocks"] = _feature_blocks_from(lists, depth, sw, al, M, N, C, shape)
    out["feature_metric"] = fm
    if a <= 0:
        out.update(kappa1=None, kappa2=None, kappa1_ntk=None, kappa2_ntk=None, fim=None,
                   ntk=None, eta_critical=None, fim_blocks=None)
        out["notes"] = ["depth 1: no hidden layer (alpha = 0); the papers' Fisher statistics "
                        "need depth >= 2"]
        return out
    out.update(_kappas_from(lists, depth, sw, sb, al, a, shape))
    out["fim"] = _fim(out["kappa1"], out["kappa2"], a, M, N, C)
    out["ntk"] = _ntk(out["kappa1_ntk"], out["kappa2_ntk"], a, N, C)
    out["eta_critical"] = eta_critical(out["fim"]["lambda_max"], mu)
    out["fim_blocks"] = _fim_blocks_from(lists, depth, al, M, N, C, shape)
    return out


# -------------------------------------------------------------------------------------------------
# Diagonal blocks and the feature metric (Pathological spectra Sec. 3.2, Sec. 5, App. A.2, D)
# -------------------------------------------------------------------------------------------------
def _momentum(momentum):
    mu = numpy.asarray(momentum, dtype=float)
    if numpy.any(~numpy.isfinite(mu)) or numpy.any(numpy.abs(mu) >= 1):
        raise ValueError(f"momentum must satisfy -1 < mu < 1, got {momentum!r}")
    return mu


def _network(sigma_w2, sigma_b2, depth, widths, width, samples, classes, qhat1_0, qhat2_0):
    """Validated sizes and the order parameters (lists indexed 0..L) of one network."""
    depth = _check_depth(depth)
    al = width_ratios(widths, depth)
    M = _positive_number(width, "width M")
    N = _positive_int(samples, "samples N")
    C = _positive_int(classes, "classes C")
    depth, sw, sb, h1, h2, shape = _inputs(sigma_w2, sigma_b2, depth, qhat1_0, qhat2_0)
    return depth, sw, sb, shape, al, M, N, C, _run(depth, sw, sb, h1, h2, shape)


def _checked(name, stats, shape):
    return {k: _finite_or_raise(f"{name} {k}", _shaped(v, shape)) for k, v in stats.items()}


def _kappas_from(lists, depth, sw, sb, al, a, shape):
    """κ1, κ2, κ1', κ2' from the order parameters of _run (the sums of kappas, same order)."""
    _, _, qh1, qh2, qt1, qt2 = lists
    k1 = k2 = n1 = n2 = 0.0
    with numpy.errstate(invalid="ignore"):
        for l in range(depth, 0, -1):
            p1 = qt1[l] * qh1[l - 1]
            p2 = qt2[l] * qh2[l - 1]
            if al[l - 1] == 1.0:
                k1, k2 = k1 + p1, k2 + p2
            else:
                k1, k2 = k1 + al[l - 1] * p1, k2 + al[l - 1] * p2
            n1 = n1 + sw[l - 1] * p1 + sb[l - 1] * qt1[l]
            n2 = n2 + sw[l - 1] * p2 + sb[l - 1] * qt2[l]
    pairs = (("kappa1", k1), ("kappa2", k2), ("kappa1_ntk", n1), ("kappa2_ntk", n2))
    return {name: _finite_or_raise(name, _shaped(value / a, shape)) for name, value in pairs}


def _fim_blocks_from(lists, depth, al, M, N, C, shape):
    _, _, qh1, qh2, qt1, qt2 = lists
    out = []
    with numpy.errstate(invalid="ignore"):
        for l in range(1, depth + 1):
            a_out = al[l] if l < depth else C / M
            out.append(_checked(f"fim_blocks[{l}]", _fim_block(
                qt1[l] * qh1[l - 1], qt2[l] * qh2[l - 1], al[l - 1], a_out, M, N, C), shape))
    return out


def _feature_from(lists, depth, sw, al, M, N, C, shape):
    qt1, qt2 = lists[4], lists[5]
    at = float(numpy.sum(al))
    with numpy.errstate(invalid="ignore"):
        k1 = _shaped(sum(sw[l - 1] * qt1[l] for l in range(1, depth + 1)) / at, shape)
        k2 = _shaped(sum(sw[l - 1] * qt2[l] for l in range(1, depth + 1)) / at, shape)
        out = _checked("feature_metric", _feature_metric(k1, k2, at, M, N, C), shape)
    out.update(kappa1_tilde=_finite_or_raise("kappa1_tilde", k1),
               kappa2_tilde=_finite_or_raise("kappa2_tilde", k2), alpha_tilde=at)
    return out


def _feature_blocks_from(lists, depth, sw, al, M, N, C, shape):
    qt1, qt2 = lists[4], lists[5]
    with numpy.errstate(invalid="ignore"):
        return [_checked(f"feature_metric blocks[{l}]", _feature_block(
            qt1[l + 1], qt2[l + 1], sw[l], al[l], M, N, C), shape) for l in range(depth)]


def fim_blocks(sigma_w2, sigma_b2, depth, widths=None, width=1000, samples=100, classes=1,
               qhat1_0=1.0, qhat2_0=0.0):
    """Diagonal blocks F^{ll} (l = 1..L) of the Fisher information for regression
    (Pathological spectra Sec. 3.2 and App. A.2).

    With k_i^l = q̃_i^l q̂_i^{l-1} the dual of F^{ll} is C·(α_{l-1}M/N)·K on
    D_l = α_l α_{l-1} M² parameters, α_L := C/M for the output layer:

    m^l = C k_1^l/(α_l M),
    s^l = (α_{l-1}/α_l)((N-1)/N (k_2^l)² + (k_1^l)²/N) C,
    λ^l_max = α_{l-1}((N-1)/N k_2^l + k_1^l/N) M.

    Parameters
    ----------
    sigma_w2, sigma_b2 : array_like or list of L array_likes
        Weight and bias variances (>= 0), broadcastable, or one value per layer.
    depth : int
        L >= 1.
    widths : sequence of L floats, optional
        [α_0, ..., α_{L-1}]; default all ones.
    width, samples, classes : float, int, int
        M > 0, N >= 1, C >= 1.
    qhat1_0, qhat2_0 : array_like
        Input order parameters (default 1 and 0).

    Returns
    -------
    list of dict
        One {"mean", "second_moment", "lambda_max"} per layer l = 1..L, arrays of the
        broadcast shape of the inputs.
    """
    depth, sw, sb, shape, al, M, N, C, lists = _network(
        sigma_w2, sigma_b2, depth, widths, width, samples, classes, qhat1_0, qhat2_0)
    return _fim_blocks_from(lists, depth, al, M, N, C, shape)


def feature_metric_statistics(sigma_w2, sigma_b2, depth, widths=None, width=1000, samples=100,
                              classes=1, qhat1_0=1.0, qhat2_0=0.0):
    """Metric of the input and feature spaces A = Σ_k E[∇_h f_k ∇_h f_kᵀ],
    h = (h^0, ..., h^{L-1}), M_h = α̃M (Pathological spectra Sec. 5, Theorem 5.1,
    App. D.1, Eq. D.6), derived form of meanfield_sym.meanfield.statistics:

    m_λ = κ̃1 C/M, s_λ = α̃((N-1)/N κ̃2² + κ̃1²/N) C/M,
    λ_max = α̃((N-1)/N κ̃2 + κ̃1/N),
    κ̃_i = (1/α̃) Σ_{l=1}^{L} σ_{w,l}² q̃_i^l, α̃ = Σ_{l=0}^{L-1} α_l.

    (The printed s_λ lacks the factor 1/M and Theorem 5.1 prints κ̃2 unsquared; see
    derivations/stats_pathological.py.)

    Parameters
    ----------
    sigma_w2, sigma_b2 : array_like or list of L array_likes
        Weight and bias variances (>= 0), broadcastable, or one value per layer.
    depth : int
        L >= 1.
    widths : sequence of L floats, optional
        [α_0, ..., α_{L-1}]; default all ones.
    width, samples, classes : float, int, int
        M > 0, N >= 1, C >= 1.
    qhat1_0, qhat2_0 : array_like
        Input order parameters (default 1 and 0).

    Returns
    -------
    dict
        "mean", "second_moment", "lambda_max", "kappa1_tilde", "kappa2_tilde" (arrays) and
        "alpha_tilde" (float).
    """
    depth, sw, sb, shape, al, M, N, C, lists = _network(
        sigma_w2, sigma_b2, depth, widths, width, samples, classes, qhat1_0, qhat2_0)
    return _feature_from(lists, depth, sw, al, M, N, C, shape)


def feature_metric_blocks(sigma_w2, sigma_b2, depth, widths=None, width=1000, samples=100,
                          classes=1, qhat1_0=1.0, qhat2_0=0.0):
    """Diagonal blocks A^{ll} (l = 0..L-1) of the feature metric (Pathological spectra
    App. D.2, Eq. D.8): dual C·(σ_{w,l+1}²/N)·K built from q̃_1^{l+1}, q̃_2^{l+1} on
    M_l = α_l M features:

    m = C σ_{w,l+1}² q̃_1^{l+1}/M_l,
    s = C σ_{w,l+1}⁴((N-1)/N (q̃_2^{l+1})² + (q̃_1^{l+1})²/N)/M_l,
    λ_max = σ_{w,l+1}²((N-1)/N q̃_2^{l+1} + q̃_1^{l+1}/N).

    (Printed with hats on q̃ and without the 1/M_l in s.)

    Parameters
    ----------
    sigma_w2, sigma_b2 : array_like or list of L array_likes
        Weight and bias variances (>= 0), broadcastable, or one value per layer.
    depth : int
        L >= 1.
    widths : sequence of L floats, optional
        [α_0, ..., α_{L-1}]; default all ones.
    width, samples, classes : float, int, int
        M > 0, N >= 1, C >= 1.
    qhat1_0, qhat2_0 : array_like
        Input order parameters (default 1 and 0).

    Returns
    -------
    list of dict
        One {"mean", "second_moment", "lambda_max"} per layer l = 0..L-1.
    """
    depth, sw, sb, shape, al, M, N, C, lists = _network(
        sigma_w2, sigma_b2, depth, widths, width, samples, classes, qhat1_0, qhat2_0)
    return _feature_blocks_from(lists, depth, sw, al, M, N, C, shape)


# -------------------------------------------------------------------------------------------------
# Fixed point of the variance map and χ1 (order-to-chaos; meanfield_sym.meanfield.recursions)
# -------------------------------------------------------------------------------------------------
def fixed_point(sigma_w2, sigma_b2, q_init=None, tol=1e-13, maxiter=5000):
    """Fixed point q* of q ↦ σ_w² E[φ(√q u)²] + σ_b² (Pathological spectra Eq. 15 at
    depth → ∞) and χ1 = σ_w² E[φ'(√q* u)²] (Poole et al. 2016, Schoenholz et al. 2017,
    cited as [18, 19] in Pathological spectra: χ1 = 1 is the order-to-chaos boundary).

    Plain fixed-point iteration from q_init (default σ_w² + σ_b², the first-layer variance
    of unit-variance inputs), vectorised over the grid, stopped pointwise where successive
    iterates agree to tol (relative) or q grows past 1e100 (diverged: q* = χ1 = inf); the
    rules of meanfield_sym.meanfield.recursions.fixed_point.

    Parameters
    ----------
    sigma_w2, sigma_b2 : array_like
        Broadcastable variances >= 0.
    q_init : array_like, optional
        Starting variances > 0.
    tol : float
        Relative tolerance > 0.
    maxiter : int
        Maximum number of iterations >= 1.

    Returns
    -------
    dict
        "q_star", "chi1" (float arrays), "converged", "diverged" (bool arrays) and
        "iterations" (int).

    Examples
    --------
    >>> fp = fixed_point(0.5, 0.5)
    >>> bool(fp["diverged"] or numpy.isclose(fp["q_star"], 0.5 * one_point(fp["q_star"]) + 0.5))
    True
    """
    sw = _as_float_array(sigma_w2, "sigma_w2")
    sb = _as_float_array(sigma_b2, "sigma_b2")
    try:
        tol = float(tol)
    except (TypeError, ValueError):
        raise ValueError(f"tol must be a positive number, got {tol!r}") from None
    if not numpy.isfinite(tol) or tol <= 0:
        raise ValueError(f"tol must be a positive finite number, got {tol!r}")
    maxiter = _positive_int(maxiter, "maxiter")
    shape = numpy.broadcast_shapes(sw.shape, sb.shape)
    sw = numpy.broadcast_to(sw, shape).astype(float)
    sb = numpy.broadcast_to(sb, shape).astype(float)
    q = numpy.array((sw + sb) if q_init is None else numpy.broadcast_to(
        _as_float_array(q_init, "q_init"), shape), dtype=float)
    if numpy.any(q <= 0):
        raise ValueError("the starting variance q_init (default sigma_w2 + sigma_b2) must be "
                         f"> 0, got min {q.min()!r}")
    done = numpy.zeros(shape, dtype=bool)
    diverged = numpy.zeros(shape, dtype=bool)
    it = 0
    with numpy.errstate(divide="ignore", over="ignore", invalid="ignore"):
        for it in range(1, maxiter + 1):
            active = ~(done | diverged)
            if not numpy.any(active):
                break
            qa = q[active]
            new = _shaped(_variance_map(qa, sw[active], sb[active]), qa.shape)
            _finite_or_raise("fixed_point: the variance map", new)
            conv = numpy.abs(new - qa) <= tol * numpy.maximum(numpy.abs(new), 1e-300)
            div = ~numpy.isfinite(new) | (new > 1e100)
            q[active] = numpy.where(div, numpy.inf, new)
            idx = numpy.flatnonzero(active)
            numpy.put(done, idx[conv & ~div], True)
            numpy.put(diverged, idx[div], True)
        chi = numpy.full(shape, numpy.inf)
        fin = ~diverged
        if numpy.any(fin):
            chi[fin] = _shaped(_chi1(q[fin], sw[fin]), q[fin].shape)
    return {"q_star": q, "chi1": _finite_or_raise("chi1", chi), "converged": done,
            "diverged": diverged, "iterations": it}


def chi1(sigma_w2, q):
    """χ1 = σ_w² E[φ'(√q u)²] at a variance q > 0, usually the fixed point q*
    (Poole et al. 2016, Schoenholz et al. 2017; Universal statistics Eq. (11) for E[φ'²]).

    Parameters
    ----------
    sigma_w2 : array_like
        Weight variances >= 0.
    q : array_like
        Variances > 0 (broadcast against sigma_w2).

    Returns
    -------
    ndarray
        χ1 of the broadcast shape.
    """
    sw = _as_float_array(sigma_w2, "sigma_w2")
    q = _validate_q(q)
    shape = numpy.broadcast_shapes(sw.shape, q.shape)
    with numpy.errstate(divide="ignore"):
        return _finite_or_raise("chi1", _shaped(_chi1(q, sw), shape))


# -------------------------------------------------------------------------------------------------
# Softmax cross-entropy Fisher: β1-β4 (Pathological spectra Theorem 3.3)
# -------------------------------------------------------------------------------------------------
def validate_probabilities(probs):
    """An N x C float array of softmax outputs: finite, >= 0, rows summing to 1 (±1e-9)."""
    try:
        g = numpy.asarray(probs, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("probabilities must be numbers") from None
    if g.ndim == 1:
        g = g[None, :]
    if g.ndim != 2:
        raise ValueError(f"probabilities must be an N x C array, got shape {g.shape}")
    if g.shape[0] < 1 or g.shape[1] < 1:
        raise ValueError(f"probabilities need N >= 1 rows and C >= 1 columns, got {g.shape}")
    if not numpy.all(numpy.isfinite(g)):
        raise ValueError("probabilities must be finite")
    if numpy.any(g < 0):
        raise ValueError(f"probabilities must be non-negative (found {g.min()!r})")
    dev = numpy.abs(g.sum(axis=1) - 1)
    if numpy.any(dev > PROB_SUM_TOL):
        n = int(numpy.argmax(dev))
        raise ValueError(f"each row of probabilities must sum to 1 within {PROB_SUM_TOL:g} "
                         f"(row {n} sums to {g[n].sum()!r})")
    return g


def softmax_betas(probs):
    """β1-β4 of Theorem 3.3 (Pathological spectra) from the N x C softmax outputs g_k(n):
    β1 = 1 - (1/N) Σ_n Σ_k g_k(n)²,
    β2 = (1/N²) Σ_{n≠m} [S_nm - 2 Σ_k g_k(m)² g_k(n) + S_nm²], S_nm = Σ_k g_k(m) g_k(n),
    β3 = (1/N) Σ_n [Σ_k (1 - 2 g_k(n)) g_k(n)² + (Σ_k g_k(n)²)²],
    β4 = max_k (1/N) Σ_n g_k(n)(1 - g_k(n));  O(N C²), no N x N matrix."""
    g = validate_probabilities(probs)
    N = g.shape[0]
    sq = numpy.sum(g ** 2, axis=1)
    colsum = g.sum(axis=0)
    colsq = (g ** 2).sum(axis=0)
    gram = g.T @ g
    diag = numpy.sum(sq - 2 * numpy.sum(g ** 3, axis=1) + sq ** 2)
    beta2 = (colsum @ colsum - 2 * (colsum @ colsq) + numpy.sum(gram ** 2) - diag) / N ** 2
    return {"beta1": float(1 - numpy.mean(sq)), "beta2": float(beta2),
            "beta3": float(numpy.mean(numpy.sum((1 - 2 * g) * g ** 2, axis=1) + sq ** 2)),
            "beta4": float(numpy.max(numpy.mean(g * (1 - g), axis=0))), "N": N, "C": g.shape[1]}


def softmax_fim_statistics(betas, kappa1, kappa2, alpha, M):
    """Cross-entropy Fisher F_cross (softmax outputs; Pathological spectra Theorem 3.3,
    App. B.1), derived form of meanfield_sym.meanfield.statistics.softmax_fim_statistics:

    m_λ = β1 κ1/M (the printed β1 C κ1/M does not follow from Eq. B.4; see
    derivations/stats_pathological.py), s_λ = α(β2 κ2² + β3 κ1²/N),
    β4 λ^lin_max <= λ_max <= √(α s_λ) M,
    λ^lin_max = α((N-1)/N κ2 + κ1/N) M (Theorem 3.1).

    Parameters
    ----------
    betas : dict or array_like
        The output of :func:`softmax_betas` (keys "beta1".."beta4", "N", "C"), or the N x C
        softmax outputs themselves.
    kappa1, kappa2 : array_like
        κ1, κ2 (:func:`kappas`).
    alpha : float
        α = Σ α_l α_{l-1} > 0.
    M : float
        Width M > 0.

    Returns
    -------
    dict
        "mean", "second_moment", "lambda_max_lower", "lambda_max_upper",
        "lambda_max_upper_28" (the upper bound capped by λ^lin_max, which comparison (28)
        guarantees), "linear" (:func:`fim_statistics` with the same N, C) and
        "comparison_28" ({"mean", "second_moment", "lambda_max_lower"}: whether each is <= its
        linear-output counterpart, up to 1e-12 relative).
    """
    if not isinstance(betas, dict):
        betas = softmax_betas(betas)
    missing = [k for k in ("beta1", "beta2", "beta3", "beta4", "N", "C") if k not in betas]
    if missing:
        raise ValueError(f"betas must be the output of softmax_betas (missing {missing})")
    M = _positive_number(M, "width M")
    N = _positive_int(betas["N"], "samples N")
    C = _positive_int(betas["C"], "classes C")
    a = float(alpha)
    if not numpy.isfinite(a) or a <= 0:
        raise ValueError(f"alpha must be positive (depth >= 2), got {alpha!r}")
    k1 = numpy.asarray(kappa1, dtype=float)
    k2 = numpy.asarray(kappa2, dtype=float)
    shape = numpy.broadcast_shapes(k1.shape, k2.shape)
    b = [float(betas[f"beta{i}"]) for i in range(1, 5)]
    out = _checked("softmax_fim_statistics", _softmax_fim(*b, k1, k2, a, M, N), shape)
    lin = _fim(k1, k2, a, M, N, C)
    out["lambda_max_upper_28"] = numpy.minimum(out["lambda_max_upper"], lin["lambda_max"])
    del out["lambda_max_linear"]
    out["linear"] = lin
    out["comparison_28"] = {
        "mean": bool(numpy.all(out["mean"] <= lin["mean"] * (1 + 1e-12))),
        "second_moment": bool(numpy.all(out["second_moment"]
                                        <= lin["second_moment"] * (1 + 1e-12))),
        "lambda_max_lower": bool(numpy.all(out["lambda_max_lower"]
                                           <= lin["lambda_max"] * (1 + 1e-12))),
    }
    return out


# -------------------------------------------------------------------------------------------------
# Unit-wise natural gradient (Karakida & Osawa, Theorem 5.1; definition of issue 3)
# -------------------------------------------------------------------------------------------------
def gamma(q):
    """γ = P[φ'(u) ≠ 0] for u ~ N(0, q), q >= 0 (q = 0: the limit q -> 0+)."""
    q = _as_float_array(q, "q")
    pos = q > 0
    with numpy.errstate(divide="ignore", invalid="ignore"):
        value = _shaped(_gamma(numpy.where(pos, q, 1.0)), q.shape)
    return numpy.where(pos, value, _GAMMA_AT_ZERO)


def ngd_unit_wise(sigma_w2, sigma_b2, depth, widths=None, qhat1_0=1.0):
    """Unit-wise NGD constant: γ_l = P[φ'(u^l) ≠ 0], u^l ~ N(0, q_1^l) (l = 1..L-1), the
    width-weighted average γ = Σ γ_l α_l / Σ α_l and optimal_lr_times_M = 1/(Σ γ_l α_l)
    (equal widths: f_t - y = (1 - γ(L-1)Mη)^t (f_0 - y)).  Only q_1 is needed."""
    depth = _check_depth(depth)
    al = width_ratios(widths, depth)
    if depth == 1:
        return {"gamma_per_layer": [], "gamma": None, "optimal_lr_times_M": None,
                "reason": "depth 1 has no hidden units"}
    sw = _layer_values(sigma_w2, depth, "sigma_w2")
    sb = _layer_values(sigma_b2, depth, "sigma_b2")
    h1 = _as_float_array(qhat1_0, "qhat1_0")
    shape = numpy.broadcast_shapes(h1.shape, *(v.shape for v in sw + sb))
    qh, gammas = numpy.broadcast_to(h1, shape), []
    for l in range(1, depth):
        q = sw[l - 1] * qh + sb[l - 1]
        _require_positive(numpy.asarray(q), l)
        gammas.append(gamma(q))
        if l < depth - 1:
            with numpy.errstate(divide="ignore"):
                qh = _one_point(q)
    weighted = sum(g * a for g, a in zip(gammas, al[1:]))
    with numpy.errstate(divide="ignore"):
        lr = numpy.where(weighted > 0, 1.0 / numpy.where(weighted > 0, weighted, 1.0), numpy.inf)
    return {"gamma_per_layer": gammas, "gamma": weighted / numpy.sum(al[1:]),
            "optimal_lr_times_M": lr}
'''
