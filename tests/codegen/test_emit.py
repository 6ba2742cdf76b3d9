"""Generated kernel modules (meanfield_sym.codegen, meanfield_sym/generated/*.py).

A generated module holds the printed kernels of one activation; the library's recursions and
statistics take it as their provider.  Witnesses:

* the printed float64 kernels (and the fused ``layer``, ``tangent_moments``) against the
  closed forms evaluated by mpmath at 40 digits, or mpmath quadrature of the definitions, over
  grids spanning magnitudes (a, q from 1e-3 to 1e3, c = b/a up to ±1);
* κ1, κ2 and the NTK κ' through ``mf.order_parameters(module, …)`` against the textbook
  arc-cosine (Cho & Saul 2009) and Williams (1998) kernels run through the recursions in
  mpmath, and the affine linear-network recursion;
* γ = P[φ'(u) ≠ 0] against its known constants and a normal CDF;
* one route: a module, the kernel set the library derives and the ``stats`` command agree to
  the last bit; a module printed by other derivation code is not used;
* the NumPy-only import in a fresh interpreter, ``codegen --check``, the CLI and bad input.
"""
from __future__ import annotations

import doctest
import importlib
import json
import os
import shlex
import subprocess
import sys

import mpmath
import numpy as np
import pytest

from meanfield_sym import meanfield as mf
from meanfield_sym.cli import main
from meanfield_sym.codegen import emit as codegen
from meanfield_sym.kernels import provider
from meanfield_sym.kernels.kernel_set import kernels_for
from meanfield_sym.kernels.provider import from_module

#: Printed float64 kernels vs 40-digit closed forms: a few ulps of each rounding in a
#: ~20-operation expression, with margin.
KERNEL_RTOL = 1e-12
#: Values smaller than this fraction of the kernel's scale (e.g. a for I_φ[a, b] of ReLU near
#: b = −a) are compared in absolute terms: their relative error is amplified by cancellation
#: intrinsic to the closed form (not a defect of the printed code).
KERNEL_ATOL_SCALE = 1e-13
#: Two printings of the same kernels (derived from different expressions): roundings differ,
#: through L ≤ 6 layers.
SAME_FORMS_RTOL = 1e-12
#: κ through the library vs 30-digit textbook recursions (depth ≤ 5).
KAPPA_RTOL = 1e-12
#: Tangent moments (printed derivatives of the one-point kernels) vs 30-digit quadrature of
#: the definitions: float64 roundings of a ~10-operation expression.
MOMENT_RTOL = 1e-12
#: γ printed with scipy.special.erf vs scipy.stats.norm.cdf: two float64 routes to Φ.
CDF_RTOL = 1e-14

SHIPPED = codegen.SHIPPED
QUICK = ("relu", "erf", "step")  # the default-run subset of `--check` (gelu alone takes ~50 s)


def gen(name):
    return importlib.import_module(f"meanfield_sym.generated.{name}")


# ---------------------------------------------------------------------------------------------
# Kernels vs mpmath at 40 digits
# ---------------------------------------------------------------------------------------------
MAGNITUDES = [1e-3, 0.03, 0.5, 1.0, 7.0, 100.0, 1e3]
CORRELATIONS = [-1.0, -0.999999, -0.99, -0.6, -1e-6, 0.0, 1e-9, 0.37, 0.9, 0.999999, 1.0]
#: Exponential kernels overflow float64 beyond these variances (e^{2q} with q > 354).
MAX_VARIANCE = {"exp": 100.0, "sin": 100.0, "cos": 100.0}


def closed_forms(name):
    """The closed forms a generated module was printed from (its CLOSED_FORMS, as derived by
    the engine; `codegen --check` ties them to the engine's current output)."""
    import sympy as sp
    from meanfield_sym.kernels.symbols import A, B, Q
    return {k: sp.sympify(v, locals={"q": Q, "a": A, "b": B})
            for k, v in gen(name).CLOSED_FORMS.items()}


def _mp_values(name, kernel, pts):
    import sympy as sp
    from meanfield_sym.kernels.symbols import A, B, Q
    args = (Q,) if kernel.startswith("one_point") else (A, B)
    f = sp.lambdify(args, closed_forms(name)[kernel], modules="mpmath")
    out = []
    with mpmath.workdps(40):
        for p in pts:
            try:
                out.append(mpmath.mpf(f(*(mpmath.mpf(float(v)) for v in p))))
            except ZeroDivisionError:  # 1/√((a−b)(a+b)) at b = a: the limit is +∞
                out.append(mpmath.inf)
    return out


def _compare(got, ref, scale, label):
    got = np.asarray(got, dtype=float)
    assert got.shape == (len(ref),), label
    for g, r, s in zip(got, ref, scale):
        if mpmath.isinf(r):
            assert np.isinf(g) and (g > 0) == (r > 0), label
            continue
        tol = KERNEL_RTOL * abs(r) + KERNEL_ATOL_SCALE * s
        assert abs(mpmath.mpf(float(g)) - r) <= tol, (label, g, r)


@pytest.mark.parametrize("name", SHIPPED)
def test_kernels_match_40_digit_closed_forms(name):
    """The four kernels and the fused ``layer`` of every shipped module."""
    kern = from_module(gen(name))
    top = MAX_VARIANCE.get(name, np.inf)
    qs = [q for q in MAGNITUDES if q <= top]
    for kernel in ("one_point", "one_point_prime"):
        got = getattr(kern, kernel)(np.array(qs))
        ref = _mp_values(name, kernel, [(q,) for q in qs])
        scale = [abs(float(r)) if mpmath.isfinite(r) else 0.0 for r in ref]
        _compare(got, ref, scale, (name, kernel))
    pts = [(a, c * a) for a in qs for c in CORRELATIONS]
    a = np.array([p[0] for p in pts])
    b = np.array([p[1] for p in pts])
    fused = kern.layer(a, b)
    refs = {}
    for kernel in ("one_point", "one_point_prime"):
        refs[kernel] = _mp_values(name, kernel, [(p[0],) for p in pts])
    for kernel in ("two_point", "two_point_prime"):
        refs[kernel] = _mp_values(name, kernel, pts)
    for i, kernel in enumerate(("one_point", "one_point_prime", "two_point", "two_point_prime")):
        # the scale of I[a, b] is its value at b = a (Cauchy–Schwarz bound), one-point moment
        one = kernel.replace("two_point", "one_point")
        scale = [abs(float(r)) if mpmath.isfinite(r) else 0.0 for r in refs[one]]
        if kernel.startswith("two_point"):
            _compare(getattr(kern, kernel)(a, b), refs[kernel], scale, (name, kernel))
        _compare(fused[i], refs[kernel], scale, (name, "layer", kernel))


@pytest.mark.parametrize("name", SHIPPED)
def test_two_point_at_full_correlation_is_the_one_point_moment(name):
    """I_φ[q, q] = E[φ(√q u)²] (a property of the definitions, not of the forms)."""
    kern = from_module(gen(name))
    q = np.array([0.01, 0.7, 3.0, 40.0])
    np.testing.assert_allclose(kern.two_point(q, q), kern.one_point(q), rtol=KERNEL_RTOL)
    np.testing.assert_allclose(kern.two_point_prime(q, q), kern.one_point_prime(q),
                               rtol=KERNEL_RTOL)


def _mp_expectation(f, q):
    """E[f(u)], u ~ N(0, q), by mpmath quadrature (split at 0)."""
    s = mpmath.sqrt(q)
    dens = lambda x: mpmath.exp(-x * x / (2 * q)) / (s * mpmath.sqrt(2 * mpmath.pi))  # noqa: E731
    return mpmath.quad(lambda x: f(x) * dens(x), [-mpmath.inf, 0, mpmath.inf])


@pytest.mark.parametrize("name", ["erf", "sin", "gaussian", "gelu", "exp"])
def test_tangent_moments_match_quadrature_of_the_definitions(name):
    """E[u φ φ'] and E[u² φ'²] (printed by differentiating the one-point kernels) against
    mpmath quadrature of the definitions, from the module's own EXPRESSION and PRIME."""
    import sympy as sp
    mod = gen(name)
    x = sp.Symbol("x", real=True)
    phi = sp.lambdify(x, sp.sympify(mod.EXPRESSION, locals={"x": x}), modules="mpmath")
    dphi = sp.lambdify(x, sp.sympify(mod.PRIME, locals={"x": x}), modules="mpmath")
    q = np.array([0.3, 2.0])
    got = from_module(mod).tangent_moments(q)
    with mpmath.workdps(30):
        for i, qi in enumerate(q):
            m1 = _mp_expectation(lambda u: u * phi(u) * dphi(u), mpmath.mpf(qi))
            m2 = _mp_expectation(lambda u: u ** 2 * dphi(u) ** 2, mpmath.mpf(qi))
            assert abs(got["u_phi_dphi"][i] - m1) <= MOMENT_RTOL * abs(m1), (name, qi)
            assert abs(got["u2_dphi2"][i] - m2) <= MOMENT_RTOL * abs(m2), (name, qi)


def test_kernel_broadcasting_and_shapes():
    kern = from_module(gen("relu"))
    a = np.linspace(0.5, 2.0, 4)[:, None]
    b = np.linspace(-0.4, 0.4, 3)[None, :]
    assert kern.two_point(a, b).shape == (4, 3)
    assert kern.one_point_prime(a).shape == (4, 1)  # a constant kernel is broadcast to q's shape
    assert np.all(kern.one_point_prime(a) == 0.5)
    assert kern.two_point(1.0, 0.5).shape == ()
    assert [v.shape for v in kern.layer(a, b)] == [(4, 3)] * 4
    assert kern.gamma(np.zeros((2, 5))).shape == (2, 5)
    assert kern.chi1(a, np.array([1.0, 2.0])).shape == (4, 2)
    assert kern.variance_map(a, 2.0, np.array([0.1, 0.2, 0.3])).shape == (4, 3)


# ---------------------------------------------------------------------------------------------
# κ against textbook kernels run through the recursions in mpmath
# ---------------------------------------------------------------------------------------------
def _arccos_relu(a, b):
    """Cho & Saul (2009), n = 1 and n = 0: ReLU and its derivative (step) kernels."""
    c = max(min(b / a, mpmath.mpf(1)), mpmath.mpf(-1))
    th = mpmath.acos(c)
    return (a / (2 * mpmath.pi) * (mpmath.sin(th) + (mpmath.pi - th) * c),
            (mpmath.pi - th) / (2 * mpmath.pi))


def _williams_erf(a, b):
    """Williams (1998): E[erf(u1) erf(u2)] = (2/π) asin(2b/(1 + 2a)); its derivative kernel
    (4/π) / √((1 + 2a)² − 4b²)."""
    return (2 / mpmath.pi * mpmath.asin(2 * b / (1 + 2 * a)),
            4 / mpmath.pi / mpmath.sqrt((1 + 2 * a) ** 2 - 4 * b ** 2))


def _mp_kappas(kernel, sw, sb, depth, widths):
    """κ1, κ2, κ1', κ2' from the recursions of Pathological spectra Eqs. 15–18 in mpmath."""
    sw, sb = mpmath.mpf(sw), mpmath.mpf(sb)
    al = [mpmath.mpf(w) for w in widths]
    alpha = sum(al[l] * al[l - 1] for l in range(1, depth))
    h1, h2, d1, d2 = [mpmath.mpf(1)], [mpmath.mpf(0)], [None], [None]
    for l in range(1, depth):
        q1, q2 = sw * h1[-1] + sb, sw * h2[-1] + sb
        k1, kp1 = kernel(q1, q1)
        k2, kp2 = kernel(q1, q2)
        h1.append(k1)
        h2.append(k2)
        d1.append(kp1)
        d2.append(kp2)
    t1, t2 = [None] * (depth + 1), [None] * (depth + 1)
    t1[depth] = t2[depth] = mpmath.mpf(1)
    for l in range(depth - 1, 0, -1):
        t1[l] = sw * t1[l + 1] * d1[l]
        t2[l] = sw * t2[l + 1] * d2[l]
    k1 = sum(al[l - 1] * t1[l] * h1[l - 1] for l in range(1, depth + 1)) / alpha
    k2 = sum(al[l - 1] * t2[l] * h2[l - 1] for l in range(1, depth + 1)) / alpha
    n1 = sum(sw * t1[l] * h1[l - 1] + sb * t1[l] for l in range(1, depth + 1)) / alpha
    n2 = sum(sw * t2[l] * h2[l - 1] + sb * t2[l] for l in range(1, depth + 1)) / alpha
    return {"kappa1": k1, "kappa2": k2, "kappa1_ntk": n1, "kappa2_ntk": n2}


def _library_kappas(prov, sw, sb, depth, widths=None):
    """κ's the way the CLI computes them: order parameters over the provider, then κ."""
    op = mf.order_parameters(prov, sw, sb, depth)
    al = mf.width_ratios(widths, depth)
    k1, k2 = mf.kappas(op, al)
    n1, n2 = mf.kappas_ntk(op, al)
    return {"kappa1": k1, "kappa2": k2, "kappa1_ntk": n1, "kappa2_ntk": n2}


@pytest.mark.parametrize("name,kernel", [("relu", _arccos_relu), ("erf", _williams_erf)])
@pytest.mark.parametrize("depth,widths", [(2, (1, 1)), (5, (1.0, 2.0, 0.5, 1.5, 1.0))])
def test_kappas_match_textbook_kernels(name, kernel, depth, widths):
    sw = np.array([0.5, 1.7, 2.0, 3.9])
    sb = np.array([0.0, 0.05, 0.3, 1.2])
    got = _library_kappas(gen(name), sw, sb, depth, widths)
    with mpmath.workdps(30):
        for i in range(sw.size):
            ref = _mp_kappas(kernel, float(sw[i]), float(sb[i]), depth, widths)
            for key, value in ref.items():
                # |κ2| <= κ1: κ2 (zero for odd φ without bias) is measured on κ1's scale
                scale = abs(ref[key.replace("2", "1")])
                assert abs(got[key][i] - value) <= KAPPA_RTOL * scale, (key, i)


def test_linear_network_kappas_are_the_affine_recursion():
    """φ = x: q̂^l = σ_w² q̂^{l−1} + σ_b², q̃^l = σ_w^{2(L−l)} (Universal statistics B.13–B.16)."""
    sw, sb, L = 1.3, 0.2, 4
    h1, h2 = [1.0], [0.0]
    for _ in range(1, L):
        h1.append(sw * h1[-1] + sb)
        h2.append(sw * h2[-1] + sb)
    k1 = sum(sw ** (L - l) * h1[l - 1] for l in range(1, L + 1)) / (L - 1)
    k2 = sum(sw ** (L - l) * h2[l - 1] for l in range(1, L + 1)) / (L - 1)
    got = _library_kappas(gen("linear"), sw, sb, L)
    assert got["kappa1"] == pytest.approx(k1, rel=KAPPA_RTOL)
    assert got["kappa2"] == pytest.approx(k2, rel=KAPPA_RTOL)


def test_leaky_relu_with_slope_zero_is_relu(tmp_path):
    out = tmp_path / "lrelu0.py"
    assert main(["codegen", "leaky_relu", "--param", "slope=0", "--out", str(out)]) == 0
    lrelu = codegen.load_module(out)
    assert lrelu.PARAMS == {"slope": "0"} and lrelu.ACTIVATION == "leaky_relu"
    sw, sb = np.meshgrid([0.5, 2.0, 3.0], [0.1, 1.0])
    got = _library_kappas(lrelu, sw, sb, 4)
    ref = _library_kappas(gen("relu"), sw, sb, 4)
    for key in ("kappa1", "kappa2", "kappa1_ntk", "kappa2_ntk"):
        np.testing.assert_allclose(got[key], ref[key], rtol=SAME_FORMS_RTOL)


def test_fixed_point_of_relu_is_the_closed_form():
    """ReLU: q* = σ_b²/(1 − σ_w²/2) for σ_w² < 2 and χ1 = σ_w²/2 (E[φ'²] = 1/2)."""
    sw = np.array([0.3, 1.0, 1.6])
    fp = mf.fixed_point(gen("relu"), sw, 0.4)
    assert np.all(fp.converged) and not np.any(fp.diverged)
    np.testing.assert_allclose(fp.q_star, 0.4 / (1 - sw / 2), rtol=1e-12)
    np.testing.assert_allclose(fp.chi1, sw / 2, rtol=1e-15)


def test_step_network_backward_is_infinite():
    """φ = step: E[δ(u)²] = ∞, so κ1 = ∞ (a value, not an error)."""
    got = _library_kappas(gen("step"), 1.0, 0.5, 3)
    assert np.isinf(got["kappa1"]) and got["kappa1"] > 0
    assert np.isfinite(got["kappa2"])


# ---------------------------------------------------------------------------------------------
# γ = P[φ'(u) ≠ 0]
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,expected", [("relu", 0.5), ("erf", 1.0), ("step", 0.0),
                                           ("abs", 1.0), ("sin", 1.0)])
def test_gamma_constants(name, expected):
    """NGD paper Theorem 5.1: γ = 1 for smooth non-constant φ, 1/2 for ReLU (and the
    step function's derivative is a point mass only: γ = 0)."""
    mod = gen(name)
    np.testing.assert_array_equal(from_module(mod).gamma(np.array([0.0, 0.3, 4.0])), expected)
    res = mf.ngd_unit_wise(mod, 1.5, 0.1, 4, widths=[1, 2, 1, 1])
    assert len(res["gamma_per_layer"]) == 3
    assert np.all(res["gamma"] == expected)
    # η_opt M = 1/(γ Σ_{l=1}^{L−1} α_l) with Σ α_l = 2 + 1 + 1
    lr = res["optimal_lr_times_M"]
    assert (lr == pytest.approx(1 / (expected * 4))) if expected > 0 else np.isinf(lr)


def test_gamma_expression_shifted_relu_is_a_normal_cdf():
    """φ = max(x, −1): γ(q) = P[u > −1] = Φ(1/√q) (scipy.stats, an independent route);
    the expression is printed and evaluated as a generated module does."""
    import scipy.special
    from scipy.stats import norm
    from meanfield_sym.activation.function import get_activation
    from meanfield_sym.activation.support import gamma_expression
    from meanfield_sym.kernels.printing import EvaluatorPrinter
    expr, at_zero = gamma_expression(get_activation("shifted_relu"))
    printer = EvaluatorPrinter()
    code = printer.doprint(expr)
    assert printer.uses_scipy
    q = np.array([0.01, 0.5, 2.0, 90.0])
    got = eval(code, {"numpy": np, "scipy": scipy, "q": q})  # noqa: S307 -- printed code
    np.testing.assert_allclose(got, norm.cdf(1 / np.sqrt(q)), rtol=CDF_RTOL)
    assert at_zero == 1


@pytest.mark.slow
def test_gamma_shifted_relu_module_per_layer(tmp_path):
    """The whole route for a layer-dependent γ_l (deriving shifted_relu's kernels takes ~35 s):
    γ_l = Φ(1/√q_1^l) at the variances of the recursion."""
    from scipy.stats import norm
    out = tmp_path / "shifted.py"
    assert main(["codegen", "shifted_relu", "--out", str(out)]) == 0
    mod = codegen.load_module(out)
    kern = from_module(mod)
    q = np.array([0.01, 0.5, 2.0, 90.0])
    np.testing.assert_allclose(kern.gamma(q), norm.cdf(1 / np.sqrt(q)), rtol=CDF_RTOL)
    assert kern.gamma(0.0) == 1.0
    sw, sb = np.meshgrid(np.linspace(0.3, 3.5, 4), np.linspace(0.02, 1.5, 3))
    op = mf.order_parameters(mod, sw, sb, 4, correlations=False)
    got = mf.ngd_unit_wise(mod, sw, sb, 4)
    for l, g in enumerate(got["gamma_per_layer"], start=1):
        np.testing.assert_allclose(g, norm.cdf(1 / np.sqrt(op.q1[l])), rtol=CDF_RTOL)
    total = sum(got["gamma_per_layer"])
    np.testing.assert_allclose(got["optimal_lr_times_M"], 1 / total, rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# One route: module, derived kernel set and the CLI agree to the last bit
# ---------------------------------------------------------------------------------------------
ROUTE_SW = (0.4, 1.1, 1.9)
ROUTE_SB = (0.05, 0.5)
ROUTE_NET = dict(depth=3, widths=[1.0, 1.5, 0.5], width=500.0, samples=7, classes=3,
                 momentum=0.4)
ROUTE_KEYS = ("kappa1", "kappa2", "kappa1_ntk", "kappa2_ntk", "eta_critical")
ROUTE_GROUPS = ("fim", "ntk")
ROUTE_STATS = ("mean", "second_moment", "lambda_max")


def _same_bits(x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return x.shape == y.shape and np.array_equal(x, y, equal_nan=True)


def _cli_stats(name, sw, sb, capsys):
    net = ROUTE_NET
    argv = ["stats", "--activation", name, "--sigma-w2", repr(sw), "--sigma-b2", repr(sb),
            "--depth", str(net["depth"]), "--widths", ",".join(map(repr, net["widths"])),
            "--width", repr(net["width"]), "--samples", str(net["samples"]),
            "--classes", str(net["classes"]), "--momentum", repr(net["momentum"]), "--json"]
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def _cli_value_matches(cli, lib):
    """The CLI prints non-finite numbers as null; finite ones must be the same double."""
    lib = float(lib)
    if not np.isfinite(lib):
        return cli is None
    return cli is not None and float(cli) == lib


@pytest.mark.parametrize("name", [
    # printing gelu's kernels in the library takes minutes (the homogeneity test of
    # evaluation_form simplifies I_φ'(t a, t b)/I_φ'(a, b))
    pytest.param(n, marks=pytest.mark.slow) if n == "gelu" else n for n in SHIPPED])
def test_module_kernel_set_and_cli_agree_to_the_last_bit(name, capsys):
    """``mf.network_statistics`` over the shipped module, over ``kernels_for(name)`` (the
    derivation, executing the same printed code; no time budget, so that a loaded machine
    cannot turn it into quadrature) and ``meanfield-sym stats --json`` (one grid point per
    call) give the same doubles."""
    sw, sb = np.meshgrid(ROUTE_SW, ROUTE_SB, indexing="ij")
    args = {k: v for k, v in ROUTE_NET.items() if k != "depth"}
    derived = kernels_for(name, budget=float("inf"))
    assert all(v is not None for v in derived.closed_form.values()), name
    by_module = mf.network_statistics(gen(name), sw, sb, ROUTE_NET["depth"], **args)
    by_set = mf.network_statistics(derived, sw, sb, ROUTE_NET["depth"], **args)
    for key in ROUTE_KEYS:
        assert _same_bits(by_module[key], by_set[key]), (name, key)
    for group in ROUTE_GROUPS:
        for key in ROUTE_STATS:
            assert _same_bits(by_module[group][key], by_set[group][key]), (name, group, key)
    assert np.all(np.isfinite(by_module["kappa2"])), name  # the grid is inside float64 range
    for i, s_w in enumerate(ROUTE_SW):
        for j, s_b in enumerate(ROUTE_SB):
            cli = _cli_stats(name, s_w, s_b, capsys)
            assert cli["depth"] == ROUTE_NET["depth"] and cli["activation"] == name
            for key in ROUTE_KEYS:
                assert _cli_value_matches(cli[key], by_module[key][i, j]), (name, key, i, j)
            for group in ROUTE_GROUPS:
                for key in ROUTE_STATS:
                    assert _cli_value_matches(cli[group][key], by_module[group][key][i, j]), \
                        (name, group, key, i, j)


def test_shipped_provider_only_for_the_current_derivation(tmp_path, monkeypatch):
    """``provider.shipped`` serves the module whose DERIVATION digest is today's; a module
    printed by other derivation code (a stale copy, or a changed digest) is not used, and
    names then resolve through the derivation."""
    real = gen("relu")
    assert real.DERIVATION == provider.derivation_digest()
    fast = provider.shipped("relu")
    assert fast is from_module(real)
    assert provider.resolve("relu") is fast
    assert provider.shipped("relu", {"slope": "1"}) is None       # relu takes no parameters
    assert provider.shipped("softplus") is None                   # not shipped

    # a stale copy in place of the shipped module
    stale_path = tmp_path / "relu.py"
    text = (codegen.GENERATED_DIR / "relu.py").read_text()
    assert text.count(f"DERIVATION = {real.DERIVATION!r}") == 1
    stale_path.write_text(text.replace(f"DERIVATION = {real.DERIVATION!r}",
                                       "DERIVATION = '000000000000'"))
    stale = codegen.load_module(stale_path)
    assert stale.DERIVATION == "000000000000"
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "meanfield_sym.generated.relu", stale)
        assert provider.shipped("relu") is None
        assert provider.resolve("relu") is kernels_for("relu")

    # the real module under other derivation code: the digest is recomputed from the sources
    try:
        with monkeypatch.context() as m:
            from meanfield_sym.kernels import digest
            m.setattr(digest, "DERIVATION_SOURCES", digest.DERIVATION_SOURCES[:-1])
            provider.derivation_digest.cache_clear()
            assert provider.derivation_digest() != real.DERIVATION
            assert provider.shipped("relu") is None
            assert provider.resolve("relu") is kernels_for("relu")
    finally:
        provider.derivation_digest.cache_clear()
    assert provider.derivation_digest() == real.DERIVATION
    assert provider.shipped("relu") is fast


def test_module_without_closed_forms_imports_with_numpy_only(tmp_path, capsys):
    """tanh has no closed form: the module binds the kernels to None, imports with NumPy only,
    and as a provider evaluates exactly what the library's kernel set evaluates."""
    out = tmp_path / "tanh_gen.py"
    assert main(["codegen", "tanh", "--out", str(out)]) == 0
    assert "no closed form" in capsys.readouterr().err
    code = ("import sys, importlib.util\n"
            f"spec = importlib.util.spec_from_file_location('tanh_gen', {str(out)!r})\n"
            "mod = importlib.util.module_from_spec(spec)\n"
            "spec.loader.exec_module(mod)\n"
            "print(mod.two_point is None, mod.layer is None, mod.ACTIVATION, "
            "'sympy' in sys.modules, 'meanfield_sym' in sys.modules)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert res == ["True", "True", "tanh", "False", "False"]
    mod = codegen.load_module(out)
    assert mod.two_point is None and mod.CLOSED_FORMS["two_point"] is None
    kern = from_module(mod)
    a, b = np.array([0.5, 2.0, 7.0]), np.array([0.1, -1.0, 6.9])
    np.testing.assert_array_equal(kern.two_point(a, b), kernels_for("tanh").two_point(a, b))
    np.testing.assert_array_equal(kern.one_point(a), kernels_for("tanh").one_point(a))
    assert kern.gamma(2.0) == 1.0


# ---------------------------------------------------------------------------------------------
# Imports, doctests, banner
# ---------------------------------------------------------------------------------------------
_IMPORT_CHECK = """
import sys, importlib
from meanfield_sym import meanfield as mf
for name in sys.argv[1:]:
    mod = importlib.import_module("meanfield_sym.generated." + name)
    st = mf.network_statistics(mod, 1.5, 0.1, 3)
    fp = mf.fixed_point(mod, 1.5, 0.1)
    sm = mf.softmax_fim_statistics(mf.softmax_betas([[0.2, 0.8]]), st["kappa1"], st["kappa2"],
                                   st["alpha"], 100)
    assert st["kappa1"] > 0 and fp.q_star > 0 and sm["mean"] > 0, name
print("sympy" in sys.modules, len(sys.argv) - 1)
"""

_FILE_IMPORT_CHECK = """
import sys, importlib.util
for path in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("m", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert callable(mod.layer) and callable(mod.gamma), path
print("sympy" in sys.modules, "meanfield_sym" in sys.modules)
"""


def test_shipped_modules_and_statistics_run_without_sympy():
    out = subprocess.run([sys.executable, "-c", _IMPORT_CHECK, *SHIPPED], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["False", str(len(SHIPPED))]


def test_shipped_module_files_import_with_numpy_only():
    paths = [str(codegen.GENERATED_DIR / f"{n}.py") for n in SHIPPED]
    out = subprocess.run([sys.executable, "-c", _FILE_IMPORT_CHECK, *paths],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


@pytest.mark.parametrize("name", ["relu", "gelu", "step"])
def test_generated_docstring_examples_run(name):
    res = doctest.testmod(gen(name), verbose=False)
    assert res.attempted >= 1 and res.failed == 0


def _banner_command(text):
    """The regenerate command of a banner (comment lines, continued with backslashes)."""
    lines = text.splitlines()
    start = lines.index("# Regenerate with:")
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("# ---"))
    body = " ".join(line.lstrip("#").strip().rstrip("\\").strip()
                    for line in lines[start + 1:end])
    return shlex.split(body)


def test_banner_names_expression_hash_version_digest_and_command():
    import sympy
    from meanfield_sym.activation.function import get_activation
    mod = gen("leaky_relu")
    text = (codegen.GENERATED_DIR / "leaky_relu.py").read_text()
    head = text.split('"""', 1)[0]
    act = get_activation("leaky_relu")
    assert "GENERATED FILE" in head
    assert f"φ(x) = {sympy.sstr(act.expr)}" in head and mod.EXPRESSION == sympy.sstr(act.expr)
    assert act.fingerprint in head and mod.FINGERPRINT == act.fingerprint
    assert f"SymPy {sympy.__version__}" in head and mod.SYMPY_VERSION == sympy.__version__
    assert f"derivation code {mod.DERIVATION}" in head
    assert _banner_command(text) == ["meanfield-sym", "codegen", "leaky_relu", "--param",
                                     "slope=1/100", "--out",
                                     "meanfield_sym/generated/leaky_relu.py"]


@pytest.mark.parametrize("name", SHIPPED + codegen.TABULATED)
def test_generated_lines_fit_99_characters(name):
    text = (codegen.GENERATED_DIR / f"{name}.py").read_text()
    long = [i for i, line in enumerate(text.splitlines(), 1) if len(line) > 99]
    assert not long, (name, long)


# ---------------------------------------------------------------------------------------------
# codegen --check and the CLI
# ---------------------------------------------------------------------------------------------
def test_check_passes_on_shipped_modules(capsys):
    assert main(["codegen", "--check", "--only", ",".join(QUICK)]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.slow
def test_check_passes_on_all_shipped_modules():
    assert main(["codegen", "--check"]) == 0


def test_check_fails_after_an_edit_in_a_copy(tmp_path, capsys):
    """A fresh copy passes; an edit and a missing file are reported, an intact file is not."""
    copy = tmp_path / "generated"
    copy.mkdir()
    codegen.write_shipped(list(QUICK), copy)
    assert main(["codegen", "--check", "--only", ",".join(QUICK), "--dir", str(copy)]) == 0
    capsys.readouterr()
    target = copy / "relu.py"
    text = target.read_text()
    assert "numpy.arctan2" in text
    target.write_text(text.replace("numpy.arctan2", "numpy.arctan2 ", 1))
    (copy / "step.py").unlink()
    rc = main(["codegen", "--check", "--only", ",".join(QUICK), "--dir", str(copy)])
    err = capsys.readouterr().err
    assert rc == 1
    assert str(target) in err and "step.py" in err and "missing" in err
    assert "erf.py" not in err


def test_cli_writes_a_module_equal_to_the_shipped_one(tmp_path):
    out = tmp_path / "relu.py"
    assert main(["codegen", "relu", "--out", str(out)]) == 0

    def without_command(text):
        lines = text.splitlines()
        start = lines.index("# Regenerate with:")
        end = next(i for i in range(start, len(lines)) if lines[i].startswith("# ---"))
        return lines[:start] + lines[end:]

    shipped_text = (codegen.GENERATED_DIR / "relu.py").read_text()
    assert without_command(shipped_text) == without_command(out.read_text())
    # only the banner's command differs: the --out path
    assert _banner_command(shipped_text)[-1] == "meanfield_sym/generated/relu.py"
    assert _banner_command(out.read_text())[-2:] == ["--out", str(out)]


def test_generation_is_deterministic_across_hash_seeds():
    """Derived in-process each time (fresh: no on-disk cache shared between the runs)."""
    code = ("from meanfield_sym.codegen import generate_module; import hashlib; "
            "src = generate_module('abs', fresh=True).source; "
            "print(hashlib.sha256(src.encode()).hexdigest())")
    digests = set()
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        digests.add(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                   check=True, env=env).stdout.strip())
    assert len(digests) == 1 and len(digests.pop()) == 64


@pytest.mark.parametrize("argv,fragment", [
    (["codegen"], "give an ACTIVATION"),
    (["codegen", "relu"], "--out"),
    (["codegen", "relu", "--out", "x.txt"], ".py"),
    (["codegen", "relu", "--out", "/nonexistent-dir/x.py"], "does not exist"),
    (["codegen", "relu", "--check"], "no ACTIVATION"),
    (["codegen", "--check", "--update"], "exclude"),
    (["codegen", "--check", "--only", "softplus"], "not a shipped module"),
    (["codegen", "leaky_relu", "--param", "slope", "--out", "x.py"], "NAME=VALUE"),
    (["codegen", "relu", "--param", "slope=1", "--out", "x.py"], "does not take"),
    (["codegen", "nosuchact", "--out", "x.py"], "unknown activation"),
    (["codegen", "relu", "--only", "relu", "--out", "x.py"], "--only"),
])
def test_cli_bad_input_exits_2_with_one_line(argv, fragment, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1
    assert not list(tmp_path.iterdir())  # nothing written


# ---------------------------------------------------------------------------------------------
# Bad input through the library, with a generated module as the provider
# ---------------------------------------------------------------------------------------------
def _kern(m):
    return from_module(m)


def _op(m, *args, **kw):
    return mf.order_parameters(m, *args, **kw)


_BETAS = {"beta1": 0.5, "beta2": 0.1, "beta3": 0.2, "beta4": 0.25, "N": 2, "C": 2}


@pytest.mark.parametrize("call,fragment", [
    (lambda m: _kern(m).one_point(-1.0), "q must be > 0"),
    (lambda m: _kern(m).one_point(np.nan), "finite"),
    (lambda m: _kern(m).two_point(1.0, 1.5), "exceed"),
    (lambda m: _kern(m).two_point(0.0, 0.0), "a must be > 0"),
    (lambda m: _kern(m).two_point_prime(1.0, "x"), "number"),
    (lambda m: _kern(m).layer(2.0, -2.5), "exceed"),
    (lambda m: _kern(m).gamma(-0.1), ">= 0"),
    (lambda m: _kern(m).tangent_moments(0.0), "> 0"),
    (lambda m: _kern(m).variance_map(-1.0, 1.0, 0.1), "> 0"),
    (lambda m: _op(m, -1.0, 0.1, 3), ">= 0"),
    (lambda m: _op(m, 1.0, np.inf, 3), "finite"),
    (lambda m: _op(m, 1.0, 0.1, 0), "depth"),
    (lambda m: _op(m, 1.0, 0.1, 2.5), "depth"),
    (lambda m: mf.kappas(_op(m, 1.0, 0.1, 1), mf.width_ratios(None, 1)), "depth 1"),
    (lambda m: mf.network_statistics(m, 1.0, 0.1, 3, widths=[1, 0, 1]), "positive"),
    (lambda m: _op(m, [1.0, 2.0], 0.1, 3), "per-layer"),
    (lambda m: _op(m, 1.0, 0.1, 3, qhat2_0=2.0), "qhat2_0"),
    (lambda m: _op(m, 0.0, 0.0, 3), "must be > 0"),
    (lambda m: mf.network_statistics(m, 1.0, 0.1, 3, samples=0), "samples"),
    (lambda m: mf.network_statistics(m, 1.0, 0.1, 3, width=-5), "width"),
    (lambda m: mf.network_statistics(m, 1.0, 0.1, 3, momentum=1.0), "momentum"),
    (lambda m: mf.network_statistics(m, 1.0, 0.1, 3, classes=0), "classes"),
    (lambda m: mf.softmax_betas([[0.5, 0.6]]), "sum to 1"),
    (lambda m: mf.softmax_betas([[1.5, -0.5]]), "non-negative"),
    (lambda m: mf.softmax_betas(np.ones((2, 2, 2)) / 2), "N x C"),
    (lambda m: mf.fim_blocks(_op(m, 1.0, 0.1, 3), np.ones(3), 100, 5, 0), "classes"),
    (lambda m: mf.network_statistics(m, 1.0, -0.2, 3), "sigma_b2 is a variance"),
    (lambda m: mf.network_statistics(m, 1.0, 0.1, 3, widths=[1, 1]), "3 values for depth 3"),
    (lambda m: mf.network_statistics(m, 1.0, 0.1, 2, widths=[1, 1, 1]), "widths"),
    (lambda m: mf.network_statistics(m, 1.0, 0.1, 3, samples=1.5), "samples"),
    (lambda m: mf.network_statistics(m, [1.0, -1.0, 1.0], 0.1, 3), "sigma_w2[layer 2]"),
    (lambda m: mf.network_statistics(m, 1.0, 0.1, 0), "depth"),
    (lambda m: mf.network_statistics(m, 1.0, 0.1, 2, width=0), "width"),
    (lambda m: mf.network_statistics(m, -1.0, 0.1, 3), ">= 0"),
    (lambda m: mf.fixed_point(m, -0.5, 0.1), "sigma_w2 is a variance"),
    (lambda m: mf.fixed_point(m, 1.0, -0.1), "sigma_b2 is a variance"),
    (lambda m: mf.fixed_point(m, 0.0, 0.0), "must be > 0"),
    (lambda m: mf.fixed_point(m, 1.0, 0.1, q_init=-1.0), "q_init"),
    (lambda m: mf.fixed_point(m, 1.0, 0.1, tol=0.0), "tol"),
    (lambda m: mf.fixed_point(m, 1.0, 0.1, maxiter=0), "maxiter"),
    (lambda m: mf.chi1(m, 1.0, 0.0), "> 0"),
    (lambda m: mf.chi1(m, -1.0, 1.0), ">= 0"),
    (lambda m: mf.softmax_fim_statistics(_BETAS, 1.0, 0.5, 2.0, -3), "width"),
    (lambda m: mf.ngd_unit_wise(m, -1.0, 0.1, 3), ">= 0"),
    (lambda m: mf.ngd_unit_wise(m, 1.0, 0.1, 3, widths=[1, 1]), "widths"),
])
def test_library_rejects_bad_input_with_a_module_as_provider(call, fragment):
    with pytest.raises(ValueError) as info:
        call(gen("relu"))
    assert fragment in str(info.value)
    assert len(str(info.value).splitlines()) == 1


@pytest.mark.parametrize("call,fragment", [
    (lambda m: mf.softmax_fim_statistics({"beta1": 0.5}, 1.0, 0.5, 2.0, 10), "softmax_betas"),
    (lambda m: mf.softmax_fim_statistics(_BETAS, 1.0, 0.5, 0.0, 10), "alpha"),
])
def test_library_rejects_arguments_it_cannot_use(call, fragment):
    """Every public function validates its arguments (meanfield_sym.checks): a β dict without
    N and C, or α = 0 (no hidden layer), is refused with one line, not answered with a
    KeyError or NaN."""
    with pytest.raises(ValueError) as info:
        call(gen("relu"))
    assert fragment in str(info.value)


def test_zero_times_infinite_backward_moment_is_refused():
    """φ = step with σ_w² = 0 in the output layer: q̃^2 = 0 · E[δ²] = 0 · ∞ is undefined; the
    recursion must refuse it (as the kernels refuse NaN), not return κ1 = NaN."""
    with pytest.raises(ValueError, match="NaN|undefined"):
        _library_kappas(gen("step"), [1.0, 1.0, 0.0], 0.5, 3)
