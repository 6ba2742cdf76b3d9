"""Benchmark of the Gram matrices of a dataset (prints ratios measured in this run).

1. NNGP + NTK Gram, N = 1000 inputs of d = 64 features with different norms, L = 5,
   (σ_w², σ_b²) = (2, 0.1): erf and relu by :func:`meanfield_sym.meanfield.gram.gram`
   against a hand-written NumPy evaluation of the same closed forms in the way neural-tangents
   writes them (arctan2 forms on full N × N arrays; target: ratio <= 1.0).
2. tanh (no closed form, Hermite route): one layer's two kernel matrices (all N(N+1)/2
   entries) against a 25 × 25 Gauss–Hermite tensor rule on the same entries (target: <= 1/3
   of its time), and the accuracy of both on sampled entries against 20-digit quadrature of
   the definition (target: <= 1e-12 relative).
3. ``meanfield-sym stats --inputs`` on the 1797 scikit-learn digits (each image centred and
   scaled to unit variance), L = 3 (target: < 10 s, process start and top eigenvalues
   included).  Needs scikit-learn (skipped with a message otherwise).

neural-tangents itself is used when importable (else skipped with a message).

Run: ``python benchmarks/bench_gram.py``.
"""
from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

N, D, L, SW, SB = 1000, 64, 5, 2.0, 0.1


def inputs(n=N, d=D, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)) * rng.uniform(0.5, 2.0, (n, 1))


def best_of(fn, repeat=3):
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


# ---------------------------------------------------------------------------------------------
# neural-tangents style closed forms (full N × N arrays)
# ---------------------------------------------------------------------------------------------
def _arcsin(x):
    return np.arctan2(x, np.sqrt(np.maximum(1 - x * x, 0.0)))


def nt_style(kind, X, sw=SW, sb=SB, depth=L):
    """Dense(σ_w, σ_b) → φ → … → Dense: NNGP and NTK (NTK parameterisation)."""
    cov = X @ X.T / X.shape[1]
    nngp = sw * cov + sb
    ntk = nngp.copy()
    for _ in range(depth - 1):
        d = np.diag(nngp)
        if kind == "relu":
            prod = np.sqrt(d[:, None] * d[None, :])
            c = np.clip(nngp / prod, -1.0, 1.0)
            theta = np.arctan2(np.sqrt(np.maximum(1 - c * c, 0.0)), c)
            new = prod * (np.sin(theta) + (np.pi - theta) * c) / (2 * np.pi)
            dot = (np.pi - theta) / (2 * np.pi)
        else:   # erf
            prod = (1 + 2 * d[:, None]) * (1 + 2 * d[None, :])
            new = 2 / np.pi * _arcsin(2 * nngp / np.sqrt(prod))
            dot = 4 / (np.pi * np.sqrt(np.maximum(prod - 4 * nngp * nngp, 0.0)))
        nngp = sw * new + sb
        ntk = sw * ntk * dot + nngp
    return nngp, ntk


def ours(kind, X):
    from meanfield_sym.meanfield.gram import gram
    g = gram(kind, X, SW, SB, depth=L)
    return g.nngp, g.ntk("ntk")


def section_closed(X):
    print("1. NNGP + NTK Gram, N = %d, d = %d, L = %d, (σ_w², σ_b²) = (%g, %g)" % (N, D, L, SW,
                                                                                   SB))
    for kind in ("erf", "relu"):
        ours(kind, X[:8])                     # derivation / module import outside the timing
        t_ours, (k1, t1) = best_of(lambda: ours(kind, X))
        t_nt, (k2, t2) = best_of(lambda: nt_style(kind, X))
        diff = max(np.max(np.abs(k1 - k2) / np.abs(k2)), np.max(np.abs(t1 - t2) / np.abs(t2)))
        print(f"   {kind:5s} meanfield-sym {t_ours:.3f} s  NT-style NumPy {t_nt:.3f} s  "
              f"ratio {t_ours / t_nt:.2f} (target <= 1.0)  max rel diff {diff:.1e}")
    try:
        import neural_tangents  # noqa: F401
    except ImportError:
        print("   neural-tangents not installed: its own timing is skipped")
    else:  # pragma: no cover - optional
        from neural_tangents import stax
        for kind, layer in (("erf", stax.Erf()), ("relu", stax.Relu())):
            blocks = []
            for _ in range(L - 1):
                blocks += [stax.Dense(1, W_std=math.sqrt(SW), b_std=math.sqrt(SB)), layer]
            _, _, kfn = stax.serial(*blocks, stax.Dense(1, W_std=math.sqrt(SW),
                                                        b_std=math.sqrt(SB)))
            kfn(X[:8], None, ("nngp", "ntk"))
            t_jax, _ = best_of(lambda: kfn(X, None, ("nngp", "ntk")).ntk.block_until_ready())
            t_ours, _ = best_of(lambda: ours(kind, X))
            print(f"   {kind:5s} neural-tangents {t_jax:.3f} s  ratio {t_ours / t_jax:.2f}")


# ---------------------------------------------------------------------------------------------
# tanh: Hermite route vs a 25 × 25 Gauss–Hermite tensor rule, both against mpmath
# ---------------------------------------------------------------------------------------------
def gauss_hermite(f, a1, a2, b, n=25, chunk=20000):
    """E[f(u1) f(u2)] by the n × n Gauss–Hermite tensor rule (Cholesky factor of the
    covariance), flat arrays."""
    x, w = np.polynomial.hermite_e.hermegauss(n)
    w = w / w.sum()
    out = np.empty(a1.size)
    for s0 in range(0, a1.size, chunk):
        sl = slice(s0, s0 + chunk)
        s1, s2 = np.sqrt(a1[sl]), np.sqrt(a2[sl])
        rho = np.clip(b[sl] / (s1 * s2), -1, 1)
        r = np.sqrt(np.maximum(1 - rho * rho, 0))
        u2 = s2[:, None, None] * (rho[:, None, None] * x[None, :, None]
                                  + r[:, None, None] * x[None, None, :])
        f2 = f(u2) @ w                                             # (chunk, n)
        out[sl] = np.einsum("ci,i,ci->c", f(s1[:, None] * x[None, :]), w, f2)
    return out


def mp_reference(expr, a1, a2, b, dps=20):
    import sympy as sp

    from meanfield_sym.activation.function import X as x
    from meanfield_sym.witnesses import highprec as H
    A1, A2, Bv = (sp.Rational(float(v)) for v in (a1, a2, b))
    f = H._compile(expr.subs(x, sp.sqrt(A1) * x))
    g = H._compile(expr.subs(x, sp.sqrt(A2) * x))
    rho = Bv / sp.sqrt(A1 * A2)

    def compute(eps, scale):
        if scale is None:
            scale = H._scale_guess(f, g, sp.S.One)
        return H._two_point_core(f, g, sp.S.One, rho, eps, scale)
    return H._run(compute, dps)


def section_tanh(X):
    from meanfield_sym.activation.function import get_activation
    from meanfield_sym.kernels.pair import pair_kernels
    from meanfield_sym.meanfield.gram import gram, input_overlaps
    print("2. tanh (Hermite route) vs 25 × 25 Gauss–Hermite, layer-1 kernel matrices, "
          f"N = {N} ({N * (N + 1) // 2} entries each)")
    pk = pair_kernels("tanh")
    q1 = SW * input_overlaps(X) + SB
    pk.layer_matrices(q1[:8, :8])
    t_h, (qh, qd) = best_of(lambda: pk.layer_matrices(q1), repeat=1)
    iu, ju = np.triu_indices(N)
    d = np.diag(q1)
    a1, a2, b = d[iu], d[ju], q1[iu, ju]
    t0 = time.perf_counter()
    gh = gauss_hermite(np.tanh, a1, a2, b)
    ghp = gauss_hermite(lambda u: 1 / np.cosh(u) ** 2, a1, a2, b)
    t_gh = time.perf_counter() - t0
    print(f"   Hermite route {t_h:.2f} s  Gauss–Hermite 25x25 {t_gh:.2f} s  ratio "
          f"{t_h / t_gh:.2f} (target <= 0.33)")
    act = get_activation("tanh")
    rng = np.random.default_rng(7)
    # sampled entries: layer 1 and the last hidden layer of the full recursion
    g = gram(pk, X, SW, SB, depth=L)
    picks = []
    for layer in (1, L - 1):
        q = g.q[layer]
        dd = np.diag(q)
        for _ in range(4):
            n, m = rng.choice(N, 2, replace=False)
            picks.append((layer, n, m, dd[n], dd[m], q[n, m]))
    err_h = err_gh = err_ghp = 0.0
    t0 = time.perf_counter()
    for layer, n, m, x1, x2, y in picks:
        ref = float(mp_reference(act.expr, x1, x2, y))
        ours_v = float(pk.two_point(x1, x2, y))
        gh_v = float(gauss_hermite(np.tanh, np.array([x1]), np.array([x2]), np.array([y]))[0])
        err_h = max(err_h, abs(ours_v - ref) / abs(ref))
        err_gh = max(err_gh, abs(gh_v - ref) / abs(ref))
        refp = float(mp_reference(act.prime_regular, x1, x2, y))
        oursp = float(pk.two_point_prime(x1, x2, y))
        ghp_v = float(gauss_hermite(lambda u: 1 / np.cosh(u) ** 2, np.array([x1]),
                                    np.array([x2]), np.array([y]))[0])
        err_h = max(err_h, abs(oursp - refp) / abs(refp))
        err_ghp = max(err_ghp, abs(ghp_v - refp) / abs(refp))
    span = [float(min(min(p[3], p[4]) for p in picks)),
            float(max(max(p[3], p[4]) for p in picks))]
    print(f"   {len(picks)} sampled entries (layers 1 and {L - 1}, variances {span[0]:.2f}.."
          f"{span[1]:.2f}), both kernels, vs 20-digit quadrature ({time.perf_counter() - t0:.0f}"
          " s):")
    print(f"   max rel error: Hermite route {err_h:.1e} (target <= 1e-12), "
          f"Gauss–Hermite 25x25 {err_gh:.1e} (I_φ), {err_ghp:.1e} (I_φ')")


# ---------------------------------------------------------------------------------------------
# digits
# ---------------------------------------------------------------------------------------------
def section_digits():
    print("3. meanfield-sym stats --inputs on the scikit-learn digits, L = 3")
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        print("   scikit-learn not installed: skipped (pip install scikit-learn)")
        return
    X = load_digits().data.astype(float)
    X = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    exe = os.path.join(os.path.dirname(sys.executable), "meanfield-sym")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "digits.npy")
        np.save(path, X)
        for act in ("erf", "relu", "tanh"):
            cmd = [exe, "stats", "--inputs", path, "--activation", act, "--sigma-w2", "2",
                   "--sigma-b2", "0.1", "--depth", "3", "--width", "1000", "--json"]
            t0 = time.perf_counter()
            res = subprocess.run(cmd, capture_output=True, text=True)
            dt = time.perf_counter() - t0
            if res.returncode != 0:
                print(f"   {act}: failed: {res.stderr.strip()}")
                continue
            import json
            out = json.loads(res.stdout)
            print(f"   {act:5s} N = {out['samples']}  {dt:.2f} s (target < 10 s)  "
                  f"lambda_max {out['fim']['lambda_max']:.5g}  eta_c "
                  f"{out['eta_critical']:.4g}")


def main():
    X = inputs()
    section_closed(X)
    section_tanh(X)
    section_digits()


if __name__ == "__main__":
    main()
