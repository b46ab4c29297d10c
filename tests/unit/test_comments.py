"""Parsing CI comments: job lines, Verified values, patch sets, durations."""

from __future__ import annotations

import pytest

from vendorci.clients.gerrit_parse import (
    parse_jobs,
    parse_patchset,
    parse_vote,
    pick_vote,
    summary_line,
)
from vendorci.durations import format_age, parse_duration

ZUUL_V2 = """Patch Set 3: Verified-1

Build failed (check pipeline).  For information on how to proceed, see the CI's wiki.

- noop-check-communication http://logs.acme.example/45/12345/3/check/noop-check-communication/0a1b2c3 : SUCCESS in 12s
- dsvm-tempest-acme-driver http://logs.acme.example/45/12345/3/check/dsvm-tempest/4d5e6f7 : FAILURE in 1h 02m 13s
* acme-unit http://logs.acme.example/45/12345/3/check/acme-unit/aaa : NOT_REGISTERED
- acme-experimental http://logs.acme.example/x : UNSTABLE in 3m 2s (non-voting)
- acme-skipped : SKIPPED
"""


def test_job_lines():
    jobs = parse_jobs(ZUUL_V2)
    assert [(j.name, j.result) for j in jobs] == [
        ("noop-check-communication", "SUCCESS"), ("dsvm-tempest-acme-driver", "FAILURE"),
        ("acme-unit", "NOT_REGISTERED"), ("acme-experimental", "UNSTABLE"), ("acme-skipped", "SKIPPED")]
    assert jobs[0].url == "http://logs.acme.example/45/12345/3/check/noop-check-communication/0a1b2c3"
    assert jobs[1].duration == "1h 02m 13s" and jobs[2].duration is None
    assert jobs[3].voting is False and jobs[1].voting is True
    assert jobs[4].url is None


def test_prose_is_not_a_job():
    assert parse_jobs("Patch Set 1:\n\n- please recheck : thanks\nrecheck\n- see http://x") == []


@pytest.mark.parametrize("text,vote", [
    ("Patch Set 3: Verified-1\n\nBuild failed.", -1),
    ("Patch Set 1: Verified+1", 1),
    ("Patch Set 2: Code-Review+2 Verified+2 Workflow+1\n\nok", 2),
    ("Patch Set 2: Code-Review-1\n\nVerified+1 in the body does not count", None),
    ("Patch Set 4:\n\nBuild succeeded.", None),
    ("Patch Set 4: -Verified\n\nvote removed", None),
])
def test_vote_from_the_first_line(text, vote):
    assert parse_vote(text) == vote


def test_pick_vote_prefers_the_comment_then_the_users_approval():
    assert pick_vote("Patch Set 1: Verified-1", [{"type": "Verified", "value": "1"}]) == (-1, "comment")
    ssh = [{"type": "Verified", "value": "1", "by": {"username": "other"}},
           {"type": "Verified", "value": "-1", "by": {"username": "ci"}}]
    assert pick_vote("Patch Set 1:\n\nBuild failed.", ssh, "ci") == (-1, "approval")
    assert pick_vote("Patch Set 1:", [{"value": 2, "username": "ci"}], "ci") == (2, "approval")  # REST shape
    assert pick_vote("Patch Set 1:", [{"type": "Code-Review", "value": "1"}], "ci") == (None, "none")


def test_patchset_and_summary():
    assert parse_patchset(ZUUL_V2) == 3 and parse_patchset("Abandoned") is None
    assert summary_line(ZUUL_V2).startswith("Build failed (check pipeline).")
    assert summary_line("Patch Set 1: Verified+1") == ""


@pytest.mark.parametrize("text,seconds", [("90", 90), ("30s", 30), ("15m", 900), ("24h", 86400), ("7d", 604800),
                                          ("2w", 1209600), ("1d12h", 129600), (" 1h 30m ", 5400)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "soon", "7x", "1d and more", "-3h"])
def test_bad_durations(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_format_age():
    assert [format_age(s) for s in (None, 5, 125, 3600, 3 * 3600 + 300, 86400 * 2 + 3600 * 5)] == [
        "never", "5s", "2m", "1h", "3h 5m", "2d 5h"]


def test_verified_zero_is_no_vote_and_the_text_decides():
    from vendorci.clients.gerrit_parse import report_result

    zero = [{"type": "Verified", "description": "Verified", "value": "0"}]
    assert pick_vote("Patch Set 1:\n\nBuild failed.", zero, "ci") == (None, "none")
    # a value that changed to 0 (a vote removed) is a vote
    assert pick_vote("Patch Set 1:", [{"type": "Verified", "value": "0", "oldValue": "1"}]) == (0, "approval")
    assert report_result("Patch Set 1:\n\nBuild failed (check pipeline).\n") == "FAILURE"
    assert report_result("Patch Set 1:\n\nBuild succeeded (check pipeline).\n") == "SUCCESS"
    assert report_result("Patch Set 1:\n\n- a http://x/a : SUCCESS in 1s\n- b http://x/b : FAILURE in 2s\n") == \
        "FAILURE"
    assert report_result("Patch Set 1:\n\n- a http://x/a : SUCCESS in 1s\n* b http://x/b : FAILURE in 2s "
                         "(non-voting)\n") == "SUCCESS"
    assert report_result("Patch Set 1:\n\nStarting check jobs.") is None
