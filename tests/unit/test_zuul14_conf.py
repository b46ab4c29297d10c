"""The Zuul 14 fixture's zuul.conf: extra sections (a Gerrit connection) must not leave the main body indented
(configparser reads indented lines as continuations, so Zuul saw no [zookeeper] section)."""

from __future__ import annotations

import configparser

from tests.fixtures.zuul14 import Zuul14


def test_extra_conf_keeps_every_section_at_column_zero(tmp_path):
    z = Zuul14(root=tmp_path, extra_conf="""
        [connection gerrit]
        driver=gerrit
        server=127.0.0.1
        """)
    z.repos = tmp_path / "git"
    z._write_zuul_conf()
    text = z.zuul_conf.read_text()
    assert not [line for line in text.splitlines() if line.startswith(" ")], text
    cp = configparser.ConfigParser(interpolation=None)
    cp.read_string(text)
    assert {"zookeeper", "keystore", "web", "connection git", "connection gerrit"} <= set(cp.sections())
    assert cp["connection gerrit"]["driver"] == "gerrit"


def test_restart_keeps_the_keystore_password_and_web_port(tmp_path):
    z = Zuul14(root=tmp_path)
    z.repos = tmp_path / "git"
    z._write_zuul_conf()
    first = z.zuul_conf.read_text()
    z.extra_conf = "[connection x]\ndriver=git\nbaseurl=file:///nowhere\n"
    z._write_zuul_conf()
    second = z.zuul_conf.read_text()
    assert second.startswith(first) and "[connection x]" in second
