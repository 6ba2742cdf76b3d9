"""Universal statistics, main text Eqs. (3) and (4): the Fisher information as the metric of
the Kullback–Leibler divergence, and the Hessian of the squared loss.

Printed (the plain-text main text lost the formulas; transcribed from the sentences that
introduce them, lines 17–19):
  (3)  KL[p(y|x; θ) : p(y|x; θ + dθ)] = ½ dθᵀ F dθ + O(|dθ|³)  (Gaussian output noise, unit
       variance, F of Eq. (2): F = Σ_t ∇f(x_t) ∇f(x_t)ᵀ / T)
  (4)  ∇²E(θ) = F − (1/T) Σ_t (y(t) − f_t)·∇²f_t  for E = (1/2T) Σ_t ‖y(t) − f_t‖², so
       ∇²E = F at zero training error.
Derived:  F from the analytic Jacobian of an explicit one-hidden-layer tanh network.
Witnesses: float64 finite differences of the KL divergence (Richardson in the step, and the
          order of the remainder fitted), and the central-difference Hessian of the loss.
"""
from __future__ import annotations

import numpy as np

from meanfield_sym.verdicts.judge import Definition, Witness, judge
from meanfield_sym.verdicts.record import run_script

try:
    from .asymptotics_tools import extrapolate as _extrapolate
except ImportError:  # run as a plain script
    from meanfield_sym.derivations.asymptotics_tools import extrapolate as _extrapolate

PAPER = "Universal statistics"
N0, M1, C, T = 3, 4, 2, 5          # input width, hidden width, outputs, samples
SEED = 11
REL = 1e-6                         # finite-difference agreement required (float64)

D_KL = Definition("ds²", "Let us define an infinitesimal squared distance, which represents "
                  "the Kullback-Leibler divergence between the statistical model and against a "
                  "perturbation. It is given by (3)", "Universal statistics, main text Sec. 2 "
                  "(plain-text line 17)")
D_HESS = Definition("∇²E", "Suppose we have a squared loss function. The FIM is related to the "
                    "Hessian of the loss function in the following way: (4) … The Hessian "
                    "coincides with the FIM when the parameter converges to the global minimum",
                    "Universal statistics, main text Sec. 2 (plain-text lines 18–19)")
D_F = Definition("F", "F = Σ_t [∇_W f ∇_W fᵀ, …; …, ∇_b f ∇_b fᵀ]/T",
                 "Universal statistics, supplement (A.1)")


class Net:
    """f(x) = W2 tanh(W1 x + b1) + b2 with θ = (W1, b1, W2, b2) flattened."""

    def __init__(self, rng):
        self.shapes = [(M1, N0), (M1,), (C, M1), (C,)]
        self.theta = np.concatenate([rng.normal(0, 1, s).ravel() / (np.sqrt(s[-1]) if len(s) > 1
                                                                   else 1) for s in self.shapes])
        self.P = self.theta.size

    def split(self, th):
        out, i = [], 0
        for s in self.shapes:
            n = int(np.prod(s))
            out.append(th[i:i + n].reshape(s))
            i += n
        return out

    def f(self, th, x):
        W1, b1, W2, b2 = self.split(th)
        return np.tanh(x @ W1.T + b1) @ W2.T + b2            # (T, C)

    def jacobian(self, th, x):
        """∂f_{tk}/∂θ, shape (T, C, P), written out by hand."""
        W1, b1, W2, b2 = self.split(th)
        h = np.tanh(x @ W1.T + b1)
        d = 1 - h ** 2
        J = np.zeros((x.shape[0], C, self.P))
        for t in range(x.shape[0]):
            gW1 = (W2 * d[t])[:, :, None] * x[t][None, None, :]   # (C, M1, N0)
            gb1 = W2 * d[t]                                        # (C, M1)
            gW2 = np.zeros((C, C, M1))
            for k in range(C):
                gW2[k, k] = h[t]
            gb2 = np.eye(C)
            J[t] = np.concatenate([gW1.reshape(C, -1), gb1, gW2.reshape(C, -1), gb2], axis=1)
        return J


def _setup():
    rng = np.random.default_rng(SEED)
    net = Net(rng)
    x = rng.normal(size=(T, N0))
    J = net.jacobian(net.theta, x)
    F = np.einsum("tkp,tkq->pq", J, J) / T
    return rng, net, x, F


def _kl_record():
    rng, net, x, F = _setup()
    v = rng.normal(size=net.P)
    v /= np.linalg.norm(v)
    quad = 0.5 * v @ F @ v
    f0 = net.f(net.theta, x)
    eps = 0.05 * 2.0 ** -np.arange(6)
    kl = np.array([0.5 * np.sum((net.f(net.theta + e * v, x) - f0) ** 2) / T for e in eps])
    ratio = kl / eps ** 2
    # Richardson (Neville) in ε: KL/ε² = ½vᵀFv + aε + bε² + …
    extrap = float(_extrapolate([float(e) for e in eps], [float(r) for r in ratio])[0])
    rel = abs(extrap - quad) / quad
    rem = np.abs(kl - eps ** 2 * quad)
    slope, icpt = np.polyfit(np.log(eps), np.log(rem), 1)
    resid = np.log(rem) - (slope * np.log(eps) + icpt)
    se = float(np.sqrt(np.sum(resid ** 2) / (len(eps) - 2) / np.sum((np.log(eps) - np.log(
        eps).mean()) ** 2)))
    ok = bool(rel <= REL and abs(slope - 3) <= max(4 * se, 0.05))
    w = Witness("finite-width", f"explicit tanh network N0 = {N0}, M = {M1}, C = {C}, T = {T} "
                f"(P = {net.P}): KL(ε v)/ε² at ε = 0.05·2^-k, k = 0..5 (float64), Richardson "
                "extrapolated to ε = 0, against ½ vᵀFv from the analytic Jacobian; the order "
                "of KL − ½ε²vᵀFv fitted on log–log axes", True, ok, ok,
                {"½ vᵀFv": quad, "extrapolated KL/ε²": extrap, "relative difference": rel,
                 "remainder exponent": round(float(slope), 3),
                 "exponent standard error": round(se, 3)})
    return judge(id="US-3-kl-metric", paper=PAPER, equation="US (3)", key="(3)", kind="claim",
                 what="the KL divergence of the Gaussian output model is ½ dθᵀF dθ to second "
                      "order", printed="KL[p_θ : p_{θ+dθ}] = ½ dθᵀ F dθ + O(|dθ|³)",
                 derived="KL = (1/2T) Σ_t ‖f_{θ+dθ}(x_t) − f_θ(x_t)‖² = ½ dθᵀ F dθ + O(|dθ|³) "
                         "(Taylor expansion of f; unit-variance Gaussian noise)",
                 definitions=[D_KL, D_F], witnesses=[w], equal=ok,
                 how=f"relative difference {rel:.1e} (≤ {REL:g}); remainder order "
                     f"{slope:.3f} ± {se:.3f} (3 expected)",
                 argument="For p(y|x; θ) = N(f_θ(x), I), KL between θ and θ + dθ is "
                          "½‖f_{θ+dθ} − f_θ‖² averaged over the inputs; f_{θ+dθ} − f_θ = J dθ + "
                          "O(dθ²) gives ½ dθᵀ(Σ_t J_tᵀJ_t/T)dθ = ½ dθᵀF dθ, with an O(dθ³) "
                          "remainder.")


def _hessian(fun, th, h=1e-4):
    P = th.size
    Hm = np.zeros((P, P))
    E = np.eye(P) * h
    for i in range(P):
        for j in range(i, P):
            v = (fun(th + E[i] + E[j]) - fun(th + E[i] - E[j]) - fun(th - E[i] + E[j])
                 + fun(th - E[i] - E[j])) / (4 * h * h)
            Hm[i, j] = Hm[j, i] = v
    return Hm


def _hessian_records():
    rng, net, x, F = _setup()
    f0 = net.f(net.theta, x)
    out = []
    # zero error: y = f(θ)
    loss0 = lambda th: 0.5 * np.sum((f0 - net.f(th, x)) ** 2) / T      # noqa: E731
    H0 = _hessian(loss0, net.theta)
    rel0 = float(np.linalg.norm(H0 - F) / np.linalg.norm(F))
    # nonzero error: y = f(θ) + noise
    y = f0 + rng.normal(size=f0.shape)
    loss = lambda th: 0.5 * np.sum((y - net.f(th, x)) ** 2) / T        # noqa: E731
    H1 = _hessian(loss, net.theta)
    h = 1e-5
    second = np.zeros_like(F)     # Σ_t Σ_k (y − f)_{tk} ∇²f_{tk} / T, by differences of J
    for i in range(net.P):
        e = np.zeros(net.P)
        e[i] = h
        dJ = (net.jacobian(net.theta + e, x) - net.jacobian(net.theta - e, x)) / (2 * h)
        second[i] = np.einsum("tk,tkp->p", y - f0, dJ) / T
    second = 0.5 * (second + second.T)
    pred = F - second
    rel1 = float(np.linalg.norm(H1 - pred) / np.linalg.norm(H1))
    relF = float(np.linalg.norm(H1 - F) / np.linalg.norm(H1))
    ok = bool(rel0 <= REL and rel1 <= REL)
    w = Witness("finite-width", f"explicit tanh network (P = {net.P}, T = {T}): the central-"
                "difference Hessian of E = (1/2T)Σ‖y − f‖² (float64, h = 1e-4) at y = f(θ) and "
                "at y = f(θ) + N(0, 1) noise, against F from the analytic Jacobian and "
                "F − (1/T)Σ(y − f)∇²f with ∇²f from differences of the Jacobian", True, ok, ok,
                {"‖∇²E − F‖/‖F‖ at zero error": rel0,
                 "‖∇²E − (F − Σ(y − f)∇²f/T)‖/‖∇²E‖ with error": rel1,
                 "‖∇²E − F‖/‖∇²E‖ with error (the residual term matters)": relF})
    out.append(judge(id="US-4-hessian", paper=PAPER, equation="US (4)", key="(4)", kind="claim",
                     what="Hessian of the squared loss = F − (1/T)Σ(y − f)∇²f; = F at zero "
                          "training error",
                     printed="∇²E = F − (1/T) Σ_t (y(t) − f_t)ᵀ ∇²f_t; ∇²E = F when y = f",
                     derived="∇²[(1/2T)Σ‖y − f‖²] = (1/T)Σ(J_tᵀJ_t − (y − f)·∇²f_t) (product "
                             "rule)", definitions=[D_HESS, D_F], witnesses=[w], equal=ok,
                     how=f"relative differences {rel0:.1e} (zero error) and {rel1:.1e} (with "
                         f"error), ≤ {REL:g} required",
                     argument="∂_i∂_j ½‖y − f‖² = ∂_i f·∂_j f − (y − f)·∂_i∂_j f; averaging "
                              "over t gives F minus the residual-weighted second derivatives, "
                              "which vanish when y = f."))
    return out


def checks():
    return [_kl_record()] + _hessian_records()


def main() -> int:
    return run_script(checks)


if __name__ == "__main__":
    raise SystemExit(main())
