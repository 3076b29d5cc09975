"""`make bench`: runs every benchmarks/bench_*.py module's `run()` and prints its lines.

Each module measures against a baseline run in the same process (a ratio), so numbers are
comparable across machines. A module returns a list of (name, value-text) pairs.
"""
from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))          # shared helpers such as timing.py
    failed = 0
    for mod_path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(mod_path.stem, mod_path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        print(f"== {mod_path.stem}")
        t0 = time.perf_counter()
        try:
            for name, value in mod.run():
                print(f"  {name:<58} {value}")
        except Exception as e:  # keep going: one broken benchmark must not hide the others
            failed += 1
            print(f"  FAILED: {type(e).__name__}: {e}")
        print(f"  ({time.perf_counter() - t0:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
