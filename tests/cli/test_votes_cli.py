"""CLI wiring of `votes`."""

from __future__ import annotations


def test_help(cli):
    res = cli("votes", "--help")
    assert res.exit_code == 0
    for opt in ("--ci-user", "--project", "--limit", "--since", "--stale-after", "--gerrit-http"):
        assert opt in res.stdout


def test_bad_values(cli):
    assert cli("votes", "--ci-user", "ci", "--limit", "0").exit_code == 2
    res = cli("--output", "json", "votes", "--ci-user", "ci", "--stale-after", "yesterday")
    assert res.exit_code == 2 and "not a duration" in res.json["errors"][0]["message"]


def test_ci_user_from_config_needs_a_key(cli, tmp_path):
    cfg = tmp_path / "vendorci.yaml"
    cfg.write_text("gerrit:\n  user: acme-ci\n")
    res = cli("--output", "json", "--config", str(cfg), "votes")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "no_ci_key"
