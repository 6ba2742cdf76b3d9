"""``meanfield-sym stats | softmax | ngd``: JSON keys and bad-input handling."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from meanfield_sym.cli import main

#: Exact rational arithmetic of a linear network evaluated in float64.
FLOAT_TOL = 1e-12


def _run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own errors (e.g. a non-integer --depth)
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


BASE = ["--activation", "linear", "--sigma-w2", "1.5", "--sigma-b2", "0.2", "--depth", "3"]


# ---------------------------------------------------------------------------------------------
# Bad input: exit 2, one line on stderr
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["stats", "--activation", "relu", "--sigma-w2", "-1", "--sigma-b2", "0.1", "--depth", "3"],
    ["stats", "--activation", "relu", "--sigma-w2", "1", "--sigma-b2", "-0.1", "--depth", "3"],
    ["stats", "--activation", "relu", "--sigma-w2", "nan", "--sigma-b2", "0.1", "--depth", "3"],
    ["stats", "--activation", "relu", "--sigma-w2", "1", "--sigma-b2", "0.1", "--depth", "0"],
    ["stats", "--activation", "relu", "--sigma-w2", "1", "--sigma-b2", "0.1", "--depth", "x"],
    ["stats", "--activation", "relu", "--sigma-w2", "1", "--sigma-b2", "0.1", "--depth", "3",
     "--widths", "1,1"],
    ["stats", "--activation", "relu", "--sigma-w2", "1", "--sigma-b2", "0.1", "--depth", "3",
     "--widths", "1,0,1"],
    ["stats", "--activation", "relu", "--sigma-w2", "1", "--sigma-b2", "0.1", "--depth", "3",
     "--samples", "0"],
    ["stats", "--activation", "relu", "--sigma-w2", "1", "--sigma-b2", "0.1", "--depth", "3",
     "--classes", "0"],
    ["stats", "--activation", "relu", "--sigma-w2", "1", "--sigma-b2", "0.1", "--depth", "3",
     "--width", "-5"],
    ["stats", "--activation", "relu", "--sigma-w2", "1", "--sigma-b2", "0.1", "--depth", "3",
     "--momentum", "1.5"],
    ["stats", "--activation", "relu", "--sigma-w2", "1,2", "--sigma-b2", "0.1", "--depth", "3"],
    ["stats", "--activation", "nosuchthing", "--sigma-w2", "1", "--sigma-b2", "0.1",
     "--depth", "3"],
    ["ngd", "--activation", "relu", "--sigma-w2", "-2", "--sigma-b2", "0.1", "--depth", "3"],
    ["ngd", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0.1", "--depth", "0"],
])
def test_bad_network_input_exits_2_with_one_line(capsys, argv):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "error" in err


@pytest.mark.parametrize("content,suffix", [
    ("0.5,0.6\n0.2,0.8\n", ".csv"),        # a row sums to 1.1
    ("1.2,-0.2\n", ".csv"),                 # negative entry
    ("0.5,abc\n", ".csv"),                  # not a number
    ("0.5,0.5\n", ".txt"),                  # unsupported format
])
def test_bad_probability_files_exit_2(capsys, tmp_path, content, suffix):
    f = tmp_path / f"p{suffix}"
    f.write_text(content)
    code, out, err = _run(capsys, "softmax", "--probs", str(f))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1


def test_missing_probability_file_exits_2(capsys, tmp_path):
    code, _, err = _run(capsys, "softmax", "--probs", str(tmp_path / "none.npy"))
    assert code == 2 and "not found" in err


def test_subprocess_exit_status_and_single_line():
    r = subprocess.run([sys.executable, "-m", "meanfield_sym", "stats", "--activation", "relu",
                        "--sigma-w2", "-1", "--sigma-b2", "0", "--depth", "2"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "variance" in r.stderr


# ---------------------------------------------------------------------------------------------
# JSON contracts
# ---------------------------------------------------------------------------------------------
def test_stats_json_contract_for_a_linear_network(capsys):
    code, out, _ = _run(capsys, "stats", *BASE, "--json")
    assert code == 0
    d = json.loads(out)
    for key in ("alpha", "kappa1", "kappa2", "kappa1_ntk", "kappa2_ntk", "order_parameters",
                "fim", "ntk", "feature_metric", "eta_critical", "fisher_rao", "fim_blocks"):
        assert key in d
    op = d["order_parameters"]
    assert set(op) == {"q1", "q2", "qhat1", "qhat2", "qtilde1", "qtilde2"}
    assert all(len(v) == 4 for v in op.values())          # layers 0..L
    assert op["q1"][0] is None and op["qhat1"][3] is None and op["qtilde1"][0] is None
    for k in ("fim", "ntk", "feature_metric"):
        assert {"mean", "second_moment", "lambda_max"} <= set(d[k])
    assert len(d["fim_blocks"]) == 3
    # linear network, exact: q̂ = [1, 1.7, 2.75], q̂_2 = [0, .2, .5], q̃ = [2.25, 1.5, 1]
    sw, sb = 1.5, 0.2
    k1 = (sw ** 2 * 1 + sw * (sw + sb) + 1 * (sw ** 2 + sb * (1 + sw))) / 2
    k2 = (0 + sw * sb + sb * (1 + sw)) / 2
    assert d["alpha"] == 2
    assert d["kappa1"] == pytest.approx(k1, rel=FLOAT_TOL)
    assert d["kappa2"] == pytest.approx(k2, rel=FLOAT_TOL)
    M, N = 1000, 100
    lam = 2 * ((N - 1) / N * k2 + k1 / N) * M
    assert d["fim"]["mean"] == pytest.approx(k1 / M, rel=FLOAT_TOL)
    assert d["fim"]["lambda_max"] == pytest.approx(lam, rel=FLOAT_TOL)
    assert d["eta_critical"] == pytest.approx(2 / lam, rel=FLOAT_TOL)
    # Fisher–Rao norm (Theorem 5): for a linear net D = θ_Wᵀ∇_W f = L·(input path) +
    # Σ_l (L − l)·(path of b^l), so ⟨‖θ‖_FR⟩ = L² σ_w^{2L} + Σ_l (L − l)² σ_w^{2(L−l)} σ_b²
    # (exact); the printed (A.50) is σ_w² Σ_l q̃^l q̂^{l−1}
    assert d["fisher_rao"] == pytest.approx(9 * sw ** 3 + (4 * sw ** 2 + sw) * sb, rel=FLOAT_TOL)
    assert d["fisher_rao_printed"] == pytest.approx(sw * (sw ** 2 + sw * (sw + sb) + sw ** 2
                                                          + sb * (1 + sw)), rel=FLOAT_TOL)
    assert d["fisher_rao_bound"] == pytest.approx(d["fisher_rao_printed"], rel=FLOAT_TOL)
    assert d["fisher_rao_bound_holds"] is False


def test_stats_text_output_and_momentum(capsys):
    code, out, _ = _run(capsys, "stats", *BASE, "--momentum", "0.5", "--json")
    d = json.loads(out)
    assert d["eta_critical"] == pytest.approx(3 / d["fim"]["lambda_max"], rel=FLOAT_TOL)
    code, out, _ = _run(capsys, "stats", *BASE)
    assert code == 0
    lines = out.splitlines()
    # grouped and labelled: the symbol, its value as in the JSON, its meaning and source
    row = next(line for line in lines if line.strip().startswith("λ_max "))
    assert float(row.split()[1]) == pytest.approx(d["fim"]["lambda_max"], rel=1e-9)
    assert "Universal statistics Thm 4" in row
    assert any(line.strip().startswith("κ₁ ") for line in lines)
    assert "Fisher information (linear outputs, MSE):" in lines
    assert lines[-1].startswith("— : the quantity does not exist here")


def test_softmax_betas_only_and_with_network(capsys, tmp_path):
    rng = np.random.default_rng(7)
    z = rng.normal(size=(5, 3))
    g = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    f = tmp_path / "g.npy"
    np.save(f, g)
    code, out, _ = _run(capsys, "softmax", "--probs", str(f), "--json")
    assert code == 0
    d = json.loads(out)
    assert d["beta1"] == pytest.approx(1 - np.mean(np.sum(g ** 2, axis=1)), rel=FLOAT_TOL)
    assert d["beta4"] == pytest.approx(np.max(np.mean(g * (1 - g), axis=0)), rel=FLOAT_TOL)
    assert "fim_cross" not in d
    csv = tmp_path / "g.csv"
    np.savetxt(csv, g, delimiter=",")
    code, out, _ = _run(capsys, "softmax", "--probs", str(csv), *BASE, "--json")
    assert code == 0
    d2 = json.loads(out)
    assert set(d2["fim_cross"]) == {"mean", "second_moment", "lambda_max_lower",
                                    "lambda_max_upper"}
    assert d2["fim_cross"]["lambda_max_lower"] <= d2["fim_cross"]["lambda_max_upper"]
    assert d2["fim_cross"]["mean"] <= d2["fim_linear"]["mean"]
    # Theorem 3.4 as corrected: the rank-C part A = (αMκ₂/N) 1 1ᵀ ⊗ I_C of F*, sandwiched by
    # Q = ⊕_n (diag g(n) − g(n)g(n)ᵀ), has exactly C − 1 non-zero eigenvalues: the outliers
    N, C = g.shape
    Q = np.zeros((C * N, C * N))
    for n in range(N):
        idx = np.arange(C) * N + n
        Q[np.ix_(idx, idx)] = np.diag(g[n]) - np.outer(g[n], g[n])
    A = d2["alpha"] * d2["width"] * d2["kappa2"] / N * np.kron(np.eye(C), np.ones((N, N)))
    ev = np.sort(np.linalg.eigvals(Q @ A).real)[::-1]
    o = d2["fim_cross_outliers"]
    assert o["count"] == C - 1
    np.testing.assert_allclose(o["outliers"], ev[:C - 1], rtol=1e-9)
    assert abs(ev[C - 1]) <= 1e-9 * ev[0]
    # --samples must match the rows of the file
    code, _, err = _run(capsys, "softmax", "--probs", str(csv), *BASE, "--samples", "9")
    assert code == 2 and "rows" in err


def test_ngd_json_contract(capsys):
    code, out, _ = _run(capsys, "ngd", "--activation", "relu", "--sigma-w2", "2",
                        "--sigma-b2", "0.1", "--depth", "5", "--json")
    assert code == 0
    d = json.loads(out)
    uw = d["unit_wise"]
    assert uw["gamma_per_layer"] == pytest.approx([0.5] * 4)
    assert uw["gamma"] == pytest.approx(0.5)
    assert uw["optimal_lr_times_M"] == pytest.approx(1 / (0.5 * 4))
    assert d["block_diagonal"] == {"constant": 5.0, "optimal_lr": 0.2}
    # L = 5 = 3s + 2: Σ_tri is singular, the pseudo-inverse gives 1ᵀΣ⁺1 = 2 (numpy.linalg.pinv)
    sig = np.eye(5) + np.eye(5, k=1) + np.eye(5, k=-1)
    assert d["tri_diagonal"]["constant"] == pytest.approx(np.ones(5) @ np.linalg.pinv(sig)
                                                          @ np.ones(5), rel=1e-12)
    assert d["tri_diagonal"]["sigma_singular"] is True
    assert d["kfac"]["constant"] == 5.0 and d["kfac"]["optimal_lr"] == pytest.approx(0.2)
