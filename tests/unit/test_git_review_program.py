import shutil
import subprocess

from vendorci.clients import git


def test_git_review_runs_from_the_bundled_package_when_not_on_path(monkeypatch):
    """In vendorci.pyz git-review is only a package: vendorci runs its entry point with its own Python."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(git.Path, "exists", lambda self: False)
    prog = git.git_review_program()
    out = subprocess.run(prog + ["--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert (out.stdout + out.stderr).strip().startswith("git-review version 2.")
