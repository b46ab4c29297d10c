"""Build dist/vendorci.pyz: one PEX file carrying wheels for CPython 3.10, 3.11, 3.12 and 3.13 on x86-64 Linux.

Run by `make pyz` with the throwaway build environment's Python (which has pex).  For each target version it
uses a local interpreter when there is one (pyenv's, or python3.1x on PATH) and otherwise asks pex to resolve
for that version's platform tag (`--platform`), so a machine with a single python3 can still build the
four-version file.  At start-up the PEX picks the wheels that match the interpreter running it; `--venv` makes
the first run unpack once into ~/.cache/pex (PEX_ROOT) and later runs start from that venv directly.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

VERSIONS = ("3.10", "3.11", "3.12", "3.13")
PLATFORM = "manylinux2014_x86_64-cp-{v}-cp{nodot}"


def interpreter(version: str) -> str | None:
    found = sorted(glob.glob(f"/root/.pyenv/versions/{version}.*/bin/python")) + sorted(
        glob.glob(str(Path.home() / f".pyenv/versions/{version}.*/bin/python")))
    if found:
        return found[-1]
    return shutil.which(f"python{version}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="dist/vendorci.pyz")
    ap.add_argument("--project", default=".")
    args = ap.parse_args()
    targets: list[str] = []
    for v in VERSIONS:
        py = interpreter(v)
        if py:
            targets += ["--python", py]
            print(f"  CPython {v}: {py}", file=sys.stderr)
        else:
            targets += ["--platform", PLATFORM.format(v=v, nodot=v.replace(".", ""))]
            print(f"  CPython {v}: no local interpreter, resolving for its platform tag", file=sys.stderr)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    project = Path(args.project)
    for stale in [project / "build" / "lib", *project.glob("build/bdist.*")]:
        # setuptools builds in the tree and packs whatever build/lib holds: no module deleted since may ride along
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory() as wheels:
        # vendorci's own wheel (pure Python) once, first: pex resolving the source tree for four interpreters
        # builds it four times at once in the same tree, and those builds trip over each other's build/ files
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check",
                        "-w", wheels, args.project], check=True)
        wheel = next(Path(wheels).glob("vendorci-*.whl"))
        build(wheel, targets, tmp)
    tmp.replace(out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"{digest}  {out}")
    return 0


def build(wheel: Path, targets: list[str], tmp: Path) -> None:
    cmd = [sys.executable, "-m", "pex", str(wheel), *targets, "--console-script", "vendorci", "--venv", "--sh-boot",
           "--python-shebang", "/usr/bin/env python3", "--no-emit-warnings", "-o", str(tmp)]
    subprocess.run(cmd, check=True)


if __name__ == "__main__":
    sys.exit(main())
