"""The double's job endpoints behave as Jenkins does for python-jenkins (what Jenkins Job Builder calls)."""

from __future__ import annotations

import jenkins
import pytest
import requests

from tests.fixtures.jenkins_double import jenkins_double_fixture  # noqa: F401

pytestmark = pytest.mark.real_server

XML = "<?xml version='1.0' encoding='utf-8'?>\n<project><description>d</description>" \
      "<assignedNode>built-in</assignedNode><builders/></project>"


def _server(d, user="admin"):
    return jenkins.Jenkins(d.url, username=user, password=d.admin_token, timeout=5)


def test_create_get_reconfigure_and_record(jenkins_double):
    s = _server(jenkins_double)
    s.create_job("noop", XML)
    assert s.job_exists("noop")
    assert [j["name"] for j in s.get_all_jobs()] == ["noop"]
    stored = s.get_job_config("noop")
    assert stored.startswith("<?xml version='1.1' encoding='UTF-8'?>")  # re-serialised, as Jenkins keeps it
    assert "<assignedNode>built-in</assignedNode>" in stored and stored != XML
    s.reconfig_job("noop", XML.replace("built-in", "devstack_slave"))
    assert "<assignedNode>devstack_slave</assignedNode>" in s.get_job_config("noop")
    got = jenkins_double.received
    assert [(r.method, r.path.split("?")[0], r.status) for r in got] == [
        ("POST", "/createItem", 200), ("POST", "/job/noop/config.xml", 200)]
    assert got[0].path == "/createItem?name=noop" and got[0].content_type.startswith("text/xml")
    assert got[0].body == XML.encode()


def test_duplicate_create_item_is_400_with_x_error(jenkins_double):
    s = _server(jenkins_double)
    s.create_job("noop", XML)
    sess = requests.Session()
    sess.auth = ("admin", jenkins_double.admin_token)
    crumb = sess.get(jenkins_double.url + "crumbIssuer/api/json", timeout=5).json()
    r = sess.post(jenkins_double.url + "createItem", params={"name": "noop"}, data=XML.encode(),
                  headers={"Content-Type": "application/xml", crumb["crumbRequestField"]: crumb["crumb"]}, timeout=5)
    assert r.status_code == 400
    assert "A job already exists with the name" in r.headers["X-Error"]
    bad = sess.post(jenkins_double.url + "createItem", params={"name": "a/b"}, data=XML.encode(),
                    headers={"Content-Type": "application/xml", crumb["crumbRequestField"]: crumb["crumb"]}, timeout=5)
    assert bad.status_code == 400 and "unsafe character" in bad.headers["X-Error"]
    with pytest.raises(jenkins.JenkinsException, match="already exists"):
        s.create_job("noop", XML)  # python-jenkins checks first


def test_job_writes_need_a_crumb_and_the_permission(jenkins_double):
    sess = requests.Session()
    sess.auth = ("admin", jenkins_double.admin_token)
    r = sess.post(jenkins_double.url + "createItem", params={"name": "x"}, data=XML.encode(),
                  headers={"Content-Type": "application/xml"}, timeout=5)
    assert r.status_code == 403 and "crumb" in r.text
    token = jenkins_double.add_user("reader", perms={"read"})
    s = jenkins.Jenkins(jenkins_double.url, username="reader", password=token, timeout=5)
    with pytest.raises(jenkins.JenkinsException):
        s.create_job("x", XML)
    assert "x" not in jenkins_double.jobs


def test_unparsable_config_is_refused(jenkins_double):
    s = _server(jenkins_double)
    s.create_job("noop", XML)
    with pytest.raises(jenkins.JenkinsException):
        s.reconfig_job("noop", "<project>")
    assert "built-in" in s.get_job_config("noop")
