"""Checks of vars.sh: required variables, and its names against the files that use them."""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path

from vendorci.core.datarepo import KNOWN_VARS, REQUIRED_VARS, parse_vars, var_references
from vendorci.core.validate.context import Run


# -- vars --------------------------------------------------------------------
def check_vars(c: Run) -> None:
    if c.repo.vars_sh is None:
        if c.repo.layout is not None and c.repo.rel(c.repo.layout).startswith("zuul/"):
            return  # project-config style: settings live in the installer's hiera, not in vars.sh
        c.add("warning", "vars_missing", "no vars.sh", c.repo.root, None,
              "Add vars.sh with the variables the installer needs (see docs/init.md).")
        return
    vars_sh = c.repo.vars_sh
    c.vars = c.guard(lambda: parse_vars(vars_sh), "vars", vars_sh)
    if c.vars is None:
        return
    for p in c.vars.problems:
        c.add_finding(p)
    for name in REQUIRED_VARS:
        if name not in c.vars.vars and not (c.v3 and name.startswith("JENKINS")):
            close = difflib.get_close_matches(name, c.vars.vars, n=1, cutoff=0.75)
            c.add("error", "vars_required", f"vars.sh does not set {name} ({KNOWN_VARS[name]})", c.repo.vars_sh,
                  None, f"Add 'export {name}=...'" + (f" (is '{close[0]}' meant to be it?)" if close else "") + ".")
    if not c.vendor:
        c.vendor = c.vars.get("VENDOR")


_SKIP_SCAN = {".git", "__pycache__"}


def _text_files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_SCAN]
        for f in filenames:
            p = Path(dirpath) / f
            if f == "vars.sh" and Path(dirpath) == root or f.lower().startswith("readme") or f.endswith(".pub"):
                continue
            try:
                st = p.stat()
                if not stat.S_ISREG(st.st_mode) or st.st_size > 1024 * 1024:  # a FIFO or device would block
                    continue
                head = p.read_bytes()
            except OSError:
                continue
            if b"\0" in head or b"PRIVATE KEY" in head:
                continue
            out.append(p)
    return out


def check_var_usage(c: Run) -> None:
    vf = c.vars
    if vf is None:
        return
    refs: dict[str, dict[Path, int]] = {}  # name -> file -> first line using it
    for p in _text_files(c.repo.root):
        if any(d in p.parents for d in c.literal_dirs):
            continue  # a Zuul config project: ${NAME} there is the shell's, never vars.sh's
        text = p.read_text(encoding="utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith(("#", ";")) and not line.lstrip().startswith("#!"):
                continue  # a comment may talk about ${NAME} without using it
            for name in var_references(line):
                refs.setdefault(name, {}).setdefault(p, n)
    for name, p, n in sorted((name, p, n) for name, uses in refs.items() for p, n in uses.items()):
        if name not in vf.vars:
            close = difflib.get_close_matches(name, vf.vars, n=1, cutoff=0.75)
            c.add("error", "vars_undefined", f"{c.repo.rel(p)} uses ${{{name}}}, which vars.sh does not set", p, n,
                  f"vars.sh sets '{close[0]}': rename one of them." if close else f"Add 'export {name}=...' to "
                  "vars.sh.")
    for name, var in vf.vars.items():
        if name in refs or name in KNOWN_VARS:
            continue
        close = difflib.get_close_matches(name, [k for k in KNOWN_VARS if k not in vf.vars], n=1, cutoff=0.8)
        if close:
            c.add("error", "vars_misnamed", f"{name} is read by nothing; the name that is read is {close[0]} "
                  f"({KNOWN_VARS[close[0]]})", vf.path, var.line, f"Rename {name} to {close[0]}.")
        else:
            c.add("warning", "vars_unused", f"{name} is set but no file of the repo uses it", vf.path, var.line,
                  f"Remove it, or use ${{{name}}} where it is meant to be used.")
