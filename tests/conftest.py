"""Shared test settings: a private kernel cache; every test starts and ends at mpmath's default
precision."""
import os

import mpmath
import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Tests use a cache folder of their own (never the user's), empty at the start."""
    os.environ["MEANFIELD_SYM_CACHE"] = str(tmp_path_factory.mktemp("mfs-cache"))
    # the engine's tests derive in full: no time budget (the budget has tests of its own)
    os.environ["MEANFIELD_SYM_BUDGET"] = "inf"
    yield


@pytest.fixture(autouse=True)
def _mpmath_precision():
    """Restore mpmath's global precision after each test (no test may leak a change)."""
    dps = mpmath.mp.dps
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = dps
