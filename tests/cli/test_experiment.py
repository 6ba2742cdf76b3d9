"""The ``experiment`` command: valid runs, and every flag with a bad value.

A refusal is exit status 2 with exactly one line on stderr containing the expected fragment,
nothing on stdout and no traceback; it happens before the first network is sampled (checked by
replacing the sampler with one that fails the test).  A valid run exits 0; ``--json`` output is
strict JSON (``NaN``/``Infinity`` are refused by the parser here, a non-finite value must be
``null``); the rows equal those of :func:`meanfield_sym.verdicts.sweeps.width_sweep` called
directly.
"""
from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest

from meanfield_sym.cli import experiment as X
from meanfield_sym.cli import main
from meanfield_sym.verdicts import sweeps
from meanfield_sym.verdicts.sweeps import SweepSettings, memory_bytes, width_sweep
from meanfield_sym.witnesses import finite_width as E

BASE = {"--activation": "relu", "--sigma-w2": "2", "--sigma-b2": "0.1", "--depth": "3",
        "--width": "10,20", "--samples": "3", "--seeds": "2"}

#: the command's rows and a direct call compute the same float64 numbers in the same order
EXACT = 1e-12


def _run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _args(argv, tmp_path=None):
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    for k, v in BASE.items():
        if k not in args and not (k == "--samples" and "--inputs" in args):
            args += [k, v]   # with --inputs, N comes from the file
    return ["experiment", "--quiet", *args]


def _strict(text):
    def refuse(name):
        raise AssertionError(f"non-JSON constant {name} in the output")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def no_networks(monkeypatch):
    """Fail the test if a network is sampled."""
    def fail(*a, **k):
        raise AssertionError("a network was sampled before the input was refused")
    monkeypatch.setattr(E, "sample_network", fail)


needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")

#: (arguments, fragment of the one-line message)
BAD = [
    (["--activation", "nosuch"], "unknown activation 'nosuch'"),
    (["--activation", ""], "empty expression"),
    (["--activation", "x +"], "cannot read activation"),
    (["--activation", "y + 1"], "unknown name"),
    (["--param", "novalue"], "--param expects NAME=VALUE"),
    (["--param", "=1"], "is not a valid name"),
    (["--param", "1a=2"], "is not a valid name"),
    (["--activation", "leaky_relu", "--param", "slop=0.1"], "does not take parameter(s) slop"),
    (["--activation", "leaky_relu", "--param", "slope=0.1", "--param", "slope=0.2"],
     "--param slope given twice"),
    (["--activation", "relu", "--param", "slope=0.1"], "takes no parameters"),
    (["--sigma-w2", "-1"], "--sigma-w2 is a variance and must be >= 0"),
    (["--sigma-w2", "abc"], "--sigma-w2 must be numbers"),
    (["--sigma-w2", "inf"], "--sigma-w2 must be finite"),
    (["--sigma-w2", "nan"], "--sigma-w2 must be finite"),
    (["--sigma-w2", "1e400"], "--sigma-w2 must be finite"),
    (["--sigma-w2", "1,2"], "2 per-layer values for depth 3"),
    (["--sigma-w2", "1,2,3"], "one --sigma-w2 and one --sigma-b2 for all layers"),
    (["--sigma-w2", ""], "--sigma-w2 must be a number"),
    (["--sigma-b2", "-0.1"], "--sigma-b2 is a variance and must be >= 0"),
    (["--sigma-b2", "x"], "--sigma-b2 must be numbers"),
    (["--depth", "1"], "--depth must be >= 2"),
    (["--depth", "0"], "--depth must be >= 2"),
    (["--depth", "-3"], "--depth must be >= 2"),
    (["--depth", "abc"], "argument --depth: invalid int value"),
    (["--depth", "2.5"], "argument --depth: invalid int value"),
    (["--width", "10,abc"], "--width must be numbers"),
    (["--width", "10,10"], "--width values must be distinct"),
    (["--width", "1.5"], "--width must be positive integers"),
    (["--width", "0"], "--width must be positive integers"),
    (["--width", "-5"], "--width must be positive integers"),
    (["--width", "1e400"], "--width must be finite"),
    (["--width", ""], "--width must be a number or a comma-separated list"),
    (["--width", "10,"], "--width must be a number or a comma-separated list"),
    (["--samples", "0"], "--samples must be >= 1"),
    (["--samples", "1.5"], "argument --samples: invalid int value"),
    (["--classes", "0"], "--classes must be >= 1"),
    (["--classes", "abc"], "argument --classes: invalid int value"),
    (["--seeds", "0"], "--seeds must be >= 1"),
    (["--seeds", "many"], "argument --seeds: invalid int value"),
    (["--seed", "-1"], "--seed must be >= 0"),
    (["--seed", "abc"], "argument --seed: invalid int value"),
    (["--softmax", "--classes", "1"], "needs at least 2 classes"),
    (["--softmax", "--classes", "3", "--parameterization", "ntk"],
     "stated for the standard parameterization only"),
    (["--softmax", "yes"], "unrecognized arguments: yes"),
    (["--parameterization", "nt"], "invalid choice: 'nt'"),
    (["--json=1"], "ignored explicit argument '1'"),
    (["--quiet=1"], "ignored explicit argument '1'"),
    (["--plot", "out.txt"], "no image suffix matplotlib writes"),
    (["--plot", "{tmp}/out"], "no image suffix matplotlib writes"),
    (["--plot", ""], "give a file name"),
    (["--plot", "{tmp}/missing/out.png"], "does not exist"),
    (["--plot", "{tmp}"], "no image suffix"),
    (["--plot", "{tmp}/adir.png"], "is a folder, not a file name"),
    (["--width", "100000"], "needs about 224 GiB of memory"),
    (["--width", "10,100000"], "one network at width 100000"),
    (["--samples", "100000"], "100000² dual Gram matrices"),
    (["--classes", "100000"], "needs about"),
    (["--depth", "100000000"], "needs about"),
    (["--sampels", "3"], "unrecognized arguments: --sampels"),
    (["--sam", "3"], "unrecognized arguments: --sam"),            # no abbreviations
    (["--width"], "expected one argument"),
]


@pytest.mark.parametrize("argv, fragment", BAD, ids=[" ".join(a) or "empty" for a, _ in BAD])
def test_bad_value_is_one_line_before_any_network(capsys, tmp_path, no_networks, argv,
                                                  fragment):
    (tmp_path / "adir.png").mkdir()
    code, out, err = _run(capsys, *_args(argv, tmp_path))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert fragment in lines[0]
    assert "Traceback" not in err


def test_missing_required_flag(capsys, no_networks):
    code, out, err = _run(capsys, "experiment", "--activation", "relu")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "required" in err


@needs_proc
def test_unwritable_plot_folder_refused_before_the_sweep(capsys, no_networks):
    code, out, err = _run(capsys, *_args(["--plot", "/proc/out.png"]))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "is not writable" in err


def test_memory_message_carries_the_estimate(capsys, no_networks):
    need = memory_bytes(3, 100000, 3, 1)
    code, out, err = _run(capsys, *_args(["--width", "100000"]))
    assert code == 2
    assert f"{need / 2 ** 30:.3g} GiB" in err


def test_memory_threshold():
    s = SweepSettings(activation="relu", sigma_w2=2.0, sigma_b2=0.1, depth=3, widths=(50, 80),
                      samples=10, classes=2)
    need = memory_bytes(3, 80, 10, 2)
    assert X.check_memory(s, available=math.ceil(need / X.MEMORY_FRACTION)) == need
    with pytest.raises(ValueError, match="width 80"):
        X.check_memory(s, available=int(need / X.MEMORY_FRACTION) - 1)


def test_text_run_matches_the_sweep(capsys):
    code, out, err = _run(capsys, *_args([]))
    assert code == 0, err
    res = width_sweep(SweepSettings(activation="relu", sigma_w2=2.0, sigma_b2=0.1, depth=3,
                                    widths=(10, 20), samples=3, seeds=2))
    assert out.splitlines()[0].startswith("FIM F: relu")
    for r in res.rows:
        assert f"{r['experiment']:.6g}" in out
    assert err == ""  # --quiet: no progress bar


def test_json_run_is_strict_and_matches_the_sweep(capsys):
    code, out, err = _run(capsys, *_args(["--json", "--classes", "3", "--softmax"]))
    assert code == 0, err
    data = _strict(out)
    assert data["settings"]["softmax"] is True
    res = width_sweep(SweepSettings(activation="relu", sigma_w2=2.0, sigma_b2=0.1, depth=3,
                                    widths=(10, 20), samples=3, classes=3, seeds=2,
                                    softmax=True))
    assert len(data["rows"]) == len(res.rows) == 6
    for got, want in zip(data["rows"], res.rows):
        assert got["quantity"] == want["quantity"] and got["width"] == want["width"]
        assert math.isclose(got["experiment"], want["experiment"], rel_tol=EXACT)
    assert all(r["theory_upper"] >= r["theory"] for r in data["rows"]
               if r["quantity"] == "lambda_max")


def test_json_non_finite_is_null(capsys, monkeypatch):
    real = sweeps.measure

    def with_nan(witness, settings):
        return {**real(witness, settings), "lambda_max": float("nan")}
    monkeypatch.setattr(sweeps, "measure", with_nan)
    code, out, err = _run(capsys, *_args(["--json"]))
    assert code == 0, err
    rows = _strict(out)["rows"]
    assert all(r["experiment"] is None for r in rows if r["quantity"] == "lambda_max")
    assert all(r["experiment"] is not None for r in rows if r["quantity"] != "lambda_max")


def test_progress_bar_goes_to_stderr(capsys):
    args = [a for a in _args([]) if a != "--quiet"]
    code, out, err = _run(capsys, *args)
    assert code == 0
    assert "[" in err and "4/4" in err
    assert "[#" not in out


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_plot_is_written(capsys, tmp_path, suffix, magic):
    pytest.importorskip("matplotlib")
    path = tmp_path / f"sweep{suffix}"
    code, out, err = _run(capsys, *_args(["--plot", str(path)]))
    assert code == 0, err
    assert path.read_bytes()[:len(magic)] == magic
    assert out.strip().endswith(f"plot: {path}")


def test_failed_plot_write_keeps_the_results(capsys, tmp_path, monkeypatch):
    """A write that fails after the sweep (e.g. the disk filled up) is one line, exit 2, and
    the table is already on stdout."""
    pytest.importorskip("matplotlib")
    from meanfield_sym.verdicts import figures

    def full_disk(result, path):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(figures, "plot_sweep", full_disk)
    code, out, err = _run(capsys, *_args(["--json", "--plot", str(tmp_path / "s.png")]))
    assert code == 2
    assert len(_strict(out)["rows"]) == 6
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "could not write" in lines[0] and "results above" in lines[0]


def test_available_memory_is_positive():
    have = X.available_memory()
    assert have is None or have > 0


def test_experiment_imports_its_helpers_from_args():
    from meanfield_sym.cli import args
    for name in ("parse_params", "numbers", "variance", "depth", "positive_int", "dumps"):
        assert getattr(X, name) is getattr(args, name)


# ---------------------------------------------------------------------------------------------
# --inputs: networks on the user's own data against the data kernel
# ---------------------------------------------------------------------------------------------
def _data(N=6, d=8, seed=3):
    """Non-Gaussian inputs of unequal norms (uniform entries squared, rows scaled 0.5–2)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, (N, d)) ** 2 * np.geomspace(0.5, 2.0, N)[:, None] * 2


@pytest.fixture
def data_files(tmp_path):
    X = _data()
    np.save(tmp_path / "X.npy", X)
    np.savetxt(tmp_path / "X.csv", X, delimiter=",", fmt="%.17g")
    (tmp_path / "bad.csv").write_text("1,2\nx,3\n")
    (tmp_path / "ragged.csv").write_text("1,2\n3\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "one.csv").write_text("1,2,3\n")
    (tmp_path / "nan.csv").write_text("1,2\nnan,3\n")
    (tmp_path / "inf.csv").write_text("1,2\n3,inf\n")
    (tmp_path / "zero.csv").write_text("1,2\n0,0\n")
    (tmp_path / "big.csv").write_text("1e200,1\n1,2\n")
    (tmp_path / "tiny.csv").write_text("1e-200,0\n1,2\n")
    (tmp_path / "X.txt").write_text("1 2\n3 4\n")
    np.save(tmp_path / "flat.npy", np.ones(4))
    np.save(tmp_path / "cube.npy", np.ones((2, 2, 2)))
    np.save(tmp_path / "text.npy", np.array([["a", "b"], ["c", "d"]]))
    np.save(tmp_path / "complex.npy", np.ones((3, 2)) * (1 + 1j))
    np.save(tmp_path / "pickle.npy", np.array([{"a": 1}, {"b": 2}], dtype=object),
            allow_pickle=True)
    (tmp_path / "garbage.npy").write_bytes(b"not an npy file")
    (tmp_path / "adir.npy").mkdir()
    return X, tmp_path


#: (arguments, fragment of the one-line message) with --inputs
BAD_INPUTS = [
    (["--inputs", "{tmp}/missing.npy"], "not found"),
    (["--inputs", "{tmp}/adir.npy"], "not found"),
    (["--inputs", "{tmp}/X.txt"], "must be a .npy or .csv file"),
    (["--inputs", "{tmp}/bad.csv"], "as numbers"),
    (["--inputs", "{tmp}/ragged.csv"], "as numbers"),
    (["--inputs", "{tmp}/empty.csv"], "holds no numbers (it is empty)"),
    (["--inputs", "{tmp}/one.csv"], "need at least 2 inputs (rows), got 1"),
    (["--inputs", "{tmp}/nan.csv"], "row 1 holds NaN or infinite values"),
    (["--inputs", "{tmp}/inf.csv"], "row 1 holds NaN or infinite values"),
    (["--inputs", "{tmp}/zero.csv"], "row 1 is zero"),
    (["--inputs", "{tmp}/big.csv"], "row 0 is too large"),
    (["--inputs", "{tmp}/tiny.csv"], "row 0 is too small"),
    (["--inputs", "{tmp}/flat.npy"], "must be a 2-d array"),
    (["--inputs", "{tmp}/cube.npy"], "must be a 2-d array"),
    (["--inputs", "{tmp}/text.npy"], "the inputs must be numbers"),
    (["--inputs", "{tmp}/complex.npy"], "must be real numbers"),
    (["--inputs", "{tmp}/pickle.npy"], "Object arrays cannot be loaded"),
    (["--inputs", "{tmp}/garbage.npy"], "cannot read"),
    (["--inputs", "{tmp}/X.npy", "--samples", "5"], "--samples 5 disagrees with the 6 rows"),
    (["--inputs", "{tmp}/X.npy", "--softmax", "--classes", "3"],
     "--softmax cannot be combined with --inputs"),
    (["--inputs", "{tmp}/X.npy", "--depth", "2"], "--inputs needs --depth >= 3"),
    (["--inputs", "{tmp}/X.npy", "--width", "100000"], "needs about"),
    (["--inputs", "{tmp}/X.npy", "--sigma-w2", "-1"], "--sigma-w2 is a variance"),
    (["--inputs"], "expected one argument"),
]


@pytest.mark.parametrize("argv, fragment", BAD_INPUTS,
                         ids=[" ".join(a).replace("{tmp}/", "") for a, _ in BAD_INPUTS])
def test_bad_inputs_are_one_line_before_any_network(capsys, data_files, no_networks, argv,
                                                    fragment):
    _, tmp_path = data_files
    code, out, err = _run(capsys, *_args(argv, tmp_path))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert fragment in lines[0]
    assert "Traceback" not in err


def test_inputs_the_same_file_checks_as_stats(capsys, data_files):
    """A bad file gets the same message from ``experiment --inputs`` and ``stats --inputs``."""
    _, tmp_path = data_files
    for name in ("nan.csv", "one.csv", "zero.csv", "complex.npy", "empty.csv"):
        path = str(tmp_path / name)
        _, _, err_e = _run(capsys, *_args(["--inputs", path]))
        _, _, err_s = _run(capsys, "stats", "--inputs", path, "--activation", "relu",
                           "--sigma-w2", "2", "--sigma-b2", "0.1", "--depth", "3")
        msg = err_e.strip().split("error: ", 1)[1]
        assert msg == err_s.strip().split("error: ", 1)[1], name


def test_depth_two_is_allowed_for_the_ntk(capsys, data_files):
    _, tmp_path = data_files
    code, out, err = _run(capsys, *_args(["--inputs", str(tmp_path / "X.npy"), "--depth", "2",
                                          "--parameterization", "ntk", "--json"]))
    assert code == 0, err
    assert _strict(out)["settings"]["parameterization"] == "ntk"


@pytest.mark.parametrize("suffix", ["npy", "csv"])
def test_inputs_json_matches_the_sweep_and_the_data_kernel(capsys, data_files, suffix):
    """Rows equal a direct sweep on the same inputs; the theory column is the data kernel's,
    computed here from the Gram matrices (widths d/M, 1, 1)."""
    from meanfield_sym.meanfield.data import data_statistics
    from meanfield_sym.meanfield.gram import gram
    X, tmp_path = data_files
    path = str(tmp_path / f"X.{suffix}")
    code, out, err = _run(capsys, *_args(["--inputs", path, "--json"]))
    assert code == 0, err
    data = _strict(out)
    s = data["settings"]
    assert (s["inputs"], s["samples"], s["features"]) == (path, 6, 8)
    assert "data kernel" in s["theory"]
    res = width_sweep(SweepSettings(activation="relu", sigma_w2=2.0, sigma_b2=0.1, depth=3,
                                    widths=(10, 20), samples=6, seeds=2, inputs=X))
    assert len(data["rows"]) == len(res.rows) == 6
    g = gram("relu", X, 2.0, 0.1, depth=3)
    for got, want in zip(data["rows"], res.rows):
        assert (got["quantity"], got["width"]) == (want["quantity"], want["width"])
        assert math.isclose(got["experiment"], want["experiment"], rel_tol=1e-9)
        M = got["width"]
        g.widths = np.array([8 / M, 1.0, 1.0])
        theory = data_statistics(g, M)["fim"][got["quantity"]]
        assert math.isclose(got["theory"], theory, rel_tol=EXACT)


def test_inputs_text_header(capsys, data_files):
    _, tmp_path = data_files
    path = str(tmp_path / "X.npy")
    code, out, err = _run(capsys, *_args(["--inputs", path]))
    assert code == 0, err
    assert out.splitlines()[0].endswith(f"on {path} (6 inputs × 8 features; theory: data "
                                        "kernel)")
    assert "N=6" in out.splitlines()[0]


def test_equal_norm_inputs_give_the_papers_theory(capsys, tmp_path):
    """Inputs of one norm and one overlap: the data-kernel theory column equals the papers'
    closed forms (scalar recursions with q̂₁⁰ = 1, q̂₂⁰ = 1/2), an independent route."""
    from meanfield_sym.meanfield.network import network_statistics
    d, N = 8, 5
    X = np.zeros((N, d))
    X[:, 0] = 2.0
    X[np.arange(N), np.arange(1, N + 1)] = 2.0          # |x|²/d = 1, x·y/d = 1/2
    np.save(tmp_path / "E.npy", X)
    code, out, err = _run(capsys, *_args(["--inputs", str(tmp_path / "E.npy"), "--json",
                                          "--activation", "erf", "--seeds", "1"]))
    assert code == 0, err
    for row in _strict(out)["rows"]:
        M = row["width"]
        ref = network_statistics("erf", 2.0, 0.1, 3, widths=[d / M, 1.0, 1.0], width=M,
                                 samples=N, qhat1_0=1.0, qhat2_0=0.5)["fim"][row["quantity"]]
        assert math.isclose(row["theory"], ref, rel_tol=1e-11), row


def test_unequal_norms_differ_from_the_gaussian_theory(capsys, data_files):
    """The data kernel is not the Gaussian-input theory: for these inputs λ_max differs."""
    X, tmp_path = data_files
    code, out, _ = _run(capsys, *_args(["--inputs", str(tmp_path / "X.npy"), "--json"]))
    code_g, out_g, _ = _run(capsys, *_args(["--json", "--samples", "6"]))
    assert code == code_g == 0
    lam = [r["theory"] for r in _strict(out)["rows"] if r["quantity"] == "lambda_max"]
    lam_g = [r["theory"] for r in _strict(out_g)["rows"] if r["quantity"] == "lambda_max"]
    assert all(abs(a / b - 1) > 0.1 for a, b in zip(lam, lam_g))


def test_inputs_networks_agree_with_the_data_kernel(capsys, data_files):
    """Networks of width 300 on the inputs: the mean ratio experiment/theory of each statistic
    within 4 standard errors plus a 5/M allowance (the O(1/M) finite-width bias), over 10
    networks; the Gaussian-input theory on the same networks is rejected for λ_max."""
    from meanfield_sym.meanfield.network import network_statistics
    X, tmp_path = data_files
    M, k = 300, 10
    code, out, err = _run(capsys, *_args(["--inputs", str(tmp_path / "X.npy"), "--json",
                                          "--width", str(M), "--seeds", str(k)]))
    assert code == 0, err
    rows = {r["quantity"]: r for r in _strict(out)["rows"]}
    for q, r in rows.items():
        assert abs(r["experiment"] - r["theory"]) <= 4 * r["stderr"] + 5 / M * r["theory"], r
    gauss = network_statistics("relu", 2.0, 0.1, 3, widths=[8 / M, 1.0, 1.0], width=M,
                               samples=6)["fim"]["lambda_max"]
    r = rows["lambda_max"]
    assert abs(r["experiment"] - gauss) > 4 * r["stderr"] + 5 / M * gauss


def test_inputs_plot(capsys, data_files):
    pytest.importorskip("matplotlib")
    _, tmp_path = data_files
    path = tmp_path / "data.png"
    code, out, err = _run(capsys, *_args(["--inputs", str(tmp_path / "X.npy"), "--plot",
                                          str(path)]))
    assert code == 0, err
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_sweep_settings_refuse_inconsistent_inputs():
    X = _data()
    base = dict(activation="relu", sigma_w2=2.0, sigma_b2=0.1, depth=3, widths=(10,))
    with pytest.raises(ValueError, match="disagrees with the 6 rows"):
        SweepSettings(samples=5, inputs=X, **base)
    with pytest.raises(ValueError, match="not available for given inputs"):
        SweepSettings(samples=6, classes=2, softmax=True, inputs=X, **base)
    with pytest.raises(ValueError, match="need depth >= 3"):
        SweepSettings(samples=6, inputs=X, **{**base, "depth": 2})
    with pytest.raises(ValueError, match="row 0 holds NaN"):
        SweepSettings(samples=2, inputs=np.array([[np.nan, 1.0], [1.0, 2.0]]), **base)
    s = SweepSettings(samples=6, inputs=X, **base)
    assert s.features == 8 and not s.inputs.flags.writeable
    assert "inputs" in s.to_json() and s.to_json()["features"] == 8


def test_memory_counts_the_input_width():
    assert memory_bytes(3, 100, 10, 2, input_width=100) == memory_bytes(3, 100, 10, 2)
    small = memory_bytes(3, 100, 10, 2, input_width=8)
    # the first layer holds 8·100 instead of 100² weights (and h⁰ is 10 × 8)
    assert memory_bytes(3, 100, 10, 2) - small >= 8 * (100 * 100 - 8 * 100)
