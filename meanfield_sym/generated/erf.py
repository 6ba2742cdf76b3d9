# -------------------------------------------------------------------------------------------------
# GENERATED FILE: do not edit by hand.
# Activation: erf
#   φ(x) = erf(x)
#   fingerprint 6dff900f53f6
# Printed by meanfield_sym.kernels.printing (derivation code ef1dc34cbee3, SymPy 1.14.0).
# Regenerate with:
#   meanfield-sym codegen erf --out meanfield_sym/generated/erf.py
# -------------------------------------------------------------------------------------------------


"""Kernels of the activation ``erf`` (NumPy only), printed from their closed forms.

φ(x) = erf(x)

* E[φ(√q u)²] = 2*asin(2*q/(2*q + 1))/pi   [Universal statistics Eq. (9), supplement (B.3),
  (B.9); Pathological spectra Eq. (15)]
* E[φ'(√q u)²] = 4/(pi*sqrt(4*q + 1))   [Universal statistics Eq. (11), supplement (B.4),
  (B.10); Pathological spectra Eq. (18)]
* I_φ[a, b] = E[φ(u1) φ(u2)] = 2*asin(2*b/(2*a + 1))/pi   [Universal statistics Eq. (10),
  supplement (B.7), (B.11); Pathological spectra Eqs. (15)-(16)]
* I_φ'[a, b] = E[φ'(u1) φ'(u2)] = 4/(pi*sqrt((2*a - 2*b + 1)*(2*a + 2*b + 1)))   [Universal
  statistics Eq. (12), supplement (B.8), (B.12); Pathological spectra Eq. (18)]

The functions are raw (arguments unchecked, NumPy broadcasting).  The library's
recursions and statistics take this module as their kernel provider and check the
arguments, without importing SymPy::

    import meanfield_sym.generated.erf as kernels
    from meanfield_sym.meanfield import network_statistics
    network_statistics(kernels, 2.0, 0.1, 3)

>>> bool(numpy.isclose(two_point(2.0, 2.0), one_point(2.0), rtol=1e-13, atol=0))
True
"""


import numpy


ACTIVATION = 'erf'
PARAMS = {}
EXPRESSION = 'erf(x)'
PRIME = '2*exp(-x**2)/sqrt(pi)'
FINGERPRINT = '6dff900f53f6'
SYMPY_VERSION = '1.14.0'
#: Digest of the derivation code that printed this module (see
#: meanfield_sym.kernels.digest.derivation_digest).
DERIVATION = 'ef1dc34cbee3'
#: Closed forms as derived (before the evaluation rewrites); None: no closed form.
CLOSED_FORMS = {
    'one_point': '2*asin(2*q/(2*q + 1))/pi',
    'one_point_prime': '4/(pi*sqrt(4*q + 1))',
    'two_point': '2*asin(2*b/(2*a + 1))/pi',
    'two_point_prime': '4/(pi*sqrt((2*a - 2*b + 1)*(2*a + 2*b + 1)))',
}
#: Where the Gaussian expectations exist: one-point q < bound, two-point
#: a + |b| < bound (kernel -> (exact bound, float)); absent: everywhere.
DOMAIN = {}
#: How each closed form was derived.
METHODS = {
    'one_point': "Price's theorem / heat equation",
    'one_point_prime': "Price's theorem / heat equation",
    'two_point': "Price's theorem / heat equation",
    'two_point_prime': "Price's theorem / heat equation",
}


def one_point(q):
    """E[φ(√q u)²] (Universal statistics Eq. (9), supplement (B.3), (B.9); Pathological spectra Eq.
    (15))."""
    return 2*numpy.arctan(2*q/numpy.sqrt(4*q + 1))/numpy.pi


def one_point_prime(q):
    """E[φ'(√q u)²] (Universal statistics Eq. (11), supplement (B.4), (B.10); Pathological spectra
    Eq. (18))."""
    return 4/(numpy.pi*numpy.sqrt(4*q + 1))


def two_point(a, b):
    """I_φ[a, b] = E[φ(u1) φ(u2)] (Universal statistics Eq. (10), supplement (B.7), (B.11);
    Pathological spectra Eqs. (15)-(16))."""
    t0 = 2*b
    t1 = 2*a + 1
    return 2*numpy.arctan2(t0, numpy.sqrt(numpy.maximum((-t0 + t1)*(t0 + t1), 0.0)))/numpy.pi


def two_point_prime(a, b):
    """I_φ'[a, b] = E[φ'(u1) φ'(u2)] (Universal statistics Eq. (12), supplement (B.8), (B.12);
    Pathological spectra Eq. (18))."""
    t0 = 2*b
    t1 = 2*a + 1
    return 4/(numpy.pi*numpy.sqrt(numpy.maximum((-t0 + t1)*(t0 + t1), 0.0)))


def layer(a, b):
    """The four kernels at one layer, (a, b) = (q_1^l, q_2^l), common subexpressions shared:
    (E[φ(√a u)²], E[φ'(√a u)²], I_φ[a, b], I_φ'[a, b])."""
    t0 = (1/numpy.sqrt(4*a + 1))
    t1 = 2*a
    t2 = (1/numpy.pi)
    t3 = 2*t2
    t4 = 4*t2
    t5 = 2*b
    t6 = t1 + 1
    t7 = numpy.sqrt(numpy.maximum((-t5 + t6)*(t5 + t6), 0.0))
    return t3*numpy.arctan(t0*t1), t0*t4, t3*numpy.arctan2(t5, t7), t4/t7


def variance_map(q, sigma_w2, sigma_b2):
    """q ↦ σ_w² E[φ(√q u)²] + σ_b², the forward map whose fixed point is q* (Pathological spectra
    Eq. (15))."""
    return sigma_b2 + 2*sigma_w2*numpy.arctan(2*q/numpy.sqrt(4*q + 1))/numpy.pi


def chi1(q, sigma_w2):
    """χ₁ = σ_w² E[φ'(√q u)²] (Poole et al. 2016; Schoenholz et al. 2017)."""
    return 4*sigma_w2/(numpy.pi*numpy.sqrt(4*q + 1))


def tangent_moments(q):
    """(E[u φ(u) φ'(u)], E[u² φ'(u)²]), u ~ N(0, q), for the Fisher–Rao tangent recursion
    (Universal statistics Theorem 5): q dE[φ²]/dq and 2q² dE[φ'²]/dq + q E[φ'²]."""
    t0 = 4*q
    t1 = t0 + 1
    t2 = t0/numpy.pi
    return t2/(numpy.sqrt(t1)*(2*q + 1)), t2/(t1*numpy.sqrt(t1))


def gamma(q):
    """γ = P[φ'(u) ≠ 0], u ~ N(0, q), q > 0 (Approximate Fisher information Thm 5.1)."""
    return 1


GAMMA_AT_ZERO = 1  # q -> 0+: u = 0, a kink at 0 counts half
