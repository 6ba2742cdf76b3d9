"""Tests of the mpmath witness :mod:`meanfield_sym.witnesses.highprec` against independent references.

Every reference below is a textbook identity evaluated in the test itself (never a value
produced by the code under test):

* linear φ: E[u1 u2] = b; Isserlis/Wick: E[u^{2k}] = (2k-1)!! q^k, E[u1³u2³] = 9a²b + 6b³;
* sin: from the characteristic function, E[sin u1 sin u2] = e^{-a} sinh b;
* ReLU: the arc-cosine kernel of Cho & Saul (2009), a/(2π) (√(1-c²) + c(π - arccos c));
* |x|: E|u1||u2| = (2a/π)(√(1-c²) + c arcsin c);
* step: Sheppard (1899), P(u1 > 0, u2 > 0) = 1/4 + arcsin(c)/(2π), and its derivative in b
  (Price's theorem) 1/(2π√(a² - b²)) for E[δ(u1)δ(u2)];
* erf: (2/π) arcsin(2b/(1+2a)) and E[erf'(u1)erf'(u2)] = (4/π)/√((1+2a)² - 4b²).
"""
from __future__ import annotations

import ast
import inspect

import mpmath
import pytest
import sympy as sp

from meanfield_sym.witnesses import highprec as hp
from meanfield_sym.activation.function import X, get_activation

#: Requested digits in the tests; the module works with 10 guard digits beyond this.
DPS = 30
#: Minimum significant digits of agreement demanded (5 below DPS: margin for the references'
#: own rounding and for the quadrature's conservative, not exact, error control).
MIN_DIGITS = 25
#: Precision at which the references are evaluated (well above DPS).
REF_DPS = 60


def digits(value, ref, scale=None):
    """Significant digits of agreement of value with ref, relative to max(|ref|, scale)."""
    with mpmath.workdps(REF_DPS):
        size = max(abs(mpmath.mpf(ref)), mpmath.mpf(scale or 0))
        err = abs(mpmath.mpf(value) - mpmath.mpf(ref))
        return mpmath.inf if err == 0 else -mpmath.log10(err / size)


def mp_exact(x):
    """A decimal string or SymPy Rational as an mpf at REF_DPS."""
    r = sp.Rational(x)
    with mpmath.workdps(REF_DPS):
        return mpmath.mpf(int(r.p)) / int(r.q)


# --- references, evaluated at REF_DPS -----------------------------------------------------------
def ref_relu(a, b):
    c = b / a
    return a / (2 * mpmath.pi) * (mpmath.sqrt(1 - c * c) + c * (mpmath.pi - mpmath.acos(c)))


def ref_abs(a, b):
    c = b / a
    return 2 * a / mpmath.pi * (mpmath.sqrt(1 - c * c) + c * mpmath.asin(c))


def ref_step(a, b):
    return mpmath.mpf(1) / 4 + mpmath.asin(b / a) / (2 * mpmath.pi)


def ref_erf(a, b):
    return 2 / mpmath.pi * mpmath.asin(2 * b / (1 + 2 * a))


def ref_sin(a, b):
    return mpmath.exp(-a) * mpmath.sinh(b)


def ref_cube(a, b):  # Isserlis: E[x³y³] = 9 E[x²]E[y²]E[xy] + 6 E[xy]³
    return 9 * a * a * b + 6 * b ** 3


def ref_linear(a, b):
    return b


REFS = {"relu": ref_relu, "abs": ref_abs, "step": ref_step, "erf": ref_erf, "sin": ref_sin,
        "x**3": ref_cube, "linear": ref_linear}


def check_two_point(name, a, c):
    a_ = sp.Rational(a)
    b_ = a_ * sp.Rational(c)
    value = hp.two_point(name, a_, b_, dps=DPS)
    with mpmath.workdps(REF_DPS):
        am, bm = mp_exact(a_), mp_exact(b_)
        ref = REFS[name](am, bm)
        # sin at large a: the value e^{-a} sinh(b) is far below E|φφ| <= 1; the witness keeps
        # relative accuracy by adding digits, so compare relatively all the same.
    got = digits(value, ref, scale=mpmath.mpf(10) ** -300 if ref == 0 else None)
    assert got >= MIN_DIGITS, (name, a, c, value, ref, got)


# --- default (fast) checks ------------------------------------------------------------------------
@pytest.mark.parametrize("name,a,c", [
    ("relu", "0.01", "-0.999"),
    ("step", "1", "0.9999"),
    ("step", "100", "-0.5"),
    ("abs", "1", "-0.5"),
    ("erf", "1", "0.3"),
    ("erf", "0.01", "0.9999"),
    ("sin", "1", "-0.999"),
    ("x**3", "100", "0.3"),
    ("linear", "0.01", "-0.5"),
])
def test_two_point_against_identities(name, a, c):
    check_two_point(name, a, c)


def test_one_point_moments_isserlis():
    # E[(√q u)^6] = 15 q³, E[(√q u)^4] = 3 q², in exact arithmetic
    for q in ("0.01", "1", "100"):
        with mpmath.workdps(REF_DPS):
            qm = mp_exact(q)
            six, four = 15 * qm ** 3, 3 * qm ** 2
        assert digits(hp.gaussian_mean(X ** 6, q), six) >= MIN_DIGITS
        assert digits(hp.one_point("x**2", q), four) >= MIN_DIGITS


def test_one_point_erf_and_relu():
    for q in ("0.01", "1", "100"):
        with mpmath.workdps(REF_DPS):
            qm = mp_exact(q)
            # erf'(x)² = (4/π) e^{-2x²}: E = (4/π)/√(1 + 4q)
            refs = ref_erf(qm, qm), qm / 2, 4 / mpmath.pi / mpmath.sqrt(1 + 4 * qm)
        assert digits(hp.one_point("erf", q), refs[0]) >= MIN_DIGITS
        assert digits(hp.one_point("relu", q), refs[1]) >= MIN_DIGITS
        assert digits(hp.one_point_prime("erf", q), refs[2]) >= MIN_DIGITS


def test_one_point_prime_atoms_and_relu():
    assert hp.one_point_prime("step", 1) == mpmath.inf
    assert hp.one_point_prime("relu", "0.3") == mpmath.mpf(1) / 2
    # leaky ReLU: E[φ'²] = (1 + slope²)/2 with slope = 1/10 read exactly from "0.1"
    v = hp.one_point_prime(get_activation("leaky_relu", slope="0.1"), 2)
    with mpmath.workdps(REF_DPS):
        ref = mpmath.mpf(101) / 200
    assert digits(v, ref) >= MIN_DIGITS


def test_two_point_prime_identities():
    with mpmath.workdps(REF_DPS):
        a, b = mp_exact("1"), mp_exact("0.6")
        # step: φ' = δ, E[δ(u1)δ(u2)] = bivariate density at 0 = 1/(2π√(a²-b²))
        r_step = 1 / (2 * mpmath.pi * mpmath.sqrt(a * a - b * b))
        r_relu = ref_step(a, b)  # relu: φ' = H, Sheppard
        r_erf = 4 / mpmath.pi / mpmath.sqrt((1 + 2 * a) ** 2 - 4 * b * b)
    assert digits(hp.two_point_prime("step", 1, "0.6"), r_step) >= MIN_DIGITS
    assert digits(hp.two_point_prime("relu", 1, "0.6"), r_relu) >= MIN_DIGITS
    assert digits(hp.two_point_prime("erf", 1, "0.6"), r_erf) >= MIN_DIGITS
    # at |c| = 1 two atoms meet: +inf; E[δ(u1) H(..)] pieces are finite elsewhere
    assert hp.two_point_prime("step", 2, 2) == mpmath.inf
    assert hp.two_point_prime("step", 2, -2) == mpmath.inf


def test_shifted_step_atom_conditional_term():
    # φ = H(x - 1/2) + x/2: φ' = δ(x - 1/2) + 1/2.  E[φ'φ'] = 1/4 + 2·(1/2)·p_a(1/2)
    #   + ρ(1/2, 1/2), with p_a the N(0, a) density and ρ the bivariate density (definition).
    act = get_activation(sp.Heaviside(X - sp.Rational(1, 2)) + X / 2)
    v = hp.two_point_prime(act, 1, "0.3")
    with mpmath.workdps(REF_DPS):
        a, c, k = mpmath.mpf(1), mp_exact("0.3"), mpmath.mpf(1) / 2
        pk = mpmath.exp(-k * k / (2 * a)) / mpmath.sqrt(2 * mpmath.pi * a)
        s2 = 1 - c * c
        rho = mpmath.exp(-(2 * k * k - 2 * c * k * k) / (2 * a * s2)) / (
            2 * mpmath.pi * a * mpmath.sqrt(s2))
        ref = mpmath.mpf(1) / 4 + pk + rho
    assert digits(v, ref) >= MIN_DIGITS


def test_exact_reading_of_inputs():
    # "0.3", 0.3 (by its repr), Rational(3, 10) all mean 3/10 exactly: E[u1 u2] = b
    with mpmath.workdps(DPS):
        three_tenths = mpmath.mpf(3) / 10  # correctly rounded to DPS digits
    for b in ("0.3", 0.3, sp.Rational(3, 10)):
        assert hp.two_point("linear", 1, b) == three_tenths
    # an mpf is its binary value (not 3/10)
    with mpmath.workdps(40):
        v = hp.two_point("linear", 1, mpmath.mpf(0.3), dps=40)
        assert v == mpmath.mpf(0.3)
    with mpmath.workdps(DPS):
        third = mpmath.mpf(1) / 3
    assert hp.gaussian_mean(X ** 2, "1/3") == third


def test_diagonal_equals_one_point_and_limits():
    for name in ("relu", "tanh"):
        assert hp.two_point(name, "0.7", "0.7") == hp.one_point(name, "0.7")
    # c -> 1 through the nested quadrature: I(1 - ε) = 1/2 - ε/2 + O(ε^{3/2}) for ReLU, a = 1
    # (expansion of the arc-cosine kernel; the O term is ~0.3 ε^{3/2} = 3e-25 here)
    near = hp.two_point("relu", 1, 1 - sp.Rational(1, 10 ** 16))
    with mpmath.workdps(REF_DPS):
        assert abs(near - (mpmath.mpf(1) / 2 - mpmath.mpf(10) ** -16 / 2)) < mpmath.mpf(10) ** -23
    # c = -1: E[relu(u) relu(-u)] = 0
    assert hp.two_point("relu", 3, -3) == 0


def test_precision_self_consistency_tanh():
    # no closed form: dps 30 and dps 45 must agree to >= 25 digits
    lo = hp.two_point("tanh", "0.5", "-0.45", dps=30)
    hi = hp.two_point("tanh", "0.5", "-0.45", dps=45)
    assert digits(lo, hi) >= MIN_DIGITS
    assert digits(hp.one_point("tanh", 100, dps=30), hp.one_point("tanh", 100, dps=45)) \
        >= MIN_DIGITS


def test_odd_symmetry():
    # odd φ: I(a, -b) = -I(a, b)
    for name in ("tanh", "sin"):
        plus = hp.two_point(name, 1, "0.4")
        minus = hp.two_point(name, 1, "-0.4")
        with mpmath.workdps(REF_DPS):
            assert digits(minus, -plus) >= MIN_DIGITS
    # E[φ(u1)φ(u2)] at b = 0 is E[φ]² = 0 for odd φ: tiny compared to E|φφ|
    assert abs(hp.two_point("tanh", 1, 0)) < mpmath.mpf(10) ** -60


def test_inner_means_of_negligible_weight_use_an_absolute_floor():
    """φ = erf(x) + 1 at a = 1, c = 0.9999.  Where u1 is far below 0 the weight φ(u1) and the
    inner conditional mean E[φ(u2) | u1] are both ~erfc(9) ~ 1e-37, while evaluating
    erf(x) + 1 there cancels to rounding noise ~1e-(working digits): demanding 10**-(dps+3)
    accuracy of that inner mean *relative to itself* could never be met (the witness used to
    raise HighPrecisionError after 4000 pieces, as for gelu at a = 100 and tanh').
    Its contribution to the result is nil, so it is converged to an absolute floor set by the
    outer scale.  Reference: bilinearity and E[erf(u)] = 0 give
    E[(erf u1 + 1)(erf u2 + 1)] = (2/π) arcsin(2b/(1 + 2a)) + 1 (the erf arcsine kernel)."""
    act = get_activation("erf(x) + 1")
    a_, b_ = sp.Integer(1), sp.Rational(9999, 10000)
    value = hp.two_point(act, a_, b_, dps=DPS)
    with mpmath.workdps(REF_DPS):
        ref = ref_erf(mp_exact(a_), mp_exact(b_)) + 1
    assert digits(value, ref) >= MIN_DIGITS


def test_tanh_prime_tiny_inner_means_self_consistent():
    """tanh' = 1 - tanh² (cancels in the tails) at c = -0.9999, a point of the dense grid of
    tests/test_quadrature.py where the witness used to raise HighPrecisionError after minutes
    (an inner mean ~1e-22 of its own scale).  No closed form: dps 20 and dps 30 must
    agree to 18 digits."""
    a_ = "2.819411177046913"  # the float 10**u of that grid, and b = a * (-0.9999) in float64
    b_ = "-2.819129235929208"
    lo = hp.two_point_prime("tanh", a_, b_, dps=20)
    hi = hp.two_point_prime("tanh", a_, b_, dps=30)
    assert digits(lo, hi) >= 18


def test_dirac_in_gaussian_mean():
    # E[δ(√q u - 1)] = N(1; 0, q) density = e^{-1/(2q)} / √(2π q)
    v = hp.gaussian_mean(sp.DiracDelta(X - 1) + X ** 2, 2)
    with mpmath.workdps(REF_DPS):
        ref = 2 + mpmath.exp(-mpmath.mpf(1) / 4) / mpmath.sqrt(4 * mpmath.pi)
    assert digits(v, ref) >= MIN_DIGITS


def test_exponential_mass_far_out():
    # E[e^{2√q u}] = e^{2q}: at q = 50 the integrand peaks at u = 2√q ≈ 14, beyond the window
    v = hp.one_point("exp", 50)
    with mpmath.workdps(REF_DPS):
        ref = mpmath.exp(100)
    assert digits(v, ref) >= MIN_DIGITS


def test_return_precision():
    v = hp.one_point("erf", 1, dps=20)
    assert isinstance(v, mpmath.mpf)
    assert v._mpf_[3] <= mpmath.libmp.dps_to_prec(20) + 1  # rounded to the requested digits


@pytest.mark.parametrize("call", [
    lambda: hp.one_point("relu", 0),
    lambda: hp.one_point("relu", -1),
    lambda: hp.one_point("relu", float("nan")),
    lambda: hp.one_point("relu", float("inf")),
    lambda: hp.one_point("relu", "abc"),
    lambda: hp.one_point("relu", True),
    lambda: hp.one_point_prime("step", 0),
    lambda: hp.two_point("relu", 1, "1.0001"),
    lambda: hp.two_point("relu", 1, -2),
    lambda: hp.two_point("relu", 0, 0),
    lambda: hp.two_point("relu", mpmath.nan, 0),
    lambda: hp.two_point("relu", 1, None),
    lambda: hp.two_point_prime("relu", -1, 0),
    lambda: hp.two_point("relu", 1, 0, dps=0),
    lambda: hp.two_point("relu", 1, 0, dps=2.5),
    lambda: hp.two_point("no_such_activation", 1, 0),
    lambda: hp.gaussian_mean(X * sp.Symbol("y"), 1),
    lambda: hp.gaussian_mean(sp.DiracDelta(X) ** 2, 1),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_divergent_mean_raises():
    # E[exp(x²)] with x ~ N(0, 1) diverges
    with pytest.raises(hp.HighPrecisionError):
        hp.gaussian_mean(sp.exp(X ** 2), 1, dps=15)


def test_independent_of_the_engine():
    """The witness imports only the activation layer and the input checks, never the kernels
    it judges (a syntax-tree walk of its imports)."""
    tree = ast.parse(inspect.getsource(hp))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(("." * node.level) + (node.module or ""))
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    ours = {n for n in imported if n.startswith(("meanfield_sym", "."))}
    assert ours, imported
    assert all(n.startswith(("meanfield_sym.activation", "meanfield_sym.checks")) for n in ours), ours


# --- dense grid (slow) --------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name", ["relu", "abs", "step", "erf", "sin", "x**3", "linear"])
@pytest.mark.parametrize("a", ["0.01", "1", "100"])
@pytest.mark.parametrize("c", ["-0.999", "-0.5", "0", "0.3", "0.9999"])
def test_two_point_grid_slow(name, a, c):
    check_two_point(name, a, c)
