"""A whitelist parser for user-supplied activation expressions.

User text such as ``"sin(x) + x/2"`` or ``"max(x, 0) - 0.1*x"`` is turned into a SymPy
expression in the single real variable ``x`` **without** ``eval``, ``exec`` or a bare
``sympify``: the text is tokenised by a regular expression, parsed by a small
recursive-descent (precedence-climbing) parser, and every name must be in an explicit
whitelist (:data:`FUNCTIONS` and :data:`CONSTANTS`).  Anything else is refused with a
:class:`ExpressionError` that names the offending token.

Why hand-written: ``sympy.parsing.sympy_parser.parse_expr`` compiles its token stream with
``eval``; even with restricted namespaces that is not a whitelist, and untrusted text must never
reach ``eval``.

Grammar (``^`` and ``**`` both mean power, right-associative)::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/') unary)*
    unary  := ('+' | '-') unary | power
    power  := atom (('**' | '^') unary)?
    atom   := NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'
"""
from __future__ import annotations

import math
import re

import sympy as sp

__all__ = ["ExpressionError", "parse_expression", "X", "FUNCTIONS", "CONSTANTS"]

#: The one real variable every activation is a function of.
X = sp.Symbol("x", real=True)

MAX_LENGTH = 500  # characters; longer text is refused before tokenising
MAX_DEPTH = 60  # nesting depth; deeper text is refused (no recursion blow-ups)
#: Numbers are bounded before SymPy evaluates them: at most this many decimal digits (a literal
#: such as 1e999999 or a power such as 9**9**9 is refused at once, not computed).
MAX_DIGITS = 1000
#: Largest integer power of the variable (x**MAX_POWER); polynomial kernels stay exact and fast.
MAX_POWER = 200


class ExpressionError(ValueError):
    """A user expression that cannot be accepted (bad syntax, unknown name, wrong variable)."""


def _logistic(z):
    return 1 / (1 + sp.exp(-z))


def _softplus(z):
    return sp.log(1 + sp.exp(z))


def _relu(z):
    return sp.Max(z, 0)


def _phi_cdf(z):
    return (1 + sp.erf(z / sp.sqrt(2))) / 2


def _arity(fn, n):
    def call(*args):
        if len(args) != n:
            raise ExpressionError(f"{fn.__name__ if hasattr(fn, '__name__') else fn} takes "
                                  f"{n} argument(s), got {len(args)}")
        return fn(*args)
    return call


def _variadic(fn):
    def call(*args):
        if len(args) < 2:
            raise ExpressionError("max/min take at least two arguments")
        return fn(*args)
    return call


#: Function names a user expression may call, and what they mean.  All are real-valued and
#: finite on the whole real line (so Gaussian expectations of their squares can exist).
FUNCTIONS = {
    "sin": _arity(sp.sin, 1), "cos": _arity(sp.cos, 1), "exp": _arity(sp.exp, 1),
    "erf": _arity(sp.erf, 1), "erfc": _arity(sp.erfc, 1), "tanh": _arity(sp.tanh, 1),
    "sinh": _arity(sp.sinh, 1), "cosh": _arity(sp.cosh, 1), "atan": _arity(sp.atan, 1),
    "arctan": _arity(sp.atan, 1), "abs": _arity(sp.Abs, 1), "Abs": _arity(sp.Abs, 1),
    "sign": _arity(sp.sign, 1), "Heaviside": _arity(sp.Heaviside, 1),
    "step": _arity(sp.Heaviside, 1), "max": _variadic(sp.Max), "Max": _variadic(sp.Max),
    "min": _variadic(sp.Min), "Min": _variadic(sp.Min), "relu": _arity(_relu, 1),
    "sigmoid": _arity(_logistic, 1), "logistic": _arity(_logistic, 1),
    "softplus": _arity(_softplus, 1), "Phi": _arity(_phi_cdf, 1),
}
#: Constant names a user expression may use.
CONSTANTS = {"pi": sp.pi, "E": sp.E, "e": sp.E}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|[-+*/^(),]))"
)


def _tokenise(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            bad = text[pos:].lstrip()[:1]
            raise ExpressionError(f"unexpected character {bad!r} at position {pos} in {text!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    tokens.append(("end", ""))
    return tokens


def _number(text: str) -> sp.Rational:
    """An exact number from a literal, refused when it has more than MAX_DIGITS digits."""
    mantissa, _, exp = text.lower().partition("e")
    digits = len(mantissa.replace(".", "").lstrip("0")) + abs(int(exp or 0))
    if digits > MAX_DIGITS:
        raise ExpressionError(f"number {text!r} is too large or too small (more than "
                              f"{MAX_DIGITS} digits)")
    return sp.Rational(text)


def _log10_size(value) -> float:
    """An upper bound on the number of decimal digits of an exact number (numerator and
    denominator of a rational; 1 for symbolic constants such as pi)."""
    if isinstance(value, sp.Rational):
        return max(math.log10(abs(int(value.p)) + 1), math.log10(int(value.q) + 1))
    return 1.0


def _bounded_power(base, exponent):
    """``base ** exponent``, refused before evaluation when the result would have more than
    MAX_DIGITS digits or raise the variable beyond MAX_POWER."""
    if exponent.is_Rational:
        e = abs(exponent)
        if base.is_number:
            size = _log10_size(base) * float(e)
            if size > MAX_DIGITS:
                raise ExpressionError(f"number too large: {base}**{exponent} would have about "
                                      f"{size:.3g} digits (limit {MAX_DIGITS})")
        elif float(e) > MAX_POWER:
            raise ExpressionError(f"power {exponent} is larger than the limit {MAX_POWER}")
    elif exponent.is_number and base.is_number:
        raise ExpressionError(f"cannot use a non-rational power of a number: {base}**{exponent}")
    return base ** exponent


class _Parser:
    def __init__(self, text: str, variables: dict, functions: dict | None = None):
        self.text = text
        self.variables = variables
        self.functions = FUNCTIONS if not functions else {
            **FUNCTIONS, **{k: _arity(f, 1) for k, f in functions.items()}}
        self.tokens = _tokenise(text)
        self.i = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.i]

    def take(self, value=None):
        tok = self.tokens[self.i]
        if value is not None and tok[1] != value:
            got = tok[1] or "end of input"
            raise ExpressionError(f"expected {value!r} but found {got!r} in {self.text!r}")
        self.i += 1
        return tok

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels")

    def expr(self):
        self.enter()
        value = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            rhs = self.term()
            value = value + rhs if op == "+" else value - rhs
        self.depth -= 1
        return value

    def term(self):
        value = self.unary()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            rhs = self.unary()
            value = value * rhs if op == "*" else value / rhs
        return value

    def unary(self):
        if self.peek()[1] in ("+", "-"):
            self.enter()
            op = self.take()[1]
            value = self.unary()
            self.depth -= 1
            return -value if op == "-" else value
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek()[1] in ("**", "^"):
            self.take()
            self.enter()
            exponent = self.unary()
            self.depth -= 1
            return _bounded_power(base, exponent)
        return base

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return _number(value)  # exact: "0.1" is 1/10, "1e-3" is 1/1000
        if kind == "name":
            if self.peek()[1] == "(":
                if value not in self.functions:
                    raise ExpressionError(f"unknown function {value!r}; allowed: "
                                          f"{', '.join(sorted(self.functions))}")
                self.take("(")
                args = [self.expr()]
                while self.peek()[1] == ",":
                    self.take(",")
                    args.append(self.expr())
                self.take(")")
                return self.functions[value](*args)
            if value in self.variables:
                return self.variables[value]
            if value in CONSTANTS:
                return CONSTANTS[value]
            if value in self.functions:
                raise ExpressionError(f"function {value!r} must be called with parentheses")
            names = ", ".join(repr(v) for v in self.variables)
            raise ExpressionError(
                f"unknown name {value!r}: the expression may use the variable(s) {names} "
                f"(constants allowed: {', '.join(sorted(CONSTANTS))})")
        if value == "(":
            inner = self.expr()
            self.take(")")
            return inner
        raise ExpressionError(f"unexpected {value or 'end of input'!r} in {self.text!r}")


def parse_expression(text: str, variables: dict | None = None,
                     functions: dict | None = None, constant_ok: bool = False) -> sp.Expr:
    """Parse ``text`` into a SymPy expression using only whitelisted names.

    Parameters
    ----------
    text : str
        For example ``"sin(x) + x/2"``, ``"max(x, 0)"``, ``"x^3 - 2*x"``.  Decimal numbers
        are read exactly (``0.1`` becomes ``1/10``); numbers with more than ``MAX_DIGITS``
        digits (``9**9**9``) are refused before they are computed.
    variables : dict, optional
        ``{name: sympy.Symbol}``: the variables the text may use (default ``{"x": X}``, an
        activation).  The result must depend on at least one of them.
    functions : dict, optional
        ``{name: one-argument SymPy function}`` added to :data:`FUNCTIONS` for this call (e.g.
        ``sqrt``, ``asin`` in a printed kernel formula; activations never need them).
    constant_ok : bool
        Accept a result free of the variables (a printed formula may be a constant such as
        ``1/2``; an activation may not).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ExpressionError
        On empty or over-long text, bad syntax, a name outside the whitelist, or an
        expression that does not depend on ``x``.

    Examples
    --------
    >>> parse_expression("sin(x) + x/2")
    x/2 + sin(x)
    >>> parse_expression("9**9**9")
    Traceback (most recent call last):
    ...
    meanfield_sym.activation.parser.ExpressionError: number too large: 9**387420489 would have about 3.87e+08 digits (limit 1000)
    >>> parse_expression("__import__(x)")
    Traceback (most recent call last):
    ...
    meanfield_sym.activation.parser.ExpressionError: unknown function '__import__'; allowed: ...
    """
    if not isinstance(text, str):
        raise ExpressionError(f"expression must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ExpressionError("empty expression")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    variables = {"x": X} if variables is None else dict(variables)
    parser = _Parser(text, variables, functions)
    result = parser.expr()
    if parser.peek()[0] != "end":
        raise ExpressionError(f"unexpected {parser.peek()[1]!r} after a complete expression "
                              f"in {text!r}")
    result = sp.sympify(result)  # already a SymPy object; this only normalises Python numbers
    if not constant_ok and not result.free_symbols & set(variables.values()):
        names = " or ".join(variables)
        raise ExpressionError(f"expression {text!r} does not depend on {names}")
    return result
