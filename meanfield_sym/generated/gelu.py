# -------------------------------------------------------------------------------------------------
# GENERATED FILE: do not edit by hand.
# Activation: gelu
#   φ(x) = x*(erf(sqrt(2)*x/2) + 1)/2
#   fingerprint 4dbd2d1c9edf
# Printed by meanfield_sym.kernels.printing (derivation code ef1dc34cbee3, SymPy 1.14.0).
# Regenerate with:
#   meanfield-sym codegen gelu --out meanfield_sym/generated/gelu.py
# -------------------------------------------------------------------------------------------------


"""Kernels of the activation ``gelu`` (NumPy only), printed from their closed forms.

φ(x) = x*(erf(sqrt(2)*x/2) + 1)/2

* E[φ(√q u)²] = q*(q*sqrt(2*q + 1)*acos(-q/(q + 1)) + 2*q + sqrt(2*q + 1)*acos(-q/(q +
  1)))/(2*pi*(q + 1)*sqrt(2*q + 1))   [Universal statistics Eq. (9), supplement (B.3), (B.9);
  Pathological spectra Eq. (15)]
* E[φ'(√q u)²] = (q*(q + 1)*sqrt(2*q + 1)/2 + q*(2*q + 1)**(3/2) + (q + 1)*(2*q +
  1)**2*asin(q/(q + 1))/2 + pi*(q + 1)*(2*q + 1)**2/4)/(pi*(q + 1)*(2*q + 1)**2)   [Universal
  statistics Eq. (11), supplement (B.4), (B.10); Pathological spectra Eq. (18)]
* I_φ[a, b] = E[φ(u1) φ(u2)] = (a**3 + a**2 - a*b**2 + a*b*sqrt(a**2 + 2*a - b**2 +
  1)*acos(-b/(a + 1)) + b**2 + b*sqrt(a**2 + 2*a - b**2 + 1)*acos(-b/(a + 1)))/(2*pi*(a +
  1)*sqrt(a**2 + 2*a - b**2 + 1))   [Universal statistics Eq. (10), supplement (B.7), (B.11);
  Pathological spectra Eqs. (15)-(16)]
* I_φ'[a, b] = E[φ'(u1) φ'(u2)] = b/(2*pi*sqrt((a - b + 1)*(a + b + 1))*(a**2 + 2*a - b**2 +
  1)) + b/(pi*sqrt((a - b + 1)*(a + b + 1))*(a + 1)) + asin(b/(a + 1))/(2*pi) + 1/4
  [Universal statistics Eq. (12), supplement (B.8), (B.12); Pathological spectra Eq. (18)]

The functions are raw (arguments unchecked, NumPy broadcasting).  The library's
recursions and statistics take this module as their kernel provider and check the
arguments, without importing SymPy::

    import meanfield_sym.generated.gelu as kernels
    from meanfield_sym.meanfield import network_statistics
    network_statistics(kernels, 2.0, 0.1, 3)

>>> bool(numpy.isclose(two_point(2.0, 2.0), one_point(2.0), rtol=1e-13, atol=0))
True
"""


import numpy


ACTIVATION = 'gelu'
PARAMS = {}
EXPRESSION = 'x*(erf(sqrt(2)*x/2) + 1)/2'
PRIME = 'sqrt(2)*x*exp(-x**2/2)/(2*sqrt(pi)) + erf(sqrt(2)*x/2)/2 + 1/2'
FINGERPRINT = '4dbd2d1c9edf'
SYMPY_VERSION = '1.14.0'
#: Digest of the derivation code that printed this module (see
#: meanfield_sym.kernels.digest.derivation_digest).
DERIVATION = 'ef1dc34cbee3'
#: Closed forms as derived (before the evaluation rewrites); None: no closed form.
CLOSED_FORMS = {
    'one_point': (
        'q*(q*sqrt(2*q + 1)*acos(-q/(q + 1)) + 2*q + sqrt(2*q + 1)*acos(-q/(q + 1)))/(2*pi*(q + '
        '1)*sqrt(2*q + 1))'
    ),
    'one_point_prime': (
        '(q*(q + 1)*sqrt(2*q + 1)/2 + q*(2*q + 1)**(3/2) + (q + 1)*(2*q + 1)**2*asin(q/(q + '
        '1))/2 + pi*(q + 1)*(2*q + 1)**2/4)/(pi*(q + 1)*(2*q + 1)**2)'
    ),
    'two_point': (
        '(a**3 + a**2 - a*b**2 + a*b*sqrt(a**2 + 2*a - b**2 + 1)*acos(-b/(a + 1)) + b**2 + '
        'b*sqrt(a**2 + 2*a - b**2 + 1)*acos(-b/(a + 1)))/(2*pi*(a + 1)*sqrt(a**2 + 2*a - b**2 + '
        '1))'
    ),
    'two_point_prime': (
        'b/(2*pi*sqrt((a - b + 1)*(a + b + 1))*(a**2 + 2*a - b**2 + 1)) + b/(pi*sqrt((a - b + '
        '1)*(a + b + 1))*(a + 1)) + asin(b/(a + 1))/(2*pi) + 1/4'
    ),
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
    t0 = 2*q
    t1 = numpy.sqrt(t0 + 1)
    t2 = t1*(numpy.pi - numpy.arctan(t1/q))
    return (1/2)*q*(q*t2 + t0 + t2)/(numpy.pi*t1*(q + 1))


def one_point_prime(q):
    """E[φ'(√q u)²] (Universal statistics Eq. (11), supplement (B.4), (B.10); Pathological spectra
    Eq. (18))."""
    t0 = q + 1
    t1 = 2*q + 1
    t2 = t1**2
    t3 = numpy.sqrt(t1)
    t4 = (1/2)*t0
    return (
        (q*(t1*numpy.sqrt(t1)) + q*t3*t4 + (1/4)*numpy.pi*t0*t2 +
        t2*t4*numpy.arctan(q/t3))/(numpy.pi*t0*t2)
    )


def two_point(a, b):
    """I_φ[a, b] = E[φ(u1) φ(u2)] (Universal statistics Eq. (10), supplement (B.7), (B.11);
    Pathological spectra Eqs. (15)-(16))."""
    t0 = a + 1
    t1 = -b
    t2 = numpy.sqrt(numpy.maximum((b + t0)*(t0 + t1), 0.0))
    t3 = b**2
    t4 = b*t2*numpy.arctan2(t2, t1)
    return (1/2)*((a**2*a) + a**2 - a*t3 + a*t4 + t3 + t4)/(numpy.pi*t0*t2)


def two_point_prime(a, b):
    """I_φ'[a, b] = E[φ'(u1) φ'(u2)] (Universal statistics Eq. (12), supplement (B.8), (B.12);
    Pathological spectra Eq. (18))."""
    t0 = a + 1
    t1 = numpy.sqrt(numpy.maximum((-b + t0)*(b + t0), 0.0))
    t2 = (1/numpy.pi)
    t3 = (1/2)*t2
    t4 = b/t1
    return t3*t4/(a**2 + 2*a - b**2 + 1) + t3*numpy.arctan2(b, t1) + 1/4 + t2*t4/t0


def layer(a, b):
    """The four kernels at one layer, (a, b) = (q_1^l, q_2^l), common subexpressions shared:
    (E[φ(√a u)²], E[φ'(√a u)²], I_φ[a, b], I_φ'[a, b])."""
    t0 = 2*a
    t1 = t0 + 1
    t2 = numpy.sqrt(t1)
    t3 = t2*(numpy.pi - numpy.arctan(t2/a))
    t4 = a/t2
    t5 = a + 1
    t6 = (1/t5)
    t7 = (1/numpy.pi)
    t8 = (1/2)*t7
    t9 = t6*t8
    t10 = t1**2
    t11 = (1/2)*t5
    t12 = t6*t7
    t13 = -b
    t14 = numpy.sqrt(numpy.maximum((b + t5)*(t13 + t5), 0.0))
    t15 = (1/t14)
    t16 = a**2
    t17 = b**2
    t18 = b*t14*numpy.arctan2(t14, t13)
    t19 = b*t15
    return (
        t4*t9*(a*t3 + t0 + t3),
        (
            t12*(a*(t1*numpy.sqrt(t1)) + a*t11*t2 + t10*t11*numpy.arctan(t4) +
            (1/4)*numpy.pi*t10*t5)/t10
        ),
        t15*t9*((a**2*a) - a*t17 + a*t18 + t16 + t17 + t18),
        t12*t19 + t19*t8/(t1 + t16 - t17) + t8*numpy.arctan2(b, t14) + 1/4,
    )


def variance_map(q, sigma_w2, sigma_b2):
    """q ↦ σ_w² E[φ(√q u)²] + σ_b², the forward map whose fixed point is q* (Pathological spectra
    Eq. (15))."""
    t0 = 2*q
    t1 = numpy.sqrt(t0 + 1)
    t2 = t1*(numpy.pi - numpy.arctan(t1/q))
    return (1/2)*q*sigma_w2*(q*t2 + t0 + t2)/(numpy.pi*t1*(q + 1)) + sigma_b2


def chi1(q, sigma_w2):
    """χ₁ = σ_w² E[φ'(√q u)²] (Poole et al. 2016; Schoenholz et al. 2017)."""
    t0 = q + 1
    t1 = 2*q + 1
    t2 = t1**2
    t3 = numpy.sqrt(t1)
    t4 = (1/2)*t0
    return (
        sigma_w2*(q*(t1*numpy.sqrt(t1)) + q*t3*t4 + (1/4)*numpy.pi*t0*t2 +
        t2*t4*numpy.arctan(q/t3))/(numpy.pi*t0*t2)
    )


def tangent_moments(q):
    """(E[u φ(u) φ'(u)], E[u² φ'(u)²]), u ~ N(0, q), for the Fisher–Rao tangent recursion
    (Universal statistics Theorem 5): q dE[φ²]/dq and 2q² dE[φ'²]/dq + q E[φ'²]."""
    t0 = 6*q
    t1 = q**2
    t2 = 13*t1
    t3 = (q**2*q)
    t4 = 12*t3
    t5 = ((q**2)**2)
    t6 = 4*t5
    t7 = numpy.sqrt(2*q + 1)
    t8 = q*t7
    t9 = t1*t7
    t10 = t3*t7
    t11 = numpy.arctan(t7/q)
    t12 = numpy.pi - t11
    t13 = q/numpy.pi
    t14 = 8*q
    t15 = 25*t1
    t16 = 38*t3
    t17 = 28*t5
    t18 = q**5
    t19 = 8*t18
    t20 = numpy.arctan(q/t7)
    t21 = 16*t20
    return (
        (
            (1/2)*t13*(t0*t12 + 4*t10 - t11 + t12*t2 + t12*t4 + t12*t6 + 5*t8 + 11*t9 +
            numpy.pi)/(t0 + t2 + t4 + t6 + 1)
        ),
        (
            (1/4)*t13*(q*t21 + 50*t1*t20 + 78*t10 + numpy.pi*t14 + numpy.pi*t15 + numpy.pi*t16 +
            numpy.pi*t17 + t18*t21 + numpy.pi*t19 + 76*t20*t3 + 56*t20*t5 + 2*t20 + 16*t5*t7 +
            22*t8 + 76*t9 + numpy.pi)/(t14 + t15 + t16 + t17 + t19 + 1)
        ),
    )


def gamma(q):
    """γ = P[φ'(u) ≠ 0], u ~ N(0, q), q > 0 (Approximate Fisher information Thm 5.1)."""
    return 1


GAMMA_AT_ZERO = 1  # q -> 0+: u = 0, a kink at 0 counts half
