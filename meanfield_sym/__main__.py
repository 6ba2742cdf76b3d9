"""``python -m meanfield_sym`` is the ``meanfield-sym`` command line."""
from meanfield_sym.cli import main

raise SystemExit(main())
