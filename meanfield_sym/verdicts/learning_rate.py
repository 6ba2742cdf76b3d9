r"""The critical learning rate of a dataset against gradient descent: *Universal statistics*
Fig. 2 on Gaussian inputs and on the scikit-learn digits.

*Universal statistics* Sec. 4.2 (Lemma 6, Theorem 7, Fig. 2) trains networks by gradient
descent over a grid of widths M and learning rates η and finds that the runs explode above
:math:`\eta_c = 2(1 + \mu)/\lambda_{max}`, with :math:`\lambda_{max}` from the Gaussian-input
theory (Theorem 4).  Here the same grid is run on three problems, with two predictions of
:math:`\eta_c` drawn on each:

* **Gaussian inputs, teacher targets** -- N inputs :math:`x \sim N(0, I_d)`, targets from a
  random teacher network θ* ([US] Eq. (8); one output), the student starting at θ* + 10⁻³ξ
  (Theorem 7's global minimum, :func:`meanfield_sym.verdicts.training.gradient_descent`);
* **digits, teacher targets** -- the same on N scikit-learn digits (8 × 8 images, d = 64), each
  normalised to zero mean and unit variance as the paper normalises MNIST
  (:func:`meanfield_sym.meanfield.data.standardize_rows`);
* **digits, one-hot targets** -- regression on the one-hot labels (C = 10) from a random
  initialisation (the paper's MNIST experiment, with full-batch gradient descent instead of
  mini-batch SGD).

The two predictions: the **Gaussian-input theory**
(:func:`~meanfield_sym.meanfield.network.network_statistics` with :math:`\hat q_1^0 = 1`,
:math:`\hat q_2^0 = 0`, the order parameters of the paper's red line for Gaussian inputs) and
the **data kernel** (:func:`~meanfield_sym.meanfield.data.data_statistics` on the
inputs themselves: the per-pair order parameters of :mod:`meanfield_sym.meanfield.gram`).  Both
use the same network: widths (d, M, …, M), :math:`\alpha_0 = d/M`.

For each problem and width the boundary is measured twice: on the grid (the smallest η whose
run diverged, i.e. the loss exceeded ``blowup`` × its initial value or stopped being finite),
and by bisection in log η between a converging and a diverging rate (``bisection`` halvings),
for ``networks`` independent networks (teachers, or initialisations) whose boundaries are
averaged geometrically (a finite network's λ_max scatters around the wide-network value by a
few per cent at these widths).
For the one-hot problem, which does not start at a minimum, the *onset* is measured as well: the
smallest η at which the loss increases from one step to the next (by more than a relative
10⁻⁹).  On a quadratic loss, gradient descent with every direction stable (η λ_i < 2) lowers
the loss at every step, so the first increase marks Lemma 6's instability of the top Fisher
direction; far from a minimum the run may still converge after the rise, as the curvature
falls, and explode only at a larger η.  Near a boundary the divergence needs many steps to
show: with ``steps`` = 100 and ``blowup`` = 10⁴ a rate a few per cent above the boundary can
still pass, so the measured boundaries lie a few per cent above the true ones.  The relative
error of a prediction is prediction/boundary − 1.

scikit-learn is the optional ``data`` extra; without it :func:`load_digits_inputs` refuses in
one line.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

import numpy as np

from meanfield_sym import checks
from meanfield_sym.verdicts.sweeps import data_widths, seed_for
from meanfield_sym.verdicts.training import perturbed, train
from meanfield_sym.witnesses import finite_width as E

__all__ = ["PROBLEMS", "LearningRateSettings", "MissingExtra", "bisect_boundary",
           "critical_rates", "learning_rate_experiment", "load_digits_inputs"]

#: The problems of the experiment, in the order of the figure's panels.
PROBLEMS = ("gaussian_teacher", "digits_teacher", "digits_onehot")
TITLES = {"gaussian_teacher": "Gaussian inputs, teacher targets",
          "digits_teacher": "digits, teacher targets",
          "digits_onehot": "digits, one-hot targets"}


class MissingExtra(ValueError):
    """An optional dependency (an extra of the package) is not installed."""


def load_digits_inputs(per_class: int | None = None):
    """The scikit-learn digits (1797 images of 8 × 8 pixels, 10 classes), each image
    normalised to zero mean and unit variance ([US] Sec. 4.2).

    Parameters
    ----------
    per_class : int, optional
        Keep the first ``per_class`` images of each class (in the data set's order), so the
        subset is balanced and fixed; all 1797 when omitted.

    Returns
    -------
    x : (N, 64) array
    labels : (N,) int array
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise MissingExtra("the digits need scikit-learn, the optional data extra: pip install "
                           "'meanfield_sym[data]' (or pip install scikit-learn)") from None
    from meanfield_sym.meanfield.data import standardize_rows
    data = load_digits()
    x, y = np.asarray(data.data, dtype=float), np.asarray(data.target, dtype=int)
    if per_class is not None:
        k = checks.positive_int(per_class, "per_class")
        idx = np.concatenate([np.flatnonzero(y == c)[:k] for c in range(10)])
        x, y = x[idx], y[idx]
    return standardize_rows(x), y


@dataclass(frozen=True)
class LearningRateSettings:
    """The networks, the grid and the budget of :func:`learning_rate_experiment`.

    Attributes
    ----------
    activation : str
    sigma_w2, sigma_b2 : float
        The same in every layer (the teacher's and the initialisation's variances).
    depth : int
        L >= 3 (two hidden layers of width M; the input layer has the data's d units).
    widths : tuple of int
        M of the grid's columns.
    etas : tuple of float
        η of the grid's rows.
    per_class : int
        Digits per class (N = 10 · per_class inputs); the Gaussian problem has as many inputs,
        of the digits' dimension d = 64.
    teacher_classes : int
        Outputs C of the teacher problems (the one-hot problem has C = 10).
    steps : int
        Gradient steps of each run.
    momentum : float
        μ of [US] Eq. (19).
    perturbation : float
        ε of the student θ* + εξ in the teacher problems.
    blowup : float
        A run has diverged once its loss exceeds ``blowup`` × the initial loss.
    bisection : int
        Halvings of the log-η bracket for the measured boundary.
    networks : int
        Networks (teachers, or initialisations) per width whose boundaries are averaged; the
        grid is run on the first.
    seed : int
    """

    activation: str = "relu"
    sigma_w2: float = 2.0
    sigma_b2: float = 0.1
    depth: int = 3
    widths: tuple = (50, 100, 200, 400)
    etas: tuple = tuple(float(10 ** (-3 + k / 4)) for k in range(11))
    per_class: int = 10
    steps: int = 100
    momentum: float = 0.0
    perturbation: float = 1e-3
    blowup: float = 1e4
    bisection: int = 6
    networks: int = 3
    seed: int = 2
    teacher_classes: int = 1

    def __post_init__(self):
        checks.variance(self.sigma_w2, "sigma_w2")
        checks.variance(self.sigma_b2, "sigma_b2")
        if checks.positive_int(self.depth, "depth") < 3:
            raise ValueError("depth must be >= 3: with the data's d input units fixed, the "
                             "papers' parameter count αM² needs an M × M layer")
        ws = tuple(checks.positive_int(w, "width") for w in self.widths)
        es = tuple(checks.positive_number(e, "eta") for e in self.etas)
        if not ws or not es:
            raise ValueError("give at least one width and one learning rate")
        object.__setattr__(self, "widths", tuple(sorted(set(ws))))
        object.__setattr__(self, "etas", tuple(sorted(set(es))))
        checks.positive_int(self.per_class, "per_class")
        checks.positive_int(self.teacher_classes, "teacher_classes")
        checks.positive_int(self.steps, "steps")
        checks.positive_int(self.bisection, "bisection")
        checks.positive_int(self.networks, "networks")
        checks.momentum(self.momentum)
        checks.positive_number(self.perturbation, "perturbation")
        if not checks.positive_number(self.blowup, "blowup") > 1:
            raise ValueError(f"blowup must be > 1, got {self.blowup!r}")


# ---------------------------------------------------------------------------------------------
# Predictions
# ---------------------------------------------------------------------------------------------
def critical_rates(x, settings: LearningRateSettings, classes: int = 1) -> dict:
    """η_c of the Gaussian-input theory and of the data kernel of ``x`` (C = ``classes``
    outputs), per width.

    Returns ``{"gaussian": [...], "data": [...], "lambda_max_data": [...],
    "lambda_max_gaussian": [...]}`` over ``settings.widths``."""
    from meanfield_sym.kernels.pair import pair_kernels
    from meanfield_sym.meanfield.data import data_statistics
    from meanfield_sym.meanfield.gram import gram
    from meanfield_sym.meanfield.network import network_statistics
    s = settings
    N, d = x.shape
    g = gram(pair_kernels(s.activation), x, s.sigma_w2, s.sigma_b2, s.depth)
    out = {"gaussian": [], "data": [], "lambda_max_gaussian": [], "lambda_max_data": []}
    for M in s.widths:
        al = data_widths(s.depth, M, d)
        st = data_statistics(replace(g, widths=al), M, classes, s.momentum)
        ref = network_statistics(s.activation, s.sigma_w2, s.sigma_b2, s.depth,
                                 widths=list(al), width=M, samples=N, classes=classes,
                                 momentum=s.momentum)
        out["data"].append(float(st["eta_critical"]))
        out["lambda_max_data"].append(float(st["fim"]["lambda_max"]))
        out["gaussian"].append(float(ref["eta_critical"]))
        out["lambda_max_gaussian"].append(float(ref["fim"]["lambda_max"]))
    return out


# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------
def bisect_boundary(fails: Callable[[float], bool], lo: float, hi: float, halvings: int,
                    expand: int = 6) -> tuple[float, float]:
    """A bracket [η_lo, η_hi] with ``fails(η_hi)`` and not ``fails(η_lo)``, narrowed by
    ``halvings`` bisections in log η (the bracket is first widened by factors of 4, at most
    ``expand`` times each way, until it brackets the boundary)."""
    for _ in range(expand):
        if not fails(lo):
            break
        lo /= 4
    else:
        raise ValueError(f"every learning rate down to {lo:.3g} fails")
    for _ in range(expand):
        if fails(hi):
            break
        hi *= 4
    else:
        raise ValueError(f"no learning rate up to {hi:.3g} fails")
    for _ in range(halvings):
        mid = math.sqrt(lo * hi)
        if fails(mid):
            hi = mid
        else:
            lo = mid
    return lo, hi


def _classes(name, s: LearningRateSettings) -> int:
    return 10 if name == "digits_onehot" else s.teacher_classes


def _problem(name, s: LearningRateSettings, x_digits, labels, M, network: int = 0):
    """(inputs, starting network, targets) of one problem at width M (network index
    ``network``: its own teacher or initialisation)."""
    N, d = x_digits.shape
    widths = [d] + [M] * (s.depth - 1)
    index = PROBLEMS.index(name) + 100 * network
    net = E.sample_network(s.activation, widths, _classes(name, s), s.sigma_w2, s.sigma_b2,
                           seed=seed_for(s.seed, M, index))
    if name == "gaussian_teacher":
        x = E.gaussian_inputs(N, d, seed=seed_for(s.seed, 0, 99))
    else:
        x = x_digits
    if name == "digits_onehot":
        return x, net, np.eye(10)[labels]
    return x, perturbed(net, s.perturbation, seed_for(s.seed, M, 10 + index)), net.forward(x).f


#: A step "raises" the loss when it grows by more than this relative amount (rounding of a
#: loss that has converged stays far below it).
RISE_RTOL = 1e-9


def _rises(run: dict) -> bool:
    """The loss increased from one step to the next (or the run diverged)."""
    losses = run["losses"]
    return bool(run["diverged"] or np.any(losses[1:] > losses[:-1] * (1 + RISE_RTOL)))


def _summary(pred, measured):
    rel = [p / m - 1 for p, m in zip(pred, measured)]
    return {"relative_error": rel, "mean_abs_relative_error": float(np.mean(np.abs(rel)))}


def _combine(brackets) -> dict:
    """Per-network brackets [lo, hi] → their geometric midpoints, the geometric mean over the
    networks (``mid``) and the standard error of its logarithm (``se_log``: the spread over
    the networks, never below half the mean log width of a bracket, the bisection's own
    resolution)."""
    mids = [math.sqrt(lo * hi) for lo, hi in brackets]
    logs = np.log(mids)
    half = float(np.mean([np.log(hi / lo) for lo, hi in brackets]) / 2)
    spread = float(np.std(logs, ddof=1) / math.sqrt(len(mids))) if len(mids) > 1 else 0.0
    se = max(spread, half)
    return {"mid": float(np.exp(np.mean(logs))), "se_log": se,
            "per_network": [[float(lo), float(hi)] for lo, hi in brackets]}


def learning_rate_experiment(settings: LearningRateSettings | None = None, progress=None,
                             digits=None) -> dict:
    """Run the grid and the bisections of the three problems (module docstring).

    Parameters
    ----------
    settings : LearningRateSettings
    progress : callable, optional
        ``progress(done, label)`` after each run.
    digits : (x, labels), optional
        The digits subset to use (default :func:`load_digits_inputs` with
        ``settings.per_class``).

    Returns
    -------
    dict
        ``settings``, ``seconds`` and per problem: ``widths``, ``etas``, ``final_loss`` and
        ``initial_loss`` (widths × etas, the first network of each width; null after a
        divergence), ``diverged`` and ``rose`` (booleans), ``eta_c`` (``gaussian`` and
        ``data`` per width), ``boundary`` (per width: ``mid``, the geometric mean over
        ``settings.networks`` networks of the bisected boundary, ``se_log`` and the
        per-network brackets), ``grid_boundary`` (smallest diverging η of the grid, null if
        none), the relative errors of both predictions against ``mid``
        (``gaussian_vs_boundary``, ``data_vs_boundary``) and against the grid
        (``…_vs_grid``), and for the one-hot problem ``onset`` likewise; ``verdict`` says
        which prediction has the smaller mean |relative error| per problem.
    """
    s = settings or LearningRateSettings()
    t0 = time.perf_counter()
    x_digits, labels = digits if digits is not None else load_digits_inputs(s.per_class)
    x_digits = np.asarray(x_digits, dtype=float)
    done = 0
    out = {"settings": asdict(s), "problems": {}}
    for name in PROBLEMS:
        rates = None
        res = {"title": TITLES[name], "classes": _classes(name, s), "widths": list(s.widths),
               "etas": list(s.etas), "final_loss": [], "initial_loss": [], "diverged": [],
               "rose": [], "grid_boundary": []}
        found = {"boundary": []} | ({"onset": []} if name == "digits_onehot" else {})
        for k, M in enumerate(s.widths):
            per = {key: [] for key in found}
            for net in range(s.networks):
                x, start, y = _problem(name, s, x_digits, labels, M, net)
                if rates is None:
                    rates = critical_rates(x, s, _classes(name, s))
                    res["eta_c"] = {"gaussian": rates["gaussian"], "data": rates["data"]}
                    res["lambda_max"] = {"gaussian": rates["lambda_max_gaussian"],
                                         "data": rates["lambda_max_data"]}
                    off = ~np.eye(x.shape[0], dtype=bool)
                    res["inputs"] = {"N": int(x.shape[0]), "d": int(x.shape[1]),
                                     "mean_overlap": float(np.mean((x @ x.T / x.shape[1])[off]))}
                cache: dict = {}

                def run(eta, x=x, start=start, y=y, cache=cache):
                    if eta not in cache:
                        cache[eta] = train(start, x, y, eta=eta, momentum=s.momentum,
                                           steps=s.steps, blowup=s.blowup)
                    return cache[eta]
                if net == 0:
                    row_f, row_i, row_d, row_r = [], [], [], []
                    for eta in s.etas:
                        r = run(eta)
                        row_f.append(None if r["diverged"] else float(r["losses"][-1]))
                        row_i.append(float(r["losses"][0]))
                        row_d.append(bool(r["diverged"]))
                        row_r.append(_rises(r))
                        done += 1
                        if progress:
                            progress(done, f"{name} M={M} eta={eta:.3g}")
                    res["final_loss"].append(row_f)
                    res["initial_loss"].append(row_i)
                    res["diverged"].append(row_d)
                    res["rose"].append(row_r)
                    div = [e for e, dv in zip(s.etas, row_d) if dv]
                    res["grid_boundary"].append(min(div) if div else None)
                guess = rates["data"][k]
                per["boundary"].append(bisect_boundary(
                    lambda e: run(e)["diverged"], guess / 4,
                    max(4 * guess, 4 * rates["gaussian"][k]), s.bisection))
                if "onset" in per:
                    per["onset"].append(bisect_boundary(lambda e: _rises(run(e)), guess / 4,
                                                        4 * guess, s.bisection))
                done += 1
                if progress:
                    progress(done, f"{name} M={M} network {net + 1}/{s.networks}")
            for key in found:
                found[key].append(_combine(per[key]))
        for key, vals in found.items():
            res[key] = {"mid": [v["mid"] for v in vals], "se_log": [v["se_log"] for v in vals],
                        "per_network": [v["per_network"] for v in vals]}
            for which in ("gaussian", "data"):
                res[f"{which}_vs_{key}"] = _summary(res["eta_c"][which], res[key]["mid"])
        grid = [g if g is not None else math.nan for g in res["grid_boundary"]]
        for which in ("gaussian", "data"):
            res[f"{which}_vs_grid"] = _summary(res["eta_c"][which], grid)
        out["problems"][name] = res
    out["verdict"] = {}
    for name, res in out["problems"].items():
        key = "onset" if name == "digits_onehot" else "boundary"
        g = res[f"gaussian_vs_{key}"]["mean_abs_relative_error"]
        dk = res[f"data_vs_{key}"]["mean_abs_relative_error"]
        out["verdict"][name] = {"against": key, "gaussian": g, "data": dk,
                                "better": "data" if dk < g else "gaussian"}
    out["seconds"] = time.perf_counter() - t0
    return out
