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

import re

import sympy as sp

__all__ = ["ExpressionError", "parse_expression", "X", "FUNCTIONS", "CONSTANTS"]

#: The one real variable every activation is a function of.
X = sp.Symbol("x", real=True)

MAX_LENGTH = 500  # characters; longer text is refused before tokenising
MAX_DEPTH = 60  # nesting depth; deeper text is refused (no recursion blow-ups)


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


class _Parser:
    def __init__(self, text: str):
        self.text = text
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
            return base ** exponent
        return base

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return sp.Rational(value)  # exact: "0.1" is 1/10, "1e-3" is 1/1000
        if kind == "name":
            if self.peek()[1] == "(":
                if value not in FUNCTIONS:
                    raise ExpressionError(
                        f"unknown function {value!r}; allowed: {', '.join(sorted(FUNCTIONS))}")
                self.take("(")
                args = [self.expr()]
                while self.peek()[1] == ",":
                    self.take(",")
                    args.append(self.expr())
                self.take(")")
                return FUNCTIONS[value](*args)
            if value == "x":
                return X
            if value in CONSTANTS:
                return CONSTANTS[value]
            if value in FUNCTIONS:
                raise ExpressionError(f"function {value!r} must be called with parentheses")
            raise ExpressionError(
                f"unknown name {value!r}: an activation is a function of the one variable 'x' "
                f"(constants allowed: {', '.join(sorted(CONSTANTS))})")
        if value == "(":
            inner = self.expr()
            self.take(")")
            return inner
        raise ExpressionError(f"unexpected {value or 'end of input'!r} in {self.text!r}")


def parse_expression(text: str) -> sp.Expr:
    """Parse ``text`` into a SymPy expression in :data:`X` using only whitelisted names.

    Parameters
    ----------
    text : str
        For example ``"sin(x) + x/2"``, ``"max(x, 0)"``, ``"x^3 - 2*x"``.  Decimal numbers
        are read exactly (``0.1`` becomes ``1/10``).

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
    parser = _Parser(text)
    result = parser.expr()
    if parser.peek()[0] != "end":
        raise ExpressionError(f"unexpected {parser.peek()[1]!r} after a complete expression "
                              f"in {text!r}")
    result = sp.sympify(result)  # already a SymPy object; this only normalises Python numbers
    if X not in result.free_symbols:
        raise ExpressionError(f"expression {text!r} does not depend on x")
    return result
