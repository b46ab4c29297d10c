"""git-review output, git/ssh errors, Gerrit query and REST shapes (samples in the formats of docs/protocols.md)."""

from __future__ import annotations

import json

import pytest

from vendorci.clients.gerrit import normalize_rest_change, normalize_ssh_change, query_lines
from vendorci.clients.git import classify, parse_review_output, ssh_command
from vendorci.core.smoke import parse_change_ref, parse_gerrit_url
from vendorci.core.votes import build_query
from vendorci.errors import AuthFailed, HostKeyMismatch, HostKeyUnknown, InputError, UsageError

GERRIT3 = """remote: Processing changes: refs: 1, new: 1, done
remote:
remote: SUCCESS
remote:
remote:   https://review.opendev.org/c/openstack-dev/sandbox/+/912345 vendorci smoke test for acme [NEW]
remote:
To ssh://review.opendev.org:29418/openstack-dev/sandbox.git
 * [new reference]   HEAD -> refs/for/master
"""
GERRIT2 = """remote: Processing changes: new: 1, refs: 1, done
remote:
remote: New Changes:
remote:   https://review.openstack.org/123456
remote:
To ssh://jaypipes@review.openstack.org:29418/openstack-dev/sandbox.git
 * [new branch]      HEAD -> refs/for/master
"""
GERRIT2_SUBJECT = "remote: New Changes:\nremote:   https://review.example.org/#/c/77/ Fix thing\n"


def test_review_output_3x_2x():
    assert parse_review_output(GERRIT3) == (912345, "https://review.opendev.org/c/openstack-dev/sandbox/+/912345")
    assert parse_review_output(GERRIT2) == (123456, "https://review.openstack.org/123456")
    assert parse_review_output(GERRIT2_SUBJECT) == (77, "https://review.example.org/#/c/77")
    assert parse_review_output("Everything up-to-date\n") is None


@pytest.mark.parametrize("text,cls,code", [
    (" ! [remote rejected] HEAD -> refs/for/master (commit 1a2b3c4: missing Change-Id in message footer)\n"
     "error: failed to push some refs", Exception, "push_missing_change_id"),
    (" ! [remote rejected] HEAD -> refs/for/master (no new changes)", Exception, "push_no_new_changes"),
    (" ! [remote rejected] HEAD -> refs/for/master (prohibited by Gerrit: not permitted: create change on "
     "refs/heads/master)", AuthFailed, "push_denied"),
    ("fatal: Project not found: openstack-dev/nope\nfatal: Could not read from remote repository.", Exception,
     "gerrit_project_unknown"),
    ("Host key verification failed.\nfatal: Could not read from remote repository.", HostKeyUnknown,
     "host_key_unknown"),
    ("@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@", HostKeyMismatch, "host_key_mismatch"),
    ("op@review.example.org: Permission denied (publickey).", AuthFailed, "gerrit_ssh_auth_failed"),
    ("ssh: connect to host 127.0.0.1 port 29418: Connection refused", Exception, "gerrit_unreachable"),
    ("something else entirely", Exception, "git_failed"),
])
def test_classify(text, cls, code):
    err = classify(text, "git review")
    assert isinstance(err, cls) and err.code == code


def test_ssh_command_verifies_host_keys():
    cmd = ssh_command("/k h/known", "/keys/op")
    assert "StrictHostKeyChecking=yes" in cmd and "'UserKnownHostsFile=/k h/known'" in cmd
    assert "BatchMode=yes" in cmd and "-i /keys/op" in cmd
    assert "StrictHostKeyChecking=accept-new" in ssh_command("/kh", accept_new=True)


def test_gerrit_url_and_change_refs():
    assert parse_gerrit_url("ssh://op@review.example.org:29418") == ("op", "review.example.org", 29418)
    assert parse_gerrit_url("review.example.org") == (None, "review.example.org", None)
    with pytest.raises(UsageError):
        parse_gerrit_url("http://x y")
    assert parse_change_ref("12345") == (12345, None)
    assert parse_change_ref("12345,3") == (12345, 3)
    assert parse_change_ref("https://review.opendev.org/c/openstack/nova/+/12345") == (12345, None)
    assert parse_change_ref("https://review.opendev.org/c/openstack/nova/+/12345/2") == (12345, 2)
    with pytest.raises(UsageError):
        parse_change_ref("latest")


def test_query_lines_2x_strings_and_errors():
    acct = {"name": "Acme CI", "email": "ci@acme", "username": "acme-ci"}
    change = {"project": "openstack/nova", "branch": "master", "number": "4711", "subject": "s", "url": "u",
              "status": "NEW", "comments": [{"timestamp": 100, "reviewer": acct, "message": "Patch Set 2: Verified+1"}],
              "currentPatchSet": {"number": "2", "approvals": [{"type": "Verified", "value": "1", "by": acct}]}}
    text = json.dumps(change) + "\n" + json.dumps({"type": "stats", "rowCount": 1}) + "\n"
    rows = [normalize_ssh_change(c) for c in query_lines(text)]
    assert rows[0]["number"] == 4711 and rows[0]["patchset"] == 2
    assert rows[0]["messages"][0] == {"ts": 100.0, "username": "acme-ci", "message": "Patch Set 2: Verified+1",
                                      "patchset": 2}
    assert rows[0]["approvals"] == [{"username": "acme-ci", "value": 1, "patchset": 2}]
    with pytest.raises(InputError):
        query_lines('{"type":"error","message":"Unsupported operator foo:bar"}\n')


def test_rest_shape():
    c = {"project": "openstack/nova", "branch": "master", "_number": 42, "subject": "s", "status": "NEW",
         "current_revision": "abc", "revisions": {"abc": {"_number": 3}},
         "labels": {"Verified": {"all": [{"value": -1, "_account_id": 7, "username": "acme-ci"},
                                         {"value": 0, "_account_id": 8, "username": "x"}]}},
         "messages": [{"author": {"_account_id": 7, "username": "acme-ci"}, "date": "2024-03-01 10:00:00.000000000",
                       "message": "Patch Set 3: Verified-1", "_revision_number": 3}]}
    n = normalize_rest_change(c, "https://review.example.org/")
    assert n["url"] == "https://review.example.org/c/openstack/nova/+/42" and n["patchset"] == 3
    assert n["messages"][0]["ts"] == 1709287200.0
    assert n["approvals"] == [{"username": "acme-ci", "value": -1, "patchset": 3}]


def test_build_query():
    assert build_query("acme-ci", None, 7 * 86400, 20) == "commentby:acme-ci -age:7d limit:20"
    assert build_query("acme-ci", "openstack/nova", 36 * 3600, 5) == \
        "commentby:acme-ci project:openstack/nova -age:36h limit:5"
    assert build_query("c", None, 90, 1) == "commentby:c -age:90s limit:1"
