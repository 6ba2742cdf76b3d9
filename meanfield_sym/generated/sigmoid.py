# -------------------------------------------------------------------------------------------------
# GENERATED FILE: do not edit by hand.
# Activation: sigmoid
#   φ(x) = 1/(1 + exp(-x))
#   fingerprint c2f29d7e2d66
# Printed by meanfield_sym.kernels.printing (derivation code ef1dc34cbee3, SymPy 1.14.0).
# Regenerate with:
#   meanfield-sym codegen --update --only sigmoid
# -------------------------------------------------------------------------------------------------


"""Kernels of the activation ``sigmoid`` (NumPy only): tables of their quadrature.

φ(x) = 1/(1 + exp(-x))

The kernels have no closed forms: the library evaluates them by the validated Chebyshev tables
of sigmoid_tables.npz (next to this file), and by quadrature of the printed phi, phi_prime
outside them.

* E[φ(√q u)²] = no closed form (tables in sigmoid_tables.npz)   [Universal statistics Eq. (9),
  supplement (B.3), (B.9); Pathological spectra Eq. (15)]
* E[φ'(√q u)²] = no closed form (tables in sigmoid_tables.npz)   [Universal statistics Eq.
  (11), supplement (B.4), (B.10); Pathological spectra Eq. (18)]
* I_φ[a, b] = E[φ(u1) φ(u2)] = no closed form (tables in sigmoid_tables.npz)   [Universal
  statistics Eq. (10), supplement (B.7), (B.11); Pathological spectra Eqs. (15)-(16)]
* I_φ'[a, b] = E[φ'(u1) φ'(u2)] = no closed form (tables in sigmoid_tables.npz)   [Universal
  statistics Eq. (12), supplement (B.8), (B.12); Pathological spectra Eq. (18)]

The functions are raw (arguments unchecked, NumPy broadcasting).  The library's
recursions and statistics take this module as their kernel provider and check the
arguments, without importing SymPy::

    import meanfield_sym.generated.sigmoid as kernels
    from meanfield_sym.meanfield import network_statistics
    network_statistics(kernels, 2.0, 0.1, 3)

"""


import numpy


ACTIVATION = 'sigmoid'
PARAMS = {}
EXPRESSION = '1/(1 + exp(-x))'
PRIME = 'exp(-x)/(1 + exp(-x))**2'
FINGERPRINT = 'c2f29d7e2d66'
SYMPY_VERSION = '1.14.0'
#: Digest of the derivation code that printed this module (see
#: meanfield_sym.kernels.digest.derivation_digest).
DERIVATION = 'ef1dc34cbee3'
#: Closed forms as derived (before the evaluation rewrites); None: no closed form.
CLOSED_FORMS = {
    'one_point': None,
    'one_point_prime': None,
    'two_point': None,
    'two_point_prime': None,
}
#: Where the Gaussian expectations exist: one-point q < bound, two-point
#: a + |b| < bound (kernel -> (exact bound, float)); absent: everywhere.
DOMAIN = {}
#: How each closed form was derived.
METHODS = {
    'one_point': (
        'no closed form: quadrature (1/(1 + 2*exp(-x) + exp(-2*x)) is not reducible by Gaussian '
        "integrals or Price's theorem)"
    ),
    'one_point_prime': (
        'no closed form: quadrature (1/(exp(2*x) + 4*exp(x) + 6 + 4*exp(-x) + exp(-2*x)) is not '
        "reducible by Gaussian integrals or Price's theorem)"
    ),
    'two_point': (
        'no closed form: quadrature (1/(1 + exp(-x)) is not reducible by Gaussian integrals or '
        "Price's theorem)"
    ),
    'two_point_prime': (
        'no closed form: quadrature (1/(exp(x) + 2 + exp(-x)) is not reducible by Gaussian '
        "integrals or Price's theorem)"
    ),
}


one_point = None  # no closed form


one_point_prime = None  # no closed form


two_point = None  # no closed form


two_point_prime = None  # no closed form


layer = None  # not every kernel has a closed form


variance_map = None  # E[φ(√q u)²] has no closed form


chi1 = None  # E[φ'(√q u)²] has no closed form


tangent_moments = None  # the one-point kernels have no closed form


def gamma(q):
    """γ = P[φ'(u) ≠ 0], u ~ N(0, q), q > 0 (Approximate Fisher information Thm 5.1)."""
    return 1


GAMMA_AT_ZERO = 1  # q -> 0+: u = 0, a kink at 0 counts half


def phi(x):
    """φ(x) = 1/(1 + exp(-x)), vectorised."""
    return (1/(1 + numpy.exp(-x)))


def phi_prime(x):
    """φ'(x) = 1/(exp(x) + 2 + exp(-x)) (regular part), vectorised."""
    return (1/(numpy.exp(x) + 2 + numpy.exp(-x)))


#: Parities of φ and of φ' (1 even, -1 odd, 0 neither), as the derivation decided.
PARITY = 0
PRIME_PARITY = 1
#: The Chebyshev tables of the kernels (meanfield_sym.kernels.table_file), next to
#: this file.
TABLES = 'sigmoid_tables.npz'
