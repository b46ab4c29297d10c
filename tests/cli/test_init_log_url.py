"""`init` and the public log URL: asked on a terminal, PUBLISH_HOST from its host, and a plain "not ready to
report upstream" without one (validate keeps reporting the loopback LOG_URL_ROOT until it is set)."""

from __future__ import annotations

import re

import yaml

FAST = ("--key-type", "ed25519")
URL = "https://logs.acme-ci.net/"  # validate refuses example.com/.org/.net and .invalid as placeholders


def _vars(repo) -> dict[str, str]:
    return dict(re.findall(r"^export (\w+)=(.*)$", (repo / "vars.sh").read_text(), re.M))


def test_log_url_gives_the_publish_host_and_passes_validate_strict(cli, tmp_path, fast_rsa):
    repo = tmp_path / "repo"  # RSA in PEM: ed25519 keys get the (intended) key-format warnings on v2
    res = cli("-o", "json", "init", str(repo), "--vendor", "acme", "-y", "--log-url", URL)
    assert res.exit_code == 0, res.stderr
    assert res.json["data"]["ready_to_report"] is True and res.json["data"]["not_ready"] is None
    assert res.json["data"]["log_url_root"] == "https://logs.acme-ci.net"
    v = _vars(repo)
    assert v["LOG_URL_ROOT"] == "https://logs.acme-ci.net" and v["PUBLISH_HOST"] == "logs.acme-ci.net"
    res = cli("validate", "--strict", str(repo))
    assert res.exit_code == 0, res.stdout


def test_explicit_publish_host_wins(cli, tmp_path):
    repo = tmp_path / "repo"
    assert cli("init", str(repo), "--vendor", "acme", "-y", "--log-url", URL, "--publish-host", "files.acme-ci.net",
               *FAST).exit_code == 0
    assert _vars(repo)["PUBLISH_HOST"] == "files.acme-ci.net"


def test_v3_takes_the_log_url_and_its_host(cli, tmp_path):
    repo = tmp_path / "repo"
    assert cli("init", str(repo), "--vendor", "acme", "-y", "--zuul", "v3", "--log-url", URL, *FAST).exit_code == 0
    jobs = yaml.safe_load((repo / "zuul-config/zuul.d/jobs.yaml").read_text())
    base = jobs[0]["job"]["vars"]
    assert base["log_url_root"] == "https://logs.acme-ci.net" and base["log_host"] == "logs.acme-ci.net"
    assert cli("validate", "--strict", str(repo)).exit_code == 0


def test_without_a_log_url_init_says_it_is_not_ready_and_validate_keeps_saying_it(cli, tmp_path):
    repo = tmp_path / "repo"
    res = cli("init", str(repo), "--vendor", "acme", "-y", *FAST)
    assert res.exit_code == 0, res.stderr
    lines = [ln for ln in res.stdout.splitlines() if "Not ready to report upstream" in ln]
    assert len(lines) == 1 and "LOG_URL_ROOT in vars.sh" in lines[0] and "--log-url" in lines[0], res.stdout
    assert _vars(repo)["LOG_URL_ROOT"] == "http://127.0.0.1/logs" and _vars(repo)["PUBLISH_HOST"] == "127.0.0.1"
    res = cli("-o", "json", "validate", str(repo))
    assert res.exit_code == 1
    assert [f["code"] for f in res.json["data"]["findings"] if f["severity"] == "error"] == ["vars_log_url_root"]
    res = cli("-o", "json", "init", str(tmp_path / "j"), "--vendor", "acme", *FAST)
    assert res.json["data"]["ready_to_report"] is False
    assert "loopback" in res.json["data"]["not_ready"]


def test_a_placeholder_log_url_is_not_ready_either(cli, tmp_path):
    res = cli("init", str(tmp_path / "r"), "--vendor", "acme", "-y", "--log-url", "https://logs.example.com/", *FAST)
    assert res.exit_code == 0
    assert "Not ready to report upstream: LOG_URL_ROOT 'https://logs.example.com' is a placeholder" in res.stdout


def test_a_lab_ci_on_a_local_gerrit_needs_no_public_log_url(cli, tmp_path):
    res = cli("init", str(tmp_path / "r"), "--vendor", "acme", "-y", "--gerrit-host", "localhost", *FAST)
    assert res.exit_code == 0 and "Not ready" not in res.stdout


def test_terminal_asks_for_the_log_url(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("vendorci.cli.init._interactive", lambda: True)
    repo = tmp_path / "repo"
    res = cli("init", str(repo), "--vendor", "acme", *FAST, input=URL + "\n")
    assert res.exit_code == 0, res.stderr
    assert "Public URL of the CI's logs" in res.stderr
    assert _vars(repo)["LOG_URL_ROOT"] == "https://logs.acme-ci.net" and "Not ready" not in res.stdout
    # --yes, -o json and a given --log-url never ask
    for extra in (("-y",), ("--log-url", URL)):
        res = cli("init", str(tmp_path / extra[0].strip("-")), "--vendor", "acme", *extra, *FAST, input="")
        assert res.exit_code == 0 and "Public URL" not in res.stderr, res.stderr


def test_force_keeping_vars_sh_does_not_judge_a_log_url_it_did_not_write(cli, tmp_path):
    repo = tmp_path / "repo"
    assert cli("init", str(repo), "--vendor", "acme", "-y", "--log-url", URL, *FAST).exit_code == 0
    (repo / "README.md").unlink()
    res = cli("-o", "json", "init", str(repo), "--vendor", "acme", "-y", "--force", *FAST)
    assert res.exit_code == 0 and res.json["data"]["written"] == ["README.md"]
    assert res.json["data"]["ready_to_report"] is None and res.json["data"]["not_ready"] is None
    assert _vars(repo)["LOG_URL_ROOT"] == "https://logs.acme-ci.net"
