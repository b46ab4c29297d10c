"""The README's first command, run for real with Debian 12's own /usr/bin/python3 first on PATH, in a throwaway
HOME: once as root and once as a freshly created unprivileged user, each from their own clone of this checkout.

It installs vendorci and its dependencies from PyPI into ~/.local/vendorci (a pip cache under
/var/cache/vendorci-ci makes later runs quick), scaffolds ~/acme-ci-data and runs doctor.  Off a CI master
doctor reports failed checks (no Gearman, no Jenkins, the scaffold's loopback LOG_URL_ROOT), so the command's
exit status is 1 there, as the README says; init must have succeeded before it (the `&&` chain).

Ubuntu 24.04 cannot be had on these machines (no image, no internet beyond the package registries): only
Debian 12 is exercised here (docs/packaging.md).
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.fixtures.plugin import require_real

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.real_server
SYSTEM_PYTHON = "/usr/bin/python3"
PIP_CACHE = Path("/var/cache/vendorci-ci/pip-readme")
#: what pip's in-tree setuptools build leaves in the checkout (both in .gitignore): build output, never keys
BUILD_OUTPUT = ("build/", "vendorci.egg-info/")


def _missing_prerequisite() -> str | None:
    if os.geteuid() != 0:
        return "root (the test creates an unprivileged user with useradd)"
    if not Path("/etc/debian_version").is_file():
        return "a Debian system (/etc/debian_version)"
    for tool in ("useradd", "userdel", "runuser", "git"):
        if shutil.which(tool, path="/usr/sbin:/usr/bin:/sbin:/bin") is None:
            return f"{tool} (apt-get install passwd util-linux git)"
    if not Path(SYSTEM_PYTHON).is_file():
        return f"Debian's {SYSTEM_PYTHON} (apt-get install python3)"
    r = subprocess.run([SYSTEM_PYTHON, "-c", "import sys, ensurepip, venv; print(sys.prefix)"],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        return f"the venv module of {SYSTEM_PYTHON} (apt-get install python3-venv): {r.stderr.strip()[-200:]}"
    if r.stdout.strip() != "/usr":
        return f"{SYSTEM_PYTHON} is not the distribution's python (prefix {r.stdout.strip()})"
    return None


def first_command(readme: Path) -> str:
    return re.findall(r"```sh\n(.*?)\n```", readme.read_text(encoding="utf-8"), re.S)[0]


def _files(tree: Path) -> set[str]:
    out = set()
    for dirpath, dirnames, filenames in os.walk(tree):
        if ".git" in dirnames and Path(dirpath) == tree:
            dirnames.remove(".git")
        rel = os.path.relpath(dirpath, tree)
        out |= {os.path.normpath(os.path.join(rel, f)) for f in filenames}
    return out


@pytest.fixture(scope="module")
def prerequisites():
    require_real(_missing_prerequisite())


@pytest.fixture
def sandbox():
    """A world-readable temporary directory (pytest's own is 0700, closed to the other user); removed after."""
    top = Path(tempfile.mkdtemp(prefix="vendorci-readme-", dir="/tmp"))
    os.chmod(top, 0o755)
    yield top
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def temp_user(sandbox):
    """A fresh unprivileged user (its home inside the sandbox), deleted afterwards."""
    name = f"vcireadme{secrets.token_hex(3)}"
    home = sandbox / "home"
    subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/bin/sh", "--user-group",
                    name], check=True, capture_output=True, timeout=60)
    try:
        yield pwd.getpwnam(name)
    finally:
        subprocess.run(["userdel", name], capture_output=True, timeout=60)


def _run_readme(sandbox: Path, user: pwd.struct_passwd | None):
    """Clone the checkout into the sandbox (owned by the runner, as their own clone would be), run the README's
    first command there and return (result, clone, home, files of the clone before the run)."""
    src, home = sandbox / "src", sandbox / "home"
    home.mkdir()
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(src)], check=True, capture_output=True,
                   timeout=120)
    cache = PIP_CACHE / ("user" if user else "root")
    cache.mkdir(parents=True, exist_ok=True)
    os.chmod(PIP_CACHE.parent, 0o755)
    os.chmod(PIP_CACHE, 0o755)
    if user is not None:
        for path in (home, src, cache):
            subprocess.run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(path)], check=True, timeout=120)
    before = _files(src)
    command = first_command(src / "README.md")
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8", "NO_COLOR": "1",
           "PIP_CACHE_DIR": str(cache), "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_PROGRESS_BAR": "off",
           "USER": user.pw_name if user else "root", "LOGNAME": user.pw_name if user else "root"}
    argv = ["bash", "-c", command]
    if user is not None:
        argv = ["runuser", "-u", user.pw_name, "--", *argv]
    r = subprocess.run(argv, cwd=src, env=env, capture_output=True, text=True, timeout=600,
                       stdin=subprocess.DEVNULL)
    return r, src, home, before, env, argv[:-3]


def _check(r, src: Path, home: Path, before: set[str], env: dict, prefix: list[str], uid: int) -> None:
    out = r.stdout + r.stderr
    venv = home / ".local" / "vendorci"
    assert (venv / "bin" / "vendorci").is_file(), out[-3000:]
    # the venv is Debian's python, not pyenv's
    cfg = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    assert re.search(r"^home = /usr/bin$", cfg, re.M), cfg
    # init ran (and succeeded: doctor runs only after it), then doctor reported the failures of a non-master
    assert "Created data repository" in r.stdout, out[-3000:]
    assert "datarepo.repo" in r.stdout and "problems found" in r.stdout, out[-3000:]
    assert r.returncode == 1, f"rc={r.returncode}\n{out[-3000:]}"
    assert "Traceback" not in out, out[-3000:]
    # the data repository is in that HOME, the private keys 0600 and the user's own
    repo = home / "acme-ci-data"
    assert (repo / ".git").is_dir() and (repo / "vars.sh").is_file()
    assert stat.S_IMODE(repo.stat().st_mode) == 0o700 and repo.stat().st_uid == uid
    for key in ("gerrit_key", "jenkins_key"):
        st = (repo / key).stat()
        assert stat.S_IMODE(st.st_mode) == 0o600, (key, oct(st.st_mode))
        assert st.st_uid == uid, (key, st.st_uid, uid)
    # nothing of the run in the checkout: git sees no change, and the only new files are pip's build output
    status = subprocess.run(["git", "-c", "safe.directory=*", "status", "--porcelain", "--untracked-files=all"],
                            cwd=src, capture_output=True, text=True, timeout=60)
    assert status.returncode == 0 and status.stdout == "", status.stdout + status.stderr
    new = sorted(_files(src) - before)
    assert all(p.startswith(BUILD_OUTPUT) for p in new), [p for p in new if not p.startswith(BUILD_OUTPUT)]
    assert not [p for p in new if p.endswith(("_key", "_key.pub")) or "acme" in p], new
    # the installed command works on its own
    v = subprocess.run([*prefix, str(venv / "bin" / "vendorci"), "--version"], env=env, cwd=home,
                       capture_output=True, text=True, timeout=60)
    assert v.returncode == 0 and v.stdout.startswith("vendorci "), v.stdout + v.stderr


@pytest.mark.timeout(900)
def test_readme_first_command_as_root(prerequisites, sandbox):
    r, src, home, before, env, prefix = _run_readme(sandbox, None)
    _check(r, src, home, before, env, prefix, 0)


@pytest.mark.timeout(900)
def test_readme_first_command_as_a_normal_user(prerequisites, sandbox, temp_user):
    r, src, home, before, env, prefix = _run_readme(sandbox, temp_user)
    assert temp_user.pw_uid != 0
    _check(r, src, home, before, env, prefix, temp_user.pw_uid)
    assert home.stat().st_uid == temp_user.pw_uid
