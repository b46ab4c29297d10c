"""The one-file executable: built with shiv, run with only a system python3,
no site-packages and (where the kernel lets us) no network."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.real_server


@pytest.fixture(scope="module")
def pyz(tmp_path_factory):
    from tests.fixtures.plugin import require_real

    try:
        import shiv  # noqa: F401
    except ImportError:
        require_real("shiv (the test extra) is not installed")
    out = tmp_path_factory.mktemp("dist") / "vendorci.pyz"
    # build from a copy of the sources so that no build/ or egg-info lands in the work tree
    src = tmp_path_factory.mktemp("src")
    for name in ("vendorci", "pyproject.toml", "README.md", "LICENSE"):
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif p.exists():
            shutil.copy(p, src / name)
    r = subprocess.run(
        [sys.executable, "-m", "shiv", "--compressed", "-c", "vendorci", "-p", "/usr/bin/env python3",
         "-o", str(out), str(src)],
        capture_output=True, text=True, timeout=600,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return out


def run_isolated(pyz, *args, cwd, home):
    """python3 -I -S: no site-packages, no PYTHON* variables; unshare -n: no network."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHIV_ROOT": str(home / "shiv"), "LANG": "C.UTF-8",
           "NO_COLOR": "1"}
    py = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
    cmd = [py, "-I", "-S", str(pyz), *args]
    if os.geteuid() == 0 and shutil.which("unshare") and subprocess.run(
        ["unshare", "-n", "true"], capture_output=True, timeout=10
    ).returncode == 0:
        cmd = ["unshare", "-n", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL)


def test_pyz_runs_version_init_and_doctor_list(pyz, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    r = run_isolated(pyz, "--version", cwd=tmp_path, home=home)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("vendorci ")
    r = run_isolated(pyz, "init", str(tmp_path / "demo"), "--vendor", "acme", "--gerrit-user", "acme-ci",
                     "--key-type", "ed25519", "--yes", cwd=tmp_path, home=home)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "demo" / "etc" / "zuul" / "layout.yaml").is_file()
    assert (tmp_path / "demo" / "gerrit_key").stat().st_mode & 0o777 == 0o600
    r = run_isolated(pyz, "doctor", "--list", cwd=tmp_path, home=home)
    assert r.returncode == 0, r.stderr
    assert "gearman.reachable" in r.stdout
