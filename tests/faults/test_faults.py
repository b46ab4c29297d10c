"""Fault injection with real peers: each command must finish within its deadline with a
correct, explained result when its peer dies, drops or errors in the middle of the work.

- gearmand killed while `vendorci doctor` waits for its reply;
- sshd closing the connection during `node register`'s preflight;
- the Gerrit event stream dropped (repeatedly, then refused) during `smoke-test sandbox`;
- Jenkins answering 500 for a while, then recovering, during `node list` and `node register`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.fixtures.gearman import GEARMAND_MISSING, gearmand_path, start_gearmand, stop_process
from tests.fixtures.jenkins_double import _Handler, agent_fixture, jenkins_double_fixture  # noqa: F401
from tests.fixtures.plugin import require_real
from tests.fixtures.sshd import keygen

pytestmark = pytest.mark.real_server


def wait_until(cond, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise TimeoutError(f"not reached within {timeout}s: {what}")


def run_vendorci(*argv: str, timeout: float) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "vendorci", *argv], capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return p, time.monotonic() - t0


# -- gearmand killed during doctor ----------------------------------------------------------------
@pytest.fixture
def gearmand_proc(tmp_path):
    require_real(None if gearmand_path() else GEARMAND_MISSING)
    server, proc = start_gearmand(tmp_path)
    yield server, proc
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGCONT)
        stop_process(proc)


def _established(port: int) -> int:
    """Established client connections to 127.0.0.1:port (from /proc/net/tcp)."""
    n = 0
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        if f[3] == "01" and int(f[2].split(":")[1], 16) == port:
            n += 1
    return n


def _doctor_while_gearmand_dies(server, proc) -> tuple[subprocess.CompletedProcess, float]:
    """Freeze gearmand, start doctor, wait until it is connected and waiting, then SIGKILL gearmand."""
    baseline = _established(server.port)
    os.kill(proc.pid, signal.SIGSTOP)  # frozen: doctor connects (kernel backlog) and waits for the reply
    box: dict = {}
    doctor = threading.Thread(target=lambda: box.update(zip(("p", "elapsed"), run_vendorci(
        "-o", "json", "doctor", "gearman", "--gearman", server.address, "--timeout", "5", timeout=60))))
    doctor.start()
    wait_until(lambda: _established(server.port) > baseline, 10, "doctor connected to gearmand")
    time.sleep(0.3)  # the request is sent and doctor is waiting for the answer
    proc.kill()  # SIGKILL works on a stopped process: the kernel resets its connections
    proc.wait(5)
    doctor.join(30)
    assert not doctor.is_alive()
    return box["p"], box["elapsed"]


def test_gearmand_killed_while_doctor_waits_for_its_reply(gearmand_proc):
    server, proc = gearmand_proc
    p, elapsed = _doctor_while_gearmand_dies(server, proc)
    assert elapsed < 5 + 3, f"doctor took {elapsed:.1f}s with a 5s check timeout"
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Traceback" not in p.stderr
    doc = json.loads(p.stdout)
    assert doc["exit_code"] == 1 and doc["status"] == "fail"
    checks = {c["id"]: c for c in doc["data"]["checks"]}
    reach = checks["gearman.reachable"]
    assert reach["status"] == "fail", reach
    assert server.address in reach["summary"], reach
    assert any(w in reach["summary"] for w in ("closed", "reset", "lost")), reach["summary"]
    assert reach["fix"], reach
    assert all(c["status"] == "skip" for i, c in checks.items() if i != "gearman.reachable")

    # and the next run, with gearmand gone for good, says so at once
    p, elapsed = run_vendorci("doctor", "gearman", "--gearman", server.address, "--timeout", "2", timeout=60)
    assert p.returncode == 1 and elapsed < 5
    assert "✗ gearman.reachable" in p.stdout and "refused" in p.stdout and "fix:" in p.stdout


def test_gearmand_killed_between_two_doctor_runs(gearmand_proc, cli):
    """The first doctor is healthy; gearmand dies; the next one fails, explained, within its deadline."""
    server, proc = gearmand_proc
    args = ("-o", "json", "doctor", "gearman.reachable", "--gearman", server.address, "--timeout", "2")
    r = cli(*args)
    assert r.exit_code == 0 and r.json["data"]["checks"][0]["status"] == "ok", r.stdout
    proc.kill()
    proc.wait(5)
    t0 = time.monotonic()
    r = cli(*args)
    assert time.monotonic() - t0 < 5
    assert r.exit_code == 1 and r.json["exit_code"] == 1
    check = r.json["data"]["checks"][0]
    assert check["status"] == "fail" and "refused" in check["summary"] and check["fix"]


# -- sshd closing the connection during node register's preflight ---------------------------------
@pytest.mark.parametrize("force_command, expect", [
    ('command="kill -9 $PPID"', ("lost", "closed")),  # the session's sshd process dies: the TCP connection drops
    ('command="exit 1"', ("exit", "status", "output", "closed")),  # the session ends at once, nothing printed
])
def test_sshd_drops_the_connection_during_preflight(cli, sshd_factory, jenkins_double, tmp_path, force_command,
                                                     expect):
    server = sshd_factory()
    key = tmp_path / "jenkins_key"
    server.authorize(keygen(key, "ed25519"), options=force_command)
    kh = server.write_known_hosts(tmp_path / "known_hosts")
    t0 = time.monotonic()
    r = cli("-o", "json", "node", "register", "n1", "--host", server.host, "--port", str(server.port), "--ssh-user",
            server.user, "--key", str(key), "--known-hosts", str(kh), "--min-disk-gb", "1", "--timeout", "10",
            "--jenkins-url", jenkins_double.url, "--jenkins-user", "admin",
            env={"VENDORCI_JENKINS_TOKEN": jenkins_double.admin_token, "VENDORCI_JENKINS_TIMEOUT": "5"})
    elapsed = time.monotonic() - t0
    assert elapsed < 25, f"preflight took {elapsed:.1f}s"
    assert r.exit_code == 1, r.stdout + r.stderr
    assert r.json["exit_code"] == 1 and r.json["errors"][0]["code"] == "preflight_failed"
    failed = [c for c in r.json["data"]["preflight"]["checks"] if c["status"] in ("fail", "error")]
    assert failed, r.json["data"]["preflight"]
    text = " ".join(c["summary"] + " " + " ".join(c["details"]) for c in failed).lower()
    assert any(w in text for w in expect), text
    assert all(c["fix"] for c in failed)
    assert "n1" not in jenkins_double.nodes and not jenkins_double.credentials  # nothing registered
    assert jenkins_double.admin_token not in r.stdout + r.stderr


# -- the Gerrit stream dropped during smoke-test ----------------------------------------------------
@pytest.fixture
def gerrit(make_gerrit):
    return make_gerrit


def _stream_saboteur(g, drops: int, then_refuse: bool, stop: threading.Event, after_upload: bool = True
                     ) -> threading.Thread:
    """Drop the CI's stream-events connection each time it is open, ``drops`` times (the first one once the
    patch is uploaded, unless ``after_upload`` is False); then, with ``then_refuse``, refuse new streams."""

    def run():
        deadline = time.monotonic() + 20
        done = 0
        while done < drops and time.monotonic() < deadline and not stop.is_set():
            if g.double.stream_count and (g.double.changes or not after_upload):
                time.sleep(0.1)  # let the client settle on the stream, then cut it
                done += bool(g.double.drop_streams())
                if done == drops and then_refuse:
                    g.double.refuse_streams = True
                while g.double.stream_count and time.monotonic() < deadline:  # until the dropped one is gone
                    time.sleep(0.01)
            time.sleep(0.02)
        box["drops"] = done

    box: dict = {}
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.box = box  # type: ignore[attr-defined]
    return t


def _smoke_with_saboteur(cli, g, timeout: float, **sabotage):
    stop = threading.Event()
    saboteur = _stream_saboteur(g, stop=stop, **sabotage)
    t0 = time.monotonic()
    try:
        r = cli("-o", "json", "smoke-test", "sandbox", *g.args(timeout=timeout))
    finally:
        stop.set()
        saboteur.join(5)
    return r, time.monotonic() - t0, saboteur.box.get("drops", 0)


@pytest.mark.parametrize("drops, then_refuse", [(2, False), (1, True)], ids=["dropped-twice", "dropped-then-refused"])
def test_gerrit_stream_dropped_during_smoke_test(cli, gerrit, drops, then_refuse):
    # The CI answers after the stream is reopened (1 s after the drop) and refused, not before: with 1.5 s the
    # poll right after the drop could find the comment first on a loaded machine, and no reopen was tried.
    g = gerrit(delay=3.0 if then_refuse else 1.5)
    r, elapsed, dropped = _smoke_with_saboteur(cli, g, 15, drops=drops, then_refuse=then_refuse)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert elapsed < 15
    d = r.json["data"]
    assert d["vote"] == 1 and d["change"] == 1001 and d["ci_user"] == "ci"
    assert dropped >= 1 and any("dropped" in n for n in d["notes"]), d["notes"]
    if then_refuse:  # it tried to reopen, was refused, and polled
        assert d["via"] == "poll" and any("refused" in n for n in d["notes"]), d["notes"]
    else:
        assert g.double.stream_connects >= 2  # reopened after the first drop
    assert g.bot.posted and g.bot.posted[0]["change"] == 1001


def test_gerrit_stream_dropped_before_its_first_event_is_reopened(cli, gerrit):
    g = gerrit(delay=1.5)
    r, elapsed, dropped = _smoke_with_saboteur(cli, g, 15, drops=1, then_refuse=False, after_upload=False)
    assert r.exit_code == 0 and r.json["data"]["vote"] == 1, r.stdout  # this part holds today (polling)
    assert not any("refused" in n for n in r.json["data"]["notes"]), r.json["data"]["notes"]
    assert g.double.stream_connects >= dropped + 1  # reopened after every drop


def test_gerrit_stream_dropped_and_no_vote_times_out_on_time(cli, gerrit):
    g = gerrit(verdict=None)
    r, elapsed, dropped = _smoke_with_saboteur(cli, g, 2, drops=1, then_refuse=False)
    assert r.exit_code == 124 and r.json["errors"][0]["code"] == "timeout"
    assert elapsed < 2 + 8 and dropped == 1
    assert "no comment from ci" in r.json["errors"][0]["message"]


# -- Jenkins answering 500, then recovering -----------------------------------------------------------
class Faults:
    """Makes the Jenkins double answer 500 to requests whose path matches, ``count`` times."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rules: list[list] = []  # [substring, remaining]
        self.served = 0

    def fail(self, path_part: str, count: int) -> None:
        with self.lock:
            self.rules.append([path_part, count])

    def take(self, path: str) -> bool:
        with self.lock:
            for rule in self.rules:
                if rule[0] in path and rule[1] > 0:
                    rule[1] -= 1
                    self.served += 1
                    return True
        return False


@pytest.fixture
def jenkins_faults(monkeypatch):
    faults = Faults()
    real = _Handler._dispatch

    def dispatch(self, method):
        if faults.take(self.path):
            self._new_session = ""
            if method == "POST":
                self._body()
            return self._send(500, "<html><body>java.lang.NullPointerException</body></html>",
                              "text/html;charset=utf-8")
        return real(self, method)

    monkeypatch.setattr(_Handler, "_dispatch", dispatch)
    return faults


def test_jenkins_500_then_recovers_node_list(cli, jenkins_double, jenkins_faults):
    env = {"VENDORCI_JENKINS_TOKEN": jenkins_double.admin_token}
    args = ("-o", "json", "node", "list", "--jenkins-url", jenkins_double.url, "--jenkins-user", "admin")
    jenkins_faults.fail("computer/api/json", 1)
    r = cli(*args, env=env)
    assert r.exit_code == 1 and r.json["errors"][0]["code"] == "jenkins_server_error"
    assert "HTTP 500" in r.json["errors"][0]["message"] and r.json["errors"][0]["hint"]
    assert jenkins_faults.served == 1
    r = cli(*args, env=env)  # recovered
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.json["status"] == "ok" and isinstance(r.json["data"]["nodes"], list)


def _register(cli, jenkins_double, agent, tmp_path, *extra):
    return cli("-o", "json", "node", "register", "a1", "--host", agent.host, "--port", str(agent.port),
               "--ssh-user", agent.user, "--key", str(agent.key), "--known-hosts", str(agent.known_hosts),
               "--remote-fs", str(tmp_path / "ws"), "--min-disk-gb", "1", "--jenkins-url", jenkins_double.url,
               "--jenkins-user", "admin", *extra, env={"VENDORCI_JENKINS_TOKEN": jenkins_double.admin_token})


def test_jenkins_500_on_create_then_rerun_completes(cli, jenkins_double, agent, tmp_path, jenkins_faults):
    jenkins_faults.fail("doCreateItem", 1)
    t0 = time.monotonic()
    r = _register(cli, jenkins_double, agent, tmp_path, "--timeout", "20")
    assert time.monotonic() - t0 < 20
    assert r.exit_code == 1 and r.json["errors"][0]["code"] == "jenkins_server_error", r.stdout
    assert "HTTP 500" in r.json["errors"][0]["message"]
    assert "a1" not in jenkins_double.nodes
    r = _register(cli, jenkins_double, agent, tmp_path, "--timeout", "20")  # Jenkins recovered: the rerun finishes
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.json["data"]["state"] == "online" and r.json["data"]["credential"] == "exists"
    assert jenkins_double.nodes["a1"].offline is False


def test_jenkins_500_while_waiting_for_the_agent_then_recovers(cli, jenkins_double, agent, tmp_path, jenkins_faults):
    jenkins_double.launch_delay = 1.0
    jenkins_faults.fail("/logText/progressiveText", 3)
    t0 = time.monotonic()
    r = _register(cli, jenkins_double, agent, tmp_path, "--timeout", "20")
    assert time.monotonic() - t0 < 20
    assert jenkins_faults.served == 3
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.json["data"]["state"] == "online" and jenkins_double.nodes["a1"].offline is False


def _register_while_jenkins_fails(cli, jenkins_double, agent, tmp_path, jenkins_faults):
    jenkins_double.launch_delay = 1.0
    jenkins_faults.fail("/logText/progressiveText", 10_000)
    t0 = time.monotonic()
    r = _register(cli, jenkins_double, agent, tmp_path, "--timeout", "2")
    assert time.monotonic() - t0 < 2 + 10
    return r


def test_jenkins_500_until_the_deadline_ends_on_time(cli, jenkins_double, agent, tmp_path, jenkins_faults):
    r = _register_while_jenkins_fails(cli, jenkins_double, agent, tmp_path, jenkins_faults)
    assert r.exit_code == 124 and r.json["exit_code"] == 124, r.stdout
    assert r.json["data"]["state"] == "timeout" and r.json["errors"][0]["code"] == "node_wait_timeout"
    assert any("HTTP 500" in line for line in r.json["data"]["log"]), r.json["data"]["log"]


def test_jenkins_500_until_the_deadline_is_named_as_the_cause(cli, jenkins_double, agent, tmp_path, jenkins_faults):
    r = _register_while_jenkins_fails(cli, jenkins_double, agent, tmp_path, jenkins_faults)
    err = r.json["errors"][0]
    assert "500" in err["message"] or "Jenkins" in err["message"], err
    assert "launch failed" not in err["message"], err
