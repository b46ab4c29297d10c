"""Class 2: credentials are bound to their origin.

HTTP peers on loopback redirect vendorci elsewhere: the Jenkins API token, the Gerrit HTTP
password and the credential XML (which holds the agent's private key) must never reach the
other origin; a same-origin redirect still works.  A vendorci.yaml in the working directory
cannot send the host's jenkins_jobs.ini credentials to a URL it names.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.hostile.peers import http_peer, jenkins, json_answer  # noqa: F401 - fixture

TOKEN = "tok-ORIGIN-7d1e0b"
GPW = "gpw-ORIGIN-51ac2f"
INI_PW = "ini-ORIGIN-c0ffee"


def redirect_to(url: str, status: int = 302):
    def route(method, path, headers, body):
        return status, {"Location": url.rstrip("/") + path, "X-Jenkins": "2.440.3"}, b""

    return route


@pytest.fixture
def evil(http_peer):  # noqa: F811
    return http_peer(lambda m, p, h, b: json_answer({"computer": [], "stolen": True}))


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_jenkins_cross_origin_redirect_is_refused_and_no_token_leaves(cli, http_peer, evil, monkeypatch,  # noqa: F811
                                                                      status):
    jenkins_peer = http_peer(redirect_to(evil.url, status))
    monkeypatch.setenv("VENDORCI_JENKINS_TOKEN", TOKEN)
    res = cli("-o", "json", "node", "list", "--jenkins-url", jenkins_peer.url, "--jenkins-user", "admin")
    assert res.exit_code == 1, res.stdout
    err = res.json["errors"][0]
    assert err["code"] == "redirect_refused" and str(evil.port) in err["message"]
    assert evil.received == [], "the other origin was contacted"
    assert TOKEN not in res.stdout + res.stderr


def test_jenkins_post_307_never_resends_the_private_key_elsewhere(http_peer, evil):  # noqa: F811
    from vendorci.clients.jenkins import JenkinsClient
    from vendorci.errors import OperationFailed

    jenkins_peer = http_peer(redirect_to(evil.url, 307))
    client = JenkinsClient(jenkins_peer.url, "admin", TOKEN, timeout=5)
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nSECRET-KEY-MATERIAL\n-----END OPENSSH PRIVATE KEY-----\n"
    with pytest.raises(OperationFailed) as exc:
        client.create_credential("jenkins", "jenkins", key)
    assert exc.value.code == "redirect_refused"
    assert evil.received == []
    assert not evil.saw_secret("SECRET-KEY-MATERIAL", TOKEN)


def test_jenkins_same_origin_redirect_still_works(cli, http_peer, monkeypatch):  # noqa: F811
    doc = {"computer": [{"displayName": "agent-1", "offline": False, "numExecutors": 2, "assignedLabels": [],
                         "executors": []}]}

    def route(method, path, headers, body):
        if path.startswith("/old/"):
            return 302, {"Location": path.replace("/old/", "/new/", 1)}, b""
        return jenkins({"new/computer/api/json": doc})(method, path, headers, body)

    peer = http_peer(route)
    monkeypatch.setenv("VENDORCI_JENKINS_TOKEN", TOKEN)
    res = cli("-o", "json", "node", "list", "--jenkins-url", peer.url + "old/", "--jenkins-user", "admin")
    assert res.exit_code == 0, res.stdout
    assert [n["name"] for n in res.json["data"]["nodes"]] == ["agent-1"]


def test_https_to_http_is_never_followed():
    from vendorci.clients.http import RedirectRefused, check_redirect

    with pytest.raises(RedirectRefused) as exc:
        check_redirect("https://jenkins.example:443/", "http://jenkins.example:443/login", "Jenkins")
    assert "https to http" in exc.value.message
    with pytest.raises(RedirectRefused):
        check_redirect("https://jenkins.example/", "http://jenkins.example/", "Jenkins")
    check_redirect("https://jenkins.example/", "https://JENKINS.example:443/x", "Jenkins")  # same origin: fine


def test_gerrit_rest_redirect_keeps_the_password_home(cli, http_peer, evil, monkeypatch):  # noqa: F811
    gerrit_peer = http_peer(redirect_to(evil.url, 302))
    monkeypatch.setenv("VENDORCI_GERRIT_HTTP_USER", "ci")
    monkeypatch.setenv("VENDORCI_GERRIT_HTTP_PASSWORD", GPW)
    res = cli("-o", "json", "votes", "--ci-user", "ci", "--gerrit-http", gerrit_peer.url)
    assert res.exit_code == 1, res.stdout
    assert res.json["errors"][0]["code"] == "redirect_refused"
    assert evil.received == []
    assert gerrit_peer.saw_secret(GPW)  # it did go to the configured origin, and only there


def _host_ini(tmp_path, url: str):
    ini = tmp_path / "host" / "jenkins_jobs.ini"
    ini.parent.mkdir()
    ini.write_text(f"[jenkins]\nuser=admin\npassword={INI_PW}\nurl={url}\n")
    os.chmod(ini, 0o600)
    return ini


def test_cwd_config_cannot_send_the_hosts_jjb_credentials_to_its_url(cli, http_peer, evil, tmp_path,  # noqa: F811
                                                                    monkeypatch):
    real = http_peer(jenkins({"computer/api/json": {"computer": []}}))
    monkeypatch.setenv("VENDORCI_JJB_INI", str(_host_ini(tmp_path, real.url)))
    work = tmp_path / "checkout"
    work.mkdir()
    (work / "vendorci.yaml").write_text(f"jenkins:\n  url: {evil.url}\n")
    monkeypatch.chdir(work)
    res = cli("-o", "json", "node", "list")
    assert res.exit_code == 2, res.stdout
    err = res.json["errors"][0]
    assert err["code"] == "credential_origin_mismatch" and "jenkins_jobs.ini" in err["message"]
    assert evil.received == [] and not evil.saw_secret(INI_PW)
    shown = cli("-o", "json", "config", "show").json["data"]["settings"]
    row = next(r for r in shown if r["key"] == "jenkins.token")
    assert row["withheld"] and row["sent_to"] is None and INI_PW not in json.dumps(shown)
    human = cli("config", "show").stdout
    assert "withheld" in human


def test_credentials_from_the_same_file_or_an_explicit_url_are_used(cli, http_peer, tmp_path,  # noqa: F811
                                                                   monkeypatch):
    real = http_peer(jenkins({"computer/api/json": {"computer": []}}))
    monkeypatch.setenv("VENDORCI_JJB_INI", str(_host_ini(tmp_path, real.url)))
    res = cli("-o", "json", "node", "list")
    assert res.exit_code == 0, res.stdout
    assert real.saw_secret(INI_PW)
    row = next(r for r in cli("-o", "json", "config", "show").json["data"]["settings"] if r["key"] == "jenkins.token")
    assert row["sent_to"] == real.url and row["withheld"] is None
    other = http_peer(jenkins({"computer/api/json": {"computer": []}}))
    res = cli("-o", "json", "node", "list", "--jenkins-url", other.url)  # the operator's explicit choice
    assert res.exit_code == 0 and other.saw_secret(INI_PW)


def test_sections_of_one_file_are_one_file():
    from vendorci.origins import bind_credentials

    same = bind_credentials({"gerrit.http_url": "host:/etc/zuul/zuul.conf [connection opendev]"},
                            {"gerrit.http_password": "host:/etc/zuul/zuul.conf"})
    other = bind_credentials({"gerrit.http_url": "file:/home/op/checkout/vendorci.yaml"},
                             {"gerrit.http_password": "host:/etc/zuul/zuul.conf"})
    assert same == {} and "gerrit.http_password" in other
