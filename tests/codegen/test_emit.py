"""Generated evaluator modules (meanfield_sym.codegen, meanfield_sym/generated/*.py).

Witnesses:
* the generated float64 kernels against the engine's closed forms evaluated by mpmath at 40
  digits over grids spanning magnitudes (a, q from 1e-3 to 1e3, c = b/a up to ±1);
* κ1, κ2 and the NTK κ' against the textbook arc-cosine (Cho & Saul 2009) and Williams (1998)
  kernels run through the recursions in mpmath, and the affine linear-network recursion;
* the generated statistics (κ's, Fisher/NTK, diagonal blocks, feature metric, softmax
  bounds, the fixed point q* and χ1) against meanfield_sym.meanfield.recursions /
  meanfield_sym.meanfield (same conventions, separate implementation);
* the no-SymPy import in a fresh interpreter, `codegen --check`, the CLI and bad input.
"""
from __future__ import annotations

import doctest
import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest

from meanfield_sym.codegen import emit as codegen
from meanfield_sym.cli import main
from meanfield_sym.kernels.symbols import KERNEL_NAMES
from meanfield_sym.kernels.kernel_set import kernels_for

#: Generated float64 vs 40-digit closed forms: a few ulps of each rounding in a ~20-operation
#: expression, with margin.
KERNEL_RTOL = 1e-12
#: Values smaller than this fraction of the kernel's scale (e.g. a for I_φ[a, b] of ReLU near
#: b = −a) are compared in absolute terms: their relative error is amplified by cancellation
#: intrinsic to the closed form (not a defect of the generated code).
KERNEL_ATOL_SCALE = 1e-13
#: Generated vs meanfield_sym.meanfield: the same closed forms, printed differently (CSE,
#: exact evaluation identities), through L ≤ 6 layers.
SAME_FORMS_RTOL = 1e-12
#: Generated κ vs 30-digit textbook recursions (depth ≤ 5).
KAPPA_RTOL = 1e-12

SHIPPED = codegen.SHIPPED
QUICK = ("relu", "erf", "step")  # the default-run subset of `--check` (gelu alone takes ~30 s)


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
    """The closed forms a generated module was made from (its CLOSED_FORMS, as derived by the
    engine; `codegen --check` ties them to the engine's current output)."""
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
    for g, r, s in zip(got, ref, scale):
        if mpmath.isinf(r):
            assert np.isinf(g) and (g > 0) == (r > 0), label
            continue
        tol = KERNEL_RTOL * abs(r) + KERNEL_ATOL_SCALE * s
        assert abs(mpmath.mpf(float(g)) - r) <= tol, (label, g, r)


@pytest.mark.parametrize("name", SHIPPED)
def test_kernels_match_40_digit_closed_forms(name):
    mod = gen(name)
    top = MAX_VARIANCE.get(name, np.inf)
    qs = [q for q in MAGNITUDES if q <= top]
    for kernel in ("one_point", "one_point_prime"):
        got = getattr(mod, kernel)(np.array(qs))
        ref = _mp_values(name, kernel, [(q,) for q in qs])
        scale = [abs(float(r)) if mpmath.isfinite(r) else 0.0 for r in ref]
        _compare(got, ref, scale, (name, kernel))
    pts = [(a, c * a) for a in qs for c in CORRELATIONS]
    a = np.array([p[0] for p in pts])
    b = np.array([p[1] for p in pts])
    for kernel in ("two_point", "two_point_prime"):
        got = getattr(mod, kernel)(a, b)
        ref = _mp_values(name, kernel, pts)
        # the scale of I[a, b] is its value at b = a (Cauchy–Schwarz bound), one-point moment
        one = "one_point" if kernel == "two_point" else "one_point_prime"
        scale = [abs(float(s)) for s in getattr(mod, one)(a)]
        _compare(got, ref, scale, (name, kernel))


@pytest.mark.parametrize("name", SHIPPED)
def test_two_point_at_full_correlation_is_the_one_point_moment(name):
    """I_φ[q, q] = E[φ(√q u)²] (a property of the definitions, not of the forms)."""
    mod = gen(name)
    q = np.array([0.01, 0.7, 3.0, 40.0])
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(mod.two_point(q, q), mod.one_point(q), rtol=KERNEL_RTOL)
        np.testing.assert_allclose(mod.two_point_prime(q, q), mod.one_point_prime(q),
                                   rtol=KERNEL_RTOL)


def test_kernel_broadcasting_and_shapes():
    mod = gen("relu")
    a = np.linspace(0.5, 2.0, 4)[:, None]
    b = np.linspace(-0.4, 0.4, 3)[None, :]
    assert mod.two_point(a, b).shape == (4, 3)
    assert mod.one_point_prime(a).shape == (4, 1)  # a constant kernel is broadcast to q's shape
    assert np.all(mod.one_point_prime(a) == 0.5)
    assert mod.two_point(1.0, 0.5).shape == ()


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


@pytest.mark.parametrize("name,kernel", [("relu", _arccos_relu), ("erf", _williams_erf)])
@pytest.mark.parametrize("depth,widths", [(2, (1, 1)), (5, (1.0, 2.0, 0.5, 1.5, 1.0))])
def test_kappas_match_textbook_kernels(name, kernel, depth, widths):
    mod = gen(name)
    sw = np.array([0.5, 1.7, 2.0, 3.9])
    sb = np.array([0.0, 0.05, 0.3, 1.2])
    got = mod.kappas(sw, sb, depth, widths=widths)
    with mpmath.workdps(30):
        for i in range(sw.size):
            ref = _mp_kappas(kernel, float(sw[i]), float(sb[i]), depth, widths)
            for key, value in ref.items():
                # |κ2| <= κ1: κ2 (zero for odd φ without bias) is measured on κ1's scale
                scale = abs(ref[key.replace("2", "1")])
                assert abs(got[key][i] - value) <= KAPPA_RTOL * scale, (key, i)


def test_linear_network_kappas_are_the_affine_recursion():
    """φ = x: q̂^l = σ_w² q̂^{l−1} + σ_b², q̃^l = σ_w^{2(L−l)} (Universal statistics B.13–B.16)."""
    mod = gen("linear")
    sw, sb, L = 1.3, 0.2, 4
    h1, h2 = [1.0], [0.0]
    for _ in range(1, L):
        h1.append(sw * h1[-1] + sb)
        h2.append(sw * h2[-1] + sb)
    k1 = sum(sw ** (L - l) * h1[l - 1] for l in range(1, L + 1)) / (L - 1)
    k2 = sum(sw ** (L - l) * h2[l - 1] for l in range(1, L + 1)) / (L - 1)
    got = mod.kappas(sw, sb, L)
    assert got["kappa1"] == pytest.approx(k1, rel=KAPPA_RTOL)
    assert got["kappa2"] == pytest.approx(k2, rel=KAPPA_RTOL)


def test_leaky_relu_with_slope_zero_is_relu(tmp_path):
    out = tmp_path / "lrelu0.py"
    assert main(["codegen", "leaky_relu", "--param", "slope=0", "--out", str(out)]) == 0
    lrelu = codegen.load_module(out)
    relu = gen("relu")
    sw, sb = np.meshgrid([0.5, 2.0, 3.0], [0.1, 1.0])
    for key in ("kappa1", "kappa2", "kappa1_ntk", "kappa2_ntk"):
        np.testing.assert_allclose(lrelu.kappas(sw, sb, 4)[key], relu.kappas(sw, sb, 4)[key],
                                   rtol=SAME_FORMS_RTOL)


# ---------------------------------------------------------------------------------------------
# Same quantities as recursions.py / statistics.py
# ---------------------------------------------------------------------------------------------
GRID_SW, GRID_SB = np.meshgrid(np.linspace(0.3, 3.5, 6), np.linspace(0.02, 1.5, 5))


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                               rtol=SAME_FORMS_RTOL, atol=0)


STAT_KEYS = ("mean", "second_moment", "lambda_max")
TILDE_KEYS = STAT_KEYS + ("kappa1_tilde", "kappa2_tilde")


def _close_stats(got, ref, keys=STAT_KEYS):
    for key in keys:
        _close(got[key], ref[key])


def _close_blocks(got, ref):
    assert len(got) == len(ref)
    for g, r in zip(got, ref):
        assert set(g) == set(STAT_KEYS)
        _close_stats(g, r)


def _close_order_parameters(got, ref):
    assert set(got) == set(ref)
    for key in ref:
        assert [v is None for v in got[key]] == [v is None for v in ref[key]], key
        for g, r in zip(got[key], ref[key]):
            if r is not None:
                assert np.shape(g) == np.shape(r)
                _close(g, r)


@pytest.mark.parametrize("name", ["relu", "erf", "sin", "abs", "gaussian"])
def test_network_statistics_match_statistics_module(name):
    from meanfield_sym import meanfield as statistics as st
    mod = gen(name)
    kw = dict(widths=[1.0, 1.5, 0.5, 2.0, 1.0], width=500, samples=7, classes=3, momentum=0.4)
    ref = st.network_statistics(name, GRID_SW, GRID_SB, 5, **kw)
    got = mod.network_statistics(GRID_SW, GRID_SB, 5, **kw)
    assert got["alpha"] == ref["alpha"]
    for key in ("kappa1", "kappa2", "kappa1_ntk", "kappa2_ntk", "eta_critical"):
        _close(got[key], ref[key])
    for group in ("fim", "ntk"):
        for key in ("mean", "second_moment", "lambda_max"):
            _close(got[group][key], ref[group][key])
    # the keys the generated module had before the feature metric and blocks were added
    assert {"alpha", "kappa1", "kappa2", "kappa1_ntk", "kappa2_ntk", "fim", "ntk",
            "eta_critical"} <= set(got)
    assert got["alpha_tilde"] == ref["alpha_tilde"]
    _close(got["widths"], ref["widths"])
    _close_stats(got["feature_metric"], ref["feature_metric"], TILDE_KEYS)
    _close_blocks(got["feature_metric"]["blocks"], ref["feature_metric"]["blocks"])
    _close_blocks(got["fim_blocks"], ref["fim_blocks"])
    _close_order_parameters(got["order_parameters"], ref["order_parameters"])


def test_order_parameters_match_recursions_per_layer_values():
    from meanfield_sym.meanfield.recursions import order_parameters
    mod = gen("erf")
    sw = [1.0, np.array([2.0, 0.5]), 1.5, 3.0]
    sb = [0.1, 0.2, np.array([0.0, 0.4]), 0.3]
    ref = order_parameters(kernels_for("erf"), sw, sb, 4, qhat1_0=2.0, qhat2_0=-0.5).as_lists()
    got = mod.order_parameters(sw, sb, 4, qhat1_0=2.0, qhat2_0=-0.5)
    assert set(got) == set(ref)
    for key in ref:
        assert [v is None for v in got[key]] == [v is None for v in ref[key]], key
        for g, r in zip(got[key], ref[key]):
            if r is not None:
                assert np.shape(g) == np.shape(r) == (2,)
                _close(g, r)


#: (σ_w², σ_b², depth, widths, qhat1_0, qhat2_0): grids, per-layer lists, unequal widths.
NETWORKS = [
    (GRID_SW, GRID_SB, 3, None, 1.0, 0.0),
    (GRID_SW, GRID_SB, 5, [1.0, 1.5, 0.5, 2.0, 1.0], 1.0, 0.3),
    ([1.0, np.array([2.0, 0.5]), 1.5, 3.0], [0.1, 0.2, np.array([0.05, 0.4]), 0.3], 4,
     [2.0, 1.0, 0.7, 1.3], 2.0, -0.5),
    (np.array([0.4, 1.2, 2.6]), 0.2, 1, [1.5], 1.0, 0.2),   # depth 1: feature metric only
]


@pytest.mark.parametrize("name", ["erf", "relu"])
@pytest.mark.parametrize("net", range(len(NETWORKS)))
def test_blocks_and_feature_metric_match_statistics_module(name, net):
    """fim_blocks, feature_metric_statistics and feature_metric_blocks of the generated module
    against meanfield_sym.meanfield over recursions.order_parameters (hand-written NumPy over
    the engine's lambdified kernels) at the same (σ_w², σ_b², L, widths, inputs)."""
    from meanfield_sym import meanfield as statistics as st
    from meanfield_sym.meanfield.recursions import order_parameters
    sw, sb, depth, widths, h1, h2 = NETWORKS[net]
    mod = gen(name)
    sizes = dict(width=300, samples=6, classes=4)
    op = order_parameters(kernels_for(name), sw, sb, depth, qhat1_0=h1, qhat2_0=h2)
    al = st.width_ratios(widths, depth)
    args = (sw, sb, depth)
    kw = dict(widths=widths, qhat1_0=h1, qhat2_0=h2, **sizes)
    M, N, C = sizes["width"], sizes["samples"], sizes["classes"]
    _close_blocks(mod.fim_blocks(*args, **kw), st.fim_blocks(op, al, M, N, C))
    got = mod.feature_metric_statistics(*args, **kw)
    ref = st.feature_metric_statistics(op, al, M, N, C)
    _close_stats(got, ref, TILDE_KEYS)
    assert got["alpha_tilde"] == ref["alpha_tilde"]
    _close_blocks(mod.feature_metric_blocks(*args, **kw), st.feature_metric_blocks(op, al, M, N, C))
    # the same numbers inside network_statistics (depth 1: Fisher entries None, as statistics)
    full = mod.network_statistics(*args, **kw)
    _close_stats(full["feature_metric"], ref, TILDE_KEYS)
    _close_order_parameters(full["order_parameters"], op.as_lists())
    if depth == 1:
        assert full["fim_blocks"] is None and full["kappa1"] is None and full["fim"] is None
        assert "depth 1" in full["notes"][0]
    else:
        _close_blocks(full["fim_blocks"], st.fim_blocks(op, al, M, N, C))
        k1, k2 = st.kappas(op, al)
        _close(full["kappa1"], k1)
        _close(full["kappa2"], k2)


def test_network_statistics_depth_one_matches_statistics_module():
    from meanfield_sym import meanfield as statistics as st
    got = gen("erf").network_statistics(1.3, 0.2, 1, widths=[2.0], width=50, samples=3)
    ref = st.network_statistics("erf", 1.3, 0.2, 1, widths=[2.0], width=50, samples=3)
    for key in ("kappa1", "kappa2", "kappa1_ntk", "kappa2_ntk", "fim", "ntk", "eta_critical",
                "fim_blocks"):
        assert got[key] is None and ref[key] is None, key
    assert got["alpha"] == ref["alpha"] == 0.0
    _close_stats(got["feature_metric"], ref["feature_metric"], TILDE_KEYS)


@pytest.mark.parametrize("name", ["erf", "relu"])
def test_fixed_point_and_chi1_match_recursions(name):
    """q* and χ1 = σ_w² E[φ'(√q* u)²] against recursions.fixed_point / recursions.chi1 over a
    grid holding ordered, chaotic and (ReLU, σ_w² > 2) divergent points.  The iteration is the
    same, the kernels printed differently; contraction rates on this grid stay below ~0.9, so
    the 1e-13 stopping rule leaves the two routes within 1e-12."""
    from meanfield_sym.meanfield.recursions import chi1, fixed_point
    mod = gen(name)
    got = mod.fixed_point(GRID_SW, GRID_SB)
    ref = fixed_point(kernels_for(name), GRID_SW, GRID_SB)
    np.testing.assert_array_equal(got["converged"], ref.converged)
    np.testing.assert_array_equal(got["diverged"], ref.diverged)
    assert abs(got["iterations"] - ref.iterations) <= 1
    fin = ~ref.diverged
    assert np.all(np.isinf(got["q_star"][~fin])) and np.all(np.isinf(got["chi1"][~fin]))
    _close(got["q_star"][fin], ref.q_star[fin])
    _close(got["chi1"][fin], ref.chi1[fin])
    # χ1 at given variances, and q_init / scalar inputs
    q = np.array([0.05, 0.7, 3.0, 40.0])
    _close(mod.chi1(1.7, q), chi1(kernels_for(name), 1.7, q))
    one = mod.fixed_point(0.9, 0.3, q_init=5.0)
    ref1 = fixed_point(kernels_for(name), 0.9, 0.3, q_init=5.0)
    assert np.shape(one["q_star"]) == ()
    _close(one["q_star"], ref1.q_star)


def test_fixed_point_of_relu_is_the_closed_form():
    """ReLU: q* = σ_b²/(1 − σ_w²/2) for σ_w² < 2 and χ1 = σ_w²/2 (E[φ'²] = 1/2)."""
    sw = np.array([0.3, 1.0, 1.6])
    fp = gen("relu").fixed_point(sw, 0.4)
    assert np.all(fp["converged"])
    np.testing.assert_allclose(fp["q_star"], 0.4 / (1 - sw / 2), rtol=1e-12)
    np.testing.assert_allclose(fp["chi1"], sw / 2, rtol=1e-15)


@pytest.mark.parametrize("name", ["erf", "relu"])
def test_softmax_fim_statistics_match_statistics_module(name):
    from meanfield_sym import meanfield as statistics as st
    rng = np.random.default_rng(11)
    logits = rng.normal(size=(25, 5)) * 1.5
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    mod = gen(name)
    ks = mod.kappas(GRID_SW, GRID_SB, 4, widths=[1.0, 2.0, 0.5, 1.0])
    betas = mod.softmax_betas(probs)
    got = mod.softmax_fim_statistics(betas, ks["kappa1"], ks["kappa2"], ks["alpha"], 400)
    ref = st.softmax_fim_statistics(st.softmax_betas(probs), ks["kappa1"], ks["kappa2"],
                                    ks["alpha"], 400)
    for key in ("mean", "second_moment", "lambda_max_lower", "lambda_max_upper",
                "lambda_max_upper_28"):
        _close(got[key], ref[key])
    _close_stats(got["linear"], ref["linear"])
    assert got["comparison_28"] == {k: bool(v) for k, v in ref["comparison_28"].items()}
    # the probabilities themselves are accepted in place of the β's
    again = mod.softmax_fim_statistics(probs, ks["kappa1"], ks["kappa2"], ks["alpha"], 400)
    _close(again["lambda_max_upper"], got["lambda_max_upper"])


def test_softmax_betas_match_statistics_module():
    from meanfield_sym.meanfield import softmax_betas
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(40, 6)) * 2
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    got = gen("relu").softmax_betas(probs)
    ref = softmax_betas(probs)
    for key in ("beta1", "beta2", "beta3", "beta4"):
        assert got[key] == pytest.approx(ref[key], rel=SAME_FORMS_RTOL)
    assert (got["N"], got["C"]) == (40, 6)


def test_softmax_betas_from_the_definition():
    """β2 as the sum over ordered pairs n ≠ m of Σ_{kk'} Q_n(k,k') Q_m(k,k'),
    Q_n = diag(g(n)) − g(n) g(n)ᵀ (Pathological spectra Theorem 3.3), written out directly."""
    rng = np.random.default_rng(5)
    g = rng.dirichlet(np.ones(4), size=9)
    Qs = [np.diag(x) - np.outer(x, x) for x in g]
    beta2 = sum(np.sum(Qs[n] * Qs[m]) for n in range(9) for m in range(9) if n != m) / 81
    beta1 = np.mean([np.trace(Qn) for Qn in Qs])
    got = gen("erf").softmax_betas(g)
    assert got["beta2"] == pytest.approx(beta2, rel=1e-12)
    assert got["beta1"] == pytest.approx(beta1, rel=1e-12)


@pytest.mark.parametrize("name,expected", [("relu", 0.5), ("erf", 1.0), ("step", 0.0),
                                           ("abs", 1.0), ("sin", 1.0)])
def test_gamma_constants(name, expected):
    """NGD paper Theorem 5.1: γ = 1 for smooth non-constant φ, 1/2 for ReLU (and the
    step function's derivative is a point mass only: γ = 0)."""
    mod = gen(name)
    np.testing.assert_array_equal(mod.gamma(np.array([0.0, 0.3, 4.0])), expected)
    res = mod.ngd_unit_wise(1.5, 0.1, 4, widths=[1, 2, 1, 1])
    assert len(res["gamma_per_layer"]) == 3
    assert np.all(res["gamma"] == expected)
    if expected > 0:
        assert res["optimal_lr_times_M"] == pytest.approx(1 / (expected * 4))


def test_gamma_expression_shifted_relu_is_a_normal_cdf():
    """φ = max(x, −1): γ(q) = P[u > −1] = Φ(1/√q) (scipy.stats, an independent route);
    the printed expression is evaluated as a generated module would."""
    import scipy.special
    from scipy.stats import norm
    from meanfield_sym.activation.function import get_activation
    expr, at_zero = codegen.gamma_expression(get_activation("shifted_relu"))
    printer = codegen.EvaluatorPrinter()
    code = printer.doprint(expr)
    assert printer.uses_scipy
    q = np.array([0.01, 0.5, 2.0, 90.0])
    got = eval(code, {"numpy": np, "scipy": scipy, "q": q})
    np.testing.assert_allclose(got, norm.cdf(1 / np.sqrt(q)), rtol=1e-14)
    assert at_zero == 1


@pytest.mark.slow
def test_gamma_shifted_relu_module_matches_statistics(tmp_path):
    """The whole route for a layer-dependent γ_l (deriving shifted_relu's kernels takes ~35 s)."""
    from scipy.stats import norm
    from meanfield_sym.meanfield import ngd_unit_wise
    out = tmp_path / "shifted.py"
    assert main(["codegen", "shifted_relu", "--out", str(out)]) == 0
    mod = codegen.load_module(out)
    q = np.array([0.01, 0.5, 2.0, 90.0])
    np.testing.assert_allclose(mod.gamma(q), norm.cdf(1 / np.sqrt(q)), rtol=1e-14)
    assert mod.gamma(0.0) == 1.0
    ref = ngd_unit_wise("shifted_relu", GRID_SW, GRID_SB, 4)
    got = mod.ngd_unit_wise(GRID_SW, GRID_SB, 4)
    for g, r in zip(got["gamma_per_layer"], ref["gamma_per_layer"]):
        _close(g, r)
    _close(got["optimal_lr_times_M"], ref["optimal_lr_times_M"])


# ---------------------------------------------------------------------------------------------
# Imports, delegation, doctests
# ---------------------------------------------------------------------------------------------
_IMPORT_CHECK = """
import sys, importlib.util
bad = []
for path in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("m", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.kappas(1.5, 0.1, 3)
    st = mod.network_statistics(1.5, 0.1, 3)
    mod.fixed_point(1.5, 0.1)
    mod.chi1(1.5, 0.7)
    mod.softmax_fim_statistics([[0.2, 0.8]], st["kappa1"], st["kappa2"], st["alpha"], 100)
print("sympy" in sys.modules, "meanfield_sym" in sys.modules)
"""


def test_shipped_modules_import_without_sympy():
    paths = [str(codegen.GENERATED_DIR / f"{n}.py") for n in SHIPPED]
    out = subprocess.run([sys.executable, "-c", _IMPORT_CHECK, *paths], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_package_route_imports_without_sympy():
    code = "import sys, meanfield_sym.generated.relu as m; m.kappas(1.5, 0.1, 3); " \
           "print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False"]


def test_activation_without_closed_form_delegates_to_quadrature(tmp_path, capsys):
    out = tmp_path / "tanh_gen.py"
    assert main(["codegen", "tanh", "--out", str(out)]) == 0
    assert "delegates" in capsys.readouterr().err
    text = out.read_text()
    assert "no closed form" in text
    mod = codegen.load_module(out)
    ks = kernels_for("tanh")
    np.testing.assert_allclose(mod.two_point(np.array([0.5, 2.0]), np.array([0.1, -1.0])),
                               ks.two_point(np.array([0.5, 2.0]), np.array([0.1, -1.0])),
                               rtol=1e-14)
    assert mod.gamma(2.0) == 1.0


@pytest.mark.parametrize("name", ["relu", "gelu", "step"])
def test_generated_docstring_examples_run(name):
    res = doctest.testmod(gen(name), verbose=False)
    assert res.attempted >= 1 and res.failed == 0


def test_banner_names_expression_hash_version_and_command():
    from meanfield_sym.activation.function import get_activation
    import sympy
    text = (codegen.GENERATED_DIR / "leaky_relu.py").read_text()
    head = text.split('"""', 1)[0]
    assert "GENERATED FILE" in head
    assert get_activation("leaky_relu").fingerprint in head
    assert f"SymPy {sympy.__version__}" in head
    assert "meanfield-sym codegen leaky_relu --param slope=1/100 --out" in head
    assert all(len(line) <= 99 for line in text.splitlines())


def test_evaluation_form_identities_hold():
    """The exact identities of evaluation_form leave the value unchanged (40 digits)."""
    import sympy as sp
    from meanfield_sym.kernels.symbols import A, B
    from meanfield_sym.kernels.forms import evaluation_form as stable_form
    for name in ("relu", "erf", "gelu", "sin", "gaussian", "step"):
        for kernel in ("two_point", "two_point_prime"):
            cf = closed_forms(name)[kernel]
            new = codegen.evaluation_form(stable_form(cf))
            new = new.replace(lambda e: isinstance(e, sp.Function) and
                              e.func.__name__ == "clamp0", lambda e: sp.Max(e.args[0], 0))
            for a, b in ((sp.Rational(3, 7), sp.Rational(-1, 5)), (sp.Integer(5), sp.Integer(4))):
                diff = sp.N((new - cf).subs({A: a, B: b}), 40)
                assert abs(diff) < sp.Float("1e-35"), (name, kernel)


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
    copy = tmp_path / "generated"
    shutil.copytree(codegen.GENERATED_DIR, copy)
    target = copy / "relu.py"
    target.write_text(target.read_text().replace("numpy.arctan2", "numpy.arctan2 ", 1))
    (copy / "step.py").unlink()
    rc = main(["codegen", "--check", "--only", "relu,step,erf", "--dir", str(copy)])
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
        return lines[:start] + lines[end:], " ".join(lines[start + 1:end])

    shipped, cmd_shipped = without_command((codegen.GENERATED_DIR / "relu.py").read_text())
    fresh, cmd_fresh = without_command(out.read_text())
    assert shipped == fresh  # only the banner's command differs
    assert "meanfield_sym/generated/relu.py" in cmd_shipped and out.name in cmd_fresh


def test_generation_is_deterministic_across_hash_seeds():
    code = ("from meanfield_sym.codegen import generate_module; import hashlib; "
            "print(hashlib.sha256(generate_module('abs').source.encode()).hexdigest())")
    digests = set()
    for seed in ("0", "4242"):
        env = {**__import__("os").environ, "PYTHONHASHSEED": seed}
        digests.add(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                   check=True, env=env).stdout.strip())
    assert len(digests) == 1


@pytest.mark.parametrize("argv,fragment", [
    (["codegen"], "give an ACTIVATION"),
    (["codegen", "relu"], "--out"),
    (["codegen", "relu", "--out", "x.txt"], ".py"),
    (["codegen", "relu", "--out", "/nonexistent-dir/x.py"], "does not exist"),
    (["codegen", "relu", "--check"], "no ACTIVATION"),
    (["codegen", "--check", "--update"], "exclude"),
    (["codegen", "--check", "--only", "tanh"], "not a shipped module"),
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


# ---------------------------------------------------------------------------------------------
# Bad input to the generated functions
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,fragment", [
    (lambda m: m.one_point(-1.0), "> 0"),
    (lambda m: m.one_point(np.nan), "finite"),
    (lambda m: m.two_point(1.0, 1.5), "exceed"),
    (lambda m: m.two_point(0.0, 0.0), "> 0"),
    (lambda m: m.two_point_prime(1.0, "x"), "number"),
    (lambda m: m.kappas(-1.0, 0.1, 3), ">= 0"),
    (lambda m: m.kappas(1.0, np.inf, 3), "finite"),
    (lambda m: m.kappas(1.0, 0.1, 0), "depth"),
    (lambda m: m.kappas(1.0, 0.1, 2.5), "depth"),
    (lambda m: m.kappas(1.0, 0.1, 1), "depth 1"),
    (lambda m: m.kappas(1.0, 0.1, 3, widths=[1, 1]), "widths"),
    (lambda m: m.kappas(1.0, 0.1, 3, widths=[1, 0, 1]), "positive"),
    (lambda m: m.kappas([1.0, 2.0], 0.1, 3), "per-layer"),
    (lambda m: m.kappas(1.0, 0.1, 3, qhat2_0=2.0), "qhat2_0"),
    (lambda m: m.kappas(0.0, 0.0, 3), "q_1"),
    (lambda m: m.network_statistics(1.0, 0.1, 3, samples=0), "samples"),
    (lambda m: m.network_statistics(1.0, 0.1, 3, width=-5), "width"),
    (lambda m: m.network_statistics(1.0, 0.1, 3, momentum=1.0), "momentum"),
    (lambda m: m.softmax_betas([[0.5, 0.6]]), "sum to 1"),
    (lambda m: m.softmax_betas([[1.5, -0.5]]), "non-negative"),
    (lambda m: m.softmax_betas(np.ones((2, 2, 2)) / 2), "N x C"),
    (lambda m: m.gamma(-0.1), ">= 0"),
    (lambda m: m.fim_blocks(-1.0, 0.1, 3), ">= 0"),
    (lambda m: m.fim_blocks(1.0, 0.1, 0), "depth must be >= 1"),
    (lambda m: m.fim_blocks(1.0, 0.1, 3, widths=[1, 1]), "3 values for depth 3"),
    (lambda m: m.fim_blocks(1.0, 0.1, 3, classes=0), "classes"),
    (lambda m: m.feature_metric_statistics(1.0, -0.2, 3), "sigma_b2 is a variance"),
    (lambda m: m.feature_metric_statistics(1.0, 0.1, 2, widths=[1, 1, 1]), "widths"),
    (lambda m: m.feature_metric_statistics(1.0, 0.1, 3, samples=1.5), "samples"),
    (lambda m: m.feature_metric_blocks([1.0, -1.0, 1.0], 0.1, 3), "sigma_w2[layer 2]"),
    (lambda m: m.feature_metric_blocks(1.0, 0.1, 0), "depth"),
    (lambda m: m.feature_metric_blocks(1.0, 0.1, 2, width=0), "width"),
    (lambda m: m.network_statistics(-1.0, 0.1, 3), ">= 0"),
    (lambda m: m.network_statistics(1.0, 0.1, 0), "depth"),
    (lambda m: m.network_statistics(1.0, 0.1, 3, widths=[1, 1, 1, 1]), "widths"),
    (lambda m: m.fixed_point(-0.5, 0.1), "sigma_w2 is a variance"),
    (lambda m: m.fixed_point(1.0, -0.1), "sigma_b2 is a variance"),
    (lambda m: m.fixed_point(0.0, 0.0), "must be > 0"),
    (lambda m: m.fixed_point(1.0, 0.1, q_init=-1.0), "q_init"),
    (lambda m: m.fixed_point(1.0, 0.1, tol=0.0), "tol"),
    (lambda m: m.fixed_point(1.0, 0.1, maxiter=0), "maxiter"),
    (lambda m: m.chi1(1.0, 0.0), "> 0"),
    (lambda m: m.chi1(-1.0, 1.0), ">= 0"),
    (lambda m: m.softmax_fim_statistics({"beta1": 0.5}, 1.0, 0.5, 2.0, 10), "softmax_betas"),
    (lambda m: m.softmax_fim_statistics([[0.5, 0.6]], 1.0, 0.5, 2.0, 10), "sum to 1"),
    (lambda m: m.softmax_fim_statistics([[0.5, 0.5]], 1.0, 0.5, 0.0, 10), "alpha"),
    (lambda m: m.softmax_fim_statistics([[0.5, 0.5]], 1.0, 0.5, 2.0, -3), "width"),
])
def test_generated_functions_reject_bad_input(call, fragment):
    with pytest.raises(ValueError, match=None) as info:
        call(gen("relu"))
    assert fragment in str(info.value)


def test_step_network_backward_is_infinite_not_nan():
    """φ = step: E[δ(u)²] = ∞, so κ1 = ∞ (a value, not an error); 0·∞ would be NaN → error."""
    mod = gen("step")
    assert np.isinf(mod.kappas(1.0, 0.5, 3)["kappa1"])
    with pytest.raises(ValueError, match="NaN"):
        mod.kappas([1.0, 1.0, 0.0], 0.5, 3)
