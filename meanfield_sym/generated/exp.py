# -------------------------------------------------------------------------------------------------
# GENERATED FILE: do not edit by hand.
# Activation: exp
#   φ(x) = exp(x)
#   fingerprint f403ab34a81c
# Printed by meanfield_sym.kernels.printing (derivation code ef1dc34cbee3, SymPy 1.14.0).
# Regenerate with:
#   meanfield-sym codegen exp --out meanfield_sym/generated/exp.py
# -------------------------------------------------------------------------------------------------


"""Kernels of the activation ``exp`` (NumPy only), printed from their closed forms.

φ(x) = exp(x)

* E[φ(√q u)²] = exp(2*q)   [Universal statistics Eq. (9), supplement (B.3), (B.9); Pathological
  spectra Eq. (15)]
* E[φ'(√q u)²] = exp(2*q)   [Universal statistics Eq. (11), supplement (B.4), (B.10);
  Pathological spectra Eq. (18)]
* I_φ[a, b] = E[φ(u1) φ(u2)] = exp(a + b)   [Universal statistics Eq. (10), supplement (B.7),
  (B.11); Pathological spectra Eqs. (15)-(16)]
* I_φ'[a, b] = E[φ'(u1) φ'(u2)] = exp(a + b)   [Universal statistics Eq. (12), supplement
  (B.8), (B.12); Pathological spectra Eq. (18)]

The functions are raw (arguments unchecked, NumPy broadcasting).  The library's
recursions and statistics take this module as their kernel provider and check the
arguments, without importing SymPy::

    import meanfield_sym.generated.exp as kernels
    from meanfield_sym.meanfield import network_statistics
    network_statistics(kernels, 2.0, 0.1, 3)

>>> bool(numpy.isclose(two_point(2.0, 2.0), one_point(2.0), rtol=1e-13, atol=0))
True
"""


import numpy


ACTIVATION = 'exp'
PARAMS = {}
EXPRESSION = 'exp(x)'
PRIME = 'exp(x)'
FINGERPRINT = 'f403ab34a81c'
SYMPY_VERSION = '1.14.0'
#: Digest of the derivation code that printed this module (see
#: meanfield_sym.kernels.digest.derivation_digest).
DERIVATION = 'ef1dc34cbee3'
#: Closed forms as derived (before the evaluation rewrites); None: no closed form.
CLOSED_FORMS = {
    'one_point': 'exp(2*q)',
    'one_point_prime': 'exp(2*q)',
    'two_point': 'exp(a + b)',
    'two_point_prime': 'exp(a + b)',
}
#: Where the Gaussian expectations exist: one-point q < bound, two-point
#: a + |b| < bound (kernel -> (exact bound, float)); absent: everywhere.
DOMAIN = {}
#: How each closed form was derived.
METHODS = {
    'one_point': 'Gaussian integrals',
    'one_point_prime': 'Gaussian integrals',
    'two_point': 'Gaussian integrals',
    'two_point_prime': 'Gaussian integrals',
}


def one_point(q):
    """E[φ(√q u)²] (Universal statistics Eq. (9), supplement (B.3), (B.9); Pathological spectra Eq.
    (15))."""
    return numpy.exp(2*q)


def one_point_prime(q):
    """E[φ'(√q u)²] (Universal statistics Eq. (11), supplement (B.4), (B.10); Pathological spectra
    Eq. (18))."""
    return numpy.exp(2*q)


def two_point(a, b):
    """I_φ[a, b] = E[φ(u1) φ(u2)] (Universal statistics Eq. (10), supplement (B.7), (B.11);
    Pathological spectra Eqs. (15)-(16))."""
    return numpy.exp(a + b)


def two_point_prime(a, b):
    """I_φ'[a, b] = E[φ'(u1) φ'(u2)] (Universal statistics Eq. (12), supplement (B.8), (B.12);
    Pathological spectra Eq. (18))."""
    return numpy.exp(a + b)


def layer(a, b):
    """The four kernels at one layer, (a, b) = (q_1^l, q_2^l), common subexpressions shared:
    (E[φ(√a u)²], E[φ'(√a u)²], I_φ[a, b], I_φ'[a, b])."""
    t0 = numpy.exp(2*a)
    t1 = numpy.exp(a + b)
    return t0, t0, t1, t1


def variance_map(q, sigma_w2, sigma_b2):
    """q ↦ σ_w² E[φ(√q u)²] + σ_b², the forward map whose fixed point is q* (Pathological spectra
    Eq. (15))."""
    return sigma_b2 + sigma_w2*numpy.exp(2*q)


def chi1(q, sigma_w2):
    """χ₁ = σ_w² E[φ'(√q u)²] (Poole et al. 2016; Schoenholz et al. 2017)."""
    return sigma_w2*numpy.exp(2*q)


def tangent_moments(q):
    """(E[u φ(u) φ'(u)], E[u² φ'(u)²]), u ~ N(0, q), for the Fisher–Rao tangent recursion
    (Universal statistics Theorem 5): q dE[φ²]/dq and 2q² dE[φ'²]/dq + q E[φ'²]."""
    t0 = 2*q
    t1 = numpy.exp(t0)
    return t0*t1, q*t1*(4*q + 1)


def gamma(q):
    """γ = P[φ'(u) ≠ 0], u ~ N(0, q), q > 0 (Approximate Fisher information Thm 5.1)."""
    return 1


GAMMA_AT_ZERO = 1  # q -> 0+: u = 0, a kink at 0 counts half
