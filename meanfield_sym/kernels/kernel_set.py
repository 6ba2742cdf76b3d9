"""The kernel set of an activation: its four derived closed forms and their float64 evaluation.

:func:`kernels_for` derives (once per process) the four Gaussian kernels with the rules of
:mod:`meanfield_sym.kernels.engine`, makes them readable (:func:`~meanfield_sym.kernels.forms.
readable`) and returns a :class:`KernelSet`.  Its float64 methods execute the printed code of
:mod:`meanfield_sym.kernels.printing` — the very text a generated module ships — and take the
kernels without a closed form from validated Chebyshev tables of quadrature values
(:mod:`meanfield_sym.kernels.tables`).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp

from meanfield_sym.activation.function import Activation, ActivationError, get_activation, \
    normalize_distributions
from meanfield_sym.activation.growth import domain_bounds, growth
from meanfield_sym.activation.support import gamma_expression
from meanfield_sym.kernels import cache
from meanfield_sym.kernels.budget import within_budget
from meanfield_sym.kernels.engine import NoClosedForm, gaussian_mean, is_elementary, \
    split_terms, two_point_expectation
from meanfield_sym.kernels.forms import readable
from meanfield_sym.kernels.printing import compile_source, kernel_source
from meanfield_sym.kernels.checked import Kernels
from meanfield_sym.kernels.symbols import A, B, KERNEL_NAMES, Q

__all__ = ["KernelSet", "kernels_for", "derive", "DEFAULT_BUDGET", "MAX_OPS"]


@dataclass
class KernelSet:
    """The four Gaussian kernels of one activation: closed forms (or None) and evaluators.

    Attributes
    ----------
    activation : Activation
    closed_form : dict
        ``{'one_point': expr in q | None, 'one_point_prime': …, 'two_point': expr in a, b | None,
        'two_point_prime': …}``.
    methods : dict
        How each closed form was obtained (or why there is none).
    steps : list of (str, sympy.Expr)
        Main steps of the derivation, for reports and documentation.
    """

    activation: Activation
    closed_form: dict
    methods: dict
    steps: list = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._kernels = None

    @property
    def has_closed_form(self) -> dict:
        return {k: v is not None for k, v in self.closed_form.items()}

    @property
    def domain(self) -> dict:
        """``{kernel: (text, bound)}`` for the kernels that exist only on part of their
        arguments: one-point ``q < bound``, two-point ``a + |b| < bound``
        (:func:`meanfield_sym.activation.growth.domain_bounds`)."""
        out = {}
        for part, expr in (("", self.activation.expr), ("_prime", self.activation.prime_regular)):
            bounds = domain_bounds(growth(expr))
            for kind in ("one_point", "two_point"):
                b = bounds[kind]
                if b != sp.oo:
                    out[kind + part] = (sp.sstr(b), float(b))
        if self.activation.prime_atoms:        # E[δ²] = ∞ is a value, not a divergence here
            out.pop("one_point_prime", None)
        return out

    def gamma_expression(self):
        """γ(q) = P[φ'(u) ≠ 0] and its q → 0⁺ limit (or None if the support is not found)."""
        try:
            return gamma_expression(self.activation)
        except (TypeError, ValueError, ArithmeticError):
            return None

    def source(self):
        """The printed code of these kernels (:func:`~meanfield_sym.kernels.printing.
        kernel_source`)."""
        return kernel_source(self.closed_form, self.gamma_expression())

    @property
    def numeric(self) -> Kernels:
        """The validated float64 provider (printed code, tables where no closed form)."""
        with self._lock:
            if self._kernels is None:
                raw = compile_source(self.source().text, self.activation.name or "kernels")

                def tables():
                    from meanfield_sym.kernels import tables as _tables
                    return _tables.kernels(self.activation)
                self._kernels = Kernels(raw, self.activation.name or str(self.activation.expr),
                                        tables, activation=lambda: self.activation,
                                        domain=self.domain)
            return self._kernels

    def one_point(self, q):
        r"""E[φ(√q u)²], vectorised (Universal statistics Eq. (9); supplement (B.3), (B.9))."""
        return self.numeric.one_point(q)

    def one_point_prime(self, q):
        r"""E[φ'(√q u)²], vectorised (Universal statistics Eq. (11); supplement (B.4), (B.10))."""
        return self.numeric.one_point_prime(q)

    def two_point(self, a, b):
        r"""I_φ[a, b] = E[φ(u1)φ(u2)], vectorised (Eq. (10); supplement (B.7), (B.11))."""
        return self.numeric.two_point(a, b)

    def two_point_prime(self, a, b):
        r"""I_φ'[a, b] = E[φ'(u1)φ'(u2)], vectorised (Eq. (12); supplement (B.8), (B.12))."""
        return self.numeric.two_point_prime(a, b)

    @property
    def layer(self):
        """The fused ``layer(a, b)`` (all four kernels), or None without every closed form."""
        return self.numeric.layer

    def variance_map(self, q, sigma_w2, sigma_b2):
        """q ↦ σ_w² E[φ(√q u)²] + σ_b²."""
        return self.numeric.variance_map(q, sigma_w2, sigma_b2)

    def chi1(self, q, sigma_w2):
        """χ₁ = σ_w² E[φ'(√q u)²]."""
        return self.numeric.chi1(q, sigma_w2)

    def gamma(self, q):
        """γ = P[φ'(u) ≠ 0] for u ~ N(0, q) (printed from :meth:`gamma_expression`)."""
        return self.numeric.gamma(q)

    def tangent_moments(self, q):
        """E[u φ φ'] and E[u² φ'²] for u ~ N(0, q) (see :meth:`Kernels.tangent_moments
        <meanfield_sym.kernels.checked.Kernels.tangent_moments>`)."""
        return self.numeric.tangent_moments(q)

    def mpmath_function(self, name):
        """The closed form as an mpmath callable (for ≥ 20-digit checks), or None."""
        expr = self.closed_form[name]
        if expr is None:
            return None
        args = (Q,) if name.startswith("one_point") else (A, B)
        return sp.lambdify(args, expr, modules="mpmath")


def _derive(label, fn, steps, methods, name):
    try:
        expr = fn()
    except (NoClosedForm, ActivationError) as exc:
        methods[name] = f"no closed form: quadrature ({exc})"
        return None
    if expr.has(sp.nan, sp.zoo) or expr.has(sp.Integral):
        methods[name] = "no closed form: quadrature (derivation produced an undefined term)"
        return None
    expr = readable(expr)
    steps.append((label, expr))
    return expr


#: Variances at which the diagonal I_f[q, q] of a two-point form must be finite to be used.
_DIAGONAL_PROBES = (sp.Rational(1, 7), sp.Rational(3, 2), sp.Integer(40))


@lru_cache(maxsize=None)
def _derive_cached(act: Activation) -> KernelSet:
    phi, dphi = act.expr, act.prime
    steps, methods, forms = [], {}, {}
    steps.append(("activation φ(x) (canonical form)", phi))
    steps.append(("derivative φ'(x) (distributional, sifted)", dphi))
    smooth_word = "Gaussian integrals" if all(is_elementary(t) for t in split_terms(phi)) \
        else "Price's theorem / heat equation"

    forms["two_point"] = _derive("I_φ[a, b] = E[φ(u1)φ(u2)]",
                                 lambda: two_point_expectation(phi, phi), steps, methods,
                                 "two_point")
    forms["two_point_prime"] = _derive("I_φ'[a, b] = E[φ'(u1)φ'(u2)]",
                                       lambda: two_point_expectation(dphi, dphi), steps, methods,
                                       "two_point_prime")

    def one_from(f, two_name):
        def run():
            if act.prime_atoms and f is dphi:
                return sp.oo
            # the two-point form, where derived and continuous at b = a (c = 1), gives
            # E[f(u)²] = I_f[q, q] at once; the direct Gaussian mean (heat equation) otherwise
            if forms[two_name] is not None:
                diagonal = forms[two_name].subs(B, A).xreplace({A: Q})
                if not diagonal.has(sp.nan, sp.zoo, sp.oo) and all(
                        sp.N(diagonal.subs(Q, v)).is_finite for v in _DIAGONAL_PROBES):
                    return diagonal
            return gaussian_mean(sp.expand(normalize_distributions(f ** 2)), var=Q)
        return run

    forms["one_point"] = _derive("E[φ(√q u)²]", one_from(phi, "two_point"), steps, methods,
                                 "one_point")
    forms["one_point_prime"] = _derive("E[φ'(√q u)²]", one_from(dphi, "two_point_prime"), steps,
                                       methods, "one_point_prime")
    for k in KERNEL_NAMES:
        methods.setdefault(k, smooth_word if forms[k] is not None else "no closed form: quadrature")
    if act.prime_atoms:
        methods["one_point_prime"] = "φ' has a Dirac atom: E[δ(x)²] = ∞"
    return KernelSet(act, {k: forms[k] for k in KERNEL_NAMES}, methods, steps)


#: Seconds a derivation may take before the kernel set is "no closed form within budget"
#: (settable per call and by ``MEANFIELD_SYM_BUDGET``); the command line uses a shorter one.
DEFAULT_BUDGET = 120.0
#: Largest activation (SymPy operation count) the engine tries to derive.
MAX_OPS = 400


def _budget(value) -> float:
    if value is None:
        value = os.environ.get("MEANFIELD_SYM_BUDGET", DEFAULT_BUDGET)
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"the derivation budget must be a number of seconds, got {value!r}") \
            from None
    if not value > 0:
        raise ValueError(f"the derivation budget must be positive, got {value!r}")
    return value


def _without_closed_forms(act: Activation, reason: str) -> KernelSet:
    methods = {k: f"no closed form: quadrature ({reason})" for k in KERNEL_NAMES}
    steps = [("activation φ(x) (canonical form)", act.expr),
             ("derivative φ'(x) (distributional, sifted)", act.prime)]
    return KernelSet(act, {k: None for k in KERNEL_NAMES}, methods, steps)


def _derive_parts(act: Activation):
    ks = _derive_cached(act)
    return ks.closed_form, ks.methods, ks.steps


def _derive_within(act: Activation, budget: float) -> KernelSet:
    """The derivation under ``budget`` seconds (:func:`meanfield_sym.kernels.budget.
    within_budget`); past it, no closed forms."""
    done, parts = within_budget(_derive_parts, (act,), budget,
                                f"deriving the Gaussian kernels of {act.name or act.expr}")
    if not done:
        return _without_closed_forms(act, f"not derived within the budget of {budget:g} s")
    return KernelSet(act, *parts)


@lru_cache(maxsize=None)
def _kernel_set(act: Activation, budget: float) -> KernelSet:
    ops = int(sp.count_ops(act.expr))
    if ops > MAX_OPS:
        return _without_closed_forms(act, f"the expression has {ops} operations, more than the "
                                          f"{MAX_OPS} the engine derives")
    key = cache.entry_key("kernels", (sp.srepr(act.expr), sorted(
        (k, sp.srepr(v)) for k, v in act.params.items())))
    hit = cache.load(key)
    if hit is not None:
        return KernelSet(act, *hit)
    ks = _derive_within(act, budget)
    if not any("budget" in m for m in ks.methods.values()):
        cache.store(key, (ks.closed_form, ks.methods, ks.steps))
    return ks


def kernels_for(activation, budget=None, **params) -> KernelSet:
    """Derive (once per process, and once per machine through the on-disk cache of
    :mod:`meanfield_sym.kernels.cache`) the four Gaussian kernels of an activation.

    Parameters
    ----------
    activation : str, sympy.Expr or Activation
        Anything :func:`~meanfield_sym.activation.function.get_activation` accepts.
    budget : float, optional
        Seconds the derivation may take (default ``MEANFIELD_SYM_BUDGET`` or
        :data:`DEFAULT_BUDGET`; ``float('inf')``: no limit, in-process).  Past it the kernels
        are "no closed form within budget" and evaluated by quadrature.
    **params
        Built-in parameters (e.g. ``slope=0.1``).

    Examples
    --------
    >>> ks = kernels_for("erf")
    >>> ks.closed_form["two_point"]
    2*asin(2*b/(2*a + 1))/pi
    >>> float(ks.two_point(1.0, 0.5))  # doctest: +ELLIPSIS
    0.2163...
    """
    return _kernel_set(get_activation(activation, **params), _budget(budget))


def derive(activation, **params) -> KernelSet:
    """The engine's derivation itself, in-process, without budget or cache (what generated
    modules are printed from and what ``codegen --check`` compares against)."""
    return _derive_cached(get_activation(activation, **params))
