"""The figures of the site: the tutorial's phase diagram, drawn at build time from
:func:`meanfield_sym.meanfield.phase.phase_diagram`, and the figures of the finite-width
experiments found in ``docs/figures/``."""
from __future__ import annotations

import time
from pathlib import Path

from meanfield_sym.site.rst import heading, note, rst_escape, write_page

__all__ = ["PHASE_DIAGRAM_SETTINGS", "write_phase_diagram", "figures_page", "write_figures"]

#: The network of the tutorial's figure.
PHASE_DIAGRAM_SETTINGS = dict(activation="erf", depth=3, width=1000, samples=100, classes=1,
                              momentum=0.0)


def _pyplot():
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError("the docs build draws the tutorial's figure with matplotlib, which is "
                          "not installed: pip install -e '.[docs]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def write_phase_diagram(out: Path, written: set, log=print) -> dict:
    """Draw ``out/figures/phase_diagram.png`` and write its caption ``out/phase_diagram.inc``
    (included by the tutorial).  An error of the computation propagates (the build fails)."""
    from meanfield_sym.meanfield.phase import phase_diagram

    plt = _pyplot()
    import numpy as np

    s = PHASE_DIAGRAM_SETTINGS
    t0 = time.perf_counter()
    pd = phase_diagram(**s)
    dt = time.perf_counter() - t0
    sw, sb, eta, chi1 = pd.sigma_w2, pd.sigma_b2, pd.eta_c, pd.chi1
    boundary = bool(np.any(chi1 < 1) and np.any(chi1 > 1))
    chi1 = np.where(np.isfinite(chi1), chi1, np.nan)  # a diverged fixed point draws no line
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for ax, data, title in ((axes[0], np.log10(pd.lambda_max), r"$\log_{10}\lambda_{\max}$"),
                            (axes[1], np.log10(eta), r"$\log_{10}\eta_c$")):
        mesh = ax.pcolormesh(sw, sb, data, shading="nearest", cmap="viridis")
        cs = ax.contour(sw, sb, data, levels=8, colors="white", linewidths=0.6)
        ax.clabel(cs, fontsize=7, fmt="%.1f")
        if boundary:
            ax.contour(sw, sb, chi1, levels=[1.0], colors="red", linewidths=1.4,
                       linestyles="--")
        fig.colorbar(mesh, ax=ax)
        ax.set_xlabel(r"$\sigma_w^2$")
        ax.set_ylabel(r"$\sigma_b^2$")
        ax.set_title(title)
    fig.suptitle(f"{s['activation']}, L = {s['depth']}, M = {s['width']}, "
                 f"N = {s['samples']}, C = {s['classes']}"
                 + ("; red dashes: order-to-chaos line $\\chi_1 = 1$" if boundary else ""))
    png = out / "figures" / "phase_diagram.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110, metadata={"Software": None})
    plt.close(fig)
    written.add(png.resolve())
    i, j = np.unravel_index(np.argmin(eta), eta.shape)
    write_page(out / "phase_diagram.inc", [
        f".. figure:: /{out.name}/figures/phase_diagram.png", "   :width: 100%",
        "   :alt: lambda_max and eta_c over (sigma_w^2, sigma_b^2)", "",
        f"   Largest Fisher eigenvalue and critical learning rate of an ``{s['activation']}`` "
        f"network with L = {s['depth']}, M = {s['width']}, N = {s['samples']}, "
        f"C = {s['classes']}, on a {sw.size} x {sb.size} grid, computed in {dt:.2f} s by "
        f":func:`meanfield_sym.meanfield.phase.phase_diagram` with the kernels of "
        f"``{rst_escape(pd.evaluator)}``"
        + (" (the dashed red line is the order-to-chaos boundary chi_1 = 1 of "
           ":func:`meanfield_sym.meanfield.recursions.fixed_point`)" if boundary else "")
        + f". The smallest admissible step on this grid is eta_c = {eta[i, j]:.3g}, at "
        f"sigma_w^2 = {sw[j]:.3g}, sigma_b^2 = {sb[i]:.3g}; the largest is "
        f"{np.max(eta):.3g}.", ""], written)
    log(f"docs: phase diagram computed in {dt:.2f} s")
    return {"phase_diagram": True, "seconds": dt, "evaluator": pd.evaluator}


def figures_page(docs: Path) -> tuple[list[str], int]:
    """reST lines of the figures page (every ``docs/figures/*.png``) and the number of figures."""
    folder = Path(docs) / "figures"
    figs = sorted(folder.glob("*.png")) if folder.is_dir() else []
    lines = [".. _figures:", ""] + heading("Figures of the finite-width experiments", "=")
    lines += ["Theory against finite-width random networks (``meanfield-sym experiment "
              "--plot``): the settings of the papers' figures, reproduced by the empirical "
              "witness. Files are taken from ``docs/figures/*.png`` at build time.", ""]
    if not figs:
        lines += note("note", "No figure in docs/figures/: draw one with "
                              "meanfield-sym experiment ... --plot docs/figures/NAME.png.")
    for png in figs:
        title = png.stem.replace("_", " ").replace("-", " ")
        lines += heading(title, "-")
        lines += [f".. figure:: /figures/{png.name}", "   :width: 90%",
                  f"   :alt: {rst_escape(title)}", "", f"   ``docs/figures/{png.name}``", ""]
    return lines, len(figs)


def write_figures(docs: Path, out: Path, written: set) -> dict:
    """Write ``out/figures.rst`` (see :func:`figures_page`)."""
    lines, count = figures_page(docs)
    write_page(out / "figures.rst", lines, written)
    return {"figures": count}
