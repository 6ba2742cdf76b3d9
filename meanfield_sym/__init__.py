"""meanfield_sym: the mean-field theory of Fisher information in wide deep networks, as
machine-checked mathematics (SymPy) and fast numbers (NumPy).

Data path: activation -> kernels -> meanfield (recursions, statistics) -> codegen, with the
witnesses (mpmath quadrature, finite-width networks) beside them and the verdicts on top.

The public names below are loaded lazily, so that importing a generated evaluator module
(``meanfield_sym.generated.relu``) needs NumPy only and never imports SymPy.

>>> import meanfield_sym as mfs
>>> relu = mfs.get_activation("relu")
>>> relu.prime
Heaviside(x)
>>> mfs.kernels_for(relu).closed_form["two_point_prime"]
acos(-b/a)/(2*pi)
"""
from importlib import import_module

_EXPORTS = {
    "Activation": "activation.function", "ActivationError": "activation.function",
    "builtin_names": "activation.function", "get_activation": "activation.function",
    "ExpressionError": "activation.parser", "parse_expression": "activation.parser",
    "kernels_for": "kernels.kernel_set", "KernelSet": "kernels.kernel_set",
    "NoClosedForm": "kernels.engine", "resolve_kernels": "kernels.provider",
    "Q": "kernels.symbols", "A": "kernels.symbols", "B": "kernels.symbols",
    "network_statistics": "meanfield.network", "order_parameters": "meanfield.recursions",
}
__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name):
    if name in _EXPORTS:
        attr = "resolve" if name == "resolve_kernels" else name
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'meanfield_sym' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
