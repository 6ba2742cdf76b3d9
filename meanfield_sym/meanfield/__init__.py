"""Mean-field recursions and the statistics read off them.

* :mod:`~meanfield_sym.meanfield.recursions` — order parameters (forward/backward), fixed points;
* :mod:`~meanfield_sym.meanfield.fisher` — κ's, Fisher, NTK, blocks, feature metric, η_c;
* :mod:`~meanfield_sym.meanfield.fisher_rao` — the Fisher–Rao norm;
* :mod:`~meanfield_sym.meanfield.softmax` — the cross-entropy Fisher;
* :mod:`~meanfield_sym.meanfield.ngd` — natural-gradient constants;
* :mod:`~meanfield_sym.meanfield.network` — everything of one network at once.

Every function takes a kernel provider (:mod:`meanfield_sym.kernels.provider`): a generated
module, a kernel set, tables, quadrature, or an activation name.  Their public names are
gathered here, so ``from meanfield_sym import meanfield as mf; mf.kappas(...)`` works.

>>> import meanfield_sym.generated.relu as relu
>>> st = network_statistics(relu, 2.0, 0.1, 3)
>>> round(float(st["kappa1"]), 6)
1.575
"""
from meanfield_sym.meanfield.fisher import *  # noqa: F401,F403
from meanfield_sym.meanfield.fisher_rao import *  # noqa: F401,F403
from meanfield_sym.meanfield.network import *  # noqa: F401,F403
from meanfield_sym.meanfield.ngd import *  # noqa: F401,F403
from meanfield_sym.meanfield.recursions import *  # noqa: F401,F403
from meanfield_sym.meanfield.softmax import *  # noqa: F401,F403
