"""Benchmark of the generated kernel modules as providers of the library's recursions.

κ1, κ2 over a 500 × 500 grid of (σ_w², σ_b²) at depth 10, for erf and ReLU:

1. the library's route with a generated module as kernel provider (what ``meanfield-sym stats``
   runs): ``mf.order_parameters(meanfield_sym.generated.<name>, …)`` then ``mf.kappas``,
   against a hand-written NumPy version of the same closed forms and the same recursion
   (target: ≤ 1.25× its time);
2. against per-point ``scipy.integrate`` quadrature of the *definitions* (``quad`` for the
   one-point moments, ``dblquad`` for the two-point ones) on a small subsample of the grid
   (target: ≥ 1000× faster per point);
3. import time in a fresh process (target < 0.2 s) of a generated module alone (with and
   without the import of NumPy itself) and of the module with ``meanfield_sym.meanfield``, and a
   check that SymPy is not imported by either.

Ratios are measured in the same run; timings are the best of ``REPEATS`` runs.  Threads are
pinned to 1 (set before NumPy is imported) so that numbers are stable on a shared machine.

Run:  python benchmarks/bench_generated.py [--quick]
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy import integrate, special  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GRID = 500
DEPTH = 10
REPEATS = 15
SUBSAMPLE = 3  # grid points evaluated by scipy.integrate (each costs seconds)


# ---------------------------------------------------------------------------------------------
# Hand-written NumPy versions of the same closed forms (Universal statistics, supplement
# App. B: ReLU (B.9)-(B.12), erf (B.3)-(B.8)), written the way one would by hand.
# ---------------------------------------------------------------------------------------------
def relu_layer(a, b):
    s = np.sqrt(np.maximum((a - b) * (a + b), 0.0))
    theta = np.arctan2(s, -b)  # = acos(-b/a)
    return 0.5 * a, 0.5, (b * theta + s) / (2 * np.pi), theta / (2 * np.pi)


def erf_layer(a, b):
    d = 2 * a + 1
    r = np.sqrt(np.maximum((d - 2 * b) * (d + 2 * b), 0.0))
    s1 = np.sqrt(4 * a + 1)
    return (2 / np.pi * np.arctan2(2 * a, s1), 4 / (np.pi * s1),
            2 / np.pi * np.arctan2(2 * b, r), 4 / (np.pi * r))


def hand_kappas(layer, sw, sb, depth):
    """κ1, κ2 with unit widths and inputs q̂_1^0 = 1, q̂_2^0 = 0 (same recursion, no checks)."""
    shape = np.broadcast_shapes(np.shape(sw), np.shape(sb))
    qh1, qh2 = np.ones(shape), np.zeros(shape)
    hats1, hats2, d1, d2 = [qh1], [qh2], [], []
    for l in range(1, depth):
        q1 = sw * qh1 + sb
        q2 = sw * qh2 + sb
        qh1, p1, qh2, p2 = layer(q1, q2)
        hats1.append(qh1)
        hats2.append(qh2)
        d1.append(p1)
        d2.append(p2)
    alpha = depth - 1.0
    t1 = t2 = 1.0
    k1 = hats1[depth - 1] * t1
    k2 = hats2[depth - 1] * t2
    for l in range(depth - 1, 0, -1):
        t1 = sw * t1 * d1[l - 1]
        t2 = sw * t2 * d2[l - 1]
        k1 = k1 + t1 * hats1[l - 1]
        k2 = k2 + t2 * hats2[l - 1]
    return k1 / alpha, k2 / alpha


# ---------------------------------------------------------------------------------------------
# Per-point quadrature of the definitions
# ---------------------------------------------------------------------------------------------
PHI = {"relu": (lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
       "erf": (special.erf, lambda x: 2 / math.sqrt(math.pi) * math.exp(-x * x))}
Z = 8.5  # standard-normal cut-off; neglected mass < 2e-17


def _pdf(z):
    return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def quad_one(f, q):
    s = math.sqrt(q)
    return integrate.quad(lambda z: f(s * z) ** 2 * _pdf(z), -Z, Z, points=[0.0], limit=200)[0]


def quad_two(f, a, b):
    """E[f(u1) f(u2)] as nested ``quad`` over standard normals, u1 = √a z1,
    u2 = √a (c z1 + s z2); breakpoints where u1 = 0 and u2 = 0 (the kinks of ReLU)."""
    c = b / a
    s = math.sqrt(max(1 - c * c, 0.0))
    ra = math.sqrt(a)

    def inner(z1):
        f1 = f(ra * z1)
        if f1 == 0.0:
            return 0.0
        if s == 0.0:
            return f1 * f(ra * c * z1)
        kink = min(max(-c * z1 / s, -Z), Z)
        return f1 * integrate.quad(lambda z2: f(ra * (c * z1 + s * z2)) * _pdf(z2), -Z, Z,
                                   points=[kink], limit=200)[0]

    return integrate.quad(lambda z1: inner(z1) * _pdf(z1), -Z, Z, points=[0.0], limit=200)[0]


def quad_kappas(name, sw, sb, depth):
    f, fp = PHI[name]
    qh1, qh2 = 1.0, 0.0
    hats1, hats2, d1, d2 = [qh1], [qh2], [], []
    for l in range(1, depth):
        q1, q2 = sw * qh1 + sb, sw * qh2 + sb
        qh1, qh2 = quad_one(f, q1), quad_two(f, q1, q2)
        hats1.append(qh1)
        hats2.append(qh2)
        d1.append(quad_one(fp, q1))
        d2.append(quad_two(fp, q1, q2))
    t1 = t2 = 1.0
    k1, k2 = hats1[depth - 1], hats2[depth - 1]
    for l in range(depth - 1, 0, -1):
        t1, t2 = sw * t1 * d1[l - 1], sw * t2 * d2[l - 1]
        k1, k2 = k1 + t1 * hats1[l - 1], k2 + t2 * hats2[l - 1]
    return k1 / (depth - 1), k2 / (depth - 1)


# ---------------------------------------------------------------------------------------------
def best_times(fns, repeats=REPEATS):
    """Best time of each callable, runs interleaved (fair under a fluctuating machine load)."""
    best = [math.inf] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t)
    return best


IMPORT_SNIPPET = """
import sys, time
t0 = time.perf_counter()
import numpy
t1 = time.perf_counter()
import importlib.util
spec = importlib.util.spec_from_file_location("gen_{name}", {path!r})
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1, "sympy" in sys.modules, "scipy" in sys.modules)
"""


LIBRARY_SNIPPET = """
import sys, time
t0 = time.perf_counter()
import numpy
t1 = time.perf_counter()
import meanfield_sym.generated.{name} as mod
from meanfield_sym import meanfield as mf
t2 = time.perf_counter()
mf.kappas(mf.order_parameters(mod, 1.5, 0.1, 3), mf.width_ratios(None, 3))
print(t1 - t0, t2 - t1, "sympy" in sys.modules, "scipy" in sys.modules)
"""


def _fresh_process_times(snippet, runs):
    rows = []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True,
                             check=True, env=env).stdout.split()
        rows.append((float(out[0]), float(out[1]), out[2] == "True", out[3] == "True"))
    return {"numpy": min(r[0] for r in rows), "module": min(r[1] for r in rows),
            "total": min(r[0] + r[1] for r in rows),
            "sympy_imported": any(r[2] for r in rows), "scipy_imported": any(r[3] for r in rows)}


def import_times(name, runs=5):
    """The module file alone, and the module with the library (the statistics route)."""
    path = str(ROOT / "meanfield_sym" / "generated" / f"{name}.py")
    return {"file": _fresh_process_times(IMPORT_SNIPPET.format(name=name, path=path), runs),
            "library": _fresh_process_times(LIBRARY_SNIPPET.format(name=name), runs)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 x 100 grid, 1 quadrature point")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    grid = 100 if args.quick else GRID
    nsub = 1 if args.quick else SUBSAMPLE

    sys.path.insert(0, str(ROOT))
    import importlib

    from meanfield_sym import meanfield as mf

    def library_kappas(mod, sw, sb, depth):
        """The statistics route: order parameters over the module, then κ1, κ2."""
        op = mf.order_parameters(mod, sw, sb, depth)
        return mf.kappas(op, mf.width_ratios(None, depth))

    sw_axis = np.linspace(0.5, 4.0, grid)
    sb_axis = np.linspace(0.01, 2.0, grid)
    SW, SB = np.meshgrid(sw_axis, sb_axis, indexing="ij")
    rng = np.random.default_rng(0)
    picks = [(int(i), int(j)) for i, j in rng.integers(0, grid, size=(nsub, 2))]
    report = {"grid": [grid, grid], "depth": DEPTH, "threads": os.environ["OMP_NUM_THREADS"]}
    for name, layer in (("erf", erf_layer), ("relu", relu_layer)):
        mod = importlib.import_module(f"meanfield_sym.generated.{name}")
        lib = library_kappas(mod, SW, SB, DEPTH)
        hand = hand_kappas(layer, SW, SB, DEPTH)
        agree = max(float(np.max(np.abs(lib[0] / hand[0] - 1))),
                    float(np.max(np.abs(lib[1] / hand[1] - 1))))
        t_lib, t_hand = best_times([lambda: library_kappas(mod, SW, SB, DEPTH),
                                    lambda: hand_kappas(layer, SW, SB, DEPTH)])
        t0 = time.perf_counter()
        quad_err = 0.0
        for i, j in picks:
            k1, k2 = quad_kappas(name, SW[i, j], SB[i, j], DEPTH)
            quad_err = max(quad_err, abs(k1 / lib[0][i, j] - 1), abs(k2 / lib[1][i, j] - 1))
        t_quad = (time.perf_counter() - t0) / len(picks)
        per_point = t_lib / SW.size
        report[name] = {
            "library_s": t_lib, "hand_written_s": t_hand,
            "ratio_library_over_hand": t_lib / t_hand,
            "library_vs_hand_max_rel_diff": agree,
            "quad_per_point_s": t_quad, "library_per_point_s": per_point,
            "speedup_per_point_vs_quad": t_quad / per_point,
            "quad_vs_library_max_rel_diff": quad_err, "quad_points": len(picks),
        }
    report["import"] = {n: import_times(n) for n in ("erf", "relu", "gelu")}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"kappa1, kappa2 over a {grid} x {grid} (sigma_w2, sigma_b2) grid, depth {DEPTH}, "
          f"{report['threads']} thread(s); best of {REPEATS}")
    for name in ("erf", "relu"):
        r = report[name]
        print(f"\n[{name}]")
        print(f"  library + generated module  {r['library_s'] * 1e3:9.1f} ms")
        print(f"  hand-written NumPy          {r['hand_written_s'] * 1e3:9.1f} ms   ratio "
              f"library/hand = {r['ratio_library_over_hand']:.3f}  (target <= 1.25; max rel "
              f"diff {r['library_vs_hand_max_rel_diff']:.1e})")
        print(f"  scipy.integrate per point {r['quad_per_point_s']:.3f} s  vs library per point "
              f"{r['library_per_point_s'] * 1e9:.0f} ns  -> speed-up "
              f"{r['speedup_per_point_vs_quad']:.3g}x (target >= 1000; {r['quad_points']} points, "
              f"max rel diff {r['quad_vs_library_max_rel_diff']:.1e})")
    print("\nimport in a fresh process (best of 5): the module file alone, and the module with "
          "meanfield_sym.meanfield (then one κ evaluation)")
    for n, routes in report["import"].items():
        for route, r in routes.items():
            what = "module" if route == "file" else "module + library"
            print(f"  {n:5s} {route:7s} numpy {r['numpy'] * 1e3:6.1f} ms + {what} "
                  f"{r['module'] * 1e3:6.1f} ms = {r['total'] * 1e3:6.1f} ms (target < 200 ms); "
                  f"sympy imported: {r['sympy_imported']}, scipy imported: "
                  f"{r['scipy_imported']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
