"""`vendorci init`: golden files, keys, git commit, --force, prompts and a bad-input table."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.golden.refdata import GOLDEN
from vendorci.core.keys import inspect_key

GOLDEN_INIT = GOLDEN / "init"
FAST = ("--key-type", "ed25519")  # RSA 4096 generation is covered once, below


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts and not p.name.endswith("_key")
            and not p.name.endswith("_key.pub")}


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(root)): (p.stat().st_mode, p.read_bytes()) for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_init_renders_the_golden_files(cli, tmp_path, fast_rsa):
    # the default keys (RSA in PEM): the README says so
    res = cli("init", str(tmp_path / "repo"), "--vendor", "acme", "--gerrit-user", "acme-ci", "-y")
    assert res.exit_code == 0, res.stderr
    expected = {str(p.relative_to(GOLDEN_INIT)): p.read_text() for p in sorted(GOLDEN_INIT.rglob("*"))
                if p.is_file()}
    assert expected, "golden files missing"
    assert tree(tmp_path / "repo") == expected


def test_init_default_rsa_keys_modes_commit_and_json(cli, tmp_path):
    target = tmp_path / "repo"
    res = cli("-o", "json", "init", str(target), "--vendor", "acme-ci_2", "--gerrit-user", "acme-bot", "--yes")
    assert res.exit_code == 0, res.stderr
    env = res.json
    assert env["command"] == "init" and env["status"] == "ok" and env["exit_code"] == 0
    data = env["data"]
    assert data["path"] == str(target.absolute()) and not data["kept"] and not data["forced"]
    for name in ("gerrit_key", "jenkins_key"):
        priv = target / name
        assert stat.S_IMODE(priv.stat().st_mode) == 0o600
        info = inspect_key(priv)
        assert (info.type, info.bits) == ("rsa", 4096)
        pub = inspect_key(target / f"{name}.pub")
        assert pub.fingerprint == info.fingerprint
        assert {k["name"]: k["fingerprint"] for k in data["keys"]}[name] == info.fingerprint
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    log = subprocess.run(["git", "log", "--format=%s", "--name-only"], cwd=target, capture_output=True,
                         text=True, check=True).stdout
    assert log.startswith("Initial vendorci data repository")
    for rel in ("gerrit_key", "vars.sh", "etc/zuul/layout.yaml", "etc/jenkins_jobs/config/projects.yaml"):
        assert rel in log.split("\n")
    assert subprocess.run(["git", "status", "--porcelain"], cwd=target, capture_output=True, text=True).stdout == ""
    assert "vendor: acme-ci_2" in (target / "etc/jenkins_jobs/config/projects.yaml").read_text()
    assert "UPSTREAM_GERRIT_USER=acme-bot" in (target / "vars.sh").read_text()
    assert "secret" not in (target / "etc/jenkins_jobs/jenkins_jobs.ini").read_text().lower().replace("no secret", "")


def test_init_commits_without_a_git_identity(cli, tmp_path, monkeypatch):
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("EMAIL", "")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    # git must not guess an identity from the host name: it has none at all
    (home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
    assert subprocess.run(["git", "var", "GIT_AUTHOR_IDENT"], cwd=home, capture_output=True).returncode != 0
    res = cli("init", str(tmp_path / "repo"), "--vendor", "acme", "-y", *FAST)
    assert res.exit_code == 0, res.stderr
    out = subprocess.run(["git", "log", "-1", "--format=%an <%ae>"], cwd=tmp_path / "repo", capture_output=True,
                         text=True).stdout.strip()
    assert out == "vendorci <vendorci@localhost>"


def test_rerun_without_force_changes_nothing(cli, tmp_path):
    target = tmp_path / "repo"
    assert cli("init", str(target), "--vendor", "acme", "-y", *FAST).exit_code == 0
    before = snapshot(target)
    res = cli("-o", "json", "init", str(target), "--vendor", "other", "-y", *FAST)
    assert res.exit_code == 2
    assert res.json["errors"][0]["code"] == "dir_not_empty"
    assert "already a data repository" in res.json["errors"][0]["message"]
    assert snapshot(target) == before


def test_force_adds_missing_files_and_never_touches_keys(cli, tmp_path):
    target = tmp_path / "repo"
    assert cli("init", str(target), "--vendor", "acme", "-y", *FAST).exit_code == 0
    key_before = (target / "gerrit_key").read_bytes()
    subprocess.run(["git", "rm", "-q", "etc/zuul/layout.yaml"], cwd=target, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "drop layout"], cwd=target, check=True)
    (target / "vars.sh").write_text("export UPSTREAM_GERRIT_USER=mine\n")
    (target / "jenkins_key").unlink()  # private key gone, public key left: keep both as they are
    res = cli("-o", "json", "init", str(target), "--vendor", "acme", "-y", "--force", *FAST)
    assert res.exit_code == 0, res.stderr
    data = res.json["data"]
    assert data["forced"] and data["written"] == ["etc/zuul/layout.yaml"]
    assert "vars.sh" in data["kept"] and "gerrit_key" in data["kept"]
    assert (target / "gerrit_key").read_bytes() == key_before
    assert (target / "vars.sh").read_text() == "export UPSTREAM_GERRIT_USER=mine\n"
    assert not (target / "jenkins_key").exists()
    assert data["commit"]  # the re-added file is committed; the user's own changes are not
    status = subprocess.run(["git", "status", "--porcelain"], cwd=target, capture_output=True, text=True).stdout
    assert sorted(status.split()) == ["D", "M", "jenkins_key", "vars.sh"]


def test_force_on_a_plain_non_empty_dir_initialises_git(cli, tmp_path):
    target = tmp_path / "existing"
    target.mkdir(mode=0o755)
    (target / "notes.txt").write_text("mine\n")
    res = cli("init", str(target), "--vendor", "acme", "-y", "--force", *FAST)
    assert res.exit_code == 0, res.stderr
    assert (target / ".git").is_dir() and (target / "notes.txt").read_text() == "mine\n"
    assert stat.S_IMODE((target / "gerrit_key").stat().st_mode) == 0o600
    assert stat.S_IMODE(target.stat().st_mode) == 0o700  # it now holds private keys


def test_empty_existing_dir_is_used(cli, tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    assert cli("init", str(target), "--vendor", "acme", "-y", *FAST).exit_code == 0
    assert (target / "vars.sh").is_file()


def test_failure_leaves_nothing_behind(cli, tmp_path, monkeypatch):
    import vendorci.core.keys as keys

    def boom(*a, **kw):
        raise OSError("disk full")

    monkeypatch.setattr(keys, "generate_key", boom)
    target = tmp_path / "repo"
    res = cli("init", str(target), "--vendor", "acme", "-y", *FAST)
    assert res.exit_code == 3  # an unexpected OSError is an internal error, logged
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_prompts_on_a_terminal(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("vendorci.cli.init._interactive", lambda: True)
    res = cli("init", str(tmp_path / "repo"), *FAST, input="acme\nacme-bot\n\n")  # log URL: later
    assert res.exit_code == 0, res.stderr
    assert "UPSTREAM_GERRIT_USER=acme-bot" in (tmp_path / "repo/vars.sh").read_text()


def test_missing_vendor_without_terminal_names_the_option(cli, tmp_path):
    res = cli("init", str(tmp_path / "repo"))
    assert res.exit_code == 2
    assert "--vendor" in res.stderr and not (tmp_path / "repo").exists()


def test_git_missing(cli, tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    res = cli("-o", "json", "init", str(tmp_path / "repo"), "--vendor", "acme", "-y", *FAST)
    assert res.exit_code == 2
    assert res.json["errors"][0]["code"] == "tool_missing" and "git" in res.json["errors"][0]["message"]
    assert not (tmp_path / "repo").exists()


@pytest.mark.parametrize("args, code", [
    (["--vendor", "Acme"], "bad_vendor"),
    (["--vendor", "ac me"], "bad_vendor"),
    (["--vendor", "-acme"], "bad_vendor"),
    (["--vendor", "acme", "--key-type", "dsa"], "bad_key_type"),
    (["--vendor", "acme", "--gerrit-port", "70000"], "bad_port"),
    (["--vendor", "acme", "--jenkins-url", "ftp://jenkins"], "bad_jenkins_url"),
    (["--vendor", "acme", "--jenkins-url", "http://admin:pw@jenkins/"], "bad_jenkins_url"),
    (["--vendor", "acme", "--gerrit-host", "https://review"], "bad_gerrit_host"),
    (["--vendor", "acme", "--gerrit-user", "a b"], "bad_gerrit_user"),
    (["--yes"], "missing_option"),
])
def test_bad_options(cli, tmp_path, args, code):
    res = cli("-o", "json", "init", str(tmp_path / "repo"), "-y", *args)
    assert res.exit_code == 2, res.stdout
    env = res.json
    assert env["status"] == "error" and env["errors"][0]["code"] == code and env["errors"][0]["hint"]
    assert not (tmp_path / "repo").exists()


@pytest.mark.parametrize("make, code", [
    (lambda t: t.write_text("x"), "not_a_directory"),
    (lambda t: None, "dir_missing"),  # parent missing: target is below a missing dir
    (lambda t: (t.mkdir(), (t / "x").write_text("x")), "dir_not_empty"),
])
def test_bad_directories(cli, tmp_path, make, code):
    target = tmp_path / "t"
    make(target)
    arg = target if code != "dir_missing" else tmp_path / "no" / "such" / "dir"
    before = snapshot(tmp_path)
    res = cli("init", str(arg), "--vendor", "acme", "-y", *FAST)
    assert res.exit_code == 2
    assert res.stderr.startswith("error: ") and "hint:" in res.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="prerequisite: a non-root user (root may write anywhere)")
def test_unwritable_parent(cli, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)
    res = cli("-o", "json", "init", str(ro / "repo"), "--vendor", "acme", "-y", *FAST)
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "dir_unwritable"


def test_parent_on_a_file_system_that_refuses_writes(cli):
    """Root passes os.access() everywhere; sysfs still refuses to create anything: a clear error, not a crash."""
    if not os.path.isdir("/sys/kernel"):
        pytest.skip("prerequisite: a Linux sysfs at /sys")
    res = cli("-o", "json", "init", "/sys/vendorci-test-repo", "--vendor", "acme", "-y", *FAST)
    assert res.exit_code == 2, res.stdout
    assert res.json["errors"][0]["code"] == "dir_unwritable"
    assert not os.path.exists("/sys/vendorci-test-repo")


def test_generated_repo_passes_validate(cli, tmp_path, fast_rsa):
    target = tmp_path / "repo"
    assert cli("init", str(target), "--vendor", "acme", "-y", "--log-url", "https://logs.acme.test/logs",
               "--publish-host", "logs.acme.test").exit_code == 0
    res = cli("-o", "json", "validate", str(target), "--strict")
    assert res.exit_code == 0, res.stdout
    assert res.json["data"]["counts"] == {"error": 0, "warning": 0}


GOLDEN_INIT_V3 = GOLDEN / "init-v3"


def test_init_zuul_v3_renders_its_golden_files_and_passes_validate_strict(cli, tmp_path):
    target = tmp_path / "repo"
    res = cli("-o", "json", "init", str(target), "--vendor", "acme", "--gerrit-user", "acme-ci", "-y", "--zuul", "v3",
              *FAST)
    assert res.exit_code == 0, res.stderr
    expected = {str(p.relative_to(GOLDEN_INIT_V3)): p.read_text() for p in sorted(GOLDEN_INIT_V3.rglob("*"))
                if p.is_file()}
    assert "zuul-config/zuul.d/pipelines.yaml" in expected, "golden files missing"
    assert tree(target) == expected
    # one key pair only: no Jenkins in a v3 CI
    assert [k["name"] for k in res.json["data"]["keys"]] == ["gerrit_key"]
    assert stat.S_IMODE((target / "gerrit_key").stat().st_mode) == 0o600 and not (target / "jenkins_key").exists()
    assert subprocess.run(["git", "status", "--porcelain"], cwd=target, capture_output=True, text=True).stdout == ""
    res = cli("validate", "--strict", str(target))
    assert res.exit_code == 0, res.stdout
    assert res.stdout.strip().endswith("0 error(s), 0 warning(s)")


def test_init_v2_is_still_the_default(cli, tmp_path):
    assert cli("init", str(tmp_path / "a"), "--vendor", "acme", "-y", *FAST).exit_code == 0
    assert cli("init", str(tmp_path / "b"), "--vendor", "acme", "-y", "--zuul", "v2", *FAST).exit_code == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert (tmp_path / "a/etc/zuul/layout.yaml").is_file() and not (tmp_path / "a/zuul-config").exists()


@pytest.mark.parametrize("args, code", [
    (("--zuul", "v4"), "bad_zuul_version"),
    (("--vote",), "bad_option"),
    (("--zuul", "v2", "--vote"), "bad_option"),
])
def test_init_zuul_option_errors_exit_2_and_write_nothing(cli, tmp_path, args, code):
    res = cli("-o", "json", "init", str(tmp_path / "repo"), "--vendor", "acme", "-y", *args, *FAST)
    assert res.exit_code == 2
    assert res.json["errors"][0]["code"] == code
    assert not (tmp_path / "repo").exists()
