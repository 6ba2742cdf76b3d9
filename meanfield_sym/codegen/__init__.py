"""Generated modules: one kernel provider per activation, written and checked
(:mod:`meanfield_sym.codegen.emit`)."""
from meanfield_sym.codegen.emit import *  # noqa: F401,F403
from meanfield_sym.codegen.emit import __all__  # noqa: F401
