"""The Gerrit SSH client pieces against the double: stream-events (events, refusal, drop), query, review."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.gerrit_double import start_gerrit_env
from vendorci.clients.gerrit import EventStream, StreamClosed, gerrit_version, ssh_query, ssh_review
from vendorci.clients.ssh import SshSession, SshTarget
from vendorci.errors import OperationFailed

pytestmark = pytest.mark.real_server


@pytest.fixture
def gerrit(tmp_path):
    env = start_gerrit_env(tmp_path / "g", verdict=None)
    yield env
    env.stop()


def target(g, user="ci", key=None):
    return SshTarget("127.0.0.1", g.double.port, user, key or g.ci_key, g.known_hosts, timeout=5)


def test_stream_delivers_events_fast_and_reports_a_drop(gerrit):
    c = gerrit.double.create_change("openstack/nova", "x", "op")
    with EventStream(target(gerrit)) as stream:
        deadline = time.monotonic() + 5
        while not gerrit.double.stream_count and time.monotonic() < deadline:
            time.sleep(0.01)
        t0 = time.monotonic()
        gerrit.double.review("op", c.number, 1, message="hello world")
        ev = stream.get(5)
        assert time.monotonic() - t0 < 1.0
        assert ev["type"] == "comment-added" and ev["comment"] == "Patch Set 1:\n\nhello world"
        assert ev["change"]["number"] == c.number and ev["changeKey"]["id"] == c.change_id
        assert stream.get(0.2) is None
        gerrit.double.drop_streams()
        with pytest.raises(StreamClosed) as exc:
            stream.get(5)
        assert exc.value.refused is False
        with pytest.raises(StreamClosed):  # stays closed
            stream.get(0)


def test_stream_refused_without_capability(gerrit):
    gerrit.double.accounts["ci"].stream_events = False
    with EventStream(target(gerrit)) as stream, pytest.raises(StreamClosed) as exc:
        stream.get(5)
    assert exc.value.refused and "not permitted" in exc.value.message
    assert "Stream Events" in exc.value.hint


def test_version_query_review(gerrit):
    c = gerrit.double.create_change("openstack/nova", "Fix it", "op")
    with SshSession(target(gerrit)) as s:
        assert gerrit_version(s) == "3.9.1"
        ssh_review(s, c.number, 1, verified=-1, message="it's \"broken\"; see logs")
        rows = ssh_query(s, f"change:{c.number}")
        assert rows[0]["messages"][0]["message"] == "Patch Set 1: Verified-1\n\nit's \"broken\"; see logs"
        assert rows[0]["approvals"] == [{"username": "ci", "value": -1, "patchset": 1}]
        with pytest.raises(OperationFailed) as exc:
            ssh_review(s, 99999, 1, message="x")
        assert "no such change" in exc.value.message
        with pytest.raises(OperationFailed):
            ssh_review(s, c.number, 1, abandon=True)  # not the owner
    assert gerrit.double.changes[c.number].status == "NEW"
