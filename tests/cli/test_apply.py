"""`vendorci apply`: real Jenkins Job Builder against the Jenkins double, a zuul-server stand-in that
records SIGHUP, a recorded zuul-scheduler command, all on a scratch --root."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.fixtures.jenkins_double import jenkins_double_fixture  # noqa: F401
from tests.fixtures.zuul_standin import start_zuul_server
from vendorci.core.scaffold import InitOptions, init_repo

pytestmark = pytest.mark.real_server

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAwO4tQ7rI9uPp3nNb1zMFOLf1W2Fq5G+u0t2Xx0wK6y"


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "repo"
    # a public log URL: validate (which apply runs first) refuses a loopback one for an upstream CI
    init_repo(r, InitOptions(vendor="acme", gerrit_user="acme-ci", key_type="ed25519",
                             log_url="https://logs.acme.test/logs"))
    vars_sh = r / "vars.sh"
    vars_sh.write_text(vars_sh.read_text().replace(
        "# export UPSTREAM_GERRIT_HOST_PUB_KEY='ssh-ed25519 AAAA...'",
        f"export UPSTREAM_GERRIT_HOST_PUB_KEY='{HOST_KEY}'"))
    return r


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "root"
    r.mkdir()
    return r


@pytest.fixture
def zuul(tmp_path, root):
    server = start_zuul_server(tmp_path, root / "var/run/zuul/zuul.pid")
    yield server
    server.stop()


@pytest.fixture
def creds(monkeypatch, jenkins_double):
    monkeypatch.setenv("VENDORCI_JENKINS_USER", "admin")
    monkeypatch.setenv("VENDORCI_JENKINS_TOKEN", jenkins_double.admin_token)
    return jenkins_double


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def apply(cli, repo, root, *extra):
    return cli("--output", "json", "apply", str(repo), "--root", str(root), *extra)


def test_dry_run_writes_nothing_and_sends_nothing(cli, repo, root, creds):
    res = apply(cli, repo, root, "--dry-run", "--jenkins-url", creds.url)
    assert res.exit_code == 0, res.stdout
    data = res.json["data"]
    assert data["dry_run"] is True
    assert {f["path"]: f["action"] for f in data["files"]}["/etc/zuul/zuul.conf"] == "created"
    conf = next(f for f in data["files"] if f["path"] == "/etc/zuul/zuul.conf")
    assert "+server=review.opendev.org" in conf["diff"]
    key = next(f for f in data["files"] if f["kind"] == "key")
    assert "PRIVATE KEY" not in key["diff"] and "content not shown" in key["diff"]
    assert files_under(root) == [] and list(root.iterdir()) == []
    assert creds.requests == []


def test_first_apply_then_idempotent_second(cli, repo, root, creds, zuul):
    res = apply(cli, repo, root, "--yes", "--jenkins-url", creds.url)
    assert res.exit_code == 0, res.stdout + res.stderr
    d = res.json["data"]
    actions = {f["path"]: f["action"] for f in d["files"]}
    assert set(actions.values()) == {"created"}
    assert {"/etc/zuul/zuul.conf", "/etc/zuul/layout.yaml", "/etc/jenkins_jobs/jenkins_jobs.ini",
            "/etc/jenkins_jobs/config/macros.yaml", "/var/lib/zuul/ssh/id_rsa"} <= set(actions)
    conf = (root / "etc/zuul/zuul.conf").read_text()
    assert "server=review.opendev.org\n" in conf and "user=acme-ci\n" in conf
    assert "url_pattern=https://logs.acme.test/logs/{build.parameters[LOG_PATH]}" in conf
    assert "# Zuul v2 configuration of the acme CI. ${NAME} values" in conf  # comments as written
    assert "${{LOG_URL_ROOT}}/$LOG_PATH/" in (root / "etc/jenkins_jobs/config/macros.yaml").read_text()
    key = root / "var/lib/zuul/ssh/id_rsa"
    assert key.read_bytes() == (repo / "gerrit_key").read_bytes()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "etc/zuul/zuul.conf").stat().st_mode) == 0o644
    kh = next(f for f in d["files"] if f["path"].endswith("/.ssh/known_hosts"))
    assert (root / kh["path"].lstrip("/")).read_text() == f"[review.opendev.org]:29418 {HOST_KEY}\n"
    # jobs: created through createItem with JJB's XML
    assert d["jenkins"]["jobs"] == [{"name": "dsvm-tempest-full", "action": "created"},
                                    {"name": "noop-check-communication", "action": "created"}]
    created = [r for r in creds.received if r.path.startswith("/createItem")]
    assert [r.path for r in created] == ["/createItem?name=dsvm-tempest-full",
                                         "/createItem?name=noop-check-communication"]
    assert b"${LOG_URL_ROOT}/$LOG_PATH/" in created[1].body and b"acme Testing System" in created[1].body
    assert creds.jobs == {"dsvm-tempest-full": "devstack_slave", "noop-check-communication": "built-in"}
    # Zuul 2 reloaded: SIGHUP received, still alive
    assert d["reload"]["done"] is True and d["reload"]["how"] == "sighup" and d["reload"]["pid"] == zuul.pid
    assert zuul.hups == 1 and zuul.alive()
    assert any("restart Zuul" in n for n in d["notes"])  # zuul.conf is new: connections need a restart
    assert d["backup_dir"] is None or not any(f["backup"] for f in d["files"])

    before = len(creds.requests)
    again = apply(cli, repo, root, "--yes", "--jenkins-url", creds.url)
    assert again.exit_code == 0, again.stdout
    d2 = again.json["data"]
    assert {f["action"] for f in d2["files"]} == {"unchanged"}
    assert {j["action"] for j in d2["jenkins"]["jobs"]} == {"unchanged"}
    assert [p for m, p, _ in creds.requests[before:] if m == "POST"] == []  # nothing sent to Jenkins
    assert d2["reload"]["done"] is False and zuul.hups == 1
    assert d2["backup_dir"] is None


def test_a_changed_job_updates_exactly_that_job_with_backup(cli, repo, root, creds, zuul):
    assert apply(cli, repo, root, "--yes", "--jenkins-url", creds.url).exit_code == 0
    examples = repo / "etc/jenkins_jobs/config/examples.yaml"
    old = examples.read_text()
    examples.write_text(old.replace("this is the {vendor} Testing System", "this is the {vendor} CI"))
    before = len(creds.requests)
    res = apply(cli, repo, root, "--yes", "--jenkins-url", creds.url)
    assert res.exit_code == 0, res.stdout
    d = res.json["data"]
    changed = [f for f in d["files"] if f["action"] != "unchanged"]
    assert [(f["path"], f["action"]) for f in changed] == [("/etc/jenkins_jobs/config/examples.yaml", "updated")]
    backup = Path(changed[0]["backup"])
    assert backup.read_text() == old
    assert backup.is_relative_to(root / "var/backups/vendorci")
    assert d["backup_dir"] and Path(d["backup_dir"]).parent == root / "var/backups/vendorci"
    assert d["rollback"].startswith(f"cp -a {d['backup_dir']}/files/. {root}/")
    assert d["jenkins"]["jobs"] == [{"name": "dsvm-tempest-full", "action": "unchanged"},
                                    {"name": "noop-check-communication", "action": "updated"}]
    assert [p for m, p, _ in creds.requests[before:] if m == "POST"] == ["/job/noop-check-communication/config.xml"], \
        creds.requests[before:]
    assert "acme CI" in creds.job_xml["noop-check-communication"]
    assert d["reload"]["done"] is False and zuul.hups == 1  # only JJB files changed: Zuul is not reloaded
    # the printed rollback puts the old file back
    os.system(d["rollback"])  # noqa: S605 - the command apply printed, on the scratch root
    assert (root / "etc/jenkins_jobs/config/examples.yaml").read_text() == old


def test_unresolved_variable_writes_nothing(cli, repo, root, creds):
    conf = repo / "etc/zuul/zuul.conf"
    conf.write_text(conf.read_text().replace("status_url=http://127.0.0.1:8001/",
                                              "status_url=${STATUS_HOST}/\nzuul_url=${ZUUL_URL_ROOT}"))
    res = apply(cli, repo, root, "--yes", "--jenkins-url", creds.url)
    assert res.exit_code == 2
    err = res.json["errors"][0]
    assert err["code"] == "apply_unresolved_vars"
    assert "STATUS_HOST" in err["message"] and "ZUUL_URL_ROOT" in err["message"]
    assert {u["name"] for u in res.json["data"]["unresolved"]} == {"STATUS_HOST", "ZUUL_URL_ROOT"}
    assert list(root.iterdir()) == [] and creds.requests == []


def test_failed_jenkins_step_leaves_files_applied_and_says_so(cli, repo, root, creds, zuul):
    creds.down = True  # Jenkins restarting: 503 to everything
    res = apply(cli, repo, root, "--yes", "--jenkins-url", creds.url)
    assert res.exit_code == 1
    d = res.json["data"]
    assert d["failed_step"] == "jenkins"
    assert (root / "etc/zuul/zuul.conf").is_file()
    assert {f["action"] for f in d["files"]} == {"created"}
    msg = res.json["errors"][0]["message"]
    assert "jenkins step failed" in msg and "files were applied" in msg
    assert d["reload"]["done"] is False and zuul.hups == 0
    creds.down = False
    res = apply(cli, repo, root, "--yes", "--jenkins-url", creds.url)
    assert res.exit_code == 0 and {j["action"] for j in res.json["data"]["jenkins"]["jobs"]} == {"created"}


def test_operator_ini_secret_kept_used_and_masked(cli, repo, root, jenkins_double):
    ini = root / "etc/jenkins_jobs/jenkins_jobs.ini"
    ini.parent.mkdir(parents=True)
    token = jenkins_double.admin_token
    ini.write_text(f"[jenkins]\nurl={jenkins_double.url}\nuser=admin\npassword={token}\n")
    os.chmod(ini, 0o600)
    dry = apply(cli, repo, root, "--dry-run")
    assert token not in dry.stdout
    ini_diff = next(f for f in dry.json["data"]["files"] if f["path"] == "/etc/jenkins_jobs/jenkins_jobs.ini")
    assert "password=********" in ini_diff["diff"] and ini_diff["action"] == "updated"
    # no credentials in the environment: the host's ini provides them, the deployed ini's URL is the double's
    vars_sh = repo / "vars.sh"
    vars_sh.write_text(vars_sh.read_text().replace("JENKINS_URL=http://127.0.0.1:8080/",
                                                   f"JENKINS_URL={jenkins_double.url}"))
    repo_ini = repo / "etc/jenkins_jobs/jenkins_jobs.ini"
    repo_ini.write_text(repo_ini.read_text().replace("url=http://127.0.0.1:8080/", "url=${JENKINS_URL}"))
    res = apply(cli, repo, root, "--yes", "--no-reload")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert token not in res.stdout
    text = ini.read_text()
    assert f"password={token}\n" in text and "user=admin\n" in text and "keep_descriptions=False" in text
    assert stat.S_IMODE(ini.stat().st_mode) == 0o600
    entry = next(f for f in res.json["data"]["files"] if f["path"] == "/etc/jenkins_jobs/jenkins_jobs.ini")
    backup = Path(entry["backup"])
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600 and token in backup.read_text()
    assert stat.S_IMODE(backup.parent.parent.parent.parent.stat().st_mode) == 0o700  # TIMESTAMP/files/etc/..
    assert {j["action"] for j in res.json["data"]["jenkins"]["jobs"]} == {"created"}


def test_existing_key_owner_and_mode_rules(cli, repo, root):
    key = root / "var/lib/zuul/ssh/id_rsa"
    key.parent.mkdir(parents=True)
    key.write_text("old key\n")
    os.chmod(key, 0o644)
    res = apply(cli, repo, root, "--yes", "--no-jenkins", "--no-reload")
    assert res.exit_code == 0, res.stdout
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.read_bytes() == (repo / "gerrit_key").read_bytes()
    entry = next(f for f in res.json["data"]["files"] if f["path"] == "/var/lib/zuul/ssh/id_rsa")
    assert Path(entry["backup"]).read_text() == "old key\n"
    assert "old key" not in res.stdout


@pytest.mark.parametrize("case", ["repo_symlink", "target_symlink", "dotdot_pidfile", "key_outside"])
def test_root_containment(cli, repo, root, tmp_path, case):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("not yours\n")
    if case == "repo_symlink":
        os.symlink(outside / "secret", repo / "etc/zuul/logging.conf")
    elif case == "target_symlink":
        (root / "etc").mkdir()
        os.symlink(outside, root / "etc/zuul")
    elif case == "dotdot_pidfile":
        conf = repo / "etc/zuul/zuul.conf"
        conf.write_text(conf.read_text().replace("pidfile=/var/run/zuul/zuul.pid",
                                                 "pidfile=/var/run/../../../outside/zuul.pid"))
    else:
        os.rename(repo / "gerrit_key", outside / "gerrit_key")
        vars_sh = repo / "vars.sh"
        vars_sh.write_text(vars_sh.read_text().replace("UPSTREAM_GERRIT_SSH_KEY_PATH=gerrit_key",
                                                       "UPSTREAM_GERRIT_SSH_KEY_PATH=../outside/gerrit_key"))
    res = apply(cli, repo, root, "--yes", "--no-jenkins", "--no-reload")
    assert res.exit_code == 2, res.stdout
    assert res.json["errors"][0]["code"] == "apply_path_escape"
    assert sorted(p.name for p in outside.iterdir()) == (["gerrit_key", "secret"] if case == "key_outside"
                                                         else ["secret"])
    assert files_under(root) == []


def test_non_terminal_without_yes_refuses(cli, repo, root):
    res = apply(cli, repo, root, "--no-jenkins")
    assert res.exit_code == 2
    assert res.json["errors"][0]["code"] == "confirmation_required"
    assert list(root.iterdir()) == []
    human = cli("apply", str(repo), "--root", str(root), "--no-jenkins")
    assert human.exit_code == 2 and "+server=review.opendev.org" in human.stdout and list(root.iterdir()) == []


def test_validation_errors_stop_before_writing(cli, repo, root):
    layout = repo / "etc/zuul/layout.yaml"
    layout.write_text(layout.read_text().replace("- noop-check-communication", "- no-such-job"))
    res = apply(cli, repo, root, "--yes", "--no-jenkins")
    assert res.exit_code == 1
    assert res.json["errors"][0]["code"] == "validation_failed"
    assert any(f["code"] == "jobs_undefined" for f in res.json["data"]["findings"])
    assert list(root.iterdir()) == []


def test_human_output_prints_rollback(cli, repo, root):
    assert apply(cli, repo, root, "--yes", "--no-jenkins", "--no-reload").exit_code == 0
    conf = repo / "etc/zuul/layout.yaml"
    conf.write_text(conf.read_text().replace("#- dsvm-tempest-full", "- dsvm-tempest-full"))
    res = cli("apply", str(repo), "--root", str(root), "--yes", "--no-jenkins", "--no-reload")
    assert res.exit_code == 0
    assert "~ /etc/zuul/layout.yaml (updated)" in res.stdout
    assert "roll back with: cp -a " in res.stdout


@pytest.mark.parametrize("answer,code", [("y\n", 0), ("n\n", 2)])
def test_terminal_asks_first(cli, repo, root, monkeypatch, answer, code):
    monkeypatch.setattr("vendorci.cli.apply._interactive", lambda: True)
    res = cli("apply", str(repo), "--root", str(root), "--no-jenkins", "--no-reload", input=answer)
    assert res.exit_code == code, res.stdout + res.stderr
    assert "Apply " in res.stderr and "+server=review.opendev.org" in res.stdout
    assert (root / "etc/zuul/zuul.conf").exists() == (code == 0)


def test_relative_paths_with_dotdot_typed_by_the_user_are_fine(cli, repo, root, monkeypatch):
    monkeypatch.chdir(root)
    res = cli("--output", "json", "apply", "../repo", "--root", ".", "--yes", "--no-jenkins", "--no-reload")
    assert res.exit_code == 0, res.stdout
    assert (root / "etc/zuul/zuul.conf").is_file()



def test_a_write_that_fails_says_what_was_done(cli, repo, root, monkeypatch):
    import errno

    from vendorci.core.apply import write

    assert apply(cli, repo, root, "--yes", "--no-jenkins", "--no-reload").exit_code == 0
    for rel in ("etc/zuul/layout.yaml", "etc/jenkins_jobs/config/macros.yaml"):
        f = repo / rel
        f.write_text(f.read_text() + "# changed\n")
    real = write._write

    def disk_full(f):
        if f.path.endswith("macros.yaml"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(f)

    monkeypatch.setattr(write, "_write", disk_full)
    res = apply(cli, repo, root, "--yes", "--no-jenkins", "--no-reload")
    assert res.exit_code == 1
    err = res.json["errors"][0]
    assert err["code"] == "apply_write_failed"
    assert "No space left on device" in err["message"] and "1 file(s) were already written" in err["message"]
    assert "Roll back with: cp -a " in err["hint"]
    done = res.json["data"]["files"]
    assert [f["path"] for f in done] == ["/etc/zuul/layout.yaml"] and Path(done[0]["backup"]).is_file()
    assert (root / "etc/zuul/layout.yaml").read_text().endswith("# changed\n")
    assert not (root / "etc/jenkins_jobs/config/macros.yaml").read_text().endswith("# changed\n")


def test_a_file_where_a_directory_is_needed_is_refused_before_writing(cli, repo, root):
    (root / "etc").mkdir()
    (root / "etc/zuul").write_text("a file\n")
    res = apply(cli, repo, root, "--yes", "--no-jenkins", "--no-reload")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "apply_target_not_file"
    assert files_under(root) == ["etc/zuul"]
