"""Activations as SymPy expressions of one real variable, with distributional derivatives.

An :class:`Activation` holds

* ``expr`` -- the function φ(x) in a *canonical* form where every kink is written with
  ``Heaviside(x - k)`` (``max``, ``abs``, ``sign``, ``min`` are rewritten), so that
* ``prime`` -- φ'(x) -- is derived by SymPy as a distribution: Heaviside jumps become
  ``DiracDelta(x - k)`` atoms, with the sifting property applied (``x δ(x) = 0``);
* ``kinks`` -- the points where φ or φ' is not smooth (used to split quadratures);
* ``prime_regular`` and ``prime_atoms`` -- φ' split into its ordinary part and its point
  masses ``[(k, weight), ...]`` (a step function's derivative is a single atom at 0).

Built-ins are looked up by name with keyword parameters (:func:`get_activation`); user
activations come from a SymPy expression or a string parsed by the whitelist parser
(:mod:`meanfield_sym.activation.parser`).

Sources: the activation families used in Karakida, Akaho & Amari, *Universal statistics of
Fisher information in deep neural networks* (supplement App. B: erf, ReLU, linear) and
*Pathological spectra of the Fisher information metric* (shifted ReLU, tanh).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Mapping

import numpy as np
import sympy as sp

from meanfield_sym.activation.numpy_names import lambdify_modules
from meanfield_sym.activation.parser import X, ExpressionError, parse_expression

__all__ = ["Activation", "ActivationError", "get_activation", "BUILTINS", "builtin_names",
           "normalize_distributions", "parity", "X"]


class ActivationError(ValueError):
    """Bad activation input: unknown name, wrong parameter, or not a function of x alone."""


# ---------------------------------------------------------------------------------------------
# Canonical distributional form
# ---------------------------------------------------------------------------------------------
def _linear_coeffs(arg: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Return (k, m) with arg == k*x + m, or raise if arg is not linear in x."""
    try:
        poly = sp.Poly(sp.expand(arg), X) if arg.has(X) else None
    except sp.PolynomialError:
        poly = None
    if poly is None or poly.degree() != 1:
        raise ActivationError(f"kink argument {arg} is not linear in x; only kinks at isolated "
                              "points k (Heaviside(x - k), max, abs, sign) are supported")
    k, m = poly.all_coeffs()
    if k.free_symbols or m.free_symbols:
        raise ActivationError(f"kink location in {arg} must be a number")
    return k, m


def _normalize_atom_args(expr: sp.Expr) -> sp.Expr:
    """Rewrite Heaviside(k x + m) -> Heaviside(x - c) (or 1 - Heaviside(x - c) for k < 0) and
    DiracDelta(k x + m) -> DiracDelta(x - c)/|k|, with c = -m/k."""
    repl = {}
    for h in expr.atoms(sp.Heaviside):
        arg = h.args[0]
        if not arg.has(X):
            continue
        k, m = _linear_coeffs(arg)
        c = -m / k
        repl[h] = sp.Heaviside(X - c) if k > 0 else 1 - sp.Heaviside(X - c)
    for d in expr.atoms(sp.DiracDelta):
        arg = d.args[0]
        if not arg.has(X):
            continue
        order = d.args[1] if len(d.args) > 1 else 0
        if order != 0:
            raise ActivationError("derivatives of Dirac deltas are not supported")
        k, m = _linear_coeffs(arg)
        repl[d] = sp.DiracDelta(X + m / k) / abs(k)
    return expr.xreplace(repl) if repl else expr


def _reduce_products(term: sp.Expr) -> sp.Expr:
    """In a product, apply H(x-c1) H(x-c2) = H(x - max), H^n = H, and the sifting rule
    g(x) δ(x - c) = g(c) δ(x - c) (with Heaviside(0) = 1/2, SymPy's convention)."""
    factors = sp.Mul.make_args(term)
    heavis, deltas, rest = [], [], []
    for f in factors:
        base, exp = f.as_base_exp()
        if isinstance(base, sp.Heaviside) and base.has(X):
            if not (exp.is_Integer and exp > 0):
                raise ActivationError(f"unsupported power of a step: {f}")
            heavis.append(base)
        elif isinstance(base, sp.DiracDelta) and base.has(X):
            if exp != 1:
                deltas.extend([base] * int(exp)) if exp.is_Integer and exp > 0 else None
                if not (exp.is_Integer and exp > 0):
                    raise ActivationError(f"unsupported power of a Dirac delta: {f}")
            else:
                deltas.append(base)
        else:
            rest.append(f)
    if not deltas:
        if heavis:
            cs = [X - h.args[0] for h in heavis]  # kink locations
            c = max(cs, key=lambda v: float(v))
            rest.append(sp.Heaviside(X - c))
        return sp.Mul(*rest)
    if len(deltas) > 1:
        cs = {X - d.args[0] for d in deltas}
        if len(cs) > 1:
            return sp.S.Zero
        # δ(x - c)^n with n > 1 is not a distribution: keep as-is (the kernels read it as ∞)
        return sp.Mul(*rest, *[sp.Heaviside(X - (X - h.args[0])) for h in heavis], *deltas)
    delta = deltas[0]
    c = X - delta.args[0]
    coeff = sp.Mul(*rest, *heavis).subs(X, c)
    coeff = sp.nsimplify(coeff) if coeff.is_Float else coeff
    return sp.simplify(coeff) * delta


def normalize_distributions(expr: sp.Expr) -> sp.Expr:
    """Canonical form of an expression that may contain Heaviside and DiracDelta in ``x``.

    Returns an expanded sum of terms, each with at most one ``Heaviside(x - c)`` (or one
    ``DiracDelta(x - c)``, sifted).  Max/Min/Abs/sign are rewritten with Heaviside first.
    """
    expr = sp.sympify(expr)
    expr = expr.rewrite(sp.Heaviside) if expr.has(sp.Max, sp.Min, sp.Abs, sp.sign) else expr
    if expr.has(sp.Max, sp.Min, sp.Abs, sp.sign):
        raise ActivationError(f"could not rewrite {expr} with Heaviside steps")
    expr = _normalize_atom_args(expr)
    if not expr.has(sp.Heaviside, sp.DiracDelta):
        return expr
    expr = sp.expand(expr)
    return sp.Add(*[_reduce_products(t) for t in sp.Add.make_args(expr)])


def split_atoms(expr: sp.Expr) -> tuple[sp.Expr, list[tuple[sp.Expr, sp.Expr]]]:
    """Split a normalised expression into (regular part, [(c, weight), ...]) where the
    singular part is Σ weight · DiracDelta(x - c)."""
    regular, atoms = [], {}
    for t in sp.Add.make_args(sp.expand(expr)):
        ds = [f for f in sp.Mul.make_args(t) if isinstance(f, sp.DiracDelta)]
        if not ds:
            regular.append(t)
            continue
        c = X - ds[0].args[0]
        atoms[c] = atoms.get(c, 0) + t / ds[0]
    return sp.Add(*regular), sorted(((c, sp.simplify(w)) for c, w in atoms.items()
                                     if sp.simplify(w) != 0), key=lambda p: float(p[0]))


def parity(expr: sp.Expr) -> int:
    """1 if ``expr`` is even in x, -1 if odd, 0 if neither or undecided (by
    :func:`sympy.simplify` of f(−x) ∓ f(x)): the symmetry the quadrature of the two-point kernels
    exploits, and what a generated module without closed forms prints.

    >>> parity(sp.tanh(X)), parity(1 - sp.tanh(X) ** 2), parity(1 / (1 + sp.exp(-X)))
    (-1, 1, 0)
    """
    try:
        if sp.simplify(expr.subs(X, -X) - expr) == 0:
            return 1
        if sp.simplify(expr.subs(X, -X) + expr) == 0:
            return -1
    except Exception:  # pragma: no cover - SymPy could not decide
        return 0
    return 0


# ---------------------------------------------------------------------------------------------
# The Activation object
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Activation:
    """A scalar activation φ given as a SymPy expression of the real symbol ``x``.

    Parameters
    ----------
    expr : sympy.Expr
        φ(x); Max/Abs/sign/Min are allowed and rewritten with Heaviside steps.
    name : str
        A short label (the built-in name, or the expression text).
    params : mapping
        The built-in's parameters (exact SymPy numbers), for display.

    Examples
    --------
    >>> relu = get_activation("relu")
    >>> relu.expr, relu.prime, relu.kinks
    (x*Heaviside(x), Heaviside(x), (0,))
    >>> get_activation("step").prime_atoms
    [(0, 1)]
    """

    source: sp.Expr
    name: str = ""
    params: Mapping[str, sp.Expr] = field(default_factory=dict)

    def __post_init__(self):
        src = sp.sympify(self.source)
        bad = src.free_symbols - {X}
        if bad:
            raise ActivationError(
                f"an activation is a function of the one variable x; also found "
                f"{', '.join(sorted(map(str, bad)))}")
        if X not in src.free_symbols:
            raise ActivationError(f"activation {src} does not depend on x")
        object.__setattr__(self, "source", src)
        if not self.name:
            object.__setattr__(self, "name", str(src))
        _ = self.expr  # validate kinks eagerly: errors surface at construction

    @cached_property
    def expr(self) -> sp.Expr:
        """φ(x) in canonical Heaviside form (kinks as ``Heaviside(x - k)``)."""
        return normalize_distributions(self.source)

    @cached_property
    def prime(self) -> sp.Expr:
        """φ'(x), derived by SymPy in the sense of distributions and sifted."""
        return normalize_distributions(sp.diff(self.expr, X))

    @cached_property
    def _prime_split(self):
        return split_atoms(self.prime)

    @property
    def prime_regular(self) -> sp.Expr:
        """The ordinary-function part of φ' (no Dirac deltas)."""
        return self._prime_split[0]

    @property
    def prime_atoms(self) -> list[tuple[sp.Expr, sp.Expr]]:
        """Point masses of φ': ``[(k, w), ...]`` meaning Σ w δ(x - k)."""
        return self._prime_split[1]

    @cached_property
    def kinks(self) -> tuple[sp.Expr, ...]:
        """Sorted points where φ or φ' is not smooth (jumps or corners)."""
        pts = set()
        for e in (self.expr, self.prime):
            for a in e.atoms(sp.Heaviside, sp.DiracDelta):
                if a.args[0].has(X):
                    pts.add(X - a.args[0])
        return tuple(sorted(pts, key=float))

    @property
    def is_smooth(self) -> bool:
        """True when φ has no kinks (φ' is an ordinary smooth function)."""
        return not self.kinks

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the canonical expression (names generated artefacts)."""
        return hashlib.sha256(sp.srepr(self.expr).encode()).hexdigest()[:12]

    # -- numerical views ----------------------------------------------------------------------
    @cached_property
    def numpy_function(self) -> Callable[[np.ndarray], np.ndarray]:
        """Vectorised float64 φ (NumPy/SciPy), Heaviside(0) = 1/2."""
        return sp.lambdify(X, self.expr, modules=lambdify_modules())

    @cached_property
    def numpy_prime(self) -> Callable[[np.ndarray], np.ndarray]:
        """Vectorised float64 regular part of φ' (point masses dropped; see prime_atoms)."""
        return sp.lambdify(X, self.prime_regular, modules=lambdify_modules())

    def __call__(self, values):
        out = self.numpy_function(np.asarray(values, dtype=float))
        return np.broadcast_to(out, np.shape(values)).astype(float) if np.ndim(out) == 0 else out

    def __str__(self):
        return self.name

    def __eq__(self, other):
        return isinstance(other, Activation) and self.name == other.name and \
            self.expr == other.expr

    def __hash__(self):
        return hash((self.name, self.expr))


# ---------------------------------------------------------------------------------------------
# Built-ins
# ---------------------------------------------------------------------------------------------
def _p(params, key):
    return params[key]


_POLY_KEYS = tuple(f"c{i}" for i in range(10))

#: name -> (builder(params) -> SymPy expression, default parameters, one-line description)
BUILTINS: dict[str, tuple[Callable[[dict], sp.Expr], dict[str, sp.Expr], str]] = {
    "linear": (lambda p: X, {}, "φ(x) = x"),
    "relu": (lambda p: sp.Max(X, 0), {}, "φ(x) = max(x, 0)"),
    "leaky_relu": (lambda p: sp.Max(X, 0) + _p(p, "slope") * sp.Min(X, 0),
                   {"slope": sp.Rational(1, 100)}, "φ(x) = max(x, 0) + slope·min(x, 0)"),
    "shifted_relu": (lambda p: sp.Max(X, -_p(p, "shift")), {"shift": sp.Integer(1)},
                     "φ(x) = max(x, −shift)"),
    "abs": (lambda p: sp.Abs(X), {}, "φ(x) = |x|"),
    "step": (lambda p: sp.Heaviside(X), {}, "φ(x) = H(x) (Heaviside step)"),
    "erf": (lambda p: sp.erf(X), {}, "φ(x) = erf(x)"),
    "tanh": (lambda p: sp.tanh(X), {}, "φ(x) = tanh(x)"),
    "sigmoid": (lambda p: 1 / (1 + sp.exp(-X)), {}, "φ(x) = 1/(1 + e^(−x)) (logistic)"),
    "gelu": (lambda p: X * (1 + sp.erf(X / sp.sqrt(2))) / 2, {}, "φ(x) = x·Φ(x)"),
    "silu": (lambda p: X / (1 + sp.exp(-X)), {}, "φ(x) = x·sigmoid(x)"),
    "swish": (lambda p: X / (1 + sp.exp(-_p(p, "beta") * X)), {"beta": sp.Integer(1)},
              "φ(x) = x·sigmoid(beta·x)"),
    "softplus": (lambda p: sp.log(1 + sp.exp(X)), {}, "φ(x) = log(1 + e^x)"),
    "sin": (lambda p: sp.sin(X), {}, "φ(x) = sin(x)"),
    "cos": (lambda p: sp.cos(X), {}, "φ(x) = cos(x)"),
    "exp": (lambda p: sp.exp(X), {}, "φ(x) = e^x"),
    "gaussian": (lambda p: sp.exp(-X ** 2 / 2), {}, "φ(x) = exp(−x²/2)"),
    "polynomial": (lambda p: sum(p[k] * X ** i for i, k in enumerate(_POLY_KEYS)),
                   {k: (sp.Integer(1) if k == "c1" else sp.Integer(0)) for k in _POLY_KEYS},
                   "φ(x) = c0 + c1 x + … + c9 x⁹ (default c1 = 1)"),
}


def builtin_names() -> list[str]:
    """Names accepted by :func:`get_activation` as built-ins."""
    return sorted(BUILTINS)


def _exact_number(name: str, key: str, value) -> sp.Expr:
    if isinstance(value, str):
        text = value.strip()
        try:
            num = sp.Rational(text)
        except (TypeError, ValueError):
            raise ActivationError(f"parameter {key} of {name} must be a number, got {value!r}")
    elif isinstance(value, (bool, np.bool_)):
        raise ActivationError(f"parameter {key} of {name} must be a number, got {value!r}")
    elif isinstance(value, (int, np.integer)):
        num = sp.Integer(int(value))
    elif isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise ActivationError(f"parameter {key} of {name} must be finite, got {value!r}")
        num = sp.Rational(repr(float(value)))  # exact decimal reading of the float's repr
    elif isinstance(value, sp.Basic) and value.is_number and value.is_real:
        num = value
    else:
        raise ActivationError(f"parameter {key} of {name} must be a number, got {value!r}")
    if not num.is_finite:
        raise ActivationError(f"parameter {key} of {name} must be finite, got {value!r}")
    return num


def get_activation(spec, **params) -> Activation:
    """An :class:`Activation` from a built-in name, an expression string, or a SymPy expression.

    Parameters
    ----------
    spec : str, sympy.Expr or Activation
        A built-in name (see :func:`builtin_names`), a text expression in ``x`` such as
        ``"sin(x) + x/2"`` (parsed with a whitelist, never evaluated), or a SymPy
        expression in :data:`X`.
    **params
        Built-in parameters, e.g. ``slope=0.1`` for ``leaky_relu``; floats and decimal
        strings are read exactly (``"0.1"`` is 1/10).

    Raises
    ------
    ActivationError
        Unknown name, a parameter the activation does not take, a non-number or non-finite
        parameter, or an expression that is not a function of ``x`` alone.

    Examples
    --------
    >>> get_activation("leaky_relu", slope=0.1).expr
    9*x*Heaviside(x)/10 + x/10
    >>> get_activation("sin(x) + x/2").prime
    cos(x) + 1/2
    """
    if isinstance(spec, Activation):
        if params:
            raise ActivationError("parameters cannot be applied to an Activation object")
        return spec
    if isinstance(spec, str):
        key = spec.strip()
        if key in BUILTINS:
            builder, defaults, _ = BUILTINS[key]
            unknown = set(params) - set(defaults)
            if unknown:
                allowed = ", ".join(sorted(defaults)) or "no parameters"
                raise ActivationError(f"activation {key!r} does not take parameter(s) "
                                      f"{', '.join(sorted(unknown))} (it takes {allowed})")
            values = dict(defaults)
            values.update({k: _exact_number(key, k, v) for k, v in params.items()})
            shown = {k: v for k, v in values.items() if k in params or key != "polynomial"}
            return Activation(builder(values), name=key, params=shown)
        if params:
            raise ActivationError(f"parameters {', '.join(sorted(params))} given, but {key!r} "
                                  "is not a built-in activation taking parameters")
        if key.isidentifier() and key != "x":
            raise ActivationError(f"unknown activation {key!r}; built-ins: "
                                  f"{', '.join(builtin_names())}, or an expression in x")
        try:
            expr = parse_expression(key)
        except ExpressionError as exc:
            raise ActivationError(f"cannot read activation {key!r}: {exc}") from None
        return Activation(expr, name=key)
    if isinstance(spec, sp.Basic):
        if params:
            raise ActivationError("parameters apply to built-in names only")
        return Activation(spec)
    raise ActivationError(f"an activation is a name, an expression string or a SymPy "
                          f"expression, not {type(spec).__name__}")
