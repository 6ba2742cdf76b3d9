"""The activation pages: each built-in activation with its derivative and its four Gaussian
kernels, as :func:`meanfield_sym.kernels.kernel_set.kernels_for` derives them at build time
(through :class:`~meanfield_sym.site.cache.KernelCache`)."""
from __future__ import annotations

import time
import traceback
from pathlib import Path

import sympy as sp

from meanfield_sym.site.cache import KERNEL_KEYS, KernelCache
from meanfield_sym.site.rst import heading, literal_block, math_block, note, rst_escape, write_page

__all__ = ["activation_page", "write_activations"]

# The definition of each kernel, as display LaTeX.
_KERNEL_DEFINITIONS = {
    "one_point": r"\hat q(q) = \mathbb{E}_{u\sim\mathcal N(0,1)}\big[\phi(\sqrt{q}\,u)^2\big]",
    "one_point_prime": r"\mathbb{E}_{u\sim\mathcal N(0,1)}\big[\phi'(\sqrt{q}\,u)^2\big]",
    "two_point": (r"I_\phi[a, b] = \mathbb{E}\big[\phi(u_1)\,\phi(u_2)\big],\quad "
                  r"(u_1, u_2) \sim \mathcal N\!\left(0, \begin{pmatrix} a & b \\ b & a "
                  r"\end{pmatrix}\right)"),
    "two_point_prime": r"I_{\phi'}[a, b] = \mathbb{E}\big[\phi'(u_1)\,\phi'(u_2)\big]",
}


def _closed_forms(act, cache: KernelCache | None):
    """``(forms, how)``: the closed forms of ``act`` (from the cache or derived now)."""
    from meanfield_sym.kernels.kernel_set import kernels_for

    hit = cache.get(act) if cache is not None else None
    if hit is not None:
        return hit[0], ("Derived by :func:`meanfield_sym.kernels.kernel_set.kernels_for` "
                        "(reused from an earlier build with the same engine source and SymPy "
                        "version).")
    t0 = time.perf_counter()
    closed = dict(kernels_for(act).closed_form)
    if cache is not None:
        cache.put(act, closed, time.perf_counter() - t0)
    return closed, "Derived by :func:`meanfield_sym.kernels.kernel_set.kernels_for` for this build."


def activation_page(name: str, log=print, cache: KernelCache | None = None,
                    errors: list | None = None) -> list[str]:
    """reST lines of the page of one built-in activation with its four Gaussian kernels.

    When :func:`~meanfield_sym.kernels.kernel_set.kernels_for` raises, the page shows the
    traceback and the error is appended to ``errors`` (the build reports it as an error);
    without ``errors`` the exception propagates.
    """
    from meanfield_sym.activation.function import BUILTINS, get_activation
    from meanfield_sym.kernels.symbols import A, B, Q

    lines = [f".. _activation-{name.replace('_', '-')}:", ""] + heading(name, "=")
    desc = BUILTINS[name][2] if name in BUILTINS else ""
    if desc:
        lines += [rst_escape(desc), ""]
    act = get_activation(name)
    defaults = BUILTINS[name][1] if name in BUILTINS else {}
    params = ", ".join(f"``{k}={v}``" for k, v in defaults.items()
                       if v != 0 or name != "polynomial")
    lines += [f"Python: ``get_activation({name!r})``; command line: ``--activation {name}``"
              + (f"; default parameters {params} (change them with ``--param K=V``)"
                 if params else "") + ".", ""]
    lines += ["**Function** (canonical form, kinks written with Heaviside steps):", ""]
    lines += math_block(r"\phi(x) = " + sp.latex(act.expr))
    lines += ["**Derivative** (as a distribution; point masses are Dirac deltas):", ""]
    lines += math_block(r"\phi'(x) = " + sp.latex(act.prime))
    kinks = ", ".join(str(k) for k in act.kinks) or "none"
    atoms = ", ".join(f"{w} at x = {k}" for k, w in act.prime_atoms) or "none"
    lines += [f":Kinks: {rst_escape(kinks)}", f":Point masses of φ′: {rst_escape(atoms)}", ""]
    lines += heading("Gaussian kernels", "-")
    try:
        closed, how = _closed_forms(act, cache)
    except Exception as exc:  # noqa: BLE001 -- shown on the page and reported as a build error
        if errors is None:
            raise
        tb = traceback.format_exc()
        log(f"docs: kernels_for({name}) failed: {exc!r}")
        errors.append(f"kernels_for({name!r}) failed:\n{tb}")
        lines += note("error", f"kernels_for({name}) raised {type(exc).__name__}; the docs build "
                               "fails until it is fixed.")
        return lines + literal_block(tb, "pytb")
    lines += [how + " One-point kernels are "
              "functions of the variance :math:`q`, two-point kernels of the variance "
              ":math:`a` and the covariance :math:`b` (:math:`|b| \\le a`).", ""]
    subs = {Q: sp.Symbol("q", positive=True), A: sp.Symbol("a", positive=True),
            B: sp.Symbol("b", real=True)}
    for key in KERNEL_KEYS:
        lines += [f"**{key}**", ""] + math_block(_KERNEL_DEFINITIONS[key])
        expr = closed.get(key)
        if expr is None:
            lines += ["No closed form: evaluated by quadrature "
                      "(:mod:`meanfield_sym.kernels.quadrature`, 1e-12 relative), through "
                      "validated Chebyshev tables of quadrature values for tanh and sigmoid "
                      "(:mod:`meanfield_sym.kernels.tables`).", ""]
        else:
            expr = sp.sympify(expr).xreplace(subs)
            lines += ["Closed form:", ""] + math_block(sp.latex(expr))
    return lines


def write_activations(out: Path, written: set, log=print, cache_dir: Path | None = None) -> dict:
    """Write ``out/activations/*.rst``; return a summary whose ``errors`` lists the activations
    whose kernels could not be derived."""
    from meanfield_sym.activation.function import builtin_names

    names = builtin_names()
    index = [".. _activations:", ""] + heading("Activations", "=")
    index += ["One page per built-in activation: the function, its distributional derivative, "
              "and its four Gaussian kernels as derived by the kernel engine at build time. "
              "Any other activation can be given as an expression "
              "(``--activation \"x*erf(x)\"``).", ""]
    index += [".. toctree::", "   :maxdepth: 1", ""] + [f"   {n}" for n in names] + [""]
    t0 = time.perf_counter()
    cache = KernelCache(cache_dir)
    errors: list[str] = []
    for name in names:
        write_page(out / "activations" / f"{name}.rst",
                   activation_page(name, log, cache, errors), written)
    cache.save()
    write_page(out / "activations" / "index.rst", index, written)
    return {"activations": len(names), "errors": errors, "seconds": time.perf_counter() - t0}
