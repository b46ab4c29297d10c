"""Parsing of Gearman admin replies, with the quirks of gearmand and gear.Server."""

from __future__ import annotations

import pytest

from vendorci.clients.gearman import parse_address, parse_status, parse_workers
from vendorci.errors import UsageError

ARTICLE = (  # the reply shown in the reference articles
    "build:noop-check-communication:master\t0\t0\t2\nbuild:dsvm-tempest-full\t0\t0\t1\n"
    "build:dsvm-tempest-full:devstack_slave\t0\t0\t1\nmerger:merge\t0\t0\t1\nzuul:enqueue\t0\t0\t1\n"
    "merger:update\t0\t0\t1\nzuul:promote\t0\t0\t1\nset_description:master\t0\t0\t1\n"
    "build:noop-check-communication\t0\t0\t2\nstop:master\t0\t0\t1\n"
)


def test_status():
    fs = parse_status(ARTICLE)
    assert len(fs) == 10
    assert fs[0].name == "build:noop-check-communication:master" and fs[0].workers == 2
    f = parse_status("build:x\t5\t2\t0\n")[0]
    assert (f.total, f.running, f.queued, f.workers) == (5, 2, 3, 0)
    with pytest.raises(ValueError):
        parse_status("HTTP/1.1 400 Bad Request\n")
    with pytest.raises(ValueError):
        parse_status("build:x\t1\tx\t0\n")


def test_workers_quirks():
    ws = parse_workers(
        "14 127.0.0.1 master_exec-0 : build:bar build:foo\n"
        "16 127.0.0.1 - :\n"  # gearmand: no client id, no functions
        "15 127.0.0.1 - : \n"  # gear.Server: trailing space
        "17 ::ffff:10.0.0.5 ds-1_exec-0 : build:dsvm-tempest-full:devstack_slave\n"
    )
    assert [w.client_id for w in ws] == ["master_exec-0", "-", "-", "ds-1_exec-0"]
    assert ws[0].functions == ("build:bar", "build:foo") and ws[1].functions == () and ws[2].functions == ()
    assert ws[3].address == "::ffff:10.0.0.5"
    with pytest.raises(ValueError):
        parse_workers("OK 1.1.20\n")


def test_parse_10k_functions():
    # speed is measured by benchmarks/gearman_status.py, not asserted here
    text = "".join(f"build:job-{i:05d}:label-{i % 7}\t{i % 3}\t{i % 2}\t{i % 5}\n" for i in range(10000))
    fs = parse_status(text)
    assert len(fs) == 10000 and fs[9999].total == 9999 % 3 and fs[9999].workers == 9999 % 5


def test_parse_address():
    assert parse_address("127.0.0.1:4731") == ("127.0.0.1", 4731)
    assert parse_address("gearman.example") == ("gearman.example", 4730)
    assert parse_address("[::1]:4730") == ("::1", 4730)
    with pytest.raises(UsageError):
        parse_address("host:99999")


def test_workers_client_ids_with_spaces_as_zuul2_sends_them():
    # verbatim from Zuul 2.5.2's embedded Gearman server (gear 0.11)
    text = ("11 127.0.0.1 - : \n"
            "14 127.0.0.1 Zuul RPC Listener : zuul:get_running_jobs zuul:promote zuul:enqueue zuul:enqueue_ref\n"
            "15 127.0.0.1 Zuul Merger : merger:merge merger:update\n.\n")
    ws = parse_workers(text)
    assert [w.client_id for w in ws] == ["-", "Zuul RPC Listener", "Zuul Merger"]
    assert ws[2].functions == ("merger:merge", "merger:update")
    assert ws[1].functions[0] == "zuul:get_running_jobs" and ws[0].functions == ()
