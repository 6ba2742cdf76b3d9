"""Shared test settings: every test starts and ends at mpmath's default precision."""
import mpmath
import pytest


@pytest.fixture(autouse=True)
def _mpmath_precision():
    """Restore mpmath's global precision after each test (no test may leak a change)."""
    dps = mpmath.mp.dps
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = dps
