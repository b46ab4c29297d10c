"""Keep the Jenkins double honest: python-jenkins' own calls, unchanged, and the wire details of docs/protocols.md."""

from __future__ import annotations

import time

import jenkins
import pytest
import requests

from tests.fixtures.jenkins_double import agent_fixture, jenkins_double_fixture  # noqa: F401

pytestmark = pytest.mark.real_server


def _server(d, user="admin", token=None):
    return jenkins.Jenkins(d.url, username=user, password=token or d.admin_token, timeout=5)


def _ssh_params(agent, cred="jenkins", strategy="KnownHostsFileKeyVerificationStrategy"):
    cls = "hudson.plugins.sshslaves.verifiers." + strategy
    return {"host": agent.host, "port": str(agent.port), "credentialsId": cred,
            "sshHostKeyVerificationStrategy": {"stapler-class": cls, "$class": cls}}


def _create_credential(d, agent, cred_id="jenkins"):
    s = _server(d)
    xml = (
        "<com.cloudbees.jenkins.plugins.sshcredentials.impl.BasicSSHUserPrivateKey><scope>GLOBAL</scope>"
        f"<id>{cred_id}</id><description/><username>{agent.user}</username><passphrase/>"
        '<privateKeySource class="com.cloudbees.jenkins.plugins.sshcredentials.impl.BasicSSHUserPrivateKey'
        f'$DirectEntryPrivateKeySource"><privateKey>{agent.key.read_text()}</privateKey></privateKeySource>'
        "</com.cloudbees.jenkins.plugins.sshcredentials.impl.BasicSSHUserPrivateKey>"
    )
    url = d.url + "credentials/store/system/domain/_/createCredentials"
    req = requests.Request("POST", url, data=xml.encode(), headers={"Content-Type": "application/xml"})
    return s, s.jenkins_request(req)


def _wait_online(s, name, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not s.get_node_info(name)["offline"]:
            return True
        time.sleep(0.1)
    return False


def test_identity_version_plugins(jenkins_double):
    s = _server(jenkins_double)
    assert s.get_whoami()["id"] == "admin"
    assert s.get_version() == "2.440.3"
    plugins = s.get_plugins()
    assert plugins["gearman-plugin"]["active"] is True
    assert plugins["SSH Build Agents plugin"]["shortName"] == "ssh-slaves"  # multi-key: short and long name


def test_get_version_sends_no_credentials_before_login(jenkins_double):
    s = _server(jenkins_double)
    with pytest.raises(jenkins.JenkinsException):
        s.get_version()  # the quirk: no auth yet, anonymous has no Overall/Read
    s.get_whoami()
    assert s.get_version() == "2.440.3"


def test_wrong_token_is_401_and_user_without_permission_is_403(jenkins_double):
    with pytest.raises(jenkins.JenkinsException, match=r"\[401"):
        _server(jenkins_double, token="wrong").get_whoami()
    token = jenkins_double.add_user("reader", perms={"read"})
    s = _server(jenkins_double, "reader", token)
    assert s.get_whoami()["id"] == "reader"
    with pytest.raises(jenkins.JenkinsException, match=r"\[403"):
        s.create_node("n1", launcher_params={})
    nobody = jenkins_double.add_user("nobody", perms=set())
    with pytest.raises(jenkins.JenkinsException, match=r"\[403"):
        _server(jenkins_double, "nobody", nobody).get_whoami()


def test_crumb_is_bound_to_the_session_cookie(jenkins_double):
    d = jenkins_double
    auth = ("admin", d.admin_token)
    a = requests.Session()
    crumb = a.get(d.url + "crumbIssuer/api/json", auth=auth, timeout=5).json()
    assert crumb["crumbRequestField"] == "Jenkins-Crumb"
    assert any(c.name.startswith("JSESSIONID") for c in a.cookies)
    form = {"name": "x", "type": "hudson.slaves.DumbSlave$DescriptorImpl",
            "json": '{"numExecutors": 1, "remoteFS": "/tmp/x", "launcher": {}}'}
    # without the cookie (another session), the crumb is not valid
    r = requests.post(d.url + "computer/doCreateItem", data=form, auth=auth, timeout=5,
                      headers={"Jenkins-Crumb": crumb["crumb"]}, allow_redirects=False)
    assert r.status_code == 403 and "No valid crumb" in r.text
    r = a.post(d.url + "computer/doCreateItem", data=form, auth=auth, timeout=5, allow_redirects=False)
    assert r.status_code == 403  # cookie but no crumb header
    r = a.post(d.url + "computer/doCreateItem", data=form, auth=auth, timeout=5, allow_redirects=False,
               headers={"Jenkins-Crumb": crumb["crumb"]})
    assert r.status_code == 302 and r.headers["Location"].endswith("/computer/")
    r = a.post(d.url + "computer/doCreateItem", data=form, auth=auth, timeout=5, allow_redirects=False,
               headers={"Jenkins-Crumb": crumb["crumb"]})
    assert r.status_code == 400 and "already exists" in r.text
    r = a.get(d.url, auth=auth, timeout=5)
    assert r.headers["X-Jenkins"] == "2.440.3"


def test_credentials_200_then_409_and_lookup(jenkins_double, agent):
    s, r = _create_credential(jenkins_double, agent)
    assert r.status_code == 200
    with pytest.raises(requests.HTTPError) as exc:
        _create_credential(jenkins_double, agent)
    assert exc.value.response.status_code == 409
    info = s.jenkins_open(requests.Request(
        "GET", jenkins_double.url + "credentials/store/system/domain/_/credential/jenkins/api/json"))
    assert '"typeName": "SSH Username with private key"' in info
    with pytest.raises(jenkins.NotFoundException):
        s.jenkins_open(requests.Request(
            "GET", jenkins_double.url + "credentials/store/system/domain/_/credential/nope/api/json"))


def test_create_node_launches_agent_over_real_ssh(jenkins_double, agent):
    s, _ = _create_credential(jenkins_double, agent)
    assert not s.node_exists("agent1")
    s.create_node("agent1", numExecutors=2, remoteFS=str(agent.server.root / "ws"), labels="devstack_slave",
                  launcher=jenkins.LAUNCHER_SSH, launcher_params=_ssh_params(agent))
    assert s.node_exists("agent1")
    assert _wait_online(s, "agent1")
    assert (agent.server.root / "ws").is_dir()  # the launcher really ran on the host
    url = jenkins_double.url + "computer/agent1/logText/progressiveText"
    log = s.jenkins_open(requests.Request("GET", url + "?start=0"))
    assert f"[SSH] Opening SSH connection to {agent.host}:{agent.port}." in log
    assert "[SSH] Authentication successful." in log
    assert log.rstrip().endswith("Agent successfully connected and online")
    assert "Accepted publickey" in agent.server.log()
    resp = s.jenkins_request(requests.Request(
        "GET", jenkins_double.url + "computer/agent1/logText/progressiveText?start=10"))
    assert int(resp.headers["X-Text-Size"]) == len(log.encode())
    assert resp.headers["X-More-Data"] == "false"
    assert resp.text == log[10:]
    names = {n["name"]: n["offline"] for n in s.get_nodes()}
    assert names == {"Built-In Node": False, "agent1": False}
    assert s.get_node_info("Built-In Node")["_class"].endswith("MasterComputer")
    cfg = s.get_node_config("agent1")
    assert "<label>devstack_slave</label>" in cfg and f"<port>{agent.port}</port>" in cfg
    with pytest.raises(jenkins.JenkinsException, match="already exists"):
        s.create_node("agent1", launcher=jenkins.LAUNCHER_SSH, launcher_params=_ssh_params(agent))
    s.delete_node("agent1")
    assert not s.node_exists("agent1")


def test_unknown_host_key_keeps_node_offline(jenkins_double, agent):
    jenkins_double.known_hosts.write_text("")  # the master does not know the agent
    s, _ = _create_credential(jenkins_double, agent)
    s.create_node("a2", remoteFS="/tmp/a2", launcher=jenkins.LAUNCHER_SSH, launcher_params=_ssh_params(agent))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not s.get_node_info("a2")["offlineCauseReason"]:
        time.sleep(0.1)
    info = s.get_node_info("a2")
    assert info["offline"] is True and "host key" in info["offlineCauseReason"]
    log = s.jenkins_open(requests.Request("GET", jenkins_double.url + "computer/a2/logText/progressiveText"))
    assert "No entry currently exists in the Known Hosts file" in log
    assert "Accepted publickey" not in agent.server.log()


def test_jobs(jenkins_double):
    jenkins_double.add_job("dsvm-tempest-full", "devstack_slave")
    jenkins_double.add_job("noop-check-communication")
    s = _server(jenkins_double)
    assert sorted(j["name"] for j in s.get_jobs()) == ["dsvm-tempest-full", "noop-check-communication"]
    assert "<assignedNode>devstack_slave</assignedNode>" in s.get_job_config("dsvm-tempest-full")
    assert s.get_job_name("nope") is None
    assert s.get_job_info("noop-check-communication")["name"] == "noop-check-communication"


def test_down_is_503(jenkins_double):
    jenkins_double.down = True
    with pytest.raises(jenkins.BadHTTPException):
        _server(jenkins_double).get_whoami()
