"""Width sweeps: mean-field theory against finite random networks, and the verdict rule.

This module joins the two sides the project keeps apart:

* the **theory** (:mod:`meanfield_sym.meanfield`: m_λ, s_λ, λ_max of the Fisher information,
  its NTK and softmax variants, in the limit M → ∞), and
* the **finite-width witness** (:mod:`meanfield_sym.witnesses.finite_width`: exact spectra of sampled
  networks),

by sampling ``K`` networks at each of several widths M and comparing.  The comparison is
turned into a finite-width witness by :func:`agreement` / :func:`mc_witness`, used by the Monte Carlo derivation
scripts ``derivations/mc_*.py`` (``meanfield-sym verify --slow``).

The verdict rule
----------------
For one quantity, each sampled network s at width M gives the ratio
``r_s(M) = experiment_s / theory_s(M)``.  With ``r̄(M)`` the mean over seeds and ``se(M)``
its standard error (sample standard deviation / √K), the theories predict
``E[r(M)] = 1 + c/M + o(1/M)`` (the finite-width corrections of the order parameters and of
the parameter count are O(1/M); spectral edges driven by O(M^{-1/2}) fluctuations, such as
the Marchenko–Pastur edge of a Gram matrix of random inputs, converge like M^{-1/2}), so a
weighted least-squares fit ``r̄(M) = a + c·M^{-p}`` over the widths (p = 1, else p = 1/2)
gives the extrapolated ratio ``a`` and its standard error ``se(a)`` (inflated by √(χ²/dof)
when the fit is worse than the measured noise).  The theory **agrees** when

    |a − 1| ≤ Z_CRIT · se(a)

and the deviation does not grow with M (no bare percentage: the tolerance is the measured
standard error, propagated through the finite-M extrapolation).  The slope of log|r̄(M) − 1|
against log M is reported too: theory expects −1 (O(1/M) bias) to −1/2 (O(M^{-1/2}) noise);
it "shrinks" when below −1/4 with a 2σ margin, and when every deviation lies within
``Z_CRIT`` standard errors it is "at the noise floor", where a slope carries no information.

Both the *printed* and the *corrected* form of a formula are tested this way; the result is a
finite-width witness (:func:`mc_witness`) handed to the one judge
(:func:`meanfield_sym.verdicts.judge.judge`).

Gradient descent on the teacher-student problem lives in :mod:`meanfield_sym.verdicts.training`,
the plots and the documentation figures in :mod:`meanfield_sym.verdicts.figures`.

Examples
--------
>>> s = SweepSettings(activation="relu", sigma_w2=2.0, sigma_b2=0.1, depth=3,
...                   widths=(30, 60), samples=4, classes=1, seeds=2)
>>> res = width_sweep(s)
>>> sorted({r["quantity"] for r in res.rows}) == sorted(QUANTITIES)
True
>>> all(abs(r["ratio"] - r["experiment"] / r["theory"]) < 1e-12 for r in res.rows)
True
"""
from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass, field, fields, replace
from typing import Callable, Mapping, Sequence

import numpy as np

from meanfield_sym import checks

from meanfield_sym.witnesses import finite_width as E
from meanfield_sym import meanfield as S
from meanfield_sym.activation.function import get_activation

__all__ = [
    "QUANTITIES", "Z_CRIT", "SE_FLOOR_REL", "SweepSettings", "SweepResult", "seed_for",
    "width_sweep", "theory_for", "measure", "Agreement", "agreement", "mc_witness", "CORRECTION_POWER", "format_rows",
    "progress_bar", "memory_bytes", "data_widths",
]

#: the statistics of a sweep row
QUANTITIES = ("mean", "second_moment", "lambda_max")

#: Agreement threshold in standard errors: the slow verify set runs ~100 such tests, and 4σ
#: keeps Gaussian false alarms below 1e-4 each (the style guide's |est − theory| < 4·stderr).
Z_CRIT = 4.0

#: Standard errors are floored at this fraction of |r̄|: quantities exact at finite width
#: (NGD constants) have zero spread, and float64 eigensolvers of n ≤ 2000 matrices leave
#: relative errors ≲ n·eps ≈ 5e-13, far below this floor.
SE_FLOOR_REL = 1e-9

#: The relative error "shrinks" when the fitted log-log slope is below this with 2σ margin:
#: the theory predicts −1 (O(1/M) bias) to −1/2 (O(M^{-1/2}) noise); −1/4 is half the slowest.
SHRINK_SLOPE = -0.25

#: |r̄ − 1| below this is treated as exactly zero when the log-log slope is fitted.
_LOG_FLOOR = 1e-15


# ---------------------------------------------------------------------------------------------
# Settings and seeds
# ---------------------------------------------------------------------------------------------
def seed_for(base: int, width: int, index: int) -> np.random.SeedSequence:
    """The seed of network ``index`` at width ``width``: ``SeedSequence([base, width, index])``.

    Independent of the other widths and of how many seeds are drawn, so a sweep extended by
    more widths or seeds reproduces the networks it already had.
    """
    return np.random.SeedSequence([int(base), int(width), int(index)])




@dataclass(frozen=True)
class SweepSettings:
    """One width sweep: a network family and the sizes to sample.

    Attributes
    ----------
    activation : str
        Built-in name or expression in x (hidden layers; the output is linear).
    params : dict
        Parameters of a built-in activation (values as text or numbers).
    sigma_w2, sigma_b2 : float
        Weight and bias variances, the same in every layer.
    depth : int
        L >= 2 (the statistics need a hidden layer).
    widths : tuple of int
        The widths M (all layers 0..L−1 of width M, α_l = 1).
    samples : int
        N, Gaussian inputs x ~ N(0, I_M); with ``inputs``, their number of rows.
    classes : int
        C outputs.
    seeds : int or dict
        Networks per width: one number, or {width: count}.
    softmax : bool
        Cross-entropy Fisher F_cross ([PS] Theorem 3.3) instead of the linear-output F.
    parameterization : {'standard', 'ntk'}
        'standard': the FIM F ([US] Theorems 1, 3, 4; [PS] Theorem 3.1); 'ntk': the NTK Θ
        under the NTK parameterisation ([PS] Sec. 4.1), statistics over its CN eigenvalues.
    seed : int
        Base of :func:`seed_for`.
    inputs : (N, d) array, optional
        Fixed inputs (one per row, any norms) instead of Gaussian ones: every network has the
        data's d input units and widths (d, M, …, M), and the theory is the data kernel of
        :func:`meanfield_sym.meanfield.data.data_statistics` with α_0 = d/M (the per-pair
        order parameters of :mod:`meanfield_sym.meanfield.gram`).  Needs depth >= 3 for the
        FIM: with d fixed, depth 2 has no M × M layer, and the O(M) biases and output weights
        are then not negligible against the theory's αM² parameters.
    inputs_label : str
        Where the inputs came from (a file name), for the JSON settings.
    """

    activation: str
    sigma_w2: float
    sigma_b2: float
    depth: int
    widths: tuple
    samples: int
    classes: int = 1
    seeds: object = 4
    softmax: bool = False
    parameterization: str = "standard"
    seed: int = 0
    params: dict = field(default_factory=dict)
    inputs: object = field(default=None, repr=False, compare=False)
    inputs_label: str = ""

    def __post_init__(self):
        checks.variance(self.sigma_w2, "sigma_w2")
        checks.variance(self.sigma_b2, "sigma_b2")
        if checks.positive_int(self.depth, "depth") < 2:
            raise ValueError("depth must be >= 2: the Fisher statistics need a hidden layer")
        ws = tuple(self.widths) if not isinstance(self.widths, (str, bytes)) else ()
        if not ws:
            raise ValueError(f"widths must be a non-empty list of positive integers, got "
                             f"{self.widths!r}")
        ws = tuple(checks.positive_int(w, "width") for w in ws)
        if len(set(ws)) != len(ws):
            raise ValueError(f"widths must be distinct, got {list(ws)}")
        object.__setattr__(self, "widths", ws)
        checks.positive_int(self.samples, "samples N")
        checks.positive_int(self.classes, "classes C")
        for w in ws:
            self.seeds_at(w)
        if self.parameterization not in E.PARAMETERIZATIONS:
            raise ValueError(f"parameterization must be one of {E.PARAMETERIZATIONS}, got "
                             f"{self.parameterization!r}")
        if self.softmax and self.parameterization != "standard":
            raise ValueError("the softmax (cross-entropy) Fisher statistics of Theorem 3.3 are "
                             "stated for the standard parameterization only")
        if self.softmax and self.classes < 2:
            raise ValueError("the softmax Fisher needs at least 2 classes (C = 1 gives a "
                             "constant softmax and F_cross = 0)")
        if isinstance(self.seed, (bool, np.bool_)) or not isinstance(self.seed, numbers.Integral) \
                or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        get_activation(self.activation, **dict(self.params))  # fail fast on a bad name
        if self.inputs is not None:
            self._check_inputs()

    def _check_inputs(self):
        from meanfield_sym.meanfield.gram import check_inputs
        x = check_inputs(self.inputs, self.inputs_label or "inputs")
        x.setflags(write=False)
        object.__setattr__(self, "inputs", x)
        if self.samples != x.shape[0]:
            raise ValueError(f"samples N = {self.samples} disagrees with the {x.shape[0]} rows "
                             "of the inputs (N is the number of inputs)")
        if self.softmax:
            raise ValueError("the softmax (cross-entropy) Fisher statistics of Theorem 3.3 "
                             "need the equal-norm κ₁, κ₂ of Gaussian inputs; they are not "
                             "available for given inputs")
        if self.depth < 3 and self.parameterization == "standard":
            raise ValueError("given inputs need depth >= 3 for the Fisher statistics: with the "
                             f"data's d = {x.shape[1]} input units fixed, depth 2 has no M × M "
                             "layer and its O(M) biases and output weights are not negligible "
                             "against the theory's αM² parameters")

    @property
    def features(self) -> int | None:
        """d, the input width of the given inputs (None for Gaussian inputs)."""
        return None if self.inputs is None else int(self.inputs.shape[1])

    def seeds_at(self, width: int) -> int:
        """How many networks are sampled at ``width``."""
        if isinstance(self.seeds, Mapping):
            if width not in self.seeds:
                raise ValueError(f"seeds: no count given for width {width}")
            return checks.positive_int(self.seeds[width], f"seeds at width {width}")
        return checks.positive_int(self.seeds, "seeds")

    def to_json(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "inputs"}
        d = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in d.items()}
        d["widths"] = list(self.widths)
        d["params"] = {k: str(v) for k, v in dict(self.params).items()}
        if isinstance(self.seeds, Mapping):
            d["seeds"] = {str(k): int(v) for k, v in self.seeds.items()}
        d["theory"] = ("Pathological spectra Thm 3.3 (softmax Fisher; lambda_max: lower "
                       "bound, theory_upper the upper bound)" if self.softmax else
                       "Pathological spectra Sec. 4.1 (NTK, eigenvalues over CN)"
                       if self.parameterization == "ntk" else
                       "Universal statistics Thms 1, 3, 4 / Pathological spectra Thm 3.1 (FIM)")
        if self.inputs is not None:
            d["inputs"] = self.inputs_label or "array"
            d["features"] = self.features
            d["theory"] = ("data kernel (meanfield_sym.meanfield.data: per-pair order "
                           "parameters of the given inputs, alpha_0 = d/M): "
                           + ("NTK Theta" if self.parameterization == "ntk" else "FIM"))
        return d


# ---------------------------------------------------------------------------------------------
# Theory and measurement at one width
# ---------------------------------------------------------------------------------------------
_THEORY_CACHE: dict = {}


def _network_theory(settings: SweepSettings, width: int) -> dict:
    key = (settings.activation, tuple(sorted((k, str(v)) for k, v in
                                             dict(settings.params).items())),
           settings.sigma_w2, settings.sigma_b2, settings.depth, width, settings.samples,
           settings.classes)
    if key not in _THEORY_CACHE:
        act = get_activation(settings.activation, **dict(settings.params))
        _THEORY_CACHE[key] = S.network_statistics(
            act, settings.sigma_w2, settings.sigma_b2, settings.depth, width=width,
            samples=settings.samples, classes=settings.classes)
    return _THEORY_CACHE[key]


def _inputs_digest(x: np.ndarray) -> str:
    import hashlib
    return hashlib.sha256(np.ascontiguousarray(x, dtype=float).tobytes()).hexdigest() + \
        str(x.shape)


def data_widths(depth: int, width: int, features: int) -> np.ndarray:
    """α_0..α_{L−1} = (d/M, 1, …, 1): the networks on given inputs have d input units."""
    return np.array([features / width] + [1.0] * (depth - 1))


def _data_theory(settings: SweepSettings, width: int) -> dict:
    """:func:`meanfield_sym.meanfield.data.data_statistics` of the given inputs at width M
    (the Gram matrices do not depend on M and are computed once)."""
    from meanfield_sym.kernels.pair import pair_kernels
    from meanfield_sym.meanfield.data import data_statistics
    from meanfield_sym.meanfield.gram import gram
    s = settings
    base = (s.activation, tuple(sorted((k, str(v)) for k, v in dict(s.params).items())),
            s.sigma_w2, s.sigma_b2, s.depth, _inputs_digest(s.inputs))
    if ("gram",) + base not in _THEORY_CACHE:
        pk = pair_kernels(s.activation, **dict(s.params))
        _THEORY_CACHE[("gram",) + base] = gram(pk, s.inputs, s.sigma_w2, s.sigma_b2, s.depth)
    key = ("data",) + base + (width, s.classes)
    if key not in _THEORY_CACHE:
        g = replace(_THEORY_CACHE[("gram",) + base],
                    widths=data_widths(s.depth, width, s.features))
        _THEORY_CACHE[key] = data_statistics(g, width, s.classes)
    return _THEORY_CACHE[key]


def theory_for(settings: SweepSettings, width: int, witness: E.Witness | None = None) -> dict:
    """Mean-field values ``{quantity: value}`` at width M (plus ``lambda_max_upper`` for the
    softmax Fisher, whose λ_max the theory only brackets).

    Standard: :func:`statistics.fim_statistics`; NTK: :func:`statistics.ntk_statistics`;
    softmax: :func:`statistics.softmax_fim_statistics` with β₁–β₄ from the sampled network's
    own softmax outputs (so ``witness`` is required).  Given inputs: the data kernel
    (:func:`meanfield_sym.meanfield.data.data_statistics`), FIM or NTK.
    """
    if settings.inputs is not None:
        st = _data_theory(settings, width)
        src = st["ntk"] if settings.parameterization == "ntk" else st["fim"]
        return {q: float(src[q]) for q in QUANTITIES}
    st = _network_theory(settings, width)
    if settings.softmax:
        if witness is None:
            raise ValueError("the softmax theory needs the network's outputs (witness)")
        fc = S.softmax_fim_statistics(S.softmax_betas(witness.softmax_probs()), st["kappa1"],
                                      st["kappa2"], st["alpha"], width)
        return {"mean": float(fc["mean"]), "second_moment": float(fc["second_moment"]),
                "lambda_max": float(fc["lambda_max_lower"]),
                "lambda_max_upper": float(fc["lambda_max_upper"])}
    src = st["ntk"] if settings.parameterization == "ntk" else st["fim"]
    return {q: float(src[q]) for q in QUANTITIES}


def measure(witness: E.Witness, settings: SweepSettings) -> dict:
    """Exact m_λ, s_λ, λ_max of the sampled network's F, Θ or F_cross."""
    if settings.softmax:
        s = witness.softmax_stats(top=1)
    elif settings.parameterization == "ntk":
        s = witness.ntk_stats()
    else:
        s = witness.fisher_stats()
    return {"mean": s.mean, "second_moment": s.second_moment, "lambda_max": s.lambda_max}


def _simulate(settings: SweepSettings, width: int, index: int) -> E.Witness:
    if settings.inputs is not None:
        net = E.sample_network(settings.activation,
                               [settings.features] + [width] * (settings.depth - 1),
                               settings.classes, settings.sigma_w2, settings.sigma_b2,
                               parameterization=settings.parameterization,
                               seed=seed_for(settings.seed, width, index),
                               **dict(settings.params))
        return E.Witness(net, settings.inputs)
    return E.simulate(settings.activation, depth=settings.depth, width=width,
                      samples=settings.samples, classes=settings.classes,
                      sigma_w2=settings.sigma_w2, sigma_b2=settings.sigma_b2,
                      parameterization=settings.parameterization,
                      seed=seed_for(settings.seed, width, index), **dict(settings.params))


#: Bytes of one float64.
_FLOAT = 8
#: Square CN × CN temporaries alive at once while the dual of one network is reduced to its
#: statistics (the layer kernel and its reshaped product, their sum, the symmetrised copy and
#: the eigensolver's workspace; Q^{1/2} and the products Q^{1/2} F* Q^{1/2} for the softmax
#: Fisher).
_DUAL_TEMPORARIES = 6


def memory_bytes(depth: int, width: int, samples: int, classes: int,
                 input_width: int | None = None) -> int:
    """Peak memory of one sampled network and its witness (bytes), as
    :func:`meanfield_sym.witnesses.finite_width.simulate` and :func:`measure` allocate it.

    Counted in float64 numbers, with M the width (layers 1..L−1; also the input layer unless
    ``input_width`` M_0 is given), N the samples, C the classes:

    * the weights Σ_l M_l M_{l−1} = (L − 2)M² + M_0 M + CM and biases, plus the
      standard-normal draw of one layer (M²) before it is scaled;
    * the inputs and forward signals h^l, φ'(u^l): N M_0 + (2L − 2)NM, and one
      pre-activation NM;
    * the backward signals δ^l and ∇_{h^{l−1}} f of one layer: 2CNM;
    * the Gram matrices: L N² (h), 2L (CN)² (δ and ∇_h f);
    * the square temporaries of the statistics: ``_DUAL_TEMPORARIES`` (CN)².

    Nothing P-dimensional is formed (no P × CN Jacobian): the witness works in the CN-dual.

    >>> memory_bytes(3, 100_000, 100, 1) > 2 * 100_000 ** 2 * 8
    True
    """
    L, M, N, C = int(depth), int(width), int(samples), int(classes)
    M0 = M if input_width is None else int(input_width)
    cn = C * N
    floats = ((L - 2) * M * M + M0 * M + C * M + (L - 1) * M + C + max(M, M0) * M
              + N * M0 + (2 * L - 1) * N * M + 2 * cn * max(M, M0)
              + L * N * N + 2 * L * cn * cn + _DUAL_TEMPORARIES * cn * cn)
    return _FLOAT * floats


# ---------------------------------------------------------------------------------------------
# The sweep
# ---------------------------------------------------------------------------------------------
def progress_bar(total: int, stream=None, width: int = 30) -> Callable[[int, str], None]:
    """A text progress bar on ``stream`` (stderr): call ``bar(done, label)``."""
    stream = sys.stderr if stream is None else stream

    def update(done: int, label: str = "") -> None:
        filled = int(round(width * done / max(total, 1)))
        end = "\n" if done >= total else ""
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label}"
                     f"{' ' * 8}{end}")
        stream.flush()
    return update


@dataclass
class SweepResult:
    """Rows of theory against experiment, and the per-network values behind them.

    ``raw[width][quantity]`` holds ``(experiment, theory)`` arrays over the seeds.
    """

    settings: SweepSettings
    rows: list
    raw: dict

    def to_json(self) -> dict:
        """``{"settings": {...}, "rows": [...]}``."""
        return {"settings": self.settings.to_json(), "rows": self.rows}

    def ratios(self, quantity: str) -> dict:
        """``{width: per-seed experiment/theory}`` for :func:`agreement`."""
        return {w: self.raw[w][quantity][0] / self.raw[w][quantity][1] for w in self.raw}


def width_sweep(settings: SweepSettings, progress: Callable[[int, str], None] | None = None
                ) -> SweepResult:
    """Sample ``settings.seeds_at(M)`` networks at each width and tabulate theory vs
    experiment.

    Each row: ``width``, ``quantity``, ``experiment`` (mean over seeds), ``stderr`` (sample
    standard deviation over seeds / √K; 0 for K = 1), ``theory`` (mean over seeds of the
    per-network theory: constant except for the softmax Fisher), ``ratio`` =
    experiment/theory, ``seeds`` (K), and ``theory_upper`` for the softmax λ_max.
    """
    done = 0
    rows, raw = [], {}
    for width in settings.widths:
        k = settings.seeds_at(width)
        exp = {q: np.empty(k) for q in QUANTITIES}
        th = {q: np.empty(k) for q in QUANTITIES}
        upper = np.full(k, np.nan)
        for i in range(k):
            w = _simulate(settings, width, i)
            m = measure(w, settings)
            t = theory_for(settings, width, w)
            for q in QUANTITIES:
                exp[q][i], th[q][i] = m[q], t[q]
            upper[i] = t.get("lambda_max_upper", np.nan)
            del w  # one network alive at a time (see memory_bytes)
            done += 1
            if progress:
                progress(done, f"M={width} seed {i + 1}/{k}")
        raw[width] = {q: (exp[q], th[q]) for q in QUANTITIES}
        for q in QUANTITIES:
            e = float(np.mean(exp[q]))
            se = float(np.std(exp[q], ddof=1) / math.sqrt(k)) if k > 1 else 0.0
            t = float(np.mean(th[q]))
            row = {"width": width, "quantity": q, "experiment": e, "stderr": se, "theory": t,
                   "ratio": e / t if t != 0 else None, "seeds": k}
            if q == "lambda_max" and settings.softmax:
                row["theory_upper"] = float(np.mean(upper))
            rows.append(row)
    return SweepResult(settings, rows, raw)


def format_rows(rows) -> str:
    """A plain-text table of sweep rows."""
    head = ("width", "quantity", "experiment", "± stderr", "theory", "ratio")
    lines = [head]
    for r in rows:
        th = f"{r['theory']:.6g}"
        if "theory_upper" in r:
            th = f"[{th}, {r['theory_upper']:.6g}]"
        lines.append((str(r["width"]), r["quantity"], f"{r['experiment']:.6g}",
                      f"{r['stderr']:.2g}", th,
                      "—" if r["ratio"] is None else f"{r['ratio']:.4f}"))
    widths = [max(len(l[i]) for l in lines) for i in range(len(head))]
    out = ["  ".join(c.rjust(w) for c, w in zip(l, widths)) for l in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# The verdict rule
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Agreement:
    """How per-network ratios experiment/theory approach 1 as the width grows.

    Attributes
    ----------
    widths, ratio, stderr, seeds : tuples over the widths
        r̄(M), se(M) (floored at SE_FLOOR_REL·|r̄|), K(M).
    intercept, intercept_se : float
        a and se(a) of the weighted fit r̄(M) = a + c·M^(−power) (a = r̄ with one width).
    correction : float
        c, the fitted finite-width coefficient.
    power : float
        The correction exponent of the reported fit (1 or 1/2).
    z : float
        (a − 1)/se(a).
    chi2_dof : float
        χ²/dof of the fit (nan with fewer than three widths).
    slope, slope_se : float
        Least-squares slope of log|r̄ − 1| against log M and its standard error.
    within_noise : bool
        |r̄(M) − 1| ≤ Z_CRIT·se(M) at every width.
    shrinks : bool
        slope + 2·slope_se < SHRINK_SLOPE (the relative error decreases with M).
    holds : bool
        |z| ≤ Z_CRIT, and the error does not grow significantly with M (slope − 2 se > 0
        outside the noise floor).
    """

    widths: tuple
    ratio: tuple
    stderr: tuple
    seeds: tuple
    intercept: float
    intercept_se: float
    correction: float
    z: float
    chi2_dof: float
    slope: float
    slope_se: float
    within_noise: bool
    shrinks: bool
    holds: bool
    power: float = 1.0

    def summary(self, label: str = "") -> str:
        """One line: per-width ratios ± se, extrapolation, z, slope."""
        per = ", ".join(f"M={w}: {r:.4f}±{s:.2g} (K={k})" for w, r, s, k in
                        zip(self.widths, self.ratio, self.stderr, self.seeds))
        trend = ("at the noise floor at every width" if self.within_noise else
                 f"slope of log|r−1| vs log M = {self.slope:.2f}±{self.slope_se:.2f}"
                 + (" (shrinks)" if self.shrinks else " (does NOT shrink)"))
        fit = "a + c/M" if self.power == 1 else f"a + c·M^-{self.power:g}"
        return (f"{label}ratio experiment/theory {per}; fit {fit}: a = {self.intercept:.4f}"
                f"±{self.intercept_se:.2g} (z = {self.z:.1f}, χ²/dof = {self.chi2_dof:.2f}); "
                f"{trend}; {'AGREES' if self.holds else 'DISAGREES'}")


def _fit(widths, y, s, power):
    """Weighted fit y = a + c·M^(−power); returns a, c, se(a) (χ²-inflated), χ²/dof."""
    x = np.array(widths, dtype=float) ** (-power)
    if len(widths) < 2:
        return float(y[0]), 0.0, float(s[0]), float("nan")
    wts = 1.0 / s ** 2
    A = np.stack([np.ones_like(x), x], axis=1)
    cov = np.linalg.inv(A.T @ (A * wts[:, None]))
    a, c = cov @ (A.T @ (wts * y))
    dof = len(widths) - 2
    chi2 = float(np.sum(((y - (a + c * x)) / s) ** 2) / dof) if dof > 0 else float("nan")
    infl = math.sqrt(max(1.0, chi2)) if dof > 0 else 1.0
    return float(a), float(c), float(math.sqrt(cov[0, 0]) * infl), chi2


#: The finite-size correction of each kind of statistic, fixed in advance from the theory:
#: means, traces and second moments are sums over O(M) units whose order parameters carry
#: O(1/M) corrections (and the parameter count P an O(1/M) relative correction): p = 1.  The
#: largest eigenvalue is a spectral edge, shifted by O(M^{-1/2}) fluctuations of the Gram
#: matrix: p = 1/2.
CORRECTION_POWER = {"mean": 1.0, "second_moment": 1.0, "trace": 1.0, "lambda_max": 0.5,
                    "constant": 1.0, "norm": 1.0}


def agreement(ratios: Mapping[int, Sequence[float]], z_crit: float = Z_CRIT,
              power: float = 1.0) -> Agreement:
    """Judge per-network ratios ``{width: [experiment/theory per seed]}`` (see module doc).

    The finite-width correction is fitted as c·M^(−p) with the exponent ``power`` fixed in
    advance by the kind of statistic (:data:`CORRECTION_POWER`: p = 1 for traces and order
    parameters, p = 1/2 for spectral edges); it is never chosen after the fit.

    Examples
    --------
    A theory off by 10 % fails however the noise falls; the right one passes:

    >>> rng = np.random.default_rng(0)
    >>> data = {M: 1 + 2 / M + rng.normal(0, 0.3 / np.sqrt(M), 8) for M in (250, 500, 1000)}
    >>> agreement(data).holds, agreement({M: r / 1.1 for M, r in data.items()}).holds
    (True, False)
    """
    widths = sorted(int(w) for w in ratios)
    if not widths:
        raise ValueError("agreement needs at least one width")
    if not (power > 0):
        raise ValueError("power must be a positive correction exponent")
    rbar, se, ks = [], [], []
    for w in widths:
        r = np.asarray(ratios[w], dtype=float).ravel()
        if r.size == 0 or not np.all(np.isfinite(r)):
            raise ValueError(f"ratios at width {w} must be finite and non-empty")
        m = float(np.mean(r))
        sd = float(np.std(r, ddof=1) / math.sqrt(r.size)) if r.size > 1 else 0.0
        rbar.append(m)
        se.append(max(sd, SE_FLOOR_REL * max(abs(m), 1e-300)))
        ks.append(int(r.size))
    y, s = np.array(rbar), np.array(se)
    dev = np.abs(y - 1.0)
    within = bool(np.all(dev <= z_crit * s))
    if len(widths) >= 2:
        lx = np.log(np.array(widths, dtype=float))
        ly = np.log(np.maximum(dev, _LOG_FLOOR))
        B = np.stack([np.ones_like(lx), lx], axis=1)
        coef, *_ = np.linalg.lstsq(B, ly, rcond=None)
        slope = float(coef[1])
        n = len(widths)
        if n > 2:
            sigma2 = float(np.sum((ly - B @ coef) ** 2) / (n - 2))
            slope_se = float(math.sqrt(sigma2 / np.sum((lx - lx.mean()) ** 2)))
        else:
            slope_se = float("nan")
    else:
        slope, slope_se = float("nan"), float("nan")
    margin = 2 * (slope_se if np.isfinite(slope_se) else 0.0)
    shrinks = bool(np.isfinite(slope) and slope + margin < SHRINK_SLOPE)
    grows = bool(np.isfinite(slope) and slope - margin > 0 and not within)
    p = float(power)
    a, c, a_se, chi2 = _fit(widths, y, s, p)
    z = float((a - 1.0) / a_se)
    holds = bool(abs(z) <= z_crit and not grows)
    return Agreement(tuple(widths), tuple(rbar), tuple(se), tuple(ks), a, a_se, c, z, chi2,
                     slope, slope_se, within, shrinks, holds, p)


def agreement_json(ag: Agreement, experiment=None, theory=None) -> dict:
    """Per width: mean ratio, its standard error and K; the fit and the z-score."""
    out = {"per_width": [{"M": w, "networks": k, "mean_ratio": r, "stderr": s_}
                         for w, r, s_, k in zip(ag.widths, ag.ratio, ag.stderr, ag.seeds)],
           "fit": {"form": "a + c·M^-p", "p": ag.power, "a": ag.intercept,
                   "a_stderr": ag.intercept_se, "c": ag.correction, "chi2_dof": ag.chi2_dof},
           "z": ag.z, "agrees": ag.holds}
    if experiment is not None:
        for row, (e_m, e_s), th in zip(out["per_width"], experiment, theory):
            row.update({"experiment_mean": e_m, "experiment_stderr": e_s, "theory": th})
    return out


# ---------------------------------------------------------------------------------------------
# Monte Carlo verdicts: collect per-network values for several forms of a formula
# ---------------------------------------------------------------------------------------------
#: Networks per width for the verdict scripts: the per-network spread of the statistics falls
#: like M^{-1/2}, so K ∝ 1/M (floored) gives comparable standard errors at every width.
DEFAULT_SEEDS = {250: 16, 500: 12, 1000: 8, 1500: 8}


@dataclass
class MCData:
    """Per-network experiment values and theory values (one per form) at several widths.

    ``values[name][width]`` is a list of ``(experiment, {form: theory})`` over the seeds.
    """

    label: str
    values: dict
    seconds: float = 0.0

    def experiment(self, name: str, width: int) -> np.ndarray:
        return np.array([e for e, _ in self.values[name][width]])

    def theory(self, name: str, form: str, width: int) -> np.ndarray:
        return np.array([t[form] for _, t in self.values[name][width]])

    def ratios(self, name: str, form: str) -> dict:
        """``{width: experiment/theory per network}`` for :func:`agreement`."""
        return {M: self.experiment(name, M) / self.theory(name, form, M)
                for M in self.values[name]}

    def table(self, name: str, forms: Sequence[str]) -> str:
        """'M=…: exp ± se vs form=theory, …' for the evidence text."""
        parts = []
        for M in sorted(self.values[name]):
            e = self.experiment(name, M)
            se = np.std(e, ddof=1) / math.sqrt(e.size) if e.size > 1 else 0.0
            th = ", ".join(f"{f} {np.mean(self.theory(name, f, M)):.5g}" for f in forms)
            parts.append(f"M={M} (K={e.size}): {np.mean(e):.5g} ± {se:.2g} vs {th}")
        return "; ".join(parts)


def mc_collect(label: str, activation, *, sigma_w2, sigma_b2, depth: int, samples: int,
               classes: int, fn: Callable, seeds: Mapping[int, int] | None = None,
               parameterization: str = "standard", seed: int = 0,
               params: Mapping | None = None) -> MCData:
    """Sample networks at each width and record ``fn(witness, width)``.

    ``fn`` returns ``{name: (experiment, {form: theory})}`` for one network; networks are
    :func:`meanfield_sym.witnesses.finite_width.simulate` with seeds :func:`seed_for` (``seed``, M, i).
    """
    import time
    t0 = time.perf_counter()
    seeds = DEFAULT_SEEDS if seeds is None else seeds
    values: dict = {}
    for M in sorted(seeds):
        for i in range(checks.positive_int(seeds[M], "seeds")):
            w = E.simulate(activation, depth=depth, width=M, samples=samples, classes=classes,
                           sigma_w2=sigma_w2, sigma_b2=sigma_b2,
                           parameterization=parameterization, seed=seed_for(seed, M, i),
                           **dict(params or {}))
            for name, (e, th) in fn(w, M).items():
                values.setdefault(name, {}).setdefault(M, []).append(
                    (float(e), {k: float(v) for k, v in th.items()}))
    return MCData(label, values, time.perf_counter() - t0)


def mc_witness(data: MCData, name: str, derived_form: str, printed_forms: Sequence[str],
               statistic: str, what: str = "", side: str | None = None):
    """A finite-width :class:`~meanfield_sym.verdicts.judge.Witness` from per-network ratios.

    The correction exponent comes from :data:`CORRECTION_POWER` (``statistic``), fixed before
    any fit.  ``side`` ("lower"/"upper") makes it a bound witness: the form is the bound, it
    "agrees" when the extrapolated ratio experiment/bound is on the right side of 1 within
    Z_CRIT se, and ``violation`` is set when it is on the wrong side beyond that."""
    from meanfield_sym.verdicts.judge import Witness
    p = CORRECTION_POWER[statistic]
    forms = [derived_form] + [f for f in printed_forms if f != derived_form]
    ags = {f: agreement(data.ratios(name, f), power=p) for f in forms}
    widths = sorted(data.values[name])
    exp = []
    for M in widths:
        e = data.experiment(name, M)
        exp.append((float(np.mean(e)), float(np.std(e, ddof=1) / math.sqrt(e.size))
                    if e.size > 1 else 0.0))
    table = {f: agreement_json(ags[f], exp, [float(np.mean(data.theory(name, f, M)))
                                             for M in widths]) for f in forms}

    def ok(ag):
        if side == "lower":
            return ag.intercept >= 1 - Z_CRIT * ag.intercept_se
        if side == "upper":
            return ag.intercept <= 1 + Z_CRIT * ag.intercept_se
        return ag.holds
    nums = {"widths": widths, "networks per width": [int(k) for k in ags[derived_form].seeds],
            "correction": f"c·M^-{p:g} (fixed in advance for {statistic})"}
    for f in forms:
        nums[f"a ({f})"] = round(ags[f].intercept, 4)
        nums[f"se(a) ({f})"] = round(ags[f].intercept_se, 4)
        nums[f"z ({f})"] = round(ags[f].z, 2)
    per = "; ".join(f"M = {M}: {m:.5g} ± {e:.2g}" for M, (m, e) in zip(widths, exp))
    pr = [f for f in printed_forms if f != derived_form]
    ap = ({f: ok(ags[f]) for f in pr} if len(pr) > 1 else ok(ags[pr[0]])) if pr else \
        ok(ags[derived_form])
    viol = bool(side and not ok(ags[derived_form]))
    kind = ("bound: the extrapolated ratio experiment/bound must be "
            + ("≥" if side == "lower" else "≤") + " 1 within " + f"{Z_CRIT:g} se") if side else \
        f"|a − 1| ≤ {Z_CRIT:g} se(a)"
    if side:
        worst = (min if side == "lower" else max)(
            float(np.min(r) if side == "lower" else np.max(r))
            for r in data.ratios(name, derived_form).values())
        nums["single-network extreme ratio"] = round(worst, 4)
    return Witness("finite-width", f"{data.label}{'; ' + what if what else ''}; experiment "
                   f"per width {per}; extrapolation a + c·M^-{p:g} of the per-network ratios, "
                   f"{kind}", True, ok(ags[derived_form]), ap, nums, violation=viol,
                   data=table)


def mc_check(*, id: str, paper: str, equation: str, what: str, data: MCData, name: str,
             printed_form: str, corrected_form: str | None = None, printed=None, derived=None,
             corrected=None, note: str = "", statistic: str = "mean", key: str | None = None,
             definitions=(), side: str | None = None, extra_witnesses=(), readings=None):
    """A record judged by the one judge from the networks' agreement with the printed form
    (theory values under ``printed_form``) and, if any, the corrected form.

    The printed and corrected forms are compared on the theory values themselves (their
    largest relative difference over the sampled networks): equal to 1e-12 means the printed
    form is the derived one."""
    from meanfield_sym.verdicts.judge import judge
    derived_form = corrected_form or printed_form
    w = mc_witness(data, name, derived_form, [printed_form], statistic, side=side)
    if corrected_form:
        diffs = [abs(t[printed_form] / t[corrected_form] - 1) for M in data.values[name]
                 for _, t in data.values[name][M]]
        diff = max(diffs)
        equal, how = diff < 1e-12, (f"the printed and corrected forms differ by up to "
                                    f"{diff:.1%} at the sampled networks")
    else:
        equal, how = True, "the printed form is the derived form"
    return judge(id=id, paper=paper, equation=equation, what=what,
                 printed=printed if printed is not None else printed_form,
                 derived=derived if derived is not None else derived_form,
                 corrected=corrected if corrected is not None else corrected_form,
                 definitions=list(definitions), witnesses=[w, *extra_witnesses],
                 key=key or equation, equal=equal, how=how, argument=note,
                 kind="bound" if side else "formula", readings=readings)
