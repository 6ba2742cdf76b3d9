"""Ordinary and hostile input to every sub-command: one clear line, never a traceback.

Each case runs the command line in-process and asserts its exit status; for a refusal (status
2) exactly one line on stderr containing the expected fragment and nothing on stdout; for an
answer (status 0) no NaN anywhere and, with ``--json``, strictly valid JSON (``NaN`` and
``Infinity`` are not JSON: a non-finite value must be ``null``); never a traceback, never a
warning.  ``benchmarks/bench_hostile.py`` runs the same table in fresh processes with a 10 s
limit per case and tabulates the times.
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from meanfield_sym.cli import main

NET = ["--sigma-w2", "2", "--sigma-b2", "0.1", "--depth", "3"]


def _files(tmp):
    """Input files of every kind the commands read."""
    rng = np.random.default_rng(3)
    z = rng.normal(size=(6, 3))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.save(tmp / "p.npy", p)
    np.savetxt(tmp / "p.csv", p, delimiter=",")
    np.save(tmp / "p1d.npy", p[0])
    np.save(tmp / "pbad.npy", p * 1.5)
    np.save(tmp / "pneg.npy", np.array([[1.5, -0.5], [0.5, 0.5]]))
    np.save(tmp / "pnan.npy", np.array([[np.nan, 1.0], [0.5, 0.5]]))
    (tmp / "text.csv").write_text("a,b\nc,d\n")
    (tmp / "p.txt").write_text("0.5,0.5\n")
    np.save(tmp / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    (tmp / "empty.npy").write_bytes(b"")


#: (arguments, expected exit status, fragment of the one-line message or None)
CASES = [
    # --- kernel: names, expressions, parameters ---------------------------------------------
    (["kernel", "relu"], 0, None),
    (["kernel", "relu", "--json"], 0, None),
    (["kernel", "relu", "--json", "--latex"], 0, None),
    (["kernel", "relu", "--a", "2", "--b", "-1"], 0, None),
    (["kernel", "erf", "--a", "1", "--b", "0.5", "--json"], 0, None),
    (["kernel", "gelu", "--a", "1", "--b", "0.3", "--json"], 0, None),
    (["kernel", "tanh", "--a", "1", "--b", "0"], 0, None),
    (["kernel", "step", "--a", "1", "--b", "1", "--json"], 0, None),   # I_φ' = ∞ -> null
    (["kernel", "sin(x) + x/2", "--json"], 0, None),
    (["kernel", "x**30", "--a", "1", "--b", "0.5"], 0, None),
    (["kernel", "x**60", "--a", "0.5", "--b", "0.1", "--json"], 0, None),
    (["kernel", "exp(x**2)", "--a", "0.2", "--b", "0.1"], 0, None),
    (["kernel", "exp(x**2)", "--a", "1", "--b", "0"], 2, "exists only for q < 1/4"),
    (["kernel", "exp(x**2)", "--a", "0.3", "--b", "0.25"], 2, "q < 1/4"),
    (["kernel", "exp(x**3)", "--a", "0.1"], 2, "diverges for every variance"),
    (["kernel", "exp(exp(x))", "--a", "0.1"], 2, "diverges for every variance"),
    (["kernel", "relu", "--a", "1e-300", "--b", "1e-301"], 0, None),
    (["kernel", "relu", "--a", "1e300", "--b", "-1e299"], 0, None),
    (["kernel", "relu", "--a", "1e160", "--b", "0"], 0, None),
    (["kernel", "abs", "--a", "1e-200", "--b", "-1e-200"], 0, None),
    (["kernel", "leaky_relu", "--param", "slope=0.1", "--a", "3", "--b", "1"], 0, None),
    (["kernel", "nosuch"], 2, "unknown"),
    (["kernel", ""], 2, "empty"),
    (["kernel", "   "], 2, "empty"),
    (["kernel", "x**1000"], 2, "larger than the limit"),
    (["kernel", "9**9**9"], 2, "number too large"),
    (["kernel", "1e999999*x"], 2, "too large"),
    (["kernel", "(2**4000)*x"], 2, "number too large"),
    (["kernel", "__import__('os')"], 2, None),
    (["kernel", "__import__(x)"], 2, "unknown function"),
    (["kernel", "os.system(x)"], 2, None),
    (["kernel", "lambda: x"], 2, None),
    (["kernel", "y + 1"], 2, "unknown name"),
    (["kernel", "1 + 2"], 2, "does not depend on x"),
    (["kernel", "x +"], 2, None),
    (["kernel", "sin(x"], 2, None),
    (["kernel", "sin x"], 2, None),
    (["kernel", "x;1"], 2, "unexpected character"),
    (["kernel", "(" * 80 + "x" + ")" * 80], 2, "nested deeper"),
    (["kernel", "x+" * 300 + "x"], 2, "longer than"),
    (["kernel", "tanh(x) + sin"], 2, "parentheses"),
    (["kernel", "sin"], 0, None),                         # the built-in name
    (["kernel", "max(x)"], 2, "at least two"),
    (["kernel", "sin(x, x)"], 2, "argument"),
    (["kernel", "relu", "--a", "-1"], 2, "> 0"),
    (["kernel", "relu", "--a", "0"], 2, "> 0"),
    (["kernel", "relu", "--a", "nan"], 2, "finite"),
    (["kernel", "relu", "--a", "inf"], 2, "finite"),
    (["kernel", "relu", "--a", "abc"], 2, "number"),
    (["kernel", "relu", "--a", "1", "--b", "2"], 2, "must not exceed"),
    (["kernel", "relu", "--a", "1", "--b", "-inf"], 2, "finite"),
    (["kernel", "relu", "--b", "1"], 2, "--b needs --a"),
    (["kernel", "relu", "--param", "slope=1"], 2, None),
    (["kernel", "leaky_relu", "--param", "slope"], 2, "NAME=VALUE"),
    (["kernel", "leaky_relu", "--param", "slope=abc"], 2, None),
    (["kernel", "leaky_relu", "--param", "slope=0.1", "--param", "slope=0.2"], 2, "twice"),
    (["kernel", "leaky_relu", "--param", "1x=2"], 2, "not a valid name"),
    (["kernel", "leaky_relu", "--param", "slope=9**9**9"], 2, None),
    (["kernel"], 2, None),
    (["kernel", "relu", "--nosuch"], 2, "unrecognized"),
    # --- stats ----------------------------------------------------------------------------
    (["stats", "--activation", "relu", *NET], 0, None),
    (["stats", "--activation", "relu", *NET, "--json"], 0, None),
    (["stats", "--activation", "erf", *NET, "--json", "--classes", "3", "--samples", "7"], 0, None),
    (["stats", "--activation", "tanh", "--sigma-w2", "1", "--sigma-b2", "0", "--depth", "3",
      "--json"], 0, None),
    (["stats", "--activation", "tanh", "--sigma-w2", "0.5", "--sigma-b2", "0", "--depth", "2"],
     0, None),
    (["stats", "--activation", "tanh", "--sigma-w2", "1e-8", "--sigma-b2", "0", "--depth", "2"],
     0, None),
    (["stats", "--activation", "step", *NET, "--json"], 0, None),          # κ1 = ∞ -> null
    (["stats", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0.1", "--depth", "1",
      "--json"], 0, None),
    (["stats", "--activation", "relu", "--sigma-w2", "1,2,3", "--sigma-b2", "0.1", "--depth",
      "3", "--json"], 0, None),
    (["stats", "--activation", "relu", *NET, "--widths", "1,2,0.5", "--json"], 0, None),
    (["stats", "--activation", "relu", *NET, "--momentum", "0.9"], 0, None),
    (["stats", "--activation", "relu", "--sigma-w2", "1e300", "--sigma-b2", "0", "--depth", "2",
      "--json"], 0, None),
    (["stats", "--activation", "exp(x**2)", "--sigma-w2", "1", "--sigma-b2", "0.1", "--depth",
      "3"], 2, "exists only for"),
    (["stats", "--activation", "relu", "--sigma-b2", "0.1", "--depth", "3"], 2, "required"),
    (["stats", "--activation", "relu", "--sigma-w2", "2", "--depth", "3"], 2, "required"),
    (["stats", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0.1"], 2, "--depth"),
    (["stats", "--activation", "relu", *NET[:4], "--depth", "0"], 2, "depth"),
    (["stats", "--activation", "relu", *NET[:4], "--depth", "-2"], 2, "depth"),
    (["stats", "--activation", "relu", *NET[:4], "--depth", "2.5"], 2, "invalid int"),
    (["stats", "--activation", "relu", "--sigma-w2", "-1", "--sigma-b2", "0.1", "--depth", "3"],
     2, ">= 0"),
    (["stats", "--activation", "relu", "--sigma-w2", "nan", "--sigma-b2", "0.1", "--depth",
      "3"], 2, "finite"),
    (["stats", "--activation", "relu", "--sigma-w2", "inf", "--sigma-b2", "0.1", "--depth",
      "3"], 2, "finite"),
    (["stats", "--activation", "relu", "--sigma-w2", "x", "--sigma-b2", "0.1", "--depth", "3"],
     2, "number"),
    (["stats", "--activation", "relu", "--sigma-w2", "1,2", "--sigma-b2", "0.1", "--depth",
      "3"], 2, "per-layer"),
    (["stats", "--activation", "relu", "--sigma-w2", "1,,2", "--sigma-b2", "0.1", "--depth",
      "3"], 2, None),
    (["stats", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "-0.1", "--depth", "3"],
     2, ">= 0"),
    (["stats", "--activation", "relu", *NET, "--widths", "1,1"], 2, "--widths"),
    (["stats", "--activation", "relu", *NET, "--widths", "1,0,1"], 2, "positive"),
    (["stats", "--activation", "relu", *NET, "--widths", "a,b,c"], 2, None),
    (["stats", "--activation", "relu", *NET, "--width", "0"], 2, "--width"),
    (["stats", "--activation", "relu", *NET, "--width", "-5"], 2, "--width"),
    (["stats", "--activation", "relu", *NET, "--width", "nan"], 2, "--width"),
    (["stats", "--activation", "relu", *NET, "--samples", "0"], 2, "--samples"),
    (["stats", "--activation", "relu", *NET, "--classes", "0"], 2, "--classes"),
    (["stats", "--activation", "relu", *NET, "--classes", "-1"], 2, "--classes"),
    (["stats", "--activation", "relu", *NET, "--momentum", "1"], 2, "momentum"),
    (["stats", "--activation", "relu", *NET, "--momentum", "-1.5"], 2, "momentum"),
    (["stats", "--activation", "relu", *NET, "--momentum", "nan"], 2, "momentum"),
    (["stats", "--activation", "relu", *NET, "--qhat1-0", "0"], 2, "qhat1-0"),
    (["stats", "--activation", "relu", *NET, "--qhat1-0", "-1"], 2, "qhat1-0"),
    (["stats", "--activation", "relu", *NET, "--qhat2-0", "2"], 2, "qhat2_0"),
    (["stats", "--activation", "relu", *NET, "--qhat2-0", "nan"], 2, "qhat2"),
    (["stats", "--activation", "nosuch", *NET], 2, "unknown"),
    (["stats", "--activation", "9**9**9", *NET], 2, "number too large"),
    (["stats", *NET], 2, "--activation"),
    (["stats", "--activation", "leaky_relu", "--param", "slope=0.2", *NET, "--json"], 0, None),
    (["stats", "--activation", "relu", "--param", "slope=0.2", *NET], 2, None),
    # --- softmax --------------------------------------------------------------------------
    (["softmax", "--probs", "{tmp}/p.npy"], 0, None),
    (["softmax", "--probs", "{tmp}/p.npy", "--json"], 0, None),
    (["softmax", "--probs", "{tmp}/p.csv", "--json"], 0, None),
    (["softmax", "--probs", "{tmp}/p.npy", "--activation", "relu", *NET, "--json"], 0, None),
    (["softmax", "--probs", "{tmp}/nosuch.npy"], 2, "not found"),
    (["softmax", "--probs", "{tmp}/p.txt"], 2, ".npy or .csv"),
    (["softmax", "--probs", "{tmp}/p1d.npy"], 2, "N x C"),
    (["softmax", "--probs", "{tmp}/pbad.npy"], 2, "sum to 1"),
    (["softmax", "--probs", "{tmp}/pneg.npy"], 2, None),
    (["softmax", "--probs", "{tmp}/pnan.npy"], 2, None),
    (["softmax", "--probs", "{tmp}/text.csv"], 2, "cannot read"),
    (["softmax", "--probs", "{tmp}/obj.npy"], 2, None),
    (["softmax", "--probs", "{tmp}/empty.npy"], 2, None),
    (["softmax", "--probs", "{tmp}"], 2, None),
    (["softmax", "--probs", "{tmp}/p.npy", "--activation", "relu", *NET, "--samples", "5"], 2,
     "disagrees"),
    (["softmax", "--probs", "{tmp}/p.npy", "--activation", "relu", *NET, "--classes", "2"], 2,
     "disagrees"),
    (["softmax", "--probs", "{tmp}/p.npy", "--activation", "relu", "--sigma-w2", "2",
      "--sigma-b2", "0.1", "--depth", "1"], 2, "depth"),
    (["softmax"], 2, "--probs"),
    # --- ngd ------------------------------------------------------------------------------
    (["ngd", "--activation", "relu", *NET], 0, None),
    (["ngd", "--activation", "tanh", *NET, "--json"], 0, None),
    (["ngd", "--activation", "shifted_relu", *NET, "--samples", "10", "--json"], 0, None),
    (["ngd", "--activation", "relu", *NET, "--samples", "0"], 2, "--samples"),
    (["ngd", "--activation", "relu", "--sigma-w2", "-2", "--sigma-b2", "0.1", "--depth", "3"],
     2, ">= 0"),
    (["ngd", "--activation", "nosuch", *NET], 2, "unknown"),
    (["ngd", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0.1"], 2, "--depth"),
    # --- codegen --------------------------------------------------------------------------
    (["codegen", "relu", "--out", "{tmp}/relu_gen.py"], 0, None),
    (["codegen", "relu", "--out", "/proc/nope/x.py"], 2, None),
    (["codegen", "relu", "--out", "{tmp}"], 2, ".py"),
    (["codegen", "relu", "--out", "{tmp}/x.txt"], 2, ".py"),
    (["codegen", "relu", "--out", "{tmp}/nodir/x.py"], 2, "does not exist"),
    (["codegen", "relu"], 2, "--out"),
    (["codegen"], 2, "give an ACTIVATION"),
    (["codegen", "--check", "--update"], 2, "exclude"),
    (["codegen", "--check", "--only", "softplus"], 2, "not a shipped module"),
    (["codegen", "--check", "--only", ","], 2, "at least one"),
    (["codegen", "--check", "--dir", "{tmp}/nodir"], 2, "not a folder"),
    (["codegen", "relu", "--check"], 2, "no ACTIVATION"),
    (["codegen", "nosuch", "--out", "{tmp}/n.py"], 2, "unknown"),
    (["codegen", "--check", "--diff", "3", "--only", "relu"], 0, None),
    (["codegen", "--check", "--diff", "-1", "--only", "relu"], 2, "--diff must be >= 0"),
    (["codegen", "--check", "--diff", "x"], 2, "invalid int"),
    # --- verify (the fast scripts take seconds each: one small script) ---------------------
    (["verify", "--only", "us_appB3_linear", "--wide"], 0, None),
    (["verify", "--only", "us_appB3_linear", "--json"], 0, None),
    (["verify", "--slow", "--only", "nosuch"], 2, "names no derivation script"),
    (["verify", "--only"], 2, "expected one argument"),
    (["codegen", "9**9**9", "--out", "{tmp}/n.py"], 2, "number too large"),
    # --- top level ------------------------------------------------------------------------
    (["--version"], 0, None),
    (["--list"], 0, None),
    ([], 2, None),
    (["nosuch"], 2, "invalid choice"),
    (["--budget", "0", "kernel", "relu"], 2, "--budget"),
    (["--budget", "-3", "kernel", "relu"], 2, "--budget"),
    (["--budget", "abc", "kernel", "relu"], 2, "invalid float"),
    (["--budget", "1", "kernel", "sin(sin(sin(sin(x))))", "--a", "1", "--b", "0.5"], 0, None),
]


def _strict_json(text):
    def refuse(name):
        raise AssertionError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("argv,status,fragment", CASES,
                         ids=[" ".join(c[0])[:60] or "(none)" for c in CASES])
def test_hostile_input(argv, status, fragment, tmp_path, capsys, monkeypatch):
    _files(tmp_path)
    monkeypatch.setenv("MEANFIELD_SYM_BUDGET", "20")     # the CLI's own budget is set per case
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            code = main(argv)
        except SystemExit as exc:                         # argparse: --version, --list, usage
            code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == status, (code, err)
    if status == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 or (not argv and "usage" in out + err), err
        if fragment is not None:
            assert fragment in err, err
        if argv:
            assert out == "" or "usage" in out
    else:
        assert "nan" not in out.lower().replace("nano", ""), out[:400]
        if "--json" in argv:
            _strict_json(out)


def test_the_table_is_large_and_covers_every_sub_command():
    commands = {c[0][0] for c in CASES if c[0] and not c[0][0].startswith("-")}
    assert {"kernel", "stats", "softmax", "ngd", "codegen"} <= commands
    assert len(CASES) >= 150
