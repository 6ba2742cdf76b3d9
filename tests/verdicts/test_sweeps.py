"""Tests of the width sweep, its memory estimate and the verdict rule.

Independent references: NumPy's mean/std over the per-seed values recomputed here from
:func:`meanfield_sym.witnesses.finite_width.simulate` (the sweep's rows must equal them), a linear network
whose exact second moments are textbook sums, and synthetic ratio data with a known truth for
the verdict rule; Python's own allocation tracer for the memory estimate.  Gradient descent is
tested in ``test_training.py``, the plots in ``test_figures.py``, the ``experiment`` command
in ``tests/cli/test_experiment.py``.
"""
from __future__ import annotations

import gc
import math
import tracemalloc

import numpy as np
import pytest

from meanfield_sym.witnesses import finite_width as E
from meanfield_sym.verdicts.sweeps import (QUANTITIES, MCData, SweepSettings, _simulate,
                                           agreement, mc_check, measure, memory_bytes, seed_for,
                                           width_sweep)

#: rows are means of the same float64 numbers computed twice in the same order
EXACT = 1e-12

#: memory_bytes is an upper bound of the traced peak, and not a loose one: at most this factor
#: above it (its temporaries are counted generously)
MEMORY_SLACK = 2.0

TINY = dict(activation="relu", sigma_w2=2.0, sigma_b2=0.1, depth=3, widths=(20, 40),
            samples=4, classes=2, seeds=3)


def test_rows_match_an_independent_recomputation():
    s = SweepSettings(**TINY)
    res = width_sweep(s)
    assert len(res.rows) == len(s.widths) * len(QUANTITIES)
    for M in s.widths:
        vals = []
        for i in range(3):
            w = E.simulate("relu", depth=3, width=M, samples=4, classes=2, sigma_w2=2.0,
                           sigma_b2=0.1, seed=seed_for(0, M, i))
            f = w.fisher_stats()
            vals.append([f.mean, f.second_moment, f.lambda_max])
        vals = np.array(vals)
        for j, q in enumerate(QUANTITIES):
            row = next(r for r in res.rows if r["width"] == M and r["quantity"] == q)
            assert set(row) >= {"width", "quantity", "experiment", "stderr", "theory", "ratio"}
            assert math.isclose(row["experiment"], vals[:, j].mean(), rel_tol=EXACT)
            assert math.isclose(row["stderr"], vals[:, j].std(ddof=1) / math.sqrt(3),
                                rel_tol=1e-9)
            assert math.isclose(row["ratio"], row["experiment"] / row["theory"], rel_tol=EXACT)


def test_sweep_is_deterministic_and_seed_dependent():
    a = width_sweep(SweepSettings(**TINY)).rows
    b = width_sweep(SweepSettings(**TINY)).rows
    c = width_sweep(SweepSettings(**{**TINY, "seed": 5})).rows
    assert a == b
    assert a != c


def test_linear_network_theory_in_the_wide_limit():
    """Linear net: q̂ and q̃ are affine maps (no kernel engine needed to know the answer);
    m_λ·M/C = κ₁ = (σ_w²(1) + σ_w²(σ_w²+σ_b²) ... ) is recovered within 5 standard errors."""
    s = SweepSettings(activation="linear", sigma_w2=1.0, sigma_b2=0.1, depth=2,
                      widths=(200,), samples=5, classes=1, seeds=6)
    res = width_sweep(s)
    row = next(r for r in res.rows if r["quantity"] == "mean")
    # L = 2, α = 1: κ₁ = q̃¹q̂⁰ + q̃²q̂¹ = σ_w²·1 + 1·(σ_w² + σ_b²)
    kappa1 = 1.0 + 1.1
    assert math.isclose(row["theory"], kappa1 / 200, rel_tol=1e-12)
    # exact P = M² + M + M + 1 vs αM² = M²: an O(1/M) correction on top of the noise
    assert abs(row["experiment"] - row["theory"]) < 5 * row["stderr"] + 3 * row["theory"] / 200


def test_verdict_rule_can_fail():
    rng = np.random.default_rng(1)
    truth = {M: 1 + 3 / M + rng.normal(0, 0.5 / math.sqrt(M), 10) for M in (100, 200, 400, 800)}
    right = agreement(truth)
    wrong = agreement({M: r / 1.08 for M, r in truth.items()})
    assert right.holds and not wrong.holds

    # the same series as a Monte Carlo record: the printed form is off by 8 %
    def data(scale):
        return MCData("synthetic", {"q": {M: [(float(r), {"printed": scale, "corrected": 1.0})
                                               for r in truth[M]] for M in truth}})
    kw = dict(id="T", paper="P", equation="(1)", what="w", name="q", statistic="mean")
    assert mc_check(data=data(1 / 1.08), printed_form="printed", corrected_form="corrected",
                    **kw).verdict == "MISPRINT"
    same = mc_check(data=data(1.0), printed_form="printed", corrected_form="corrected", **kw)
    assert same.verdict == "HOLDS"                 # the two forms coincide here
    r = mc_check(data=data(1.08), printed_form="printed", **kw)
    assert r.verdict == "UNDECIDED" and not r.consistent   # the witness rejects the derivation
    j = mc_check(data=data(1 / 1.08), printed_form="printed", corrected_form="corrected",
                 **kw).to_json()
    per = j["witnesses"][0]["data"]
    assert {"corrected", "printed"} <= set(per)
    assert all({"M", "networks", "mean_ratio", "stderr", "experiment_mean"} <= set(row)
               for row in per["printed"]["per_width"])
    assert {"z", "fit"} <= set(per["printed"])


def test_correction_exponent_is_fixed_in_advance():
    """A series converging like M^-1/2 fails the p = 1 fit: no second chance with p = 1/2."""
    rng = np.random.default_rng(4)
    slow = {M: 1 + 4 / math.sqrt(M) + rng.normal(0, 0.002, 10) for M in (100, 200, 400, 800)}
    assert not agreement(slow, power=1.0).holds
    assert agreement(slow, power=0.5).holds


def test_agreement_uses_the_measured_stderr():
    """A 2 % bias passes with 10 % noise and fails with 0.1 % noise: no fixed percentage."""
    rng = np.random.default_rng(2)
    noisy = {M: 1.02 + rng.normal(0, 0.1, 6) for M in (100, 200, 400)}
    sharp = {M: 1.02 + rng.normal(0, 0.001, 6) for M in (100, 200, 400)}
    assert agreement(noisy).holds
    assert not agreement(sharp).holds


@pytest.mark.parametrize("depth, width, samples, classes, softmax", [
    (3, 300, 20, 1, False), (3, 60, 40, 5, True), (4, 200, 30, 3, False),
    (2, 50, 100, 4, False),
])
def test_memory_estimate_bounds_the_traced_peak(depth, width, samples, classes, softmax):
    """NumPy reports its allocations to tracemalloc: the peak of sampling one network and
    measuring its statistics lies below the estimate, and within MEMORY_SLACK of it."""
    s = SweepSettings(activation="relu", sigma_w2=2.0, sigma_b2=0.1, depth=depth,
                      widths=(width,), samples=samples, classes=classes, seeds=1,
                      softmax=softmax)
    gc.collect()
    tracemalloc.start()
    try:
        measure(_simulate(s, width, 0), s)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    est = memory_bytes(depth, width, samples, classes)
    assert peak <= est <= MEMORY_SLACK * peak


def test_memory_estimate_counts_the_weights_exactly_at_large_width():
    """At M ≫ N the weights dominate: (L − 1)M² + CM of them plus one M² draw, 8 bytes each."""
    M, L = 100_000, 3
    est = memory_bytes(L, M, 10, 2)
    weights = 8 * ((L - 1) * M * M + M * M)
    assert weights < est < weights * (1 + 1e-3)
