"""Checked kernels: validated float64 evaluation over raw printed functions.

:class:`Kernels` wraps the raw functions of printed kernel code — executed by the library or
imported from a generated module — into a kernel provider: arguments checked by
:mod:`meanfield_sym.checks`, the domain of each Gaussian expectation enforced
(:mod:`meanfield_sym.activation.growth`), results broadcast, NaN refused, kernels without printed
code taken from a fallback provider.
"""
from __future__ import annotations

import threading

import numpy as np

from meanfield_sym import checks
from meanfield_sym.kernels.names import KERNEL_NAMES

__all__ = ["KERNEL_METHODS", "is_provider", "Kernels"]

KERNEL_METHODS = KERNEL_NAMES


def is_provider(obj) -> bool:
    """Whether ``obj`` has the four kernel methods (each callable)."""
    return all(callable(getattr(obj, m, None)) for m in KERNEL_METHODS)


def _no_nan(out, name, label):
    if np.any(np.isnan(out)):
        raise ValueError(f"{name} of {label} cannot be evaluated in float64 at some of the given "
                         "arguments: an intermediate of its closed form overflows (0·∞ or ∞ − ∞)")
    return out


def _shaped(out, shape):
    out = np.asarray(out, dtype=float)
    return out if out.shape == shape else np.broadcast_to(out, shape).copy()


class Kernels:
    """Validated, vectorised kernels of one activation over raw (unchecked) functions.

    Parameters
    ----------
    raw : mapping or object
        ``one_point``, ``one_point_prime``, ``two_point``, ``two_point_prime`` and optionally
        ``layer``, ``variance_map``, ``chi1``, ``gamma``/``GAMMA_AT_ZERO``; a missing or
        ``None`` kernel comes from ``fallback``.
    label : str
        Names the activation in error messages.
    fallback : callable, optional
        Returns a provider for the kernels without printed code (called once, when needed).
    activation : callable, optional
        Returns the Activation (for the quadrature of moments without printed code).
    domain : dict, optional
        ``{kernel: (text, bound)}``: a one-point kernel exists only for ``q < bound``, a
        two-point one for ``a + |b| < bound`` (:mod:`meanfield_sym.activation.growth`); an
        argument outside is refused with the bound named, never evaluated.  Missing: no bound.
    """

    def __init__(self, raw, label: str, fallback=None, activation=None, domain=None):
        get = raw.get if isinstance(raw, dict) else (lambda k: getattr(raw, k, None))
        self._raw = {k: get(k) for k in (*KERNEL_METHODS, "layer", "variance_map", "chi1",
                                          "gamma", "tangent_moments")}
        self._activation = activation
        if domain is None:
            domain = get("DOMAIN") or {}
        self.domain = dict(domain)
        self.gamma_at_zero = get("GAMMA_AT_ZERO")
        self.label = label
        self._fallback_factory = fallback
        self._fallback = None
        self._lock = threading.Lock()
        if self._raw["layer"] is None:
            self.layer = None          # the recursions then call the four kernels
            self.layer_unchecked = None
        self.closed = {k: self._raw[k] is not None for k in KERNEL_METHODS}

    def __repr__(self):
        return f"<Kernels of {self.label}>"

    def _other(self):
        with self._lock:
            if self._fallback is None:
                if self._fallback_factory is None:
                    raise ValueError(f"{self.label}: a kernel has no closed form and no fallback "
                                     "is given")
                self._fallback = self._fallback_factory()
            return self._fallback

    def _check_domain(self, name, args):
        if name not in self.domain:
            return
        text, bound = self.domain[name]
        size = args[0] if len(args) == 1 else args[0] + np.abs(args[1])
        what = "q" if len(args) == 1 else "a + |b|"
        if np.any(size >= bound):
            worst = float(np.max(size))
            if bound <= 0:
                raise ValueError(f"{name} of {self.label}: the Gaussian expectation diverges for "
                                 "every variance (the activation grows faster than any "
                                 "Gaussian decays)")
            raise ValueError(f"{name} of {self.label}: the Gaussian expectation exists only for "
                             f"{what} < {text} and diverges beyond; got {what} = {worst:g}")

    def _run(self, name, args, shape):
        self._check_domain(name, args)
        fn = self._raw[name]
        if fn is None:
            return np.asarray(getattr(self._other(), name)(*args), dtype=float)
        with np.errstate(all="ignore"):  # ∞ is a value (step at |b| = a); NaN is refused
            out = fn(*args)
        return _no_nan(_shaped(out, shape), name, self.label)

    def one_point(self, q):
        """E[φ(√q u)²], q > 0."""
        q = checks.positive_variance(q, "q")
        return self._run("one_point", (q,), q.shape)

    def one_point_prime(self, q):
        """E[φ'(√q u)²], q > 0."""
        q = checks.positive_variance(q, "q")
        return self._run("one_point_prime", (q,), q.shape)

    def two_point(self, a, b):
        """I_φ[a, b] = E[φ(u1) φ(u2)], a > 0, |b| <= a."""
        a, b = checks.variance_pair(a, b)
        return self._run("two_point", (a, b), a.shape)

    def two_point_prime(self, a, b):
        """I_φ'[a, b] = E[φ'(u1) φ'(u2)], a > 0, |b| <= a."""
        a, b = checks.variance_pair(a, b)
        return self._run("two_point_prime", (a, b), a.shape)

    def layer(self, a, b):
        """The four kernels at (a, b) (fused printed code; a > 0, |b| <= a)."""
        a, b = checks.variance_pair(a, b)
        for name in KERNEL_METHODS:
            self._check_domain(name, (a,) if name.startswith("one_point") else (a, b))
        with np.errstate(all="ignore"):
            out = self._raw["layer"](a, b)
        return tuple(_no_nan(_shaped(v, a.shape), n, self.label)
                     for v, n in zip(out, KERNEL_METHODS))

    def layer_unchecked(self, a, b):
        """:meth:`layer` for arguments the caller has checked (float arrays of one shape,
        a > 0, |b| <= a): the recursions call it once per layer.  The domain and NaN checks
        still run; constant results are broadcast views, not copies."""
        if self.domain:
            for name in KERNEL_METHODS:
                self._check_domain(name, (a,) if name.startswith("one_point") else (a, b))
        with np.errstate(all="ignore"):
            out = self._raw["layer"](a, b)
        res = []
        for v, n in zip(out, KERNEL_METHODS):
            v = _no_nan(np.asarray(v, dtype=float), n, self.label)
            res.append(v if v.shape == a.shape else np.broadcast_to(v, a.shape))
        return tuple(res)

    def variance_map(self, q, sigma_w2, sigma_b2):
        """q ↦ σ_w² E[φ(√q u)²] + σ_b² (printed when E[φ²] has a closed form)."""
        fn = self._raw["variance_map"]
        if fn is None:
            return sigma_w2 * self.one_point(q) + sigma_b2
        q = checks.positive_variance(q, "q")
        with np.errstate(all="ignore"):
            return _no_nan(_shaped(fn(q, sigma_w2, sigma_b2), np.broadcast_shapes(
                q.shape, np.shape(sigma_w2), np.shape(sigma_b2))), "variance_map", self.label)

    def chi1(self, q, sigma_w2):
        """χ₁ = σ_w² E[φ'(√q u)²]."""
        fn = self._raw["chi1"]
        if fn is None:
            return sigma_w2 * self.one_point_prime(q)
        q = checks.positive_variance(q, "q")
        with np.errstate(all="ignore"):
            return _shaped(fn(q, sigma_w2), np.broadcast_shapes(q.shape, np.shape(sigma_w2)))

    def gamma(self, q):
        """γ = P[φ'(u) ≠ 0] for u ~ N(0, q), q >= 0 (q = 0: the limit q → 0⁺), or None when
        no printed γ exists."""
        fn = self._raw["gamma"]
        if fn is None:
            return None
        q = checks.variance_array(q, "q")
        pos = q > 0
        with np.errstate(all="ignore"):
            val = _shaped(fn(np.where(pos, q, 1.0)), q.shape)
        return np.where(pos, val, float(self.gamma_at_zero))

    def tangent_moments(self, q) -> dict:
        """One-point moments of the Fisher–Rao tangent recursion, u ~ N(0, q), q > 0:
        ``phi2 = E[φ(u)²]``, ``dphi2 = E[φ'(u)²]``, ``u_phi_dphi = E[u φ(u) φ'(u)]`` and
        ``u2_dphi2 = E[u² φ'(u)²]``.  The last two are printed from the one-point kernels by
        differentiating under the Gaussian density (exact):
        ``E[u φ φ'] = q d E[φ²]/dq`` and ``E[u² g] = 2q² d E[g]/dq + q E[g]`` with g = φ'²;
        without closed forms they come from the 1e-12 quadrature
        (:func:`meanfield_sym.kernels.quadrature.tangent_moments`)."""
        q = checks.positive_variance(q, "q")
        fn = self._raw["tangent_moments"]
        if fn is None:
            if self._activation is None:
                raise ValueError(f"{self.label}: the tangent moments need the activation itself "
                                 "(the kernels have no closed form)")
            from meanfield_sym.kernels.quadrature import tangent_moments
            out = tangent_moments(self._activation(), q)
            out["phi2"], out["dphi2"] = self.one_point(q), self.one_point_prime(q)
            return out
        with np.errstate(all="ignore"):
            m1, m2 = fn(q)
        return {"phi2": self.one_point(q), "dphi2": self.one_point_prime(q),
                "u_phi_dphi": _no_nan(_shaped(m1, q.shape), "E[u φ φ']", self.label),
                "u2_dphi2": _no_nan(_shaped(m2, q.shape), "E[u² φ'²]", self.label)}
