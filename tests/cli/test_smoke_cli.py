"""CLI wiring of `smoke-test sandbox`: help, usage errors and their exit codes, before any network is touched."""

from __future__ import annotations


def test_help_lists_the_options(cli):
    res = cli("smoke-test", "sandbox", "--help")
    assert res.exit_code == 0
    for opt in ("--project", "--branch", "--timeout", "--abandon", "--recheck", "--workdir", "--gerrit", "--ssh-key",
                "--ci-user", "--ci-key", "--gerrit-http", "--accept-new-host-key"):
        assert opt in res.stdout
    assert "password" not in res.stdout.lower().replace("vendorci_gerrit_http_password", "")


def test_no_operator_account(cli):
    res = cli("--output", "json", "smoke-test", "sandbox", "--ci-user", "ci")
    assert res.exit_code == 2
    assert res.json["errors"][0]["code"] == "no_operator"
    assert "gitreview.username" in res.json["errors"][0]["hint"]


def test_operator_from_git_config_then_missing_ci_key(cli, isolated_env):
    import subprocess

    subprocess.run(["git", "config", "--global", "gitreview.username", "op"], check=True)
    res = cli("--output", "json", "smoke-test", "sandbox", "--ci-user", "ci")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "no_ci_key"
    res = cli("--output", "json", "smoke-test", "sandbox")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "no_ci_user"


def test_bad_gerrit_url(cli):
    res = cli("--output", "json", "smoke-test", "sandbox", "--gerrit", "http://x y/")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "bad_gerrit_url"


def test_http_password_never_a_flag(cli):
    res = cli("smoke-test", "sandbox", "--gerrit-http-password", "x")
    assert res.exit_code == 2


def test_unreachable_gerrit_is_a_clear_error(cli, tmp_path):
    from tests.fixtures.net import closed_port
    from tests.fixtures.sshd import keygen

    keygen(tmp_path / "ci")
    res = cli("--output", "json", "smoke-test", "sandbox", "--gerrit", f"ssh://op@127.0.0.1:{closed_port()}",
              "--ci-user", "ci", "--ci-key", str(tmp_path / "ci"), "--known-hosts", str(tmp_path / "kh"),
              "--timeout", "5")
    assert res.exit_code == 1
    assert res.json["errors"][0]["code"] == "ssh_unreachable"
