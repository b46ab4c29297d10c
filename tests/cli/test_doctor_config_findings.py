"""doctor reports configuration that does not parse as a failed check (file, key, fix) and still runs the
checks it does not concern; identical skips print as one line with a count."""

from __future__ import annotations

ZUUL_TEMPLATE = """\
[gearman]
server=127.0.0.1
port=${GEARMAN_PORT}
[gerrit]
server=review.example.org
port=${UPSTREAM_GERRIT_PORT}
user=acme-ci
sshkey=/var/lib/zuul/ssh/id_rsa
[zuul]
layout_config=/etc/zuul/layout.yaml
"""


def _common(tmp_path):
    (tmp_path / "proc").mkdir(exist_ok=True)
    return ["--run-dir", str(tmp_path / "run"), "--proc-root", str(tmp_path / "proc"), "--timeout", "2"]


def test_zuul_conf_template_is_a_failed_check_not_a_usage_error(cli, isolated_env, tmp_path):
    conf = tmp_path / "zuul.conf"
    conf.write_text(ZUUL_TEMPLATE)
    r = cli("doctor", "gearman", "gerrit", "zuul.conf", "--zuul-conf", str(conf), *_common(tmp_path), "-o", "json")
    assert r.exit_code == 1, r.stdout + r.stderr
    checks = {c["id"]: c for c in r.json["data"]["checks"]}
    cfg = checks["config.valid"]
    assert cfg["status"] == "fail"
    gm = next(d for d in cfg["details"] if "gearman.server" in d)
    assert str(conf) in gm and "${GEARMAN_PORT}" in gm
    assert any(str(conf) in d and "gerrit.port" in d for d in cfg["details"])
    assert "placeholders" in cfg["fix"]
    # the checks that would use the bad values are skipped behind it, not run against a default
    assert checks["gearman.reachable"]["status"] == "skip"
    assert "config.valid" in checks["gearman.reachable"]["summary"]
    assert checks["gerrit.known-hosts"]["status"] == "skip"
    # the rest still run
    assert checks["zuul.conf"]["status"] == "ok"


def test_bad_value_in_the_data_repo_config_is_a_finding(cli, isolated_env, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "vendorci.yaml").write_text("jenkins:\n  url: http://127.0.0.1:1/\ngearman:\n  server: 'host:port'\n")
    r = cli("doctor", "gearman.reachable", "zuul.pidfiles", "--data-repo", str(repo), *_common(tmp_path),
            "--zuul-conf", str(tmp_path / "none.conf"), "-o", "json")
    assert r.exit_code == 1, r.stdout + r.stderr
    checks = {c["id"]: c for c in r.json["data"]["checks"]}
    assert checks["config.valid"]["status"] == "fail"
    assert f"{repo / 'vendorci.yaml'}:4: gearman.server" in checks["config.valid"]["details"][0]
    assert checks["gearman.reachable"]["status"] == "skip"
    assert checks["zuul.pidfiles"]["status"] == "ok"


def test_good_config_adds_no_check(cli, isolated_env, tmp_path):
    r = cli("doctor", "zuul.pidfiles", *_common(tmp_path), "--zuul-conf", str(tmp_path / "none.conf"), "-o", "json")
    assert [c["id"] for c in r.json["data"]["checks"]] == ["zuul.pidfiles"]


def test_identical_skips_are_one_line_with_a_count(cli, isolated_env, tmp_path):
    r = cli("doctor", "datarepo", *_common(tmp_path), "--zuul-conf", str(tmp_path / "none.conf"))
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("- datarepo")]
    assert len(lines) == 1, r.stdout
    assert lines[0].startswith("- datarepo.{repo,yaml,")
    assert lines[0].endswith("(7 checks)")
    # JSON keeps one entry per check
    j = cli("doctor", "datarepo", *_common(tmp_path), "--zuul-conf", str(tmp_path / "none.conf"), "-o", "json").json
    assert len(j["data"]["checks"]) == 7


def test_a_name_that_does_not_resolve_gets_a_dns_hint_not_a_port_hint(cli, isolated_env):
    r = cli("-o", "json", "gearman", "status", "--server", "no-such-host.invalid:4730", "--timeout", "5")
    assert r.exit_code == 1, r.stdout + r.stderr
    err = r.json["errors"][0]
    assert err["code"] == "gearman_unreachable"
    assert "does not resolve" in err["hint"] and "Start the Gearman server" not in err["hint"]
