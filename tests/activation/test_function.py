"""Activations and the whitelist parser: canonical forms, distributional derivatives, errors."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from meanfield_sym.activation.function import (X, Activation, ActivationError, builtin_names,
                                       get_activation)
from meanfield_sym.activation.parser import ExpressionError, parse_expression


def test_builtin_names_cover_the_issue_list():
    need = {"linear", "relu", "leaky_relu", "shifted_relu", "abs", "step", "erf", "tanh",
            "sigmoid", "gelu", "silu", "swish", "softplus", "sin", "cos", "exp", "gaussian",
            "polynomial"}
    assert need <= set(builtin_names())


@pytest.mark.parametrize("name", builtin_names())
def test_numpy_function_matches_sympy(name):
    act = get_activation(name)
    xs = np.array([-2.3, -0.7, 0.4, 1.9])
    ref = [float(act.expr.subs(X, sp.Float(v, 30)).evalf(30)) for v in xs]
    np.testing.assert_allclose(act(xs), ref, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", builtin_names())
def test_derivative_matches_finite_difference_away_from_kinks(name):
    """φ' by SymPy vs a central difference of φ (h = 1e-6, error O(h²) ≈ 1e-12 · φ''')."""
    act = get_activation(name)
    xs = np.array([-2.3, -0.7, 0.4, 1.9])  # none is a kink of any built-in
    h = 1e-6
    fd = (act(xs + h) - act(xs - h)) / (2 * h)
    np.testing.assert_allclose(act.numpy_prime(xs) * np.ones_like(xs), fd, rtol=1e-7, atol=1e-8)


def test_relu_family_kinks_and_atoms():
    assert get_activation("relu").kinks == (0,)
    assert get_activation("shifted_relu", shift=2).kinks == (-2,)
    assert get_activation("step").prime_atoms == [(0, 1)]
    assert get_activation("relu").prime_atoms == []
    # sifting: d/dx [x H(x)] = H(x) + x δ(x) = H(x)
    assert get_activation("relu").prime == sp.Heaviside(X)


def test_shifted_relu_is_max():
    act = get_activation("shifted_relu", shift="0.5")
    xs = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(act(xs), np.maximum(xs, -0.5))


def test_parameters_are_exact():
    act = get_activation("leaky_relu", slope="0.1")
    assert act.params["slope"] == sp.Rational(1, 10)
    assert get_activation("leaky_relu", slope=0.25).params["slope"] == sp.Rational(1, 4)


@pytest.mark.parametrize("spec,params,msg", [
    ("nope", {}, "unknown activation"),
    ("relu", {"slope": 1}, "does not take"),
    ("leaky_relu", {"slope": "abc"}, "must be a number"),
    ("leaky_relu", {"slope": float("nan")}, "finite"),
    ("x + y", {}, "unknown name 'y'"),
    ("3", {}, "does not depend on x"),
    ("sin(x", {}, "expected"),
    ("__import__('os').system('true')", {}, "unexpected character"),
    ("exec(x)", {}, "unknown function"),
    ("x.__class__", {}, "unexpected character"),
    ("sin + x", {}, "parentheses"),
    ("lambda: 1", {}, "unexpected character ':'"),
    ("Heaviside(sin(x))", {}, "not linear"),
])
def test_bad_activation_input(spec, params, msg):
    with pytest.raises(ActivationError, match=msg):
        get_activation(spec, **params)


def test_sympy_expression_with_other_symbols_is_refused():
    y = sp.Symbol("y")
    with pytest.raises(ActivationError, match="one variable"):
        Activation(X + y)


def test_parser_whitelist_and_precedence():
    assert parse_expression("2^3^2*x") == 512 * X  # right-associative power
    assert parse_expression("-x**2") == -X ** 2
    assert parse_expression("max(x, 0) - 0.1*abs(x)") == sp.Max(X, 0) - sp.Abs(X) / 10
    assert parse_expression("1e-3*x") == X / 1000
    with pytest.raises(ExpressionError, match="longer"):
        parse_expression("x+" * 300 + "x")
    with pytest.raises(ExpressionError, match="nested"):
        parse_expression("(" * 100 + "x" + ")" * 100)


def test_user_expression_gets_cross_terms():
    act = get_activation("sin(x) + x/2")
    assert act.prime == sp.cos(X) + sp.Rational(1, 2)
    assert act.is_smooth
