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
        if k not in args:
            args += [k, v]
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
