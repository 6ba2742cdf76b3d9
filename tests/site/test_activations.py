"""Activation pages (meanfield_sym.site.activations)."""
import pytest
import sympy as sp

import meanfield_sym.kernels.kernel_set as kernel_set
from meanfield_sym.activation.function import get_activation
from meanfield_sym.site import activations
from meanfield_sym.site.cache import KernelCache


def _no_derivation(*args, **kwargs):
    raise RuntimeError("kernels_for fails on purpose")


def test_page_shows_the_function_its_derivative_and_the_four_kernels(tmp_path):
    text = "\n".join(activations.activation_page("relu", log=lambda *a: None,
                                                 cache=KernelCache(tmp_path)))
    assert ".. _activation-relu:" in text
    assert sp.latex(get_activation("relu").prime) in text
    for key in ("one_point", "one_point_prime", "two_point", "two_point_prime"):
        assert f"**{key}**" in text
    assert text.count("Closed form:") == 4
    assert "for this build" in text


def test_cached_forms_are_shown_without_deriving(tmp_path, monkeypatch):
    act = get_activation("relu")
    q = sp.Symbol("Q", positive=True)
    cache = KernelCache(tmp_path)
    cache.put(act, {"one_point": q / 2}, 0.1)
    monkeypatch.setattr(kernel_set, "kernels_for", _no_derivation)
    text = "\n".join(activations.activation_page("relu", cache=cache))
    assert "reused from an earlier build" in text
    assert text.count("Closed form:") == 1 and text.count("No closed form") == 3


def test_a_failed_derivation_is_shown_and_reported(monkeypatch):
    monkeypatch.setattr(kernel_set, "kernels_for", _no_derivation)
    errors: list = []
    text = "\n".join(activations.activation_page("relu", log=lambda *a: None, errors=errors))
    assert ".. error::" in text and "kernels_for fails on purpose" in text
    assert len(errors) == 1 and errors[0].startswith("kernels_for('relu') failed")
    with pytest.raises(RuntimeError, match="on purpose"):
        activations.activation_page("relu")  # no error list: the exception propagates
