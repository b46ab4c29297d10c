"""The one-file executable (a PEX carrying wheels for CPython 3.10-3.13), run under every CPython 3.10-3.13 this
machine has, with nothing but that interpreter: no site-packages of ours, no PYTHON* variables and (where the kernel
lets us) no network.  A real command (`init`, then `validate --strict`) runs under each, not only `--version`:
a file built for one minor version can print its version on another and still fail on its first import."""

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.real_server
VERSIONS = ("3.10", "3.11", "3.12", "3.13")


def interpreters() -> dict[str, str]:
    """One interpreter per minor version: pyenv's (as on the CI machines), else pythonX.Y on PATH."""
    found: dict[str, str] = {}
    for v in VERSIONS:
        cands = sorted(glob.glob(f"/root/.pyenv/versions/{v}.*/bin/python")) or [shutil.which(f"python{v}") or ""]
        if cands[-1]:
            found[v] = cands[-1]
    return found


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


def _no_network(cmd):
    if os.geteuid() == 0 and shutil.which("unshare") and subprocess.run(
        ["unshare", "-n", "true"], capture_output=True, timeout=10
    ).returncode == 0:
        return ["unshare", "-n", *cmd]
    return cmd


def run_isolated(py, pyz, *args, cwd, home):
    """`python -I`: no user site, no PYTHON* variables; HOME (and so the PEX cache) private to the test."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "NO_COLOR": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    cmd = _no_network([py, "-I", str(pyz), *args])
    return subprocess.run(cmd, capture_output=True, text=True, timeout=110, cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL)


def test_the_ci_machine_has_every_interpreter():
    """The per-interpreter test below is parametrized over what exists; on CI all four must."""
    from tests.fixtures.plugin import require_real

    missing = [v for v in VERSIONS if v not in interpreters()]
    require_real(f"CPython {', '.join(missing)} not found (pyenv)" if missing else None)


@pytest.mark.parametrize("version", [v for v in VERSIONS if v in interpreters()])
def test_pyz_runs_init_and_validate_under(version, pyz, tmp_path):
    py = interpreters()[version]
    home = tmp_path / "home"
    home.mkdir()
    r = run_isolated(py, pyz, "--version", cwd=tmp_path, home=home)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("vendorci ")
    r = run_isolated(py, pyz, "init", str(tmp_path / "demo"), "--vendor", "acme", "--gerrit-user", "acme-ci",
                     "--log-url", "https://logs.acme.test/logs", "--publish-host", "logs.acme.test", "--yes",
                     cwd=tmp_path, home=home)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "demo" / "etc" / "zuul" / "layout.yaml").is_file()
    assert (tmp_path / "demo" / "gerrit_key").stat().st_mode & 0o777 == 0o600
    r = run_isolated(py, pyz, "validate", "--strict", str(tmp_path / "demo"), "-o", "json", cwd=tmp_path, home=home)
    assert r.returncode == 0, r.stdout + r.stderr
    assert '"status": "ok"' in r.stdout
    r = run_isolated(py, pyz, "doctor", "--list", cwd=tmp_path, home=home)
    assert r.returncode == 0, r.stderr
    assert "gearman.reachable" in r.stdout


def test_pyz_runs_as_an_executable_with_the_system_python3(pyz, tmp_path):
    """`./vendorci.pyz doctor --list` as the README says: its shebang finds python3 on PATH."""
    from tests.fixtures.plugin import require_real

    require_real(None if shutil.which("python3", path="/usr/bin:/bin") else "no /usr/bin/python3")
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "NO_COLOR": "1"}
    r = subprocess.run(_no_network([str(pyz), "doctor", "--list"]), capture_output=True, text=True, timeout=110,
                       cwd=tmp_path, env=env, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert "gearman.reachable" in r.stdout

