"""The documentation site, generated from the derivation scripts, the activations, the command
line and the docstrings, then built by Sphinx: ``python -m meanfield_sym.site``.

* :mod:`~meanfield_sym.site.build` -- :func:`~meanfield_sym.site.build.generate` (every
  generated page), :func:`~meanfield_sym.site.build.build` (Sphinx) and the command line;
* :mod:`~meanfield_sym.site.derivations` -- the derivation pages and the errata page;
* :mod:`~meanfield_sym.site.activations` -- the activation pages and their kernels;
* :mod:`~meanfield_sym.site.cache` -- the kernel cache of the docs build;
* :mod:`~meanfield_sym.site.reference` -- the command-line and API reference;
* :mod:`~meanfield_sym.site.figures` -- the tutorial's phase diagram and the experiment figures;
* :mod:`~meanfield_sym.site.rst` -- reST escaping and the small writers the pages are made of.

The site computes nothing of its own: every number and formula on a page comes from the
package (the phase diagram from :mod:`meanfield_sym.meanfield.phase`).
"""
