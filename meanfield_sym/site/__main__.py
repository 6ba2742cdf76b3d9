"""``python -m meanfield_sym.site``: build the documentation site (see :mod:`meanfield_sym.site.build`)."""
from meanfield_sym.site.build import main

if __name__ == "__main__":
    raise SystemExit(main())
