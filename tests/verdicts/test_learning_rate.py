"""The learning-rate experiment (Universal statistics Fig. 2 on the digits) and its page.

Independent references: NumPy means and variances for the normalisation; the Gaussian-input
theory (scalar recursions) for the data kernel on orthogonal inputs of equal norms, where the
two must agree; the exact λ_max of each sampled teacher's own Fisher information (Lemma 6:
gradient descent from its minimum diverges just above 2/λ_max) for the measured boundaries.
"""
from __future__ import annotations

import builtins
import json
import math

import numpy as np
import pytest

from meanfield_sym.meanfield.data import standardize_rows
from meanfield_sym.verdicts import learning_rate as LR
from meanfield_sym.witnesses import finite_width as E

#: the data kernel and the scalar recursions on inputs with q̂⁰ = I: rounding only
SAME = 1e-11
#: Lemma 6 on finite networks: a run from 10⁻³ off the minimum diverges within the steps once
#: η is this far above 2/λ_max of the network (slower growth hides for more steps) ...
ABOVE = 1.25
#: ... and never below 2/λ_max (up to the loss's cubic terms at 10⁻³ from the minimum)
BELOW = 0.97

QUICK = dict(widths=(40, 80), per_class=3, steps=60, bisection=4, networks=2,
             etas=(0.003, 0.01, 0.03, 0.1))


def _synthetic_digits(per_class=3, seed=0):
    """Stand-in for the digits when scikit-learn is missing: non-negative 8 × 8 'images'."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 17, (10 * per_class, 64)).astype(float)
    return standardize_rows(x), np.repeat(np.arange(10), per_class)


@pytest.fixture(scope="module")
def digits():
    try:
        return LR.load_digits_inputs(QUICK["per_class"])
    except LR.MissingExtra:
        return _synthetic_digits(QUICK["per_class"])


@pytest.fixture(scope="module")
def quick(digits):
    return LR.learning_rate_experiment(LR.LearningRateSettings(**QUICK), digits=digits)


def test_standardize_rows():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 5, (7, 11)) * np.arange(1, 8)[:, None] + 3
    z = standardize_rows(x)
    np.testing.assert_allclose(z.mean(axis=1), 0, atol=1e-14)
    np.testing.assert_allclose(z.var(axis=1), 1, rtol=1e-13)
    np.testing.assert_allclose(np.corrcoef(x), z @ z.T / 11, rtol=1e-12)
    with pytest.raises(ValueError, match="row 1 is constant") as exc:
        standardize_rows([[1.0, 2.0], [3.0, 3.0]])
    assert "\n" not in str(exc.value)


def test_digits_are_normalised_and_balanced():
    pytest.importorskip("sklearn")
    x, y = LR.load_digits_inputs()
    assert x.shape == (1797, 64) and y.shape == (1797,)
    np.testing.assert_allclose(np.sum(x * x, axis=1) / 64, 1.0, rtol=1e-12)
    xs, ys = LR.load_digits_inputs(5)
    assert xs.shape == (50, 64) and np.array_equal(np.bincount(ys), [5] * 10)


def test_missing_scikit_learn_is_one_line(monkeypatch):
    real = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(LR.MissingExtra, match=r"pip install 'meanfield_sym\[data\]'") as exc:
        LR.load_digits_inputs()
    assert "\n" not in str(exc.value)


def test_data_kernel_equals_gaussian_theory_on_orthogonal_inputs():
    """x_n = √d e_n: q̂⁰ = I exactly, the Gaussian-input assumption (q̂₁⁰ = 1, q̂₂⁰ = 0)."""
    d = 16
    x = np.sqrt(d) * np.eye(d)[:10]
    s = LR.LearningRateSettings(widths=(50, 200))
    r = LR.critical_rates(x, s, classes=1)
    for a, b in zip(r["data"], r["gaussian"]):
        assert math.isclose(a, b, rel_tol=SAME)
    # and digits-like correlated inputs lower η_c (a larger λ_max)
    xc = standardize_rows(np.abs(np.random.default_rng(0).standard_normal((10, d))) + 1)
    rc = LR.critical_rates(xc, s, classes=1)
    assert all(a < b for a, b in zip(rc["data"], rc["gaussian"]))


def test_bisect_boundary():
    calls = []

    def fails(eta):
        calls.append(eta)
        return eta > 0.37
    lo, hi = LR.bisect_boundary(fails, 0.5, 0.6, 10)     # widened down to bracket 0.37
    assert lo <= 0.37 < hi and hi / lo <= (4 * 0.6 / 0.5) ** (2 ** -10) * 1.0001
    with pytest.raises(ValueError, match="every learning rate down to"):
        LR.bisect_boundary(lambda e: True, 1.0, 2.0, 3)
    with pytest.raises(ValueError, match="no learning rate up to"):
        LR.bisect_boundary(lambda e: False, 1.0, 2.0, 3)


@pytest.mark.parametrize("kw, match", [
    (dict(depth=2), "depth must be >= 3"), (dict(widths=()), "at least one width"),
    (dict(etas=(0.1, -1.0)), "eta must be a positive"), (dict(blowup=1.0), "blowup must be"),
    (dict(momentum=1.0), "momentum"), (dict(networks=0), "networks"),
    (dict(sigma_w2=-1.0), "sigma_w2"),
])
def test_settings_refuse(kw, match):
    with pytest.raises(ValueError, match=match):
        LR.LearningRateSettings(**kw)


def test_experiment_structure(quick):
    assert set(quick["problems"]) == set(LR.PROBLEMS)
    for p in quick["problems"].values():
        n_w, n_e = len(QUICK["widths"]), len(QUICK["etas"])
        assert np.shape(p["diverged"]) == (n_w, n_e) and np.shape(p["final_loss"]) == (n_w, n_e)
        for i, row in enumerate(p["diverged"]):
            # divergence is monotone in η on the grid, and the grid boundary is its first η
            assert row == sorted(row)
            first = next((e for e, dv in zip(p["etas"], row) if dv), None)
            assert p["grid_boundary"][i] == first
            assert all((f is None) == dv for f, dv in zip(p["final_loss"][i], row))
        for i, (lo_hi, mid) in enumerate(zip(p["boundary"]["per_network"],
                                             p["boundary"]["mid"])):
            assert len(lo_hi) == QUICK["networks"]
            assert min(lo for lo, _ in lo_hi) <= mid <= max(hi for _, hi in lo_hi)
        rel = p["data_vs_boundary"]["relative_error"]
        assert rel == pytest.approx([a / b - 1 for a, b in zip(p["eta_c"]["data"],
                                                                p["boundary"]["mid"])])
    assert quick["verdict"]["digits_onehot"]["against"] == "onset"
    json.dumps(quick)


def test_teacher_boundaries_follow_the_exact_fisher(quick, digits):
    """Lemma 6 on each sampled teacher: its bisected bracket straddles 2/λ_max(F(θ*)) of the
    network's own exact Fisher information (within BELOW … ABOVE)."""
    s = LR.LearningRateSettings(**QUICK)
    for name in ("gaussian_teacher", "digits_teacher"):
        p = quick["problems"][name]
        for i, M in enumerate(s.widths):
            for net, (lo, hi) in enumerate(p["boundary"]["per_network"][i]):
                x, _, _ = LR._problem(name, s, digits[0], digits[1], M, net)
                teacher = E.sample_network(s.activation, [x.shape[1]] + [M] * (s.depth - 1),
                                           s.teacher_classes, s.sigma_w2, s.sigma_b2,
                                           seed=LR.seed_for(s.seed, M, LR.PROBLEMS.index(name)
                                                            + 100 * net))
                exact = 2 / E.Witness(teacher, x).fisher_stats().lambda_max
                assert hi >= BELOW * exact and lo <= ABOVE * exact, (name, M, net, lo, hi,
                                                                     exact)


def test_onehot_onset_lies_below_the_explosion(quick):
    p = quick["problems"]["digits_onehot"]
    assert all(o <= b for o, b in zip(p["onset"]["mid"], p["boundary"]["mid"]))


def test_figure_and_page(tmp_path, monkeypatch, digits):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    from meanfield_sym.site import figures as site
    from meanfield_sym.verdicts import figures as F
    docs = tmp_path / "docs"
    (docs / "figures").mkdir(parents=True)
    assert site.learning_rate_page(docs)[0] == ".. note::"
    path = docs / "figures" / site.LEARNING_RATE_FIGURE
    monkeypatch.setattr(F, "digits_stats", lambda folder: {
        "command": "meanfield-sym stats --inputs digits.npy", "payload": {
            "samples": 30, "features": 64, "kappa1_mean": 2.0, "kappa2_mean": 1.0,
            "fim": {"lambda_max": 123.0}, "eta_critical": 0.0163, "width": 1000.0,
            "classes": 10}, "gaussian_payload": {"fim": {"lambda_max": 61.5},
                                                 "eta_critical": 0.0326}})
    kw = {k: v for k, v in QUICK.items() if k != "networks"}
    res = F.figure_learning_rate(str(path), **kw)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    stored = json.loads(path.with_suffix(".json").read_text())
    assert stored["verdict"] == json.loads(json.dumps(res["verdict"]))
    text = "\n".join(site.learning_rate_page(docs))
    assert f".. figure:: /figures/{site.LEARNING_RATE_FIGURE}" in text
    assert "η_c = 0.0163 at M = 1000, C = 10" in text and "2.00 times the data's" in text
    p = stored["problems"]["digits_teacher"]
    assert f"{p['eta_c']['data'][0]:.3g}" in text
    assert f"{100 * p['data_vs_boundary']['mean_abs_relative_error']:.0f} %" in text
