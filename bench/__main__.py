"""Run every benchmark module (bench/bench_*.py) in name order."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def modules() -> list[str]:
    return sorted(
        f"bench.{info.name}"
        for info in pkgutil.iter_modules(bench.__path__)
        if info.name.startswith("bench_")
    )


def main(argv: list[str]) -> int:
    """Run all benchmarks, or only those whose names contain one of `argv`."""
    names = [m for m in modules() if not argv or any(a in m for a in argv)]
    for name in names:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        importlib.import_module(name).main()
        print(f"== {name}: {time.perf_counter() - started:.1f} s\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
