"""Class 8: what vendorci writes is safe.

Hostile flag values cannot become shell code in vars.sh or extra lines in jenkins_jobs.ini,
vendorci.yaml or a .pub file; `init --force` does not write through a symlinked subdirectory;
`smoke-test --project` cannot leave its cache or rewrite another repository's remote; created
directories are never group/world-writable whatever the umask.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def test_hostile_jenkins_urls_are_refused_and_nothing_is_written(cli, tmp_path):
    marker = tmp_path / "pwned"
    for url in (f"http://x/$(touch {marker})", f"http://x/`touch {marker}`", f"http://x/;touch${{IFS}}{marker}",
                "http://x/\nexport EVIL=1", "http://x/'q'", "http://x/#comment", "http://x/?a=1&b=2|x"):
        res = cli("-o", "json", "init", str(tmp_path / "repo"), "--vendor", "acme", "--yes", "--jenkins-url", url)
        assert res.exit_code == 2, (url, res.stdout)
        assert res.json["errors"][0]["code"] == "bad_jenkins_url"
        assert not (tmp_path / "repo").exists()
    assert not marker.exists()


def test_sourcing_the_generated_vars_sh_runs_no_command(cli, tmp_path):
    res = cli("init", str(tmp_path / "repo"), "--vendor", "acme", "--yes", "--jenkins-url",
              "http://[::1]:8080/jenkins/", "--gerrit-user", "acme-ci")
    assert res.exit_code == 0, res.stdout + res.stderr
    out = subprocess.run(["/bin/bash", "-c", f"set -eu; . {tmp_path / 'repo/vars.sh'}; echo \"$JENKINS_URL\""],
                         capture_output=True, text=True, timeout=10, env={"PATH": "/nonexistent"})
    assert out.returncode == 0 and out.stdout.strip() == "http://[::1]:8080/jenkins/", out.stderr


@pytest.mark.parametrize("comment", ["x\nssh-rsa AAAAB3Nza evil@host", "x\rhidden", "a\x1b[2Jb", "x" * 5000])
def test_key_comment_cannot_add_lines_to_the_pub_file(cli, tmp_path, comment):
    res = cli("-o", "json", "keys", "generate", "k", "--dir", str(tmp_path), "--type", "ed25519",
              "--comment", comment)
    assert res.exit_code == 2, res.stdout
    assert res.json["errors"][0]["code"] == "bad_key_comment"
    assert not (tmp_path / "k").exists() and not (tmp_path / "k.pub").exists()
    ok = cli("keys", "generate", "k", "--dir", str(tmp_path), "--type", "ed25519", "--comment", "acme CI agents")
    assert ok.exit_code == 0
    assert len((tmp_path / "k.pub").read_text().splitlines()) == 1


def test_init_force_does_not_write_through_a_symlinked_subdirectory(cli, tmp_path):
    target = tmp_path / "repo"
    target.mkdir()
    (target / "README.md").write_text("mine\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (target / "etc").symlink_to(elsewhere)
    res = cli("-o", "json", "init", str(target), "--vendor", "acme", "--yes", "--force")
    assert res.exit_code == 2, res.stdout
    assert res.json["errors"][0]["code"] == "path_is_symlink"
    assert list(elsewhere.iterdir()) == []
    assert not (target / "gerrit_key").exists(), "keys were written although init refused"


@pytest.mark.parametrize("project", ["../../../escape", "/etc", "a/../../b", "openstack-dev/./x", ""])
def test_smoke_project_cannot_leave_the_cache(cli, tmp_path, project):
    from vendorci.core.keys import generate_key

    generate_key(tmp_path / "k", "ed25519")
    res = cli("-o", "json", "smoke-test", "sandbox", "--project", project, "--gerrit", "ssh://op@127.0.0.1:9",
              "--ci-user", "ci", "--ci-key", str(tmp_path / "k"), "--ssh-key", str(tmp_path / "k"),
              "--workdir", str(tmp_path / "cache"), "--timeout", "5")
    assert res.exit_code == 2, res.stdout
    assert res.json["errors"][0]["code"] in ("path_escapes", "usage_error")
    assert not (tmp_path / "escape").exists()


@pytest.mark.real_server
def test_smoke_cache_link_to_a_local_repository_is_refused(cli, make_gerrit, tmp_path):
    g = make_gerrit(verdict=1)
    local = tmp_path / "my-project"
    subprocess.run(["git", "init", "-q", str(local)], check=True)
    subprocess.run(["git", "-C", str(local), "remote", "add", "origin", "git@example.org:me/mine.git"], check=True)
    host_dir = g.workdir / f"127.0.0.1_{g.double.port}" / "opendev"  # the default project: opendev/ci-sandbox
    host_dir.mkdir(parents=True)
    (host_dir / "ci-sandbox").symlink_to(local)
    res = cli("-o", "json", "smoke-test", "sandbox", *g.args(timeout=10))
    assert res.exit_code == 2, res.stdout
    assert res.json["errors"][0]["code"] == "path_escapes"
    remote = subprocess.run(["git", "-C", str(local), "remote", "get-url", "origin"], capture_output=True, text=True)
    assert remote.stdout.strip() == "git@example.org:me/mine.git"


def test_directories_are_never_world_writable_whatever_the_umask(tmp_path):
    target = tmp_path / "repo"
    proc = subprocess.run([sys.executable, "-c", "import os, sys; os.umask(0); from vendorci.cli import main; "
                           "sys.argv = ['vendorci'] + sys.argv[1:]; raise SystemExit(main())",
                           "init", str(target), "--vendor", "acme", "--yes"], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    for dirpath, dirnames, _ in os.walk(target):
        if ".git" in dirpath.split(os.sep):
            continue
        mode = os.stat(dirpath).st_mode & 0o777
        assert not mode & 0o022, f"{dirpath} has mode {mode:o}"


def test_make_dirs_under_umask_zero(tmp_path):
    from vendorci.fsutil import ensure_private_dir, make_dirs

    old = os.umask(0)
    try:
        make_dirs(tmp_path / "a/b/c")
        ensure_private_dir(tmp_path / "p/q")
    finally:
        os.umask(old)
    for d in ("a", "a/b", "a/b/c", "p", "p/q"):
        assert not os.stat(tmp_path / d).st_mode & 0o022, d
    assert os.stat(tmp_path / "p/q").st_mode & 0o777 == 0o700
