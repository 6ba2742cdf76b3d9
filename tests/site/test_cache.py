"""The kernel cache of the docs build (meanfield_sym.site.cache)."""
import sympy as sp

from meanfield_sym.activation.function import get_activation
from meanfield_sym.site import cache as site_cache


def test_kernel_cache_round_trip(tmp_path):
    act = get_activation("relu")
    q = sp.Symbol("q", positive=True)
    forms = {"one_point": q / 2, "one_point_prime": sp.Rational(1, 2), "two_point": None,
             "two_point_prime": None}
    cache = site_cache.KernelCache(tmp_path)
    cache.put(act, forms, 1.5)
    cache.save()
    again = site_cache.KernelCache(tmp_path).get(act)
    assert again is not None and again[1] == 1.5
    assert again[0]["one_point"] == q / 2 and again[0]["two_point"] is None
    assert site_cache.KernelCache(tmp_path).get(get_activation("erf")) is None


def test_a_new_digest_replaces_the_old_file(tmp_path, monkeypatch):
    act = get_activation("relu")
    cache = site_cache.KernelCache(tmp_path)
    cache.put(act, {}, 1.0)
    cache.save()
    monkeypatch.setattr(site_cache, "engine_digest", lambda: "0" * 16)
    fresh = site_cache.KernelCache(tmp_path)
    assert fresh.get(act) is None  # another engine: derive afresh
    fresh.put(act, {}, 2.0)
    fresh.save()
    assert [p.name for p in tmp_path.iterdir()] == [f"kernels-{'0' * 16}.json"]


def test_disabled_cache_writes_nothing(tmp_path):
    cache = site_cache.KernelCache(None)
    cache.put(get_activation("relu"), {}, 1.0)
    cache.save()
    assert cache.get(get_activation("relu")) is not None  # in memory for this build
    assert not any(tmp_path.iterdir())


def test_digest_covers_the_engine_modules():
    import importlib.util

    for mod in site_cache.ENGINE_MODULES:
        assert importlib.util.find_spec(mod) is not None, mod
