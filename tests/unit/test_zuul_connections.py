"""Zuul 2.5/v3 ``[connection NAME] driver=gerrit`` sections and ``[web]`` feed the configuration."""

from __future__ import annotations

import json

from vendorci.config import MASK, load_config
from vendorci.zuulconn import web_url

V3_CONF = """\
[zookeeper]
hosts=zk01:2281
[connection github]
driver=github
[connection opendev]
driver=gerrit
server=review.opendev.org
port=29418
user=acme-ci
sshkey=/var/lib/zuul/.ssh/id_rsa
baseurl=https://review.opendev.org
password=s3cret-http
[connection sandbox]
driver=gerrit
server=review.sandbox.example
user=acme-sandbox
sshkey=/var/lib/zuul/.ssh/sandbox
[web]
listen_address=0.0.0.0
port=9001
"""


def load(tmp_path, text, **env):
    conf = tmp_path / "zuul.conf"
    conf.write_text(text)
    env = {"VENDORCI_ZUUL_CONF": str(conf), "VENDORCI_JJB_INI": str(tmp_path / "none"), **env}
    return conf, load_config({}, env=env, cwd=tmp_path)


def test_first_gerrit_connection_is_used_and_named(tmp_path):
    conf, cfg = load(tmp_path, V3_CONF)
    assert cfg["gerrit.host"] == "review.opendev.org" and cfg["gerrit.user"] == "acme-ci"
    assert cfg["gerrit.port"] == 29418 and cfg["gerrit.ssh_key"] == "/var/lib/zuul/.ssh/id_rsa"
    assert cfg["gerrit.http_url"] == "https://review.opendev.org"
    assert cfg.source("gerrit.user") == f"host:{conf} [connection opendev]"
    # the HTTP password is a secret: usable, never shown
    assert cfg.secret("gerrit.http_password") == "s3cret-http"
    shown = {r["key"]: r for r in cfg.show()}
    assert shown["gerrit.http_password"]["value"] == MASK
    assert "s3cret-http" not in json.dumps(cfg.show())


def test_configured_connection_wins(tmp_path):
    conf, cfg = load(tmp_path, V3_CONF, VENDORCI_ZUUL_GERRIT_CONNECTION="sandbox")
    assert cfg["gerrit.host"] == "review.sandbox.example" and cfg["gerrit.user"] == "acme-sandbox"
    assert cfg["gerrit.port"] == 29418  # the default: the section names none
    assert cfg.source("gerrit.host") == f"host:{conf} [connection sandbox]"
    assert cfg.secret("gerrit.http_password") is None


def test_configured_connection_from_the_config_file(tmp_path):
    (tmp_path / "vendorci.yaml").write_text("zuul:\n  gerrit_connection: sandbox\n")
    _, cfg = load(tmp_path, V3_CONF)
    assert cfg["gerrit.user"] == "acme-sandbox"


def test_zuul2_gerrit_section_still_read(tmp_path):
    conf, cfg = load(tmp_path, "[gerrit]\nserver=review.example.org\nuser=old-ci\nsshkey=/k\n")
    assert cfg["gerrit.user"] == "old-ci" and cfg.source("gerrit.user") == f"host:{conf} [gerrit]"


def test_web_url_from_conf(tmp_path):
    conf, cfg = load(tmp_path, V3_CONF)
    assert cfg["zuul.web_url"] == "http://127.0.0.1:9001/"
    assert cfg.source("zuul.web_url") == f"host:{conf} [web]"
    assert web_url({"web": {"root": "https://zuul.example.com/"}}) == "https://zuul.example.com/"
    assert web_url({"web": {}}) == "http://127.0.0.1:9000/"
    assert web_url({"web": {"listen_address": "::1", "port": "80"}}) == "http://[::1]:80/"
    assert web_url({"zuul": {}}) is None
    assert load_config({"zuul.web_url": "http://zuul.local/"},
                       env={"VENDORCI_ZUUL_CONF": str(conf)}, cwd=tmp_path).source("zuul.web_url") == "flag"


def test_config_show_names_the_connection(cli, tmp_path):
    conf = tmp_path / "zuul.conf"
    conf.write_text(V3_CONF)
    r = cli("-o", "json", "config", "show", env={"VENDORCI_ZUUL_CONF": str(conf)})
    assert r.exit_code == 0, r.stdout
    rows = {row["key"]: row for row in r.json["data"]["settings"]}
    assert rows["gerrit.user"]["source"] == f"host:{conf} [connection opendev]"
    assert "s3cret-http" not in r.stdout
    human = cli("config", "show", env={"VENDORCI_ZUUL_CONF": str(conf)})
    assert f"host:{conf} [connection opendev]" in human.stdout and "s3cret-http" not in human.stdout


def test_zuul_conf_check_names_web_and_gerrit_section(tmp_path):
    from vendorci.checks.context import DoctorContext
    from vendorci.checks.runner import run_doctor

    conf, cfg = load(tmp_path, V3_CONF)
    r = {x.id: x.result for x in run_doctor(DoctorContext(config=cfg, timeout=3), ["zuul.conf"]).reports}["zuul.conf"]
    assert r.status.value == "ok" and r.data["gerrit_section"] == "connection opendev"
    assert r.data["gerrit_connections"] == ["opendev", "sandbox"] and r.data["web_url"] == "http://127.0.0.1:9001/"
    assert "Gerrit settings from [connection opendev]" in r.details
