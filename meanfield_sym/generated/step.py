# -------------------------------------------------------------------------------------------------
# GENERATED FILE: do not edit by hand.
# Activation: step
#   φ(x) = Heaviside(x)
#   fingerprint 2785ad67eb7c
# Printed by meanfield_sym.kernels.printing (derivation code ef1dc34cbee3, SymPy 1.14.0).
# Regenerate with:
#   meanfield-sym codegen step --out meanfield_sym/generated/step.py
# -------------------------------------------------------------------------------------------------


"""Kernels of the activation ``step`` (NumPy only), printed from their closed forms.

φ(x) = Heaviside(x)

* E[φ(√q u)²] = 1/2   [Universal statistics Eq. (9), supplement (B.3), (B.9); Pathological
  spectra Eq. (15)]
* E[φ'(√q u)²] = oo   [Universal statistics Eq. (11), supplement (B.4), (B.10); Pathological
  spectra Eq. (18)]
* I_φ[a, b] = E[φ(u1) φ(u2)] = acos(-b/a)/(2*pi)   [Universal statistics Eq. (10), supplement
  (B.7), (B.11); Pathological spectra Eqs. (15)-(16)]
* I_φ'[a, b] = E[φ'(u1) φ'(u2)] = 1/(2*pi*sqrt((a - b)*(a + b)))   [Universal statistics Eq.
  (12), supplement (B.8), (B.12); Pathological spectra Eq. (18)]

The functions are raw (arguments unchecked, NumPy broadcasting).  The library's
recursions and statistics take this module as their kernel provider and check the
arguments, without importing SymPy::

    import meanfield_sym.generated.step as kernels
    from meanfield_sym.meanfield import network_statistics
    network_statistics(kernels, 2.0, 0.1, 3)

>>> bool(numpy.isclose(two_point(2.0, 2.0), one_point(2.0), rtol=1e-13, atol=0))
True
"""


import numpy


ACTIVATION = 'step'
PARAMS = {}
EXPRESSION = 'Heaviside(x)'
PRIME = 'DiracDelta(x)'
FINGERPRINT = '2785ad67eb7c'
SYMPY_VERSION = '1.14.0'
#: Digest of the derivation code that printed this module (see
#: meanfield_sym.kernels.digest.derivation_digest).
DERIVATION = 'ef1dc34cbee3'
#: Closed forms as derived (before the evaluation rewrites); None: no closed form.
CLOSED_FORMS = {
    'one_point': '1/2',
    'one_point_prime': 'oo',
    'two_point': 'acos(-b/a)/(2*pi)',
    'two_point_prime': '1/(2*pi*sqrt((a - b)*(a + b)))',
}
#: Where the Gaussian expectations exist: one-point q < bound, two-point
#: a + |b| < bound (kernel -> (exact bound, float)); absent: everywhere.
DOMAIN = {}
#: How each closed form was derived.
METHODS = {
    'one_point': "Price's theorem / heat equation",
    'one_point_prime': "φ' has a Dirac atom: E[δ(x)²] = ∞",
    'two_point': "Price's theorem / heat equation",
    'two_point_prime': "Price's theorem / heat equation",
}


def one_point(q):
    """E[φ(√q u)²] (Universal statistics Eq. (9), supplement (B.3), (B.9); Pathological spectra Eq.
    (15))."""
    return 1/2


def one_point_prime(q):
    """E[φ'(√q u)²] (Universal statistics Eq. (11), supplement (B.4), (B.10); Pathological spectra
    Eq. (18))."""
    return numpy.inf


def two_point(a, b):
    """I_φ[a, b] = E[φ(u1) φ(u2)] (Universal statistics Eq. (10), supplement (B.7), (B.11);
    Pathological spectra Eqs. (15)-(16))."""
    c = b/a  # homogeneous kernel: a^k I(1, c), no overflow in a
    cp = (a + b)/a  # 1 + c, exact near c = -1
    cm = (a - b)/a  # 1 - c, exact near c = 1
    return (1/2)*numpy.arctan2(numpy.sqrt(numpy.maximum(cm*cp, 0.0)), -c)/numpy.pi


def two_point_prime(a, b):
    """I_φ'[a, b] = E[φ'(u1) φ'(u2)] (Universal statistics Eq. (12), supplement (B.8), (B.12);
    Pathological spectra Eq. (18))."""
    cp = (a + b)/a  # 1 + c, exact near c = -1
    cm = (a - b)/a  # 1 - c, exact near c = 1
    return (1/2)/(numpy.pi*a*numpy.sqrt(numpy.maximum(cm*cp, 0.0)))


def layer(a, b):
    """The four kernels at one layer, (a, b) = (q_1^l, q_2^l), common subexpressions shared:
    (E[φ(√a u)²], E[φ'(√a u)²], I_φ[a, b], I_φ'[a, b])."""
    c = b/a  # homogeneous kernel: a^k I(1, c), no overflow in a
    cp = (a + b)/a  # 1 + c, exact near c = -1
    cm = (a - b)/a  # 1 - c, exact near c = 1
    t0 = numpy.sqrt(numpy.maximum(cm*cp, 0.0))
    t1 = (1/2)/numpy.pi
    return 1/2, numpy.inf, t1*numpy.arctan2(t0, -c), t1/(a*t0)


def variance_map(q, sigma_w2, sigma_b2):
    """q ↦ σ_w² E[φ(√q u)²] + σ_b², the forward map whose fixed point is q* (Pathological spectra
    Eq. (15))."""
    return sigma_b2 + (1/2)*sigma_w2


def chi1(q, sigma_w2):
    """χ₁ = σ_w² E[φ'(√q u)²] (Poole et al. 2016; Schoenholz et al. 2017)."""
    return numpy.inf


def tangent_moments(q):
    """(E[u φ(u) φ'(u)], E[u² φ'(u)²]), u ~ N(0, q), for the Fisher–Rao tangent recursion
    (Universal statistics Theorem 5): q dE[φ²]/dq and 2q² dE[φ'²]/dq + q E[φ'²]."""
    return 0, numpy.inf


def gamma(q):
    """γ = P[φ'(u) ≠ 0], u ~ N(0, q), q > 0 (Approximate Fisher information Thm 5.1)."""
    return 0


GAMMA_AT_ZERO = 0  # q -> 0+: u = 0, a kink at 0 counts half
