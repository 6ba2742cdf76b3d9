"""Independent witnesses: mpmath quadrature of the definitions and finite-width random
networks.  They import only the activation layer, never the closed forms they judge."""
