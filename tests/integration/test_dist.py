"""The one-file executable (shiv), run with only a system python3, no site-packages
and (where the kernel lets us) no network."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.real_server


@pytest.fixture(scope="module")
def pyz():
    """The one-file build. It is made by `make pyz` (in .ci/run and the README's test command),
    not here: building downloads packages, and tests talk to loopback only."""
    from tests.fixtures.plugin import require_real

    path = Path(os.environ.get("VENDORCI_PYZ", ROOT / "dist" / "vendorci.pyz"))
    if not path.is_file():
        require_real(f"{path} is not built (run `make pyz` first)")
    newest_source = max(p.stat().st_mtime for p in (ROOT / "vendorci").rglob("*.py"))
    if path.stat().st_mtime < newest_source:
        require_real(f"{path} is older than the sources (run `make pyz` again)")
    return path


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
