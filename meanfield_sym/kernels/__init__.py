"""The four Gaussian kernels of an activation: derived closed forms, their numerically stable
evaluation forms, float64 quadrature and validated Chebyshev tables where no closed form exists."""
