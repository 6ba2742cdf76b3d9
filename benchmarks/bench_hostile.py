"""The hostile-input battery in fresh processes: every case within 10 s, one clear line.

``tests/cli/test_hostile.py`` holds the table (arguments, expected exit status, a fragment of
the expected one-line message) and runs it in-process.  This script runs every case as a user
would — ``meanfield-sym …`` in a fresh process, with the package's warm on-disk cache and
``MEANFIELD_SYM_BUDGET`` unset (the command line's own 5 s derivation budget) — under a hard
limit of 10 s per case, and tabulates per sub-command: cases, wall-time median and maximum,
and the counts of wrong exit status, tracebacks, Python warnings and time-outs (all four must
be 0).  Times are reported next to the time of ``python -c "import numpy"`` measured in the same
run (the machines are shared and noisy: compare ratios, not seconds).

Run:  python benchmarks/bench_hostile.py [--limit 10] [--only kernel] [--cases]
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
CLI = shutil.which("meanfield-sym", path=str(Path(sys.executable).parent)) \
    or shutil.which("meanfield-sym") or "meanfield-sym"


def _table():
    spec = importlib.util.spec_from_file_location("hostile_table",
                                                  ROOT / "tests" / "cli" / "test_hostile.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.CASES, mod._files


def _run(argv, limit, env):
    start = time.perf_counter()
    try:
        proc = subprocess.run([CLI, *argv], capture_output=True, text=True, timeout=limit,
                              env=env)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, None, "", ""
    return time.perf_counter() - start, proc.returncode, proc.stdout, proc.stderr


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=float, default=10.0, help="seconds per case (default 10)")
    ap.add_argument("--only", action="append", default=[],
                    help="run only the cases of this sub-command (repeatable)")
    ap.add_argument("--cases", action="store_true", help="print one line per case")
    args = ap.parse_args(argv)
    cases, make_files = _table()
    env = {k: v for k, v in os.environ.items() if k != "MEANFIELD_SYM_BUDGET"}
    env["PYTHONWARNINGS"] = "default"      # a warning would be printed, and counted
    t0 = time.perf_counter()
    subprocess.run([PY, "-c", "import numpy"], check=True)
    numpy_time = time.perf_counter() - t0
    rows: dict = {}
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        make_files(Path(tmp))
        for case_argv, status, fragment in cases:
            group = case_argv[0] if case_argv and not case_argv[0].startswith("-") else "(top)"
            if args.only and group not in args.only:
                continue
            call = [a.replace("{tmp}", tmp) for a in case_argv]
            seconds, code, out, err = _run(call, args.limit, env)
            row = rows.setdefault(group, {"times": [], "status": 0, "traceback": 0,
                                          "warning": 0, "timeout": 0, "fragment": 0})
            row["times"].append(seconds)
            problems = []
            if code is None:
                row["timeout"] += 1
                problems.append("time-out")
            else:
                if code != status:
                    row["status"] += 1
                    problems.append(f"exit {code}, expected {status}")
                if "Traceback" in out + err:
                    row["traceback"] += 1
                    problems.append("traceback")
                if "Warning:" in err:
                    row["warning"] += 1
                    problems.append("warning")
                if status == 2 and fragment and fragment not in err:
                    row["fragment"] += 1
                    problems.append("message without the expected words")
            if problems:
                failures.append((" ".join(case_argv), problems, err.strip()[:200]))
            if args.cases:
                print(f"{seconds:6.2f} s  {'ok' if not problems else ', '.join(problems):<12} "
                      f"{' '.join(case_argv)[:90]}")
    print(f"\nimport numpy: {numpy_time:.3f} s (same run)\n")
    head = f"{'sub-command':<12}{'cases':>6}{'median s':>10}{'max s':>8}{'max/numpy':>10}" \
           f"{'status':>8}{'traceback':>10}{'warning':>8}{'timeout':>8}{'message':>8}"
    print(head)
    print("-" * len(head))
    total = {"cases": 0, "status": 0, "traceback": 0, "warning": 0, "timeout": 0,
             "fragment": 0, "max": 0.0}
    for group, row in sorted(rows.items()):
        ts = row["times"]
        print(f"{group:<12}{len(ts):>6}{statistics.median(ts):>10.2f}{max(ts):>8.2f}"
              f"{max(ts) / numpy_time:>10.1f}{row['status']:>8}{row['traceback']:>10}"
              f"{row['warning']:>8}{row['timeout']:>8}{row['fragment']:>8}")
        total["cases"] += len(ts)
        total["max"] = max(total["max"], max(ts))
        for k in ("status", "traceback", "warning", "timeout", "fragment"):
            total[k] += row[k]
    print("-" * len(head))
    print(f"{'all':<12}{total['cases']:>6}{'':>10}{total['max']:>8.2f}{'':>10}"
          f"{total['status']:>8}{total['traceback']:>10}{total['warning']:>8}"
          f"{total['timeout']:>8}{total['fragment']:>8}")
    for line, problems, err in failures:
        print(f"\nFAILED {line}: {', '.join(problems)}\n  {err}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
