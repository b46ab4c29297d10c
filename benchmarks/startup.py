#!/usr/bin/env python3
"""CLI start-up: median wall time of `vendorci --help` / `--version` against
`git-review --version`, measured in the same run on the same machine.

Run by hand: python benchmarks/startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import time


def median_ms(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=60)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    vendorci = shutil.which("vendorci") or sys.exit("vendorci is not installed")
    git_review = shutil.which("git-review") or sys.exit("git-review is not installed")
    median_ms([vendorci, "--version"], 3)  # warm the page cache
    rows = [
        ("vendorci --help", median_ms([vendorci, "--help"], args.runs)),
        ("vendorci --version", median_ms([vendorci, "--version"], args.runs)),
        ("git-review --version", median_ms([git_review, "--version"], args.runs)),
    ]
    print(f"# {platform.processor() or platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {args.runs} runs each, median")
    for name, ms in rows:
        print(f"{name:24s} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
