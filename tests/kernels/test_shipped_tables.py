"""The shipped modules of tanh and sigmoid: table files next to them, no SymPy at run time.

Witnesses:

* mpmath quadrature of the definitions at 20 digits (:mod:`meanfield_sym.witnesses.highprec`;
  for the tangent moments ``mpmath.quad`` at 30 digits) over q and (a, c = b/a) from 5e-4 to
  500, c = 0, near 0 and near ±1, inside and outside the tabulated range;
* the exact identity sigmoid(x) = (1 + tanh(x/2))/2, which ties the two modules' tables
  (built independently, on different cells): I_σ[a, b] = 1/4 + I_tanh[a/4, b/4]/4,
  I_σ'[a, b] = I_tanh'[a/4, b/4]/16, and the same for the one-point kernels;
* a fresh interpreter: the statistics of a module and the ``stats`` command import no SymPy;
* the command line against the library's route (``kernels_for``, SymPy, its own tables);
* table files that are corrupted, stale, truncated or wrong in value are refused or fail the
  check, and the provider then falls back to the library route.
"""
from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys

import mpmath
import numpy as np
import pytest

from meanfield_sym import meanfield as mf
from meanfield_sym.cli import main
from meanfield_sym.codegen import emit as codegen
from meanfield_sym.kernels import provider, table_file
from meanfield_sym.kernels.kernel_set import kernels_for
from meanfield_sym.kernels.provider import from_module
from meanfield_sym.witnesses import highprec

#: The float64 contract of the kernels: 1e-12 relative.
RTOL = 1e-12
#: Digits of the mpmath witness of the kernels.
DPS = 20
#: Shipped modules against the library route (another float64 evaluation of the same tables'
#: definition: both within RTOL of the truth).
ROUTE_RTOL = 1e-12
NAMES = provider.TABULATED
NET = {"sigma_w2": 3.0, "sigma_b2": 0.64, "depth": 5}

#: One-point variances: outside the tables (q < 1e-3, q > 10^2.5) and inside.
ONE_Q = [1e-4, 2e-3, 0.3, 5.0, 500.0]
#: (a, c): outside the tables (a = 5e-4), |c| near 1, c = 0 and near 0, c = 1.
TWO_POINTS = [(5e-4, 0.5), (0.02, -0.9999), (0.5, 0.0), (0.5, 1e-6), (1.0, 0.3), (3.0, 1.0),
              (10.0, 0.999)]
#: Steep or nearly singular: the mpmath witness needs tens of seconds to minutes at each.
SLOW_TWO_POINTS = [(4.0, -0.7), (2.0, 0.99999), (100.0, -0.05), (400.0, 0.5)]


def gen(name):
    return importlib.import_module(f"meanfield_sym.generated.{name}")


def _rel(got, ref):
    ref = mpmath.mpf(ref)
    return abs(mpmath.mpf(float(got)) - ref) / abs(ref)


# ---------------------------------------------------------------------------------------------
# Against mpmath
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_one_point_kernels_against_mpmath(name):
    kern = from_module(gen(name))
    got, gotp = kern.one_point(np.array(ONE_Q)), kern.one_point_prime(np.array(ONE_Q))
    for q, v, vp in zip(ONE_Q, got, gotp):
        assert _rel(v, highprec.one_point(name, q, DPS)) < RTOL, (name, q)
        assert _rel(vp, highprec.one_point_prime(name, q, DPS)) < RTOL, (name, q)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("a,c", TWO_POINTS + [pytest.param(*p, marks=pytest.mark.slow)
                                               for p in SLOW_TWO_POINTS])
def test_two_point_kernels_against_mpmath(name, a, c):
    kern = from_module(gen(name))
    b = a * c
    v, vp = float(kern.two_point(a, b)), float(kern.two_point_prime(a, b))
    if name == "tanh" and c == 0.0:
        assert v == 0.0                  # odd φ: I(a, 0) = E[φ]² = 0, exactly in the tables
    else:
        assert _rel(v, highprec.two_point(name, a, b, DPS)) < RTOL, (name, a, c)
    assert _rel(vp, highprec.two_point_prime(name, a, b, DPS)) < RTOL, (name, a, c)


_MP = {"tanh": (mpmath.tanh, lambda x: mpmath.sech(x) ** 2),
       "sigmoid": (lambda x: 1 / (1 + mpmath.exp(-x)),
                   lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2)}


@pytest.mark.parametrize("name", NAMES)
def test_tangent_moments_against_mpmath(name):
    """E[u φ φ'] and E[u² φ'²] by quadrature of the printed φ, φ' (the module has no closed
    forms), against mpmath.quad at 30 digits split where φ is steep."""
    f, df = _MP[name]
    qs = np.array([1e-3, 0.3, 5.0, 100.0])
    got = from_module(gen(name)).tangent_moments(qs)
    for i, q in enumerate(qs):
        with mpmath.workdps(30):
            s = mpmath.sqrt(q)
            dens = lambda z: mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
            cuts = [-mpmath.inf, -1 / s, 0, 1 / s, mpmath.inf]
            m1 = mpmath.quad(lambda z: dens(z) * s * z * f(s * z) * df(s * z), cuts)
            m2 = mpmath.quad(lambda z: dens(z) * (s * z * df(s * z)) ** 2, cuts)
            assert _rel(got["u_phi_dphi"][i], m1) < RTOL, (name, q)
            assert _rel(got["u2_dphi2"][i], m2) < RTOL, (name, q)


def test_sigmoid_and_tanh_tables_agree_through_the_exact_identity():
    """σ(x) = (1 + tanh(x/2))/2 and E[tanh] = 0: I_σ[a, b] = 1/4 + I_tanh[a/4, b/4]/4 and
    I_σ'[a, b] = I_tanh'[a/4, b/4]/16 (σ' = sech²(x/2)/4).  Each side is within RTOL of its
    own scale, so they agree within RTOL times the sum of the scales."""
    rng = np.random.default_rng(3)
    a = 10 ** rng.uniform(-3.5, 3.0, 2000)
    c = np.concatenate([rng.uniform(-1, 1, 1900), 1 - 10 ** rng.uniform(-9, -1, 50),
                        -1 + 10 ** rng.uniform(-9, -1, 50)])
    b = a * c
    sig, tanh = from_module(gen("sigmoid")), from_module(gen("tanh"))
    i_t = tanh.two_point(a / 4, b / 4)
    i_s = sig.two_point(a, b)
    assert np.max(np.abs(i_s - (0.25 + i_t / 4)) / (np.abs(i_s) + np.abs(i_t) / 4)) < RTOL
    d_t, d_s = tanh.two_point_prime(a / 4, b / 4), sig.two_point_prime(a, b)
    assert np.max(np.abs(d_s / (d_t / 16) - 1)) < 2 * RTOL
    q = a
    o_t, o_s = tanh.one_point(q / 4), sig.one_point(q)
    assert np.max(np.abs(o_s - (0.25 + o_t / 4)) / (o_s + o_t / 4)) < RTOL
    assert np.max(np.abs(sig.one_point_prime(q) / (tanh.one_point_prime(q / 4) / 16) - 1)) \
        < 2 * RTOL


# ---------------------------------------------------------------------------------------------
# No SymPy; the command line and the library route
# ---------------------------------------------------------------------------------------------
_FRESH = """
import contextlib, io, json, sys
name = sys.argv[1]
mod = __import__("meanfield_sym.generated." + name, fromlist=["x"])
from meanfield_sym.meanfield import fixed_point, network_statistics
st = network_statistics(mod, 3.0, 0.64, 5)
fp = fixed_point(mod, 3.0, 0.64)
library = "sympy" in sys.modules
from meanfield_sym.cli import main
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    rc = main(["stats", "--activation", name, "--depth", "5", "--sigma-w2", "3",
               "--sigma-b2", "0.64", "--json"])
print(json.dumps({"library": library, "cli": "sympy" in sys.modules, "rc": rc,
                  "kappa1": float(st["kappa1"]), "fisher_rao": float(st["fisher_rao"]),
                  "q_star": float(fp.q_star),
                  "cli_kappa1": json.loads(buf.getvalue())["kappa1"]}))
"""


@pytest.mark.parametrize("name", NAMES)
def test_statistics_and_cli_run_without_sympy(name):
    out = json.loads(subprocess.run([sys.executable, "-c", _FRESH, name], capture_output=True,
                                    text=True, check=True).stdout)
    assert out["library"] is False and out["cli"] is False and out["rc"] == 0
    assert out["kappa1"] > 0 and out["fisher_rao"] > 0 and out["q_star"] > 0
    assert out["cli_kappa1"] == out["kappa1"]


def _close(got, ref, label):
    got, ref = np.asarray(got, dtype=float), np.asarray(ref, dtype=float)
    assert np.all(np.abs(got - ref) <= ROUTE_RTOL * np.abs(ref)), (label, got, ref)


@pytest.mark.parametrize("name", NAMES)
def test_cli_agrees_with_the_library_route(name, capsys):
    """``stats --json`` (the shipped module and its table file) against
    ``network_statistics(kernels_for(name), ...)`` (the derivation's route: SymPy's φ, its
    own tables, built or from the on-disk cache)."""
    assert provider.resolve(name) is from_module(gen(name))
    assert main(["stats", "--activation", name, "--depth", str(NET["depth"]), "--sigma-w2",
                 str(NET["sigma_w2"]), "--sigma-b2", str(NET["sigma_b2"]), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    lib = mf.network_statistics(kernels_for(name), NET["sigma_w2"], NET["sigma_b2"],
                                NET["depth"])
    for key in ("kappa1", "kappa2", "kappa1_ntk", "kappa2_ntk", "eta_critical", "fisher_rao",
                "fisher_rao_printed"):
        _close(cli[key], lib[key], key)
    for group in ("fim", "ntk"):
        for key in ("mean", "second_moment", "lambda_max"):
            _close(cli[group][key], lib[group][key], (group, key))
    for key, values in lib["order_parameters"].items():
        pairs = [(g, r) for g, r in zip(cli["order_parameters"][key], values) if r is not None]
        assert pairs, key
        _close([g for g, _ in pairs], [r for _, r in pairs], key)


# ---------------------------------------------------------------------------------------------
# Table files that must not be used
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def copy(tmp_path):
    """The shipped tanh module and its table file, copied to a folder of their own."""
    for f in ("tanh.py", "tanh_tables.npz"):
        shutil.copy(codegen.GENERATED_DIR / f, tmp_path / f)
    return tmp_path


def _arrays(path):
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def _save(path, arrays):
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _reseal(arrays):
    arrays["checksum"] = np.array(table_file._checksum(arrays))
    return arrays


def test_shipped_table_files_pass_the_check():
    for name in NAMES:
        assert codegen.check_tables(name) is None, name
        report = table_file.spot_check(provider.module_tables(gen(name)))
        assert set(report) == {"one_point", "one_point_prime", "two_point", "two_point_prime"}
        assert all(n >= 50 and dev <= table_file.CHECK_RTOL for n, dev in report.values())


def test_corrupted_files_are_refused(copy):
    path = copy / "tanh_tables.npz"
    good = _arrays(path)
    mod = gen("tanh")

    arrays = dict(good)                       # a coefficient changed, the checksum kept
    arrays["two_point__coef"] = good["two_point__coef"].copy()
    arrays["two_point__coef"][3, 0, 0] *= 1 + 1e-9
    _save(path, arrays)
    with pytest.raises(table_file.TableFileError, match="checksum"):
        table_file.read(path, mod.ACTIVATION, mod.FINGERPRINT)

    raw = bytearray((codegen.GENERATED_DIR / "tanh_tables.npz").read_bytes())
    raw[len(raw) // 2] ^= 0xFF                 # a flipped byte
    path.write_bytes(bytes(raw))
    with pytest.raises(table_file.TableFileError):
        table_file.read(path, mod.ACTIVATION, mod.FINGERPRINT)

    path.write_bytes(bytes(raw[:1000]))        # truncated
    with pytest.raises(table_file.TableFileError, match="cannot be read"):
        table_file.read(path, mod.ACTIVATION, mod.FINGERPRINT)

    _save(path, _reseal({**good, "code": np.array("0" * 16)}))     # other table code
    with pytest.raises(table_file.TableFileError, match="stale"):
        table_file.read(path, mod.ACTIVATION, mod.FINGERPRINT)

    _save(path, good)
    with pytest.raises(table_file.TableFileError, match="expected sigmoid"):
        table_file.read(path, "sigmoid", gen("sigmoid").FINGERPRINT)

    bad = {k: v for k, v in good.items() if k != "two_point__yb"}
    _save(path, _reseal(bad))
    with pytest.raises(table_file.TableFileError, match="missing"):
        table_file.read(path, mod.ACTIVATION, mod.FINGERPRINT)


def test_check_detects_tables_that_are_wrong_in_value(copy, capsys):
    """A file that reads (checksum resealed) but whose coefficients are off by 1e-9 in one
    cell fails the comparison with fresh quadrature; the intact copy passes."""
    assert main(["codegen", "--check", "--only", "tanh", "--dir", str(copy)]) == 0
    capsys.readouterr()
    path = copy / "tanh_tables.npz"
    arrays = _arrays(path)
    arrays["two_point__coef"] = arrays["two_point__coef"].copy()
    arrays["two_point__coef"][5, 0, 0] *= 1 + 1e-9
    _save(path, _reseal(arrays))
    reason = codegen.check_tables("tanh", copy)
    assert reason is not None and "two_point: deviation" in reason
    assert main(["codegen", "--check", "--only", "tanh", "--dir", str(copy)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "two_point" in err
    path.unlink()
    assert codegen.check_tables("tanh", copy) == "missing"


def test_refused_tables_fall_back_to_the_library_route(copy, monkeypatch):
    """A module whose table file is corrupted: its provider warns and takes the kernels from
    the derivation's route (``kernels_for``), and ``shipped`` does not serve it."""
    raw = bytearray((copy / "tanh_tables.npz").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (copy / "tanh_tables.npz").write_bytes(bytes(raw))
    broken = codegen.load_module(copy / "tanh.py")
    a, b = np.array([0.5, 2.0, 7.0]), np.array([0.1, -1.0, 6.9])
    with pytest.warns(table_file.TableFileWarning, match="computed by the library"):
        got = from_module(broken).two_point(a, b)
    np.testing.assert_array_equal(got, kernels_for("tanh").two_point(a, b))
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "meanfield_sym.generated.tanh", broken)
        with pytest.warns(table_file.TableFileWarning):
            assert provider.shipped("tanh") is None
        with pytest.warns(table_file.TableFileWarning):
            assert provider.resolve("tanh") is kernels_for("tanh")
    assert provider.shipped("tanh") is from_module(gen("tanh"))


def test_cli_reports_a_refused_table_file_in_one_line(copy, monkeypatch, capsys):
    (copy / "tanh_tables.npz").write_bytes(b"not a zip file")
    broken = codegen.load_module(copy / "tanh.py")
    monkeypatch.setitem(sys.modules, "meanfield_sym.generated.tanh", broken)
    monkeypatch.setattr(provider, "_TABLES", {})
    assert main(["stats", "--activation", "tanh", "--depth", "2", "--sigma-w2", "1.5",
                 "--sigma-b2", "0.1", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["kappa1"] > 0
    warning = [line for line in captured.err.splitlines() if "warning" in line]
    assert len(warning) == 1 and "tanh_tables.npz" in warning[0] and "cannot be read" in warning[0]


def test_update_builds_a_missing_table_file_and_keeps_a_current_one(copy):
    (copy / "tanh_tables.npz").unlink()
    written = codegen.write_tables("tanh", copy)
    assert written == copy / "tanh_tables.npz"
    assert codegen.check_tables("tanh", copy) is None
    assert codegen.write_tables("tanh", copy) is None           # current: kept
    rebuilt = table_file.read(written, "tanh", gen("tanh").FINGERPRINT)
    shipped = provider.module_tables(gen("tanh")).tables()
    x = np.linspace(-2.9, 2.4, 101)
    for name in ("one_point", "one_point_prime"):
        np.testing.assert_allclose(rebuilt[name](x), shipped[name](x), rtol=1e-13, atol=0)
