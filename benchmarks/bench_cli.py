"""Latency of the command line against the import of NumPy and of a generated module.

Each command runs in a fresh process; the commands are interleaved (one round runs every command
once, in a shuffled order) so that a shared, noisy machine slows them alike, and the medians over
the rounds are compared as ratios measured in the same run:

* baseline ``python -c "import numpy"``;
* ``python -c`` importing the shipped ``meanfield_sym.generated.relu`` and calling the library's
  ``network_statistics`` on it (NumPy only);
* ``meanfield-sym kernel relu``, ``stats --activation relu``, ``kernel gelu``,
  ``stats --activation gelu``, ``stats --activation tanh``, ``stats --activation sigmoid``
  (tanh and sigmoid: the shipped modules' table files), and tanh and sigmoid at the
  performance contract's network (depth 5, σ_w² = 3, σ_b² = 0.64).

Targets: ``stats --activation relu`` within 2× of the generated-module call; every command
within 3× of ``import numpy`` (or under 0.3 s).  A warm cache is used (one untimed run first).

Run:  python benchmarks/bench_cli.py [--rounds N]
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
CLI = shutil.which("meanfield-sym", path=str(Path(sys.executable).parent)) or shutil.which("meanfield-sym") \
    or "meanfield-sym"
NET = ["--sigma-w2", "2", "--sigma-b2", "0.1", "--depth", "3", "--json"]
CONTRACT = ["--depth", "5", "--sigma-w2", "3", "--sigma-b2", "0.64"]
COMMANDS = {
    "import numpy": [PY, "-c", "import numpy"],
    "generated relu + library": [PY, "-c", "import meanfield_sym.generated.relu as m; "
                                 "from meanfield_sym.meanfield import network_statistics; "
                                 "network_statistics(m, 2.0, 0.1, 3)"],
    "kernel relu": [CLI, "kernel", "relu"],
    "stats relu": [CLI, "stats", "--activation", "relu", *NET],
    "kernel gelu": [CLI, "kernel", "gelu"],
    "stats gelu": [CLI, "stats", "--activation", "gelu", *NET],
    "stats tanh": [CLI, "stats", "--activation", "tanh", *NET],
    "stats sigmoid": [CLI, "stats", "--activation", "sigmoid", *NET],
    "stats tanh L=5": [CLI, "stats", "--activation", "tanh", *CONTRACT],
    "stats sigmoid L=5": [CLI, "stats", "--activation", "sigmoid", *CONTRACT],
}


def _time(cmd) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)
    for cmd in COMMANDS.values():            # warm the caches (and the OS file cache)
        _time(cmd)
    times = {k: [] for k in COMMANDS}
    rng = random.Random(0)
    for _ in range(args.rounds):
        order = list(COMMANDS)
        rng.shuffle(order)
        for k in order:
            times[k].append(_time(COMMANDS[k]))
    med = {k: statistics.median(v) for k, v in times.items()}
    base, gen = med["import numpy"], med["generated relu + library"]
    print(f"{'command':28s} {'median s':>9s} {'/ numpy':>8s} {'/ generated':>12s}")
    for k, v in med.items():
        print(f"{k:28s} {v:9.3f} {v / base:8.2f} {v / gen:12.2f}")
    print(f"\n{args.rounds} rounds, interleaved; targets: stats relu <= 2x generated "
          f"({med['stats relu'] / gen:.2f}x), each <= 3x import numpy or <= 0.3 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
