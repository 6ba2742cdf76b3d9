"""The figures of the site: the tutorial's phase diagram, drawn at build time from
:func:`meanfield_sym.meanfield.phase.phase_diagram`, the figures of the finite-width
experiments found in ``docs/figures/``, and the tables of the learning-rate figure
(Universal statistics Fig. 2 on the digits) read from the numbers stored beside it
(``docs/figures/universal_fig2_learning_rate.json``, written by ``meanfield-sym figures``)."""
from __future__ import annotations

import time
from pathlib import Path

from meanfield_sym.site.rst import heading, note, rst_escape, write_page

__all__ = ["PHASE_DIAGRAM_SETTINGS", "write_phase_diagram", "figures_page", "write_figures",
           "LEARNING_RATE_FIGURE", "learning_rate_page"]

#: The learning-rate figure in ``docs/figures`` (its numbers: the same name with ``.json``).
LEARNING_RATE_FIGURE = "universal_fig2_learning_rate.png"

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


def _pct(x) -> str:
    return "—" if x is None or x != x else f"{100 * x:+.0f} %"


def _eta(x) -> str:
    return "—" if x is None or x != x else f"{x:.3g}"


def _boundary_table(p: dict, key: str, label: str) -> list[str]:
    rows = [["M", "η_c Gaussian-input theory", "η_c data kernel", label,
             "error of the Gaussian-input theory", "error of the data kernel",
             "smallest diverging η of the grid"]]
    b = p[key]
    for i, M in enumerate(p["widths"]):
        se = b["se_log"][i]
        rows.append([str(M), _eta(p["eta_c"]["gaussian"][i]), _eta(p["eta_c"]["data"][i]),
                     f"{_eta(b['mid'][i])} (× e^±{se:.2f})",
                     _pct(p[f"gaussian_vs_{key}"]["relative_error"][i]),
                     _pct(p[f"data_vs_{key}"]["relative_error"][i]),
                     _eta(p["grid_boundary"][i])])
    rows.append(["mean |error|", "—", "—", "—",
                 f"{100 * p[f'gaussian_vs_{key}']['mean_abs_relative_error']:.0f} %",
                 f"{100 * p[f'data_vs_{key}']['mean_abs_relative_error']:.0f} %", "—"])
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in rows:
        lines.append("   * - " + rst_escape(row[0]))
        lines += [f"     - {rst_escape(c)}" for c in row[1:]]
    return lines + [""]


def learning_rate_page(docs: Path) -> list[str]:
    """reST lines of ``generated/learning_rate.inc`` (included by ``docs/data.rst``): the
    ``stats --inputs`` run on the digits, the learning-rate figure and, per problem, the
    measured boundaries against both predictions -- all read from the numbers stored beside
    the figure, so the docs build runs no network.  Without them, a note says how to draw the
    figure."""
    import json
    folder = Path(docs) / "figures"
    png = folder / LEARNING_RATE_FIGURE
    data = png.with_suffix(".json")
    if not (png.is_file() and data.is_file()):
        return note("note", "The learning-rate figure has not been drawn yet: run "
                            "meanfield-sym figures --only learning_rate (needs scikit-learn, "
                            "the data extra).")
    res = json.loads(data.read_text())
    st, lines = res["settings"], []
    stats = res.get("stats_digits")
    if stats:
        pl = stats["payload"]
        lines += ["Run on all the digits, the data kernel gives:", "",
                  ".. code-block:: bash", "", f"   {stats['command']} --json", ""]
        lines += [f"* N = {pl['samples']} inputs of d = {pl['features']} features; mean "
                  f"diagonal of the Fisher dual (κ₁ of the data) {pl['kappa1_mean']:.4g}, "
                  f"mean off-diagonal entry (κ₂) {pl['kappa2_mean']:.4g};",
                  f"* λ_max = {pl['fim']['lambda_max']:.4g} and η_c = "
                  f"{pl['eta_critical']:.3g} at M = {pl['width']:g}, C = {pl['classes']};"]
        gauss = stats.get("gaussian_payload")
        if gauss:
            lines += [f"* the Gaussian-input theory (the same command without ``--inputs``, "
                      f"``--samples {pl['samples']}``) gives λ_max = "
                      f"{gauss['fim']['lambda_max']:.4g}, η_c = {gauss['eta_critical']:.3g}: "
                      f"{gauss['eta_critical'] / pl['eta_critical']:.2f} times the data's."]
        lines += [""]
    lines += [f".. figure:: /figures/{LEARNING_RATE_FIGURE}", "   :width: 100%",
              "   :alt: loss after gradient descent over width and learning rate", "",
              f"   {st['activation']} networks, (σ_w², σ_b²) = ({st['sigma_w2']:g}, "
              f"{st['sigma_b2']:g}), L = {st['depth']}, widths (d, M, M), "
              f"{st['steps']} steps of full-batch gradient descent (μ = {st['momentum']:g}); "
              f"grey cells diverged (the loss passed {st['blowup']:g} times its initial "
              f"value). Red dashes: η_c of the Gaussian-input theory; white line: η_c of the "
              f"data kernel; diamonds: the divergence boundary by bisection "
              f"({st['bisection']} halvings), geometric mean over {st['networks']} networks; "
              "triangles: the onset of the first loss increase. Drawn by meanfield-sym "
              f"figures --only learning_rate in {res['seconds']:.0f} s.", ""]
    from meanfield_sym.verdicts.learning_rate import PROBLEMS
    for name in [n for n in PROBLEMS if n in res["problems"]]:
        p = res["problems"][name]
        lines += [f"**{rst_escape(p['title'])}** (N = {p['inputs']['N']}, d = "
                  f"{p['inputs']['d']}, C = {p['classes']}, mean input overlap "
                  f"{p['inputs']['mean_overlap']:.3f}):", ""]
        if "onset" in p:
            lines += _boundary_table(p, "onset", "measured onset")
            lines += ["The same runs explode only at larger rates:", ""]
        lines += _boundary_table(p, "boundary", "measured divergence boundary")
        v = res["verdict"][name]
        lines += [rst_escape(
            f"Mean |relative error| against the measured {v['against']}: data kernel "
            f"{100 * v['data']:.0f} %, Gaussian-input theory {100 * v['gaussian']:.0f} % — the "
            f"{'data kernel' if v['better'] == 'data' else 'Gaussian-input theory'} is "
            "closer."), ""]
    return lines


def write_figures(docs: Path, out: Path, written: set) -> dict:
    """Write ``out/figures.rst`` (see :func:`figures_page`) and ``out/learning_rate.inc``
    (see :func:`learning_rate_page`)."""
    lines, count = figures_page(docs)
    write_page(out / "figures.rst", lines, written)
    lr = learning_rate_page(docs)
    write_page(out / "learning_rate.inc", lr, written)
    return {"figures": count, "learning_rate": not lr[0].startswith(".. note::")}
