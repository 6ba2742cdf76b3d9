"""The works the package implements and checks, cited once, in one style.

Docstrings cite them by short title and equation (*Universal statistics* Eq. (9)); the
documentation renders :data:`REFERENCES` on its bibliography page and the generated modules
name the equations of :data:`KERNEL_EQUATIONS`.
"""

__all__ = ["REFERENCES", "KERNEL_EQUATIONS", "KERNEL_LABELS", "cite"]

#: key -> (short title, full citation)
REFERENCES = {
    "US": ("Universal statistics",
           "R. Karakida, S. Akaho and S. Amari. Universal statistics of Fisher information in "
           "deep neural networks: mean field approach. Proceedings of the 22nd International "
           "Conference on Artificial Intelligence and Statistics (AISTATS), PMLR 89, 2019. "
           "arXiv:1806.01316 (main text and supplementary material)."),
    "PS": ("Pathological spectra",
           "R. Karakida, S. Akaho and S. Amari. Pathological spectra of the Fisher information "
           "metric and its variants in deep neural networks. Neural Computation 33(8), 2021. "
           "arXiv:1910.05992."),
    "NGD": ("Approximate Fisher information",
            "R. Karakida and K. Osawa. Understanding approximate Fisher information for fast "
            "convergence of natural gradient descent in wide neural networks. Advances in Neural "
            "Information Processing Systems 33 (NeurIPS), 2020. arXiv:2010.00879 (main text and "
            "supplementary material, equations S.*)."),
    "Poole2016": ("Poole et al. 2016",
                  "B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein and S. Ganguli. Exponential "
                  "expressivity in deep neural networks through transient chaos. NeurIPS 2016."),
    "Schoenholz2017": ("Schoenholz et al. 2017",
                       "S. S. Schoenholz, J. Gilmer, S. Ganguli and J. Sohl-Dickstein. Deep "
                       "information propagation. ICLR 2017."),
    "Price1958": ("Price 1958",
                  "R. Price. A useful theorem for nonlinear devices having Gaussian inputs. "
                  "IRE Transactions on Information Theory 4(2), 1958."),
    "ChoSaul2009": ("Cho & Saul 2009",
                    "Y. Cho and L. K. Saul. Kernel methods for deep learning. NeurIPS 2009."),
    "Williams1997": ("Williams 1997",
                     "C. K. I. Williams. Computing with infinite networks. NeurIPS 1996 "
                     "(published 1997)."),
}

#: The four Gaussian kernels: what they are and where the papers define them.
KERNEL_LABELS = {
    "one_point": "E[φ(√q u)²]",
    "one_point_prime": "E[φ'(√q u)²]",
    "two_point": "I_φ[a, b] = E[φ(u1) φ(u2)]",
    "two_point_prime": "I_φ'[a, b] = E[φ'(u1) φ'(u2)]",
}
KERNEL_EQUATIONS = {
    "one_point": "Universal statistics Eq. (9), supplement (B.3), (B.9); Pathological spectra "
                 "Eq. (15)",
    "one_point_prime": "Universal statistics Eq. (11), supplement (B.4), (B.10); Pathological "
                       "spectra Eq. (18)",
    "two_point": "Universal statistics Eq. (10), supplement (B.7), (B.11); Pathological spectra "
                 "Eqs. (15)-(16)",
    "two_point_prime": "Universal statistics Eq. (12), supplement (B.8), (B.12); Pathological "
                       "spectra Eq. (18)",
}


def cite(key: str) -> str:
    """The full citation of ``key``.

    >>> cite("US").split(".")[0]
    'R'
    """
    return REFERENCES[key][1]
