"""`meanfield-sym kernel`: the JSON contract, values, and one clear line on bad input."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest


def run(*args):
    return subprocess.run([sys.executable, "-m", "meanfield_sym", "kernel", *args],
                          capture_output=True, text=True, timeout=600)


def test_json_contract_and_values():
    out = run("relu", "--a", "2", "--b", "-1", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"activation", "closed_form", "values"} <= set(data)
    keys = {"one_point", "one_point_prime", "two_point", "two_point_prime"}
    assert set(data["closed_form"]) == keys and set(data["values"]) == keys
    # independent reference: Cho & Saul arc-cosine kernel at a = 2, c = -1/2
    a, c = 2.0, -0.5
    ref = a / (2 * math.pi) * (math.sqrt(1 - c * c) + c * (math.pi - math.acos(c)))
    assert data["values"]["two_point"] == pytest.approx(ref, rel=1e-13)
    assert data["values"]["one_point"] == pytest.approx(1.0, rel=1e-15)  # E[relu(√2 u)²] = 1


def test_no_closed_form_is_null_and_values_by_quadrature():
    out = run("tanh", "--json")
    data = json.loads(out.stdout)
    assert data["closed_form"]["two_point"] is None and data["values"] is None


def test_user_expression_and_param():
    out = run("sin(x) + x/2", "--json")
    assert json.loads(out.stdout)["closed_form"]["two_point"] is not None
    out = run("leaky_relu", "--param", "slope=0", "--a", "1", "--b", "0.5", "--json")
    assert json.loads(out.stdout)["values"]["two_point_prime"] == pytest.approx(1 / 3, rel=1e-14)


@pytest.mark.parametrize("args,needle", [
    (("relu", "--a", "0"), "> 0"),
    (("relu", "--a", "-1"), "> 0"),
    (("relu", "--a", "1", "--b", "1.5"), "exceed"),
    (("relu", "--a", "nan"), "finite"),
    (("nope",), "unknown activation"),
    (("x + y",), "unknown name 'y'"),
    (("relu", "--param", "slope=1"), "does not take"),
    (("leaky_relu", "--param", "slope"), "NAME=VALUE"),
    (("relu", "--b", "0.1"), "needs --a"),
])
def test_bad_input_one_line_exit_2(args, needle):
    out = run(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], out.stderr
