"""Class 3: everything vendorci reads is bounded.

A few hundred bytes of YAML whose aliases expand exponentially, special files (a FIFO,
/dev/zero) and huge files given as keys or referenced from vars.sh, a Jenkins that answers
with more than any API answer needs, a Gearman "server" that never stops talking, an SSH
command that never stops writing: each is refused quickly with a clear error, through the
real commands (subprocesses with a deadline where an unbounded read would hang the test).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from tests.hostile.peers import http_peer, jenkins  # noqa: F401 - fixture

BOMB = "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 9 if p else ['"lol"'] * 9) + "]\n"
               for p, c in zip(["", "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi", strict=True))


def run(*args: str, timeout: float = 20, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vendorci", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def test_the_bomb_is_a_bomb():
    assert len(BOMB) < 600 and BOMB.count("*") == 8 * 9  # 9**9 = 387 million values once expanded


@pytest.mark.parametrize("where", ["config", "node_list", "layout"])
def test_yaml_alias_bomb_refused_within_a_second(tmp_path, where):
    if where == "config":
        (tmp_path / "c.yaml").write_text(BOMB)
        args = ["-o", "json", "--config", str(tmp_path / "c.yaml"), "config", "show"]
    elif where == "node_list":
        from vendorci.core.keys import generate_key

        generate_key(tmp_path / "k", "ed25519")
        (tmp_path / "nodes.yaml").write_text(BOMB)
        args = ["-o", "json", "node", "register", "--from", str(tmp_path / "nodes.yaml"), "--jenkins-url",
                "http://127.0.0.1:9/", "--key", str(tmp_path / "k")]
    else:
        (tmp_path / "repo/etc/zuul").mkdir(parents=True)
        (tmp_path / "repo/etc/zuul/layout.yaml").write_text(BOMB)
        (tmp_path / "repo/vars.sh").write_text("export UPSTREAM_GERRIT_USER=acme-ci\n")
        args = ["-o", "json", "validate", str(tmp_path / "repo")]
    t = time.monotonic()
    proc = run(*args, timeout=30)
    elapsed = time.monotonic() - t
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert "aliases expand to more than" in proc.stdout, proc.stdout
    assert proc.returncode == (1 if where == "layout" else 2), doc  # validate reports it as a finding
    assert elapsed < 5, f"took {elapsed:.1f}s"  # the refusal itself is milliseconds; the rest is start-up


def test_refusal_itself_is_fast():
    from vendorci.errors import InputError
    from vendorci.yamlutil import parse_yaml

    t = time.monotonic()
    with pytest.raises(InputError) as exc:
        parse_yaml(BOMB)
    assert exc.value.code == "yaml_too_large" and exc.value.exit_code == 2
    assert time.monotonic() - t < 1.0
    assert parse_yaml("a: &x [1, 2]\nb: *x\n").data == {"a": [1, 2], "b": [1, 2]}  # ordinary aliases still work


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "huge", "dir"])
def test_keys_show_on_special_files_answers_at_once(tmp_path, kind):
    p = tmp_path / "k"
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "dev_zero":
        p = "/dev/zero"
    elif kind == "huge":
        with open(p, "wb") as fh:
            fh.truncate(2 * 1024 ** 3)  # sparse: 2 GB that cost nothing on disk
    else:
        p.mkdir()
    t = time.monotonic()
    proc = run("-o", "json", "keys", "show", str(p), timeout=15)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    code = json.loads(proc.stdout)["errors"][0]["code"]
    assert code in {"fifo": ("not_a_regular_file",), "dev_zero": ("not_a_regular_file",),
                    "huge": ("key_invalid",), "dir": ("not_a_file",)}[kind]
    assert time.monotonic() - t < 10


def test_validate_with_a_fifo_key_in_vars_sh_and_a_fifo_in_the_tree(tmp_path):
    repo = tmp_path / "repo"
    (repo / "etc/zuul").mkdir(parents=True)
    (repo / "etc/zuul/layout.yaml").write_text("pipelines: []\nprojects: []\n")
    os.mkfifo(repo / "jenkins_key")
    os.mkfifo(repo / "etc/notes.txt")
    (repo / "vars.sh").write_text("export UPSTREAM_GERRIT_USER=acme-ci\nexport JENKINS_SSH_KEY=jenkins_key\n")
    proc = run("-o", "json", "validate", str(repo), timeout=30)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_secret_file_that_is_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "token")
    os.chmod(tmp_path / "token", 0o600)
    (tmp_path / "c.yaml").write_text("jenkins:\n  token_file: token\n")
    proc = run("-o", "json", "--config", str(tmp_path / "c.yaml"), "config", "show", timeout=15)
    assert proc.returncode == 2 and "secret_file_invalid" in proc.stdout


@pytest.mark.parametrize("length", ["announced", "unannounced"])
def test_jenkins_body_larger_than_any_api_answer_is_refused(cli, http_peer, monkeypatch, length):  # noqa: F811
    from vendorci.clients import http

    monkeypatch.setattr(http, "MAX_BODY", 1024 * 1024)
    big = b'{"computer": [' + b'{"displayName": "x"},' * 200_000 + b'{}]}'
    headers = {"Content-Type": "application/json", "Content-Length": str(len(big))} if length == "announced" else \
        {"Content-Type": "application/json", "X-No-Length": "1"}
    peer = http_peer(jenkins({"computer/api/json": (200, headers, big)}))
    monkeypatch.setenv("VENDORCI_JENKINS_URL", peer.url)
    res = cli("-o", "json", "node", "list")
    assert res.exit_code == 1, res.stdout
    assert res.json["errors"][0]["code"] == "http_body_too_large"


@pytest.fixture
def endless_gearman():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    stop = threading.Event()

    def serve():
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            conn.recv(100)
            line = b"build:" + b"f" * 60 + b"\t0\t0\t1\n"
            try:
                while not stop.is_set():
                    conn.sendall(line * 2000)
            except OSError:
                conn.close()

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    yield srv.getsockname()[1]
    stop.set()
    th.join(5)
    srv.close()


def test_gearman_reply_without_end_is_bounded(cli, endless_gearman, monkeypatch):
    from vendorci.clients import gearman

    monkeypatch.setattr(gearman, "MAX_REPLY", 4 * 1024 * 1024)
    res = cli("-o", "json", "gearman", "status", "--server", f"127.0.0.1:{endless_gearman}", "--timeout", "20")
    assert res.exit_code == 1, res.stdout
    assert res.json["errors"][0]["code"] == "gearman_reply_too_large"


@pytest.mark.real_server
def test_ssh_command_output_is_bounded(sshd_factory, tmp_path, monkeypatch):
    from tests.fixtures.sshd import keygen
    from vendorci.clients import ssh
    from vendorci.errors import OperationFailed

    server = sshd_factory("ForceCommand yes")  # whatever is asked, the host answers forever
    server.authorize(keygen(tmp_path / "id", "ed25519"))
    kh = server.write_known_hosts(tmp_path / "kh")
    monkeypatch.setattr(ssh, "MAX_OUTPUT", 2 * 1024 * 1024)
    t = time.monotonic()
    with ssh.SshSession(ssh.SshTarget("127.0.0.1", server.port, server.user, tmp_path / "id", kh, timeout=20)) as s:
        with pytest.raises(OperationFailed) as exc:
            s.run("uname -a")
    assert exc.value.code == "ssh_output_too_large"
    assert time.monotonic() - t < 20
