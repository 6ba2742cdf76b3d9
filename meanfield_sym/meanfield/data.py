r"""Fisher-information statistics and the critical learning rate of a dataset.

From the Gram matrices of :mod:`meanfield_sym.meanfield.gram` on N given inputs: the dual of
the Fisher information of a width-M network with C linear outputs (mean squared error) is, to
leading order in M, C copies of :math:`F^* = (\alpha M/N) K` (*Pathological spectra* App. A.1,
Eq. (A.3)), K the Fisher dual of :meth:`GramResult.fisher_dual
<meanfield_sym.meanfield.gram.GramResult.fisher_dual>`.  F (P × P, P ≈ αM²) and F* share their
non-zero eigenvalues, so

.. math::

    m_\lambda = \frac{C\,\mathrm{tr} F^*}{P} = \frac{C\,\mathrm{tr} K}{N M}, \qquad
    s_\lambda = \frac{C\,\|F^*\|_F^2}{P} = \frac{C\,\alpha\,\|K\|_F^2}{N^2}, \qquad
    \lambda_{max} = \frac{\alpha M}{N} \lambda_{max}(K), \qquad
    \eta_c = \frac{2(1 + \mu)}{\lambda_{max}}.

These generalise *Universal statistics* Theorems 1, 3, 4 and 7 (Lemma 6) and *Pathological
spectra* Theorem 3.1, where :math:`K = (\kappa_1 - \kappa_2) I + \kappa_2 1 1^T` (equal norms,
one overlap for every pair of inputs; then :math:`\lambda_{max}(K) = (N-1)\kappa_2 + \kappa_1`
and the formulas above are the papers').  The NTK statistics (NTK parameterisation, *Pathological
spectra* Sec. 4.1) are those of Θ itself: mean tr Θ/N, second moment ‖Θ‖_F²/N, λ_max(Θ), as
:func:`~meanfield_sym.meanfield.fisher.ntk_statistics`.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg

from meanfield_sym import checks
from meanfield_sym.meanfield.gram import GramResult

__all__ = ["top_eigenvalues", "data_statistics", "standardize_rows"]


#: Below this size the full symmetric eigendecomposition is cheaper than Lanczos.
DENSE_EIGH_MAX = 400


def standardize_rows(x) -> np.ndarray:
    r"""Each input (row) shifted to zero mean and scaled to unit variance over its d features,
    the preprocessing of *Universal statistics* Sec. 4.2 (MNIST, Fig. 2: "Each training sample
    was normalized to zero mean and variance 1"): then :math:`\hat q^0(n, n) = 1` for every
    input, and :math:`\hat q^0(n, m)` is the correlation of inputs n and m.  A constant row
    (zero variance) is refused in one line.

    >>> standardize_rows([[1.0, 2.0, 3.0], [0.0, 0.0, 6.0]]).round(4).tolist()
    [[-1.2247, 0.0, 1.2247], [-0.7071, -0.7071, 1.4142]]
    """
    from meanfield_sym.meanfield.gram import check_inputs
    arr = check_inputs(x, "standardize_rows")
    centred = arr - arr.mean(axis=1, keepdims=True)
    sd = np.sqrt(np.mean(centred ** 2, axis=1))
    if np.any(sd <= 0):
        i = int(np.flatnonzero(sd <= 0)[0])
        raise ValueError(f"standardize_rows: row {i} is constant (zero variance); it cannot be "
                         "scaled to unit variance")
    return centred / sd[:, None]


def top_eigenvalues(mat, k: int = 1) -> np.ndarray:
    """The k largest eigenvalues of a symmetric matrix, descending: Lanczos
    (:func:`scipy.sparse.linalg.eigsh`, ``which='LA'``, converged to machine precision) for
    N > :data:`DENSE_EIGH_MAX`, else :func:`scipy.linalg.eigh`."""
    mat = np.asarray(mat, dtype=float)
    N = mat.shape[0]
    k = min(checks.positive_int(k, "top"), N)
    if N <= DENSE_EIGH_MAX or k >= N - 1:
        vals = scipy.linalg.eigvalsh(mat, check_finite=False)
        return vals[::-1][:k].copy()
    from scipy.sparse.linalg import eigsh
    vals = eigsh(mat, k=k, which="LA", tol=0, return_eigenvectors=False,
                                     ncv=min(N, max(2 * k + 1, 20)))
    return np.sort(vals)[::-1]


def data_statistics(g: GramResult, width, classes: int = 1, momentum=0.0, top: int = 1) -> dict:
    r"""Fisher and NTK statistics and η_c of a width-M network on the inputs of ``g``.

    Parameters
    ----------
    g : GramResult
        From :func:`meanfield_sym.meanfield.gram.gram` (depth >= 2); its ``widths`` give α.
    width : float
        M.
    classes : int
        C linear outputs.
    momentum : float
        μ of heavy-ball gradient descent, |μ| < 1.
    top : int
        How many of the largest eigenvalues of the Fisher information to return.

    Returns
    -------
    dict
        ``fim`` (``mean``, ``second_moment``, ``lambda_max``, ``top``), ``ntk`` (``mean``,
        ``second_moment``, ``lambda_max``), ``eta_critical``, ``alpha``, ``samples``,
        ``kappa1_mean`` (tr K/N) and ``kappa2_mean`` (mean off-diagonal entry of K), the
        dataset's counterparts of κ₁, κ₂.
    """
    from meanfield_sym.meanfield.fisher import eta_critical
    M = checks.positive_number(width, "width M")
    C = checks.positive_int(classes, "classes C")
    mu = checks.momentum(momentum)
    K = g.fisher_dual()
    N = g.N
    a = g.alpha
    scale = a * M / N
    tops = top_eigenvalues(K, max(1, int(top)))
    lam_k = tops[0]
    fim = {"mean": C * np.trace(K) / (N * M),
           "second_moment": C * a * float(np.sum(K * K)) / N ** 2,
           "lambda_max": scale * lam_k,
           "top": scale * tops}
    theta = g.ntk("ntk")
    ntk = {"mean": np.trace(theta) / N, "second_moment": float(np.sum(theta * theta)) / N,
           "lambda_max": top_eigenvalues(theta, 1)[0]}
    off = (np.sum(K) - np.trace(K)) / (N * (N - 1))
    return {"alpha": a, "samples": N, "fim": fim, "ntk": ntk,
            "eta_critical": eta_critical(fim["lambda_max"], mu),
            "kappa1_mean": np.trace(K) / N, "kappa2_mean": off}
