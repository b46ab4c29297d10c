"""zuul.conf parsing, generation detection and log config reading."""

from __future__ import annotations

import pytest

from vendorci.core.zuulconf import load_zuul_conf, log_files, recent_errors
from vendorci.errors import ConfigError

V2 = """\
[gearman]
server=127.0.0.1
[gearman_server]
start=true
[zuul]
layout_config=/etc/zuul/layout.yaml
log_config=/etc/zuul/logging.conf
pidfile=/var/run/zuul/zuul.pid
[merger]
git_dir=/var/lib/zuul/git
pidfile=/var/run/zuul-merger/zuul-merger.pid
"""


def test_v2(tmp_path):
    p = tmp_path / "zuul.conf"
    p.write_text(V2)
    c = load_zuul_conf(p)
    assert c.generation == 2 and c.gearman_server_start
    assert c.layout == "/etc/zuul/layout.yaml" and c.log_config == "/etc/zuul/logging.conf"
    assert c.pidfiles == ["/var/run/zuul/zuul.pid", "/var/run/zuul-merger/zuul-merger.pid"]


@pytest.mark.parametrize("text,gen", [
    ("[gearman]\nserver=x\n[scheduler]\n", 3),
    ("[zookeeper]\nhosts=x\n[scheduler]\n", 4),
    ("[gearman]\nserver=x\n[gearman_server]\nstart=false\n", 2),
])
def test_generation(tmp_path, text, gen):
    p = tmp_path / "zuul.conf"
    p.write_text(text)
    assert load_zuul_conf(p).generation == gen


def test_missing_and_invalid(tmp_path):
    assert load_zuul_conf(tmp_path / "nope.conf") is None
    bad = tmp_path / "bad.conf"
    bad.write_text("server=x\n")
    with pytest.raises(ConfigError):
        load_zuul_conf(bad)


def test_log_files_ini_and_yaml(tmp_path):
    ini = tmp_path / "logging.conf"
    ini.write_text("[handlers]\nkeys=console,debug,normal\n"
                   "[handler_console]\nclass=StreamHandler\nargs=(sys.stdout,)\n"
                   "[handler_debug]\nclass=logging.handlers.TimedRotatingFileHandler\n"
                   "args=('/var/log/zuul/debug.log', 'midnight', 1, 30,)\n"
                   "[handler_normal]\nclass=logging.handlers.WatchedFileHandler\nargs=('/var/log/zuul/zuul.log',)\n")
    assert [str(p) for p in log_files(ini)] == ["/var/log/zuul/debug.log", "/var/log/zuul/zuul.log"]
    y = tmp_path / "logging.yaml"
    y.write_text("version: 1\nhandlers:\n  normal:\n    class: logging.handlers.WatchedFileHandler\n"
                 "    filename: /var/log/zuul/scheduler.log\n  console:\n    class: logging.StreamHandler\n")
    assert [str(p) for p in log_files(y)] == ["/var/log/zuul/scheduler.log"]
    assert log_files(tmp_path / "absent.conf") == []


def test_recent_errors_reads_only_the_tail(tmp_path):
    log = tmp_path / "zuul.log"
    old = "2014-01-01 00:00:00,000 ERROR zuul.Old: ancient\n"
    filler = "2014-01-01 00:00:01,000 DEBUG zuul.X: " + "x" * 200 + "\n"
    new = [f"2014-01-02 00:00:0{i},000 ERROR zuul.Scheduler: boom {i}\n" for i in range(7)]
    log.write_text(old + filler * 2000 + "".join(new))
    errs = recent_errors(log, limit=5)
    assert len(errs) == 5 and errs[-1].endswith("boom 6") and not any("ancient" in e for e in errs)
