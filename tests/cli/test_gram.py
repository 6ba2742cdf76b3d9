"""``meanfield-sym gram`` and ``meanfield-sym stats --inputs``: files, JSON keys, bad input."""
from __future__ import annotations

import json

import numpy as np
import pytest

from meanfield_sym.cli import main
from meanfield_sym.meanfield.data import data_statistics
from meanfield_sym.meanfield.gram import gram

#: The CLI and the library compute the same floating-point operations.
SAME = 0.0


def _run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def inputs(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 16)) * rng.uniform(0.5, 2.0, (12, 1))
    path = tmp_path / "X.npy"
    np.save(path, X)
    np.savetxt(tmp_path / "X.csv", X, delimiter=",")
    return X, path, tmp_path / "X.csv"


NET = ["--activation", "erf", "--sigma-w2", "2", "--sigma-b2", "0.1", "--depth", "3"]


@pytest.mark.parametrize("which", [1, 2])
def test_gram_writes_npz(capsys, inputs, tmp_path, which):
    X, npy, csv = inputs
    out = tmp_path / "K.npz"
    code, stdout, err = _run(capsys, "gram", "--inputs", str((npy, csv)[which - 1]), *NET,
                             "--out", str(out), "--json")
    assert code == 0, err
    summary = json.loads(stdout)
    assert summary["shapes"]["nngp"] == [12, 12] and summary["shapes"]["q"] == [3, 12, 12]
    data = np.load(out)
    assert set(data.files) == {"nngp", "ntk", "fisher_dual", "q", "qhat", "qtilde"}
    g = gram("erf", X, 2.0, 0.1, depth=3)
    assert np.allclose(data["nngp"], g.nngp, rtol=1e-15 if which == 1 else 1e-12)
    assert np.allclose(data["ntk"], g.ntk("ntk"), rtol=1e-15 if which == 1 else 1e-12)


def test_gram_refuses_unwritable_out_first(capsys, inputs, tmp_path):
    _, npy, _ = inputs
    code, _, err = _run(capsys, "gram", "--inputs", str(tmp_path / "missing.npy"), *NET,
                        "--out", str(tmp_path / "no" / "K.npz"))
    assert code == 2 and "does not exist" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("content, match", [("1,2\nx,3\n", "as numbers"),
                                            ("1,2\n", "at least 2 inputs"),
                                            ("1,nan\n2,3\n", "NaN")])
def test_gram_bad_files(capsys, tmp_path, content, match):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    code, _, err = _run(capsys, "gram", "--inputs", str(bad), *NET, "--out",
                        str(tmp_path / "K.npz"))
    assert code == 2 and match in err and len(err.strip().splitlines()) == 1


def test_stats_inputs(capsys, inputs):
    X, npy, _ = inputs
    code, stdout, err = _run(capsys, "stats", "--inputs", str(npy), *NET, "--width", "500",
                             "--json")
    assert code == 0, err
    payload = json.loads(stdout)
    for key in ("mean", "second_moment", "lambda_max"):
        assert key in payload["fim"] and key in payload["ntk"]
    assert payload["samples"] == 12 and payload["widths"] == [16 / 500, 1.0, 1.0]
    g = gram("erf", X, 2.0, 0.1, depth=3, widths=[16 / 500, 1.0, 1.0])
    st = data_statistics(g, 500.0)
    assert payload["fim"]["lambda_max"] == pytest.approx(st["fim"]["lambda_max"], rel=SAME)
    assert payload["eta_critical"] == pytest.approx(st["eta_critical"], rel=SAME)


def test_stats_default_unchanged(capsys):
    """Without --inputs, stats prints the Gaussian-input statistics as before."""
    code, stdout, _ = _run(capsys, "stats", *NET, "--json")
    assert code == 0
    payload = json.loads(stdout)
    assert "inputs" not in payload and payload["samples"] == 100


def test_stats_inputs_depth_one(capsys, inputs):
    _, npy, _ = inputs
    code, _, err = _run(capsys, "stats", "--inputs", str(npy), "--activation", "erf",
                        "--sigma-w2", "2", "--sigma-b2", "0.1", "--depth", "1")
    assert code == 2 and "depth >= 2" in err
