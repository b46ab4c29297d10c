#!/usr/bin/env python3
"""CLI start-up: `vendorci --version`, `vendorci --help` and every subcommand's `--help`, against
`git-review --help` and `--version`, measured in one run, paired (each round runs every command once, in turn,
so machine load hits all of them alike), median of 11 rounds.

Run by hand: python benchmarks/startup.py [--runs 11]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

SUBCOMMANDS = [
    ["init"], ["keys", "generate"], ["validate"], ["doctor"], ["gearman", "status"], ["gearman", "workers"],
    ["node", "register"], ["node", "list"], ["smoke-test", "sandbox"], ["votes"], ["config", "show"],
]


#: as installed code runs: with its byte-code cache (a sandbox may set PYTHONDONTWRITEBYTECODE)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def once_ms(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=60, env=ENV)
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--vendorci", default=shutil.which("vendorci"), help="the vendorci to time (or a .pyz)")
    args = ap.parse_args()
    vendorci = args.vendorci or sys.exit("vendorci is not installed")
    git_review = shutil.which("git-review") or sys.exit("git-review is not installed")
    cmds = {"git-review --help": [git_review, "--help"], "git-review --version": [git_review, "--version"],
            "vendorci --version": [vendorci, "--version"], "vendorci --help": [vendorci, "--help"]}
    for sub in SUBCOMMANDS:
        cmds[f"vendorci {' '.join(sub)} --help"] = [vendorci, *sub, "--help"]
    for cmd in cmds.values():  # warm the page cache
        once_ms(cmd)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            times[name].append(once_ms(cmd))
    med = {name: statistics.median(t) for name, t in times.items()}
    base = med["git-review --help"]
    print(f"# {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{args.runs} paired rounds, median; ratio to git-review --help")
    for name, ms in med.items():
        print(f"{name:36s} {ms:8.1f} ms  {ms / base:5.2f}x")
    worst = max((n for n in med if n.startswith("vendorci ") and n.endswith("--help")), key=med.__getitem__)
    print(f"slowest help: {worst} {med[worst] / base:.2f}x; --version {med['vendorci --version'] / base:.2f}x")


if __name__ == "__main__":
    main()
