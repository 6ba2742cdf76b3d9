"""Readable text output of ``stats``, ``softmax`` and ``ngd``: grouped, labelled, with a legend.

Each known key is printed with its symbol, what it is and where the papers state it; per-layer
lists become one row per layer; "—" marks a value that does not exist (explained at the end).
The JSON output (``--json``) is unchanged: this is only the human-readable view.
"""
from __future__ import annotations

__all__ = ["render"]

US, PS, NGD = "Universal statistics", "Pathological spectra", "Approximate Fisher information"

#: dotted key -> (symbol, meaning, source); a key's group is its first part (see _GROUPS).
LABELS = {
    "activation": ("φ", "activation", ""),
    "params": ("", "activation parameters", ""),
    "sigma_w2": ("σ_w²", "weight variance (per layer if a list)", f"{PS} Eq. (6)"),
    "sigma_b2": ("σ_b²", "bias variance (per layer if a list)", f"{PS} Eq. (6)"),
    "depth": ("L", "weight layers (L − 1 hidden)", ""),
    "widths": ("α_l", "widths M_l = α_l M, l = 0..L−1", f"{PS} Eq. (2)"),
    "width": ("M", "width scale", ""),
    "samples": ("N", "samples (T in Universal statistics)", ""),
    "classes": ("C", "outputs", ""),
    "momentum": ("μ", "momentum of gradient descent", f"{US} Eq. (19)"),
    "alpha": ("α", "Σ_l α_l α_{l−1}: P ≈ α M² parameters", f"{PS} Thm 3.1"),
    "kappa1": ("κ₁", "Σ_l (α_{l−1}/α) q̃₁^l q̂₁^{l−1}", f"{US} Thm 1; {PS} Thm 3.1"),
    "kappa2": ("κ₂", "Σ_l (α_{l−1}/α) q̃₂^l q̂₂^{l−1}", f"{US} Thm 3; {PS} Thm 3.1"),
    "kappa1_ntk": ("κ₁'", "κ₁ of the NTK parameterisation", f"{PS} Sec. 4.1"),
    "kappa2_ntk": ("κ₂'", "κ₂ of the NTK parameterisation", f"{PS} Sec. 4.1"),
    "order_parameters.q1": ("q₁^l", "pre-activation variance", f"{PS} Eq. (15)"),
    "order_parameters.q2": ("q₂^l", "pre-activation overlap of two inputs", f"{PS} Eq. (15)"),
    "order_parameters.qhat1": ("q̂₁^l", "activation second moment", f"{PS} Eq. (15)"),
    "order_parameters.qhat2": ("q̂₂^l", "activation overlap", f"{PS} Eq. (15)"),
    "order_parameters.qtilde1": ("q̃₁^l", "backward order parameter", f"{PS} Eqs. (17)-(18)"),
    "order_parameters.qtilde2": ("q̃₂^l", "backward overlap", f"{PS} Eqs. (17)-(18)"),
    "fim.mean": ("m_λ", "mean eigenvalue of the Fisher (MSE)", f"{US} Thm 1"),
    "fim.second_moment": ("s_λ", "second moment of the eigenvalues", f"{US} Thm 3"),
    "fim.lambda_max": ("λ_max", "largest eigenvalue", f"{US} Thm 4"),
    "ntk.mean": ("m_λ(Θ)", "mean eigenvalue of the NTK", f"{PS} Sec. 4.1"),
    "ntk.second_moment": ("s_λ(Θ)", "second moment of the NTK eigenvalues", f"{PS} Sec. 4.1"),
    "ntk.lambda_max": ("λ_max(Θ)", "largest NTK eigenvalue", f"{PS} Sec. 4.1"),
    "feature_metric.mean": ("m_λ(A)", "mean eigenvalue of the feature metric", f"{PS} Thm 5.1"),
    "feature_metric.second_moment": ("s_λ(A)", "second moment", f"{PS} Thm 5.1"),
    "feature_metric.lambda_max": ("λ_max(A)", "largest eigenvalue", f"{PS} Thm 5.1"),
    "eta_critical": ("η_c", "2(1 + μ)/λ_max: gradient descent diverges above it",
                     f"{US} Lemma 6, Thm 7"),
    "fisher_rao": ("‖θ‖_FR", "Fisher–Rao norm (wide-network value)", f"{US} Thm 5"),
    "fisher_rao_printed": ("‖θ‖_FR (A.50)", "the supplement's printed form", f"{US} (A.50)"),
    "fisher_rao_bound": ("", "Theorem 5's bound (α/α_min) σ_w² C κ₁", f"{US} Thm 5"),
    "fisher_rao_bound_holds": ("", "whether the value obeys the bound", f"{US} Thm 5"),
    "fixed_point.q_star": ("q*", "fixed point of q ↦ σ_w² E[φ(√q u)²] + σ_b²", f"{PS} Eq. (15)"),
    "fixed_point.chi1": ("χ₁", "σ_w² E[φ'(√q* u)²]: 1 is the edge of chaos", "Poole et al. 2016"),
    "fixed_point.converged": ("", "whether the fixed-point search converged", ""),
    "fixed_point.diverged": ("", "whether q grows without bound", ""),
    "fixed_point.iterations": ("", "steps of the fixed-point search", ""),
    "beta1": ("β₁", "softmax coefficient", f"{PS} Thm 3.3"),
    "beta2": ("β₂", "softmax coefficient", f"{PS} Thm 3.3"),
    "beta3": ("β₃", "softmax coefficient", f"{PS} Thm 3.3"),
    "beta4": ("β₄", "softmax coefficient", f"{PS} Thm 3.3"),
}
_GROUPS = [
    ("network", ("activation", "params", "sigma_w2", "sigma_b2", "depth", "widths", "width",
                 "samples", "classes", "momentum", "alpha")),
    ("order parameters per layer l = 0..L", ("order_parameters",)),
    ("κ's", ("kappa1", "kappa2", "kappa1_ntk", "kappa2_ntk")),
    ("Fisher information (linear outputs, MSE)", ("fim", "eta_critical", "fim_blocks")),
    ("neural tangent kernel", ("ntk",)),
    ("feature metric", ("feature_metric",)),
    ("Fisher–Rao norm", ("fisher_rao", "fisher_rao_printed", "fisher_rao_bound",
                         "fisher_rao_bound_holds")),
    ("fixed point of the variance map", ("fixed_point",)),
    ("softmax (cross-entropy) Fisher", ("beta1", "beta2", "beta3", "beta4", "fim_cross",
                                        "fim_linear", "comparison_28", "fim_cross_outliers")),
]
DASH_NOTE = ("— : the quantity does not exist here (q̂ at layer L: the output layer is linear; "
             "q at layer 0: inputs; depth 1: no hidden layer, α = 0), or a value that is not "
             "finite in float64")


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.10g}"
    if isinstance(v, list) and all(not isinstance(x, (list, dict)) for x in v):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    if isinstance(v, dict) and not v:
        return "none"
    return str(v)


def _flat(data, prefix=""):
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v and k != "params":
            yield from _flat(v, key + ".")
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for i, x in enumerate(v):
                yield from _flat(x, f"{key}[{i + 1}].")
        else:
            yield key, v


_BLOCKS = {"fim_blocks": ("F^{ll}", f"diagonal block of the Fisher, layer l", f"{PS} Sec. 3.2"),
           "feature_metric.blocks": ("A^{ll}", "diagonal block of the feature metric, layer l",
                                     f"{PS} App. D.2")}
_STAT = {"mean": "m_λ", "second_moment": "s_λ", "lambda_max": "λ_max"}


def _row(key, value) -> str:
    sym, meaning, source = LABELS.get(key, ("", "", ""))
    if "[" in key:                       # a per-layer block: fim_blocks[2].mean
        head, rest = key.split("[", 1)
        layer, stat = rest.split("].", 1)
        bsym, bmeaning, bsource = _BLOCKS.get(head, (head, "", ""))
        sym = f"{_STAT.get(stat, stat)}({bsym}), l={layer}"
        meaning, source = bmeaning, bsource
    name = sym or key.rsplit(".", 1)[-1]
    text = f"  {name:22s} {_fmt(value):>20s}"
    if meaning:
        text += f"   {meaning}"
    if source:
        text += f"  [{source}]"
    return text


def render(data: dict) -> list[str]:
    """Text lines of a ``stats``/``softmax``/``ngd`` payload (already JSON-like)."""
    items = dict(_flat(data))
    lines, used = [], set()
    for title, roots in _GROUPS:
        keys = [k for k in items if k.split(".")[0].split("[")[0] in roots and k not in used]
        if not keys:
            continue
        lines.append(f"{title}:")
        for key in keys:
            used.add(key)
            value = items[key]
            if key.startswith("order_parameters.") and isinstance(value, list):
                sym, meaning, source = LABELS.get(key, (key, "", ""))
                cells = "  ".join(f"{_fmt(v):>12s}" for v in value)
                lines.append(f"  {sym:8s} {cells}   {meaning} [{source}]")
            else:
                lines.append(_row(key, value))
    rest = [k for k in items if k not in used]
    if rest:
        lines.append("other results (see the JSON output for their structure):")
        lines += [f"  {k:40s} {_fmt(items[k])}" for k in rest]
    lines.append("")
    lines.append(DASH_NOTE)
    return lines
