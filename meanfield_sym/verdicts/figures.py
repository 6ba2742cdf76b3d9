"""Plots of width sweeps and the documentation figures (matplotlib is an optional extra).

* :func:`plot_sweep` draws one :class:`~meanfield_sym.verdicts.sweeps.SweepResult`: theory
  lines against experiment points (± standard error over seeds), one panel per statistic
  (``meanfield-sym experiment --plot``);
* :func:`make_figures` regenerates the figures of ``docs/figures`` (``meanfield-sym figures``):
  the settings of the papers' figures reproduced by the finite-width witness, and
  [US] Fig. 2 on the digits (:func:`figure_learning_rate`, with its numbers as JSON beside
  the image).

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
           "ngd_condition_numbers", "make_figures", "figure_learning_rate", "plot_learning_rate",
           "digits_stats"]

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
    data = "" if s.inputs is None else f", inputs {s.inputs_label} (d = {s.features})"
    fig.suptitle(f"{kind}: {s.activation}, σ_w²={s.sigma_w2:g}, σ_b²={s.sigma_b2:g}, "
                 f"L={s.depth}, N={s.samples}, C={s.classes}{data} (points: experiment ± "
                 "s.e.; lines: theory)", fontsize=9)
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


#: The network of the digits' ``stats --inputs`` run stored beside the learning-rate figure.
DIGITS_STATS_ARGS = ("--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0.1",
                     "--depth", "3", "--width", "1000", "--classes", "10")


def digits_stats(folder) -> dict:
    """``meanfield-sym stats --inputs digits.npy`` on all 1797 standardised digits (the
    network of :data:`DIGITS_STATS_ARGS`): the JSON payload with the command line, and the
    payload of the Gaussian-input ``stats`` for the same N and widths."""
    import json
    import subprocess
    import sys

    from meanfield_sym.verdicts.learning_rate import load_digits_inputs
    x, _ = load_digits_inputs()
    path = os.path.join(folder, "digits.npy")
    np.save(path, x)
    def stats(*argv):
        # the command line itself, as a user runs it (python -m meanfield_sym = meanfield-sym)
        proc = subprocess.run([sys.executable, "-m", "meanfield_sym", "stats", *argv,
                               *DIGITS_STATS_ARGS, "--json"], capture_output=True, text=True)
        if proc.returncode != 0:
            raise ValueError(f"meanfield-sym stats {' '.join(argv)} exited with status "
                             f"{proc.returncode}: {proc.stderr.strip()}")
        return json.loads(proc.stdout)
    try:
        payload = stats("--inputs", path)
    finally:
        os.remove(path)
    payload["inputs"] = "digits.npy"
    # the Gaussian-input theory of the same network: N and α_0 = d/M of the digits
    gauss = stats("--samples", str(payload["samples"]),
                  "--widths", ",".join(repr(float(a)) for a in payload["widths"]))
    return {"command": "meanfield-sym stats --inputs digits.npy " + " ".join(DIGITS_STATS_ARGS),
            "payload": payload, "gaussian_payload": gauss}


def _edges(values):
    """Cell edges on a log axis: geometric midpoints, extended by half a step at the ends."""
    v = np.log(np.asarray(values, dtype=float))
    if v.size == 1:
        return np.exp(np.array([v[0] - 0.5, v[0] + 0.5]))
    mid = (v[1:] + v[:-1]) / 2
    return np.exp(np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]]))


def plot_learning_rate(result: dict, path: str) -> None:
    """Draw :func:`meanfield_sym.verdicts.learning_rate.learning_rate_experiment`: one panel per
    problem, the loss after the fixed number of steps over (M, η) (grey: diverged), the two
    predicted η_c lines and the measured boundaries."""
    import matplotlib.colors as mcolors
    import matplotlib.patheffects as pe
    from matplotlib.ticker import NullFormatter
    check_plot_path(path)
    plt = _pyplot()
    from meanfield_sym.verdicts.learning_rate import PROBLEMS
    probs = [(n, result["problems"][n]) for n in PROBLEMS if n in result["problems"]]
    fig, axes = plt.subplots(1, len(probs), figsize=(5.2 * len(probs), 4.4), squeeze=False)
    st = result["settings"]
    for ax, (name, p) in zip(axes[0], probs):
        M = np.array(p["widths"], dtype=float)
        eta = np.array(p["etas"], dtype=float)
        final = np.array([[np.nan if v is None else v for v in row] for row in p["final_loss"]])
        init = np.array(p["initial_loss"], dtype=float)
        onehot = name == "digits_onehot"
        with np.errstate(divide="ignore", invalid="ignore"):
            val = np.log10(final if onehot else final / init)
        cmap = plt.get_cmap("viridis").with_extremes(bad="0.6")
        mesh = ax.pcolormesh(_edges(M), _edges(eta), np.ma.masked_invalid(val).T, cmap=cmap,
                             norm=mcolors.Normalize(np.nanmin(val), np.nanmax(val)),
                             shading="flat")
        fig.colorbar(mesh, ax=ax, label=("log10 loss" if onehot else
                                         "log10 (loss / initial loss)")
                     + f" after {st['steps']} steps")
        mm = np.geomspace(M[0], M[-1], 50)
        for key, style, lab in (("gaussian", "r--", "η_c, Gaussian-input theory"),
                                ("data", "w-", "η_c, data kernel")):
            e = np.array(p["eta_c"][key])
            edge = [pe.Stroke(linewidth=3.2, foreground="k"), pe.Normal()] if key == "data" \
                else None
            ax.plot(mm, np.exp(np.interp(np.log(mm), np.log(M), np.log(e))), style, lw=1.8,
                    label=lab, path_effects=edge)
        marks = [("boundary", "kD", "measured divergence boundary")]
        if onehot:
            marks.append(("onset", "w^", "measured onset (first loss increase)"))
        for key, fmt, lab in marks:
            mid, se = np.array(p[key]["mid"]), np.array(p[key]["se_log"])
            ax.errorbar(M, mid, yerr=[mid * (1 - np.exp(-se)), mid * (np.exp(se) - 1)],
                        fmt=fmt, ms=5, mec="k", capsize=2, label=lab)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(M, [f"{m:g}" for m in M])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("width M")
        ax.set_ylabel("learning rate η")
        ax.set_title(f"{p['title']} (N = {p['inputs']['N']}, d = {p['inputs']['d']})",
                     fontsize=9)
        ax.legend(fontsize=7, loc="lower left")
    fig.suptitle(f"Universal statistics Fig. 2 setting: {st['activation']} "
                 f"(σ_w², σ_b²) = ({st['sigma_w2']:g}, {st['sigma_b2']:g}), L = {st['depth']}, "
                 f"full-batch gradient descent, μ = {st['momentum']:g}; grey: diverged",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def figure_learning_rate(path, widths=(50, 100, 200, 400), per_class=10, steps=100,
                         bisection=6, etas=None, progress=None):
    """[US] Fig. 2: the loss after a fixed number of gradient steps over (M, η) on Gaussian
    teacher data and on the scikit-learn digits, with η_c from the Gaussian-input theory and
    from the data kernel (:mod:`meanfield_sym.verdicts.learning_rate`).  Writes the PNG and,
    beside it, the numbers as JSON (same name, ``.json``), with the output of
    ``stats --inputs`` on all the digits (:func:`digits_stats`).  Needs scikit-learn."""
    import json

    from meanfield_sym.strict_json import to_jsonable
    from meanfield_sym.verdicts.learning_rate import (LearningRateSettings,
                                                      learning_rate_experiment,
                                                      load_digits_inputs)
    load_digits_inputs(1)   # a missing scikit-learn is reported before any work
    kw = dict(widths=tuple(widths), per_class=per_class, steps=steps, bisection=bisection)
    if etas is not None:
        kw["etas"] = tuple(etas)
    result = learning_rate_experiment(LearningRateSettings(**kw), progress)
    result["stats_digits"] = digits_stats(os.path.dirname(os.path.abspath(path)))
    plot_learning_rate(result, path)
    with open(os.path.splitext(path)[0] + ".json", "w") as fh:
        json.dump(to_jsonable(result), fh, indent=1)
        fh.write("\n")
    return result


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
    "learning_rate": ("universal_fig2_learning_rate.png", figure_learning_rate,
                      dict(widths=(40, 80), per_class=3, steps=40, bisection=3,
                           etas=(0.003, 0.01, 0.03, 0.1))),
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
    from meanfield_sym.verdicts.learning_rate import MissingExtra, load_digits_inputs
    if "learning_rate" in names:
        try:
            load_digits_inputs(1)
        except MissingExtra as exc:
            if only is not None:   # asked for by name: the missing extra is the error
                raise
            print(f"[figures] skipping learning_rate: {exc}", file=sys.stderr)
            names.remove("learning_rate")
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
