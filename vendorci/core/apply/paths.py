"""Containment for ``vendorci apply``: nothing read outside the data repo, nothing written outside ROOT.

A path from the rendered configuration (``/var/run/zuul/zuul.pid``) is taken
under ROOT; ``..`` anywhere is refused, and the real path (symbolic links
resolved, at the target as in the repo) must stay inside.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from vendorci.errors import Code, InputError


def _inside(real: str, top: str) -> bool:
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def under_root(root: Path, path: str, what: str) -> Path:
    """``path`` (absolute, as on the master) as a path under ``root``; InputError if it would escape."""
    p = PurePosixPath(path)
    if not p.is_absolute():
        raise InputError(f"{what}: {path!r} is not an absolute path", code=Code.APPLY_RELATIVE_PATH,
                         hint="Give absolute paths in the configuration (e.g. /var/run/zuul/zuul.pid).")
    if ".." in p.parts:
        raise InputError(f"{what}: {path!r} contains '..'", code=Code.APPLY_PATH_ESCAPE,
                         hint="Write the path without '..'.")
    target = root / str(p.relative_to("/"))
    if not _inside(os.path.realpath(target), os.path.realpath(root)):
        raise InputError(f"{what}: {target} leads outside {root} (a symbolic link on the way)",
                         code=Code.APPLY_PATH_ESCAPE,
                         hint="Remove the symbolic link, or give a --root that contains where it points.")
    return target


def inside_repo(repo_root: Path, path: Path, what: str) -> Path:
    """``path`` if its real path is a regular file inside the data repo; InputError otherwise."""
    if ".." in path.parts:
        raise InputError(f"{what}: {path} contains '..'", code=Code.APPLY_PATH_ESCAPE,
                         hint="Keep deployed files inside the data repository and name them without '..'.")
    real = os.path.realpath(path)
    if not _inside(real, os.path.realpath(repo_root)):
        raise InputError(f"{what}: {path} leads outside the data repository ({real})", code=Code.APPLY_PATH_ESCAPE,
                         hint="Replace the symbolic link with the file itself.")
    if not os.path.isfile(real):
        raise InputError(f"{what}: {path} is not a regular file", code=Code.NOT_A_FILE,
                         hint="Deployed files must be regular files.")
    return Path(real)


def check_parent(root: Path, target: Path) -> None:
    """Just before a write: the directory about to hold ``target`` is still inside ROOT."""
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not _inside(os.path.realpath(parent), os.path.realpath(root)) or target.is_symlink() and not _inside(
            os.path.realpath(target), os.path.realpath(root)):
        raise InputError(f"{target}: leads outside {root}", code=Code.APPLY_PATH_ESCAPE,
                         hint="Remove the symbolic link that points outside ROOT.")
