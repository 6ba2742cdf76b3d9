"""Plots of width sweeps and the documentation figures (matplotlib is an optional extra).

* :func:`plot_sweep` draws one :class:`~meanfield_sym.verdicts.sweeps.SweepResult`: theory
  lines against experiment points (± standard error over seeds), one panel per statistic
  (``meanfield-sym experiment --plot``);
* :func:`make_figures` regenerates the figures of ``docs/figures`` (``meanfield-sym figures``):
  the settings of the papers' figures reproduced by the finite-width witness.

:func:`check_plot_path` and :func:`check_output_dir` refuse an unusable destination before any
computation runs, so a long sweep never ends in a failed write.
"""
from __future__ import annotations

import os
import sys

import numpy as np

from meanfield_sym import meanfield as S
from meanfield_sym.verdicts.sweeps import (QUANTITIES, SweepResult, SweepSettings,
                                           _network_theory, seed_for, width_sweep)
from meanfield_sym.witnesses import finite_width as E

__all__ = ["plot_sweep", "plot_formats", "check_plot_path", "check_output_dir", "FIGURES",
           "figure_universal", "figure_dependence_on_t", "figure_softmax", "figure_ngd",
           "ngd_condition_numbers", "make_figures"]

#: Formats matplotlib lists that are not image files written by matplotlib alone: PGF is
#: typeset through LaTeX, raw/rgba are bare pixel buffers.
_NOT_IMAGES = frozenset({"pgf", "raw", "rgba"})


# ---------------------------------------------------------------------------------------------
# Destinations
# ---------------------------------------------------------------------------------------------
def plot_formats() -> tuple[str, ...]:
    """The file suffixes (lower case, no dot) matplotlib writes as images here, e.g. png, pdf,
    svg.  Needs matplotlib (ValueError with the install hint otherwise)."""
    _pyplot()
    from matplotlib.backend_bases import FigureCanvasBase
    return tuple(sorted(set(FigureCanvasBase.get_supported_filetypes()) - _NOT_IMAGES))


def _writable_dir(folder: str, what: str) -> None:
    """A file can be created in ``folder``: tried with a temporary file (permission bits alone
    do not say so: read-only file systems, virtual file systems, the super-user)."""
    import tempfile
    if not os.path.isdir(folder):
        raise ValueError(f"{what}: folder {folder!r} does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".meanfield-sym-write-test-"):
            pass
    except OSError as exc:
        raise ValueError(f"{what}: folder {folder!r} is not writable "
                         f"({exc.strerror or exc})") from None


def check_plot_path(path, what: str = "plot") -> str:
    """Refuse a plot destination that cannot be written: an image suffix of
    :func:`plot_formats`, an existing writable folder, not a folder itself, and (if the file
    exists) a writable file.  Returns the path."""
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise ValueError(f"{what}: give a file name, got {path!r}")
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    formats = plot_formats()
    if suffix not in formats:
        raise ValueError(f"{what}: {path!r} has no image suffix matplotlib writes; use one of "
                         + ", ".join("." + f for f in formats))
    if os.path.isdir(path):
        raise ValueError(f"{what}: {path!r} is a folder, not a file name")
    _writable_dir(os.path.dirname(os.path.abspath(path)), what)
    if os.path.exists(path):
        try:
            with open(path, "ab"):  # appends nothing: the file is left as it is
                pass
        except OSError as exc:
            raise ValueError(f"{what}: file {path!r} exists and is not writable "
                             f"({exc.strerror or exc})") from None
    return path


def check_output_dir(outdir, what: str = "out") -> str:
    """Refuse an output folder that cannot be written: it exists and is writable, or its
    parent does (it is created when the figures are written).  Returns the path."""
    if not isinstance(outdir, (str, os.PathLike)) or not str(outdir).strip():
        raise ValueError(f"{what}: give a folder name, got {outdir!r}")
    outdir = os.fspath(outdir)
    if os.path.exists(outdir):
        if not os.path.isdir(outdir):
            raise ValueError(f"{what}: {outdir!r} exists and is not a folder")
        _writable_dir(outdir, what)
    else:
        _writable_dir(os.path.dirname(os.path.abspath(outdir)), what)
    return outdir


# ---------------------------------------------------------------------------------------------
# One sweep
# ---------------------------------------------------------------------------------------------
def _pyplot():
    """matplotlib.pyplot on the Agg backend; ValueError with the install hint when absent."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ValueError("plotting needs matplotlib, an optional extra: "
                         "pip install 'meanfield_sym[plot]' (or pip install matplotlib)") from None
    return plt


_LABELS = {"mean": r"$m_\lambda$", "second_moment": r"$s_\lambda$",
           "lambda_max": r"$\lambda_{max}$"}


def _draw_sweep(axes, result: SweepResult, color="k", label=None):
    s = result.settings
    for ax, q in zip(axes, QUANTITIES):
        rows = [r for r in result.rows if r["quantity"] == q]
        M = np.array([r["width"] for r in rows], dtype=float)
        ax.errorbar(M, [r["experiment"] for r in rows], yerr=[r["stderr"] for r in rows],
                    fmt="o", color=color, ms=4, capsize=3, label=label)
        order = np.argsort(M)
        ax.plot(M[order], np.array([r["theory"] for r in rows])[order], "-", color=color,
                alpha=0.6)
        if q == "lambda_max" and s.softmax:
            ax.plot(M[order], np.array([r["theory_upper"] for r in rows])[order], "--",
                    color=color, alpha=0.6)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("width M")
        ax.set_title(_LABELS[q])


def plot_sweep(result: SweepResult, path: str) -> None:
    """Theory (lines) against experiment (points, ± standard error over seeds), one panel per
    statistic, saved to ``path`` (the format from its suffix, see :func:`plot_formats`)."""
    check_plot_path(path)
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    _draw_sweep(axes, result)
    s = result.settings
    kind = "F_cross" if s.softmax else ("NTK" if s.parameterization == "ntk" else "FIM")
    fig.suptitle(f"{kind}: {s.activation}, σ_w²={s.sigma_w2:g}, σ_b²={s.sigma_b2:g}, "
                 f"L={s.depth}, N={s.samples}, C={s.classes} (points: experiment ± s.e.; "
                 "lines: theory)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------------------------------
# The documentation figures
# ---------------------------------------------------------------------------------------------
FIG1_SETTINGS = (("tanh", 3.0, 0.64), ("relu", 2.0, 0.1), ("linear", 1.0, 0.1))


def _fig1_settings(act, sw, sb, widths, samples, seeds, classes=1, softmax=False):
    return SweepSettings(activation=act, sigma_w2=sw, sigma_b2=sb, depth=3,
                         widths=tuple(widths), samples=samples, classes=classes,
                         seeds=seeds, softmax=softmax, seed=1)


def _kernels_available(act) -> bool:
    try:
        S.network_statistics(act, 1.0, 0.1, 2, width=10, samples=2)
        return True
    except Exception:  # the kernel engine lacks a fallback for this activation yet
        return False


def figure_universal(path, widths=(100, 200, 400, 800, 1600), samples=100, seeds=8,
                     progress=None):
    """[US] Fig. 1: m_λ, s_λ, λ_max against M for tanh, ReLU, linear (L = 3, C = 1)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    colors = {"tanh": "tab:blue", "relu": "tab:red", "linear": "tab:green"}
    for act, sw, sb in FIG1_SETTINGS:
        if not _kernels_available(act):
            print(f"[figures] skipping {act}: no kernels available", file=sys.stderr)
            continue
        res = width_sweep(_fig1_settings(act, sw, sb, widths, samples, seeds), progress)
        _draw_sweep(axes, res, colors[act], f"{act} ({sw:g}, {sb:g})")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Universal statistics Fig. 1 settings: FIM, L = 3, C = 1, N = {samples}, "
                 f"{seeds} networks per width (points ± s.e.; lines: theory)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def figure_dependence_on_t(path, width=1000, samples=(1, 3, 10, 30, 100, 300), seeds=4,
                           progress=None):
    """[US] supplement Fig. C.1: the statistics at fixed M against T (= N)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    colors = {"tanh": "tab:blue", "relu": "tab:red", "linear": "tab:green"}
    for act, sw, sb in FIG1_SETTINGS:
        if not _kernels_available(act):
            print(f"[figures] skipping {act}: no kernels available", file=sys.stderr)
            continue
        pts = {q: [] for q in QUANTITIES}
        for n in samples:
            res = width_sweep(_fig1_settings(act, sw, sb, (width,), n, seeds), progress)
            for r in res.rows:
                pts[r["quantity"]].append((n, r["experiment"], r["stderr"], r["theory"]))
        for ax, q in zip(axes, QUANTITIES):
            n, e, s, t = map(np.array, zip(*pts[q]))
            ax.errorbar(n, e, yerr=s, fmt="o", color=colors[act], ms=4, capsize=3,
                        label=f"{act} ({sw:g}, {sb:g})")
            nn = np.unique(np.geomspace(n.min(), n.max(), 60).round().astype(int))
            st = _network_theory(_fig1_settings(act, sw, sb, (width,), 1, 1), width)
            k1, k2, al = st["kappa1"], st["kappa2"], st["alpha"]
            th = [S.fim_statistics(k1, k2, al, width, int(v), 1)[q] for v in nn]
            ax.plot(nn, th, "-", color=colors[act], alpha=0.6)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("T = N (samples)")
            ax.set_title(_LABELS[q])
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Universal statistics supp. Fig. C.1: fixed M = {width}, L = 3, C = 1, "
                 f"{seeds} networks per T (points ± s.e.; lines: theory)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def figure_softmax(path, widths=(100, 200, 400, 800), samples=100, classes=10, seeds=4,
                   progress=None):
    """[PS] Fig. 4: F_cross statistics (C = 10, N = 100), λ_max with its lower (solid) and
    upper (dashed) bound."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    colors = {"tanh": "tab:blue", "relu": "tab:red", "linear": "tab:green"}
    for act, sw, sb in FIG1_SETTINGS:
        if not _kernels_available(act):
            print(f"[figures] skipping {act}: no kernels available", file=sys.stderr)
            continue
        res = width_sweep(_fig1_settings(act, sw, sb, widths, samples, seeds, classes,
                                         softmax=True), progress)
        _draw_sweep(axes, res, colors[act], f"{act} ({sw:g}, {sb:g})")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Pathological spectra Fig. 4: F_cross, L = 3, C = {classes}, N = {samples}, "
                 f"{seeds} networks per width (λ_max: solid lower, dashed upper bound)",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


NGD_FIGURE_KINDS = ("exact", "block_diagonal", "kfac", "unit_wise")


def ngd_condition_numbers(widths, *, activation="relu", sigma_w2=2.0, sigma_b2=0.1, depth=3,
                          samples=20, seeds=3, kinds=NGD_FIGURE_KINDS, progress=None) -> dict:
    """Condition numbers of J G⁺ Jᵀ/N ([NGD] Eq. (11)) and of the NTK Θ/N itself against M
    (C = 1, NTK parameterisation): ``{kind: {width: array over seeds}}``, kind 'ntk' for Θ."""
    out = {k: {} for k in tuple(kinds) + ("ntk",)}
    done = 0
    for M in widths:
        for k in out:
            out[k][M] = np.empty(seeds)
        for i in range(seeds):
            w = E.simulate(activation, depth=depth, width=M, samples=samples, classes=1,
                           sigma_w2=sigma_w2, sigma_b2=sigma_b2, parameterization="ntk",
                           seed=seed_for(7, M, i))
            for k in kinds:
                out[k][M][i] = w.ngd(k).condition_number
            ev = np.linalg.eigvalsh(w.ntk())
            out["ntk"][M][i] = ev[-1] / ev[0]
            done += 1
            if progress:
                progress(done, f"M={M} seed {i + 1}/{seeds}")
    return out


def figure_ngd(path, widths=(50, 100, 200, 400, 800), samples=20, seeds=3, progress=None):
    """[NGD] isotropy: condition number of J G⁺ Jᵀ/N against M for exact, block-diagonal,
    K-FAC, unit-wise NGD and for the NTK Θ (plain gradient descent)."""
    plt = _pyplot()
    data = ngd_condition_numbers(widths, samples=samples, seeds=seeds, progress=progress)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    styles = {"exact": ("k", "s"), "block_diagonal": ("tab:blue", "o"),
              "kfac": ("tab:green", "^"), "unit_wise": ("tab:red", "D"),
              "ntk": ("tab:gray", "v")}
    for k, by_w in data.items():
        M = np.array(sorted(by_w), dtype=float)
        vals = np.array([by_w[int(m)] for m in M])
        mean = vals.mean(axis=1)
        se = vals.std(axis=1, ddof=1) / np.sqrt(vals.shape[1]) if vals.shape[1] > 1 else 0
        c, mk = styles[k]
        name = "NTK Θ (gradient descent)" if k == "ntk" else k.replace("_", "-") + " NGD"
        ax.errorbar(M, mean, yerr=se, fmt=mk + "-", color=c, ms=5, capsize=3, label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("width M")
    ax.set_ylabel("condition number of J G⁺ Jᵀ/N")
    ax.set_title(f"NGD isotropy: ReLU (2, 0.1), L = 3, C = 1, N = {samples}, NTK param.",
                 fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


#: The documentation figures: name → (file, function, settings of a quick smoke run).  The
#: committed figures use the functions' defaults.
FIGURES = {
    "universal": ("universal_fig1.png", figure_universal,
                  dict(widths=(100, 200, 400), seeds=2)),
    "dependence_on_t": ("universal_figC1_dependence_on_T.png", figure_dependence_on_t,
                        dict(width=200, samples=(1, 10, 100), seeds=2)),
    "softmax": ("pathological_fig4_softmax.png", figure_softmax,
                dict(widths=(100, 200), seeds=2, samples=20)),
    "ngd": ("ngd_isotropy.png", figure_ngd, dict(widths=(50, 100), seeds=2, samples=10)),
}


def make_figures(outdir="docs/figures", quick: bool = False, only=None) -> list:
    """Regenerate the documentation figures into ``outdir``; returns the paths written.

    ``quick`` uses fewer widths and seeds (a smoke run; the committed figures use the
    defaults).  ``only`` (names of :data:`FIGURES`) restricts the set; an unknown name is an
    error, raised before anything is drawn.
    """
    names = list(FIGURES) if only is None else list(only)
    unknown = [n for n in names if n not in FIGURES]
    if unknown or not names:
        raise ValueError(f"unknown figure {', '.join(map(repr, unknown)) or '(none given)'}; "
                         f"known figures: {', '.join(FIGURES)}")
    check_output_dir(outdir)
    _pyplot()
    os.makedirs(outdir, exist_ok=True)
    written = []
    for name in names:
        fname, fn, quick_kw = FIGURES[name]
        path = os.path.join(outdir, fname)
        print(f"[figures] {path}", file=sys.stderr)
        fn(path, progress=lambda d, lab: sys.stderr.write(f"\r  {lab}      "),
           **(quick_kw if quick else {}))
        sys.stderr.write("\n")
        written.append(path)
    return written
