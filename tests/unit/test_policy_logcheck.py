"""OpenDev policy findings and the bounded log-link fetcher (against a real HTTP server on loopback)."""

from __future__ import annotations

import pytest

from tests.fixtures.logserver import LogServer
from vendorci.clients.gerrit_parse import parse_jobs
from vendorci.core.logcheck import check_urls, fetch_status
from vendorci.core.policy import count_reports, findings, is_retrigger


def test_findings():
    msg = ("Patch Set 1:\n\nBuild succeeded.\n\n- a http://l/a : SUCCESS in 1s\n- b : SUCCESS\n\n"
           "https://wiki.openstack.org/wiki/ThirdPartySystems/Acme_CI\n")
    assert [f.code for f in findings(msg, parse_jobs(msg))] == ["no_log_link"]
    bare = "Patch Set 1:\n\nBuild succeeded.\n\n- a http://l/a : SUCCESS in 1s\n"
    assert [f.code for f in findings(bare, parse_jobs(bare), reports_on_patchset=2)] == ["no_wiki_link",
                                                                                         "multiple_comments"]


def test_reports_count_resets_on_a_retrigger():
    rep = "Patch Set 1:\n\nBuild succeeded.\n"
    msgs = [{"ts": 1, "username": "ci", "message": rep, "patchset": 1},
            {"ts": 2, "username": "ci", "message": rep, "patchset": 1},
            {"ts": 3, "username": "ci", "message": rep, "patchset": 2},
            {"ts": 4, "username": "op", "message": "Patch Set 1:\n\nacme: recheck", "patchset": 1},
            {"ts": 5, "username": "ci", "message": "Patch Set 1:\n\nthanks", "patchset": 1}]
    assert count_reports(msgs[:3], "ci", 1, ["recheck"]) == 2
    assert count_reports(msgs, "ci", 1, ["recheck"]) == 2  # not the CI's own word: no retrigger
    assert count_reports(msgs, "ci", 1, ["recheck", "acme: recheck"]) == 0  # and "thanks" is no report
    assert is_retrigger("Patch Set 1:\n\nRECHECK", ["recheck"]) and not is_retrigger("please recheck", ["recheck"])


@pytest.fixture
def logs():
    s = LogServer().start()
    s.add("/ok", "x" * 200000)
    yield s
    s.stop()


def test_fetch_status_bounds(logs):
    from tests.fixtures.net import closed_port

    assert fetch_status(f"{logs.url}/ok", max_bytes=100).status == 200
    assert fetch_status(f"{logs.url}/nope").text == "404"
    st = fetch_status(f"{logs.url}/redirect/2/ok")
    assert st.ok and st.final_url == f"{logs.url}/ok"
    assert fetch_status(f"{logs.url}/redirect/3/ok", max_redirects=2).error == "too_many_redirects"
    assert fetch_status("file:///etc/passwd").error == "bad_url"
    assert fetch_status(f"http://127.0.0.1:{closed_port()}/x").error.startswith("unreachable")
    got = check_urls([f"{logs.url}/ok", f"{logs.url}/ok", f"{logs.url}/nope"])
    assert {u: s.text for u, s in got.items()} == {f"{logs.url}/ok": "200", f"{logs.url}/nope": "404"}


def test_fetch_status_times_out_on_a_silent_server():
    import socket
    import time

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    try:
        t0 = time.monotonic()
        st = fetch_status(f"http://127.0.0.1:{srv.getsockname()[1]}/", timeout=1.0)
        assert st.error == "timeout" and time.monotonic() - t0 < 5
    finally:
        srv.close()
