"""Checks of the private keys the repo names: present, private, mode 0600, strong, matching .pub."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from vendorci.core.datarepo import KEY_VARS
from vendorci.core.validate.context import Run
from vendorci.errors import VendorciError

KEY_MODE_MASK = 0o077


# -- keys --------------------------------------------------------------------
def check_keys(c: Run) -> None:
    root = c.repo.root
    paths: dict[Path, str] = {}
    if c.vars is not None:
        for name in KEY_VARS:
            value = c.vars.get(name)
            if not value:
                continue
            p = Path(os.path.expanduser(value))
            if p.is_absolute():
                c.add("warning", "keys_outside", f"{name}={value} points outside the repository", c.vars.path,
                      c.vars.vars[name].line, "Keep the key in the data repo and give a relative path.")
            paths[p if p.is_absolute() else root / p] = name
    for default in ("gerrit_key", "jenkins_key"):
        if (root / default).exists() and root / default not in paths:
            paths[root / default] = default
    for p, name in paths.items():
        line = c.vars.vars[name].line if c.vars is not None and name in c.vars.vars else None
        src = c.vars.path if line and c.vars is not None else p
        if not p.exists():
            c.add("error", "keys_missing", f"{name} names {c.repo.rel(p)}, which does not exist", src, line,
                  f"Copy the private key there, or create one: vendorci keys generate {p.name} --dir "
                  f"{p.parent}")
            continue
        if p.is_dir():
            c.add("error", "keys_missing", f"{c.repo.rel(p)} is a directory, not a key", src, line,
                  "Point the variable at the private key file.")
            continue
        mode = stat.S_IMODE(p.stat().st_mode)
        if mode & KEY_MODE_MASK:
            c.add("error", "keys_mode", f"private key {c.repo.rel(p)} has mode {mode:o}; others can read it", p,
                  None, f"chmod 600 {p}")
        _check_key_pair(c, p)
        from vendorci.core.keyformats import role_warnings

        for code, message, fix in role_warnings(p, f"{name}:v3" if c.v3 else name, c.repo.rel(p)):
            c.add("warning", code, message, src, line, fix)


def _check_key_pair(c: Run, p: Path) -> None:
    from vendorci.core.keys import inspect_key

    try:
        info = inspect_key(p)
    except VendorciError as err:
        c.add("error", "keys_invalid", err.message.split(": ", 1)[-1], p, None,
              "Replace it with an OpenSSH private key (vendorci keys generate).")
        return
    if not info.private:
        c.add("error", "keys_invalid", f"{c.repo.rel(p)} holds a public key where a private key is expected", p,
              None, "Put the private key here (the .pub file beside it).")
        return
    if info.type == "rsa" and info.bits < 2048:
        c.add("warning", "keys_weak", f"{c.repo.rel(p)} is a {info.bits}-bit RSA key", p, None,
              "Replace it with a 4096-bit RSA or an ed25519 key and register the new public key.")
    pub = p.with_name(p.name + ".pub")
    if not pub.is_file():
        c.add("warning", "keys_pub_missing", f"{c.repo.rel(pub)} is missing", p, None,
              f"Recreate it: ssh-keygen -y -f {p} > {pub}")
        return
    if info.fingerprint:
        try:
            pinfo = inspect_key(pub)
        except VendorciError:
            pinfo = None
        if pinfo is None or pinfo.fingerprint != info.fingerprint:
            c.add("error", "keys_pub_mismatch", f"{c.repo.rel(pub)} does not belong to {c.repo.rel(p)}", pub, None,
                  f"Recreate it: ssh-keygen -y -f {p} > {pub}")
