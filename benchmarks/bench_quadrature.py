"""Benchmark: tanh kernels of meanfield_sym vs a 25 x 25 tensor Gauss-Hermite rule.

The baseline is the peer library neural-tangents' ``ElementwiseNumerical(deg=25)`` scheme, written
in vectorised NumPy the same way (tensor Gauss-Hermite nodes, conditional u2 = c u1 + s z2).
Measured on the same points in the same process (best of REPEAT timings):

* ``tables``: what ``kernels_for("tanh")`` evaluates (meanfield_sym.kernels.tables: validated
  Chebyshev tables of quadrature values; their one-off build time is printed separately);
* ``quadrature``: the per-point quadrature (meanfield_sym.kernels.quadrature) the tables are built from.

Accuracy is measured against mpmath quadrature of the definition (meanfield_sym.witnesses.highprec) on a
fixed random subsample.

Run:  python benchmarks/bench_quadrature.py [--quick]
"""
import sys
import time

import numpy as np

from meanfield_sym.witnesses import highprec
from meanfield_sym.kernels import tables as KT
from meanfield_sym.kernels import quadrature as Q
from meanfield_sym.activation.function import get_activation

REPEAT = 5
DPS = 20
_X, _W = np.polynomial.hermite.hermgauss(25)


def gh_two_point(f, a, b):
    """25 x 25 Gauss-Hermite, as neural-tangents' ElementwiseNumerical (f evaluated 25 + 625 times)."""
    a = np.asarray(a, float)[..., None, None]
    b = np.asarray(b, float)[..., None, None]
    x, y = _X[:, None], _X[None, :]
    fv = f(np.sqrt(2 * a) * x) * f(b / np.sqrt(a / 2) * x + np.sqrt(np.maximum(2 * (a - b * b / a), 0)) * y)
    return np.einsum("ij,...ij->...", np.outer(_W, _W), fv) / np.pi


def gh_one_point(f2, q):
    q = np.asarray(q, float)[..., None]
    return (f2(np.sqrt(2 * q) * _X) * _W).sum(-1) / np.sqrt(np.pi)


def best_time(fn):
    best = np.inf
    for _ in range(REPEAT):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(quick=False):
    tanh = get_activation("tanh")
    ks = Q.kernels(tanh)
    kt = KT.kernels(tanh)
    t0 = time.perf_counter()
    kt.tables()
    t_build = time.perf_counter() - t0
    na = 50
    a = np.logspace(-2, 2, na)[:, None]
    c = np.linspace(-0.9999, 0.9999, na)[None, :]
    A, C = np.broadcast_arrays(a, c)
    B = A * C
    dsech2 = lambda x: 1 / np.cosh(x) ** 2  # noqa: E731
    q = np.logspace(-2, 2, 2500)
    gh1 = lambda x: gh_one_point(lambda y: np.tanh(y) ** 2, x)  # noqa: E731

    rows = [("two_point 50x50 grid", best_time(lambda: gh_two_point(np.tanh, A, B)),
             best_time(lambda: kt.two_point(A, B)), best_time(lambda: ks.two_point(A, B))),
            ("two_point_prime 50x50 grid", best_time(lambda: gh_two_point(dsech2, A, B)),
             best_time(lambda: kt.two_point_prime(A, B)),
             best_time(lambda: ks.two_point_prime(A, B))),
            ("one_point 2500 q", best_time(lambda: gh1(q)), best_time(lambda: kt.one_point(q)),
             best_time(lambda: ks.one_point(q)))]

    # accuracy on a subsample against mpmath (relative to max(|I|, 1e-3 E[phi^2]))
    rng = np.random.default_rng(1)
    nsub = 4 if quick else 12
    idx = rng.choice(A.size, nsub, replace=False)
    ref = np.array([float(highprec.two_point(tanh, A.ravel()[i], B.ravel()[i], DPS)) for i in idx])
    scale = np.array([float(highprec.one_point(tanh, A.ravel()[i], DPS)) for i in idx])
    den = np.maximum(np.abs(ref), 1e-3 * scale)

    def err2(v):
        return np.max(np.abs(v.ravel()[idx] - ref) / den)
    errs = {"two_point 50x50 grid": (err2(kt.two_point(A, B)), err2(ks.two_point(A, B)),
                                     err2(gh_two_point(np.tanh, A, B)))}
    refp = np.array([float(highprec.two_point_prime(tanh, A.ravel()[i], B.ravel()[i], DPS))
                     for i in idx])

    def err2p(v):
        return np.max(np.abs(v.ravel()[idx] / refp - 1))
    errs["two_point_prime 50x50 grid"] = (err2p(kt.two_point_prime(A, B)),
                                          err2p(ks.two_point_prime(A, B)),
                                          err2p(gh_two_point(dsech2, A, B)))
    refq = np.array([float(highprec.one_point(tanh, x, DPS)) for x in q[::250]])

    def err1(v):
        return np.max(np.abs(v[::250] / refq - 1))
    errs["one_point 2500 q"] = (err1(kt.one_point(q)), err1(ks.one_point(q)), err1(gh1(q)))

    # depth-5 recursion of (q1, q2) for tanh over a grid of (σw², σb²), inputs q̂1 = 1, q̂2 = 0.5
    sw = np.linspace(0.5, 4.0, 20)[:, None]
    sb = np.linspace(0.01, 1.0, 20)[None, :]
    SW, SB = np.broadcast_arrays(sw, sb)

    def recursion(one, two):
        h1, h2 = np.ones(SW.shape), np.full(SW.shape, 0.5)
        for _ in range(5):
            q1, q2 = SW * h1 + SB, SW * h2 + SB
            h1, h2 = one(q1), two(q1, q2)
        return h1, h2

    gh_pair = (gh1, lambda x, y: gh_two_point(np.tanh, x, y))
    rows.append(("depth-5 recursion 20x20", best_time(lambda: recursion(*gh_pair)),
                 best_time(lambda: recursion(kt.one_point, kt.two_point)),
                 best_time(lambda: recursion(ks.one_point, ks.two_point))))
    ridx = rng.choice(SW.size, 2 if quick else 4, replace=False)
    rref = []
    for i in ridx:
        h1, h2 = 1.0, 0.5
        for _ in range(5):
            q1, q2 = SW.ravel()[i] * h1 + SB.ravel()[i], SW.ravel()[i] * h2 + SB.ravel()[i]
            h1 = float(highprec.one_point(tanh, q1, DPS))
            h2 = float(highprec.two_point(tanh, q1, q2, DPS))
        rref.append(h2)
    rref = np.array(rref)

    def rerr(pair):
        return np.max(np.abs(recursion(*pair)[1].ravel()[ridx] / rref - 1))
    errs["depth-5 recursion 20x20"] = (rerr((kt.one_point, kt.two_point)),
                                       rerr((ks.one_point, ks.two_point)), rerr(gh_pair))

    print(f"tanh tables built once in {t_build:.2f} s (cells: two_point "
          f"{kt.tables()['two_point'].cells}, two_point_prime "
          f"{kt.tables()['two_point_prime'].cells})\n")
    print(f"{'case':28s} {'GH 25x25':>9s} {'tables':>8s} {'quadr.':>8s} {'tables/GH':>9s} "
          f"{'quadr./GH':>9s} {'err tables':>10s} {'err quadr.':>10s} {'err GH':>8s}")
    for name, tg, tt, tq in rows:
        et, eq, eg = errs.get(name, (float("nan"),) * 3)
        print(f"{name:28s} {1e3 * tg:7.2f}ms {1e3 * tt:6.2f}ms {1e3 * tq:6.2f}ms {tt / tg:9.2f} "
              f"{tq / tg:9.2f} {et:10.1e} {eq:10.1e} {eg:8.1e}")
    print(f"\n(max relative errors vs mpmath, dps={DPS}: two_point on {nsub} random grid points, "
          f"relative to max(|I|, 1e-3 E[phi^2]), two_point_prime on the same points, one_point "
          f"on every 250th q; depth-5 q-hat-2 on {ridx.size} (sigma_w^2, "
          f"sigma_b^2) points; nan = not measured; timings best of {REPEAT})")
    return 0


if __name__ == "__main__":
    sys.exit(main(quick="--quick" in sys.argv))
