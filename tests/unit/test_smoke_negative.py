"""A failed report's error names the failed jobs, and Zuul's NOT_REGISTERED with the doctor check to run.

The report below is the text a real Zuul 2.5.2 posted (job_name_in_report=true) in tests/real/test_zuul2_loop.py.
"""

from __future__ import annotations

from vendorci.clients.gerrit_parse import parse_jobs
from vendorci.core.verdict import VerdictOptions, failure_error, judge

ZUUL2_REPORT = """Patch Set 1: Verified-1

Build failed.

- vendor-ci-check http://logs.example.invalid/7/1/check/vendor-ci-check/3 : SUCCESS in 0s
- vendor-ci-unserved http://logs.example.invalid/7/1/check/vendor-ci-unserved/None : NOT_REGISTERED
"""


def test_not_registered_is_named_with_the_doctor_check_and_its_fake_url_not_fetched():
    fetched = []

    def fetch(urls, timeout):
        fetched.extend(urls)
        return {}

    v = judge("acme-ci", ZUUL2_REPORT, -1, VerdictOptions(), fetch=fetch)
    [err] = v.errors
    assert err["code"] == "job_not_registered"
    assert err["message"] == "acme-ci voted Verified-1: no worker for vendor-ci-unserved (NOT_REGISTERED)"
    assert "vendorci doctor gearman.registered" in err["hint"]
    assert fetched == ["http://logs.example.invalid/7/1/check/vendor-ci-check/3"]


def test_failed_voting_jobs_are_named_and_non_voting_ones_are_not():
    text = ("Build failed.\n\n- a http://l/a : FAILURE in 3s\n- b http://l/b : SUCCESS in 1s\n"
            "- c http://l/c : FAILURE in 2s (non-voting)\n")
    err = failure_error("acme-ci voted Verified-1", "negative_vote", parse_jobs(text))
    assert (err["code"], err["message"]) == ("negative_vote", "acme-ci voted Verified-1 (failed: a)")


def test_comment_only_failure_with_an_unserved_job():
    text = "Build failed.\n\n- a http://l/a : FAILURE in 3s\n- u http://l/u/None : NOT_REGISTERED\n"
    v = judge("acme-ci", text, None, VerdictOptions(check_logs=False))
    [err] = v.errors
    assert err["code"] == "job_not_registered"
    assert err["message"] == "acme-ci reported a failure (comment only): no worker for u (NOT_REGISTERED); failed: a"


def test_no_job_lines_keeps_the_plain_message():
    err = failure_error("acme-ci voted Verified-1", "negative_vote", [])
    assert (err["code"], err["message"]) == ("negative_vote", "acme-ci voted Verified-1")
