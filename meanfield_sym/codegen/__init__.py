"""Generated NumPy modules: one kernel provider per activation, written and checked."""
from meanfield_sym.codegen.emit import *  # noqa: F401,F403
from meanfield_sym.codegen import emit as _emit


def __getattr__(name):
    return getattr(_emit, name)
