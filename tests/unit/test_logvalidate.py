"""`validate`'s log findings (issue 12): LOG_URL_ROOT, PUBLISH_HOST and Zuul 2's url_pattern."""

from __future__ import annotations

import pytest

from vendorci.core.scaffold import InitOptions, init_repo
from vendorci.core.validate import validate_repo


def _repo(tmp_path, **opts):
    d = tmp_path / "data"
    init_repo(d, InitOptions(vendor="acme", gerrit_user="acme-ci", key_type="ed25519", **opts))
    return d


def _logs(findings):
    return [(f.code, f.severity) for f in findings if f.code in ("vars_log_url_root", "vars_publish_host",
                                                                 "zuul_conf_url_pattern")]


def test_fresh_repo_with_defaults_reporting_upstream(tmp_path):
    found = validate_repo(_repo(tmp_path))  # review.opendev.org, logs on 127.0.0.1
    assert _logs(found) == [("vars_log_url_root", "error"), ("vars_publish_host", "warning")]
    f = next(f for f in found if f.code == "vars_log_url_root")
    assert "loopback" in f.message and "review.opendev.org" in f.message and f.file == "vars.sh" and f.line
    assert "public" in f.hint


def test_local_gerrit_makes_it_a_warning(tmp_path):
    found = validate_repo(_repo(tmp_path, gerrit_host="localhost"))
    assert _logs(found) == [("vars_log_url_root", "warning"), ("vars_publish_host", "warning")]


@pytest.mark.parametrize("value, word", [("ftp://logs.acme.org/", "not an http(s) URL"), ("logs", "not an http(s)"),
                                         ("https://logs.example.com/", "placeholder"),
                                         ("https://@@LOGS@@/", "placeholder"), ("http://[::1]/logs", "loopback")])
def test_bad_log_url_root(tmp_path, value, word):
    repo = _repo(tmp_path, log_url="https://logs.acme.test/logs", publish_host="logs.acme.test")
    text = (repo / "vars.sh").read_text().replace("https://logs.acme.test/logs", value)
    (repo / "vars.sh").write_text(text)
    found = [f for f in validate_repo(repo) if f.code == "vars_log_url_root"]
    assert len(found) == 1 and found[0].severity == "error" and word in found[0].message


def test_empty_publish_host_and_missing_url_pattern(tmp_path):
    repo = _repo(tmp_path, log_url="https://logs.acme.test/logs", publish_host="logs.acme.test")
    vs = repo / "vars.sh"
    vs.write_text(vs.read_text().replace("PUBLISH_HOST=logs.acme.test", "PUBLISH_HOST="))
    conf = repo / "etc" / "zuul" / "zuul.conf"
    conf.write_text("\n".join(line for line in conf.read_text().splitlines() if not line.startswith("url_pattern")))
    found = validate_repo(repo)
    assert _logs(found) == [("vars_publish_host", "warning"), ("zuul_conf_url_pattern", "warning")]
    assert "empty" in next(f for f in found if f.code == "vars_publish_host").message


def test_clean_with_public_logs(tmp_path):
    assert _logs(validate_repo(_repo(tmp_path, log_url="https://logs.acme.test/logs",
                                     publish_host="logs.acme.test"))) == []


def test_init_refuses_a_shell_unsafe_log_url(cli, tmp_path):
    res = cli("-o", "json", "init", str(tmp_path / "r"), "--vendor", "acme", "-y", "--key-type", "ed25519",
              "--log-url", "https://logs.acme.org/$(id)")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "bad_log_url"
