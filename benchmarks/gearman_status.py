"""Parse+render a `status` reply of 10,000 functions from a real gearmand, vs `gearadmin --status`.

Run by hand:  python benchmarks/gearman_status.py [N]
Starts gearmand on a free loopback port, registers N functions (gear.Worker),
then times (best of 5): our request+parse, our render of the table, and, as whole
processes in the same run (11 paired rounds, median): `vendorci gearman status` and `workers`,
piped and on a pseudo-terminal, `vendorci --version`, `gearadmin --status`, and FLOOR:
the same job as the shortest plain Python script (no validation, no escaping, no
options) under the same interpreter, i.e. what any Python tool pays for 10,000 rows.
"""

from __future__ import annotations

import os
import pty
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures.gearman import start_gearmand, stop_process  # noqa: E402
from vendorci.clients.gearman import GearmanAdmin, parse_status  # noqa: E402
from vendorci.core.gearman import GearmanStatus, status_text  # noqa: E402

WORKERS = """
import sys, time, gear
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ws = []
for chunk in range(0, n, 1000):  # 1,000 functions per worker connection
    w = gear.Worker("bench_exec-%d" % (chunk // 1000))
    w.addServer(host, port)
    w.waitForServer(10)
    w.setFunctions([gear.FunctionRecord(("build:job-%05d:label-%d" % (i, i % 7)).encode())
                    for i in range(chunk, min(n, chunk + 1000))])
    ws.append(w)
time.sleep(120)
"""


FLOOR = """
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2]))); s.sendall(b"status\\n"); buf = b""
while not (buf.endswith(b"\\n.\\n") or buf == b".\\n"):
    buf += s.recv(262144)
rows = sorted(l.split("\\t") for l in buf.decode().split("\\n") if l.count("\\t") == 3)
fmt = "%%-%ds  %%6s  %%7s  %%7s" % max(len(r[0]) for r in rows)
sys.stdout.write("\\n".join(fmt % (n, int(t) - int(r), r, k) for n, t, r, k in rows) + "\\n")
"""


def best(fn, n=5):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


#: as installed code runs: with its byte-code cache (a sandbox may set PYTHONDONTWRITEBYTECODE)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def once_ms(cmd: list[str], tty: bool = False) -> float:
    """Wall time of one whole process, its stdout a pipe (read to the end) or a pseudo-terminal.  The
    terminal's reader is `cat`, a separate process as a terminal emulator is (a reader thread in this
    Python process would make the pseudo-terminal, not the command, the bottleneck)."""
    if not tty:
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False, timeout=60, env=ENV)
        return (time.perf_counter() - t0) * 1000
    master, slave = pty.openpty()
    reader = subprocess.Popen(["cat"], stdin=master, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=slave, stderr=subprocess.DEVNULL, check=False, timeout=60,
                   env={**ENV, "COLUMNS": "120", "TERM": "xterm"})
    took = (time.perf_counter() - t0) * 1000
    os.close(slave)
    try:
        reader.wait(5)
    except subprocess.TimeoutExpired:
        reader.kill()
        reader.wait(5)
    os.close(master)
    return took


def paired_ms(cmds: dict[str, tuple[list[str], bool]], rounds: int = 11) -> dict[str, float]:
    """Median wall time of each command, run in turn round after round (paired: a burst of load on the
    machine hits every command of a round alike, so the ratios hold even when the absolute times do not)."""
    for cmd, tty in cmds.values():  # warm the caches
        once_ms(cmd, tty)
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(rounds):
        for key, (cmd, tty) in cmds.items():
            times[key].append(once_ms(cmd, tty))
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    with tempfile.TemporaryDirectory() as d:
        server, proc = start_gearmand(Path(d))
        try:
            # workers in a child process: their threads must not compete with the timing for the GIL
            child = subprocess.Popen([sys.executable, "-c", WORKERS, server.host, str(server.port), str(n)],
                                     stderr=subprocess.DEVNULL)
            adm = GearmanAdmin(server.host, server.port, 10).connect()
            deadline = time.monotonic() + 30
            while len(adm.status()) < n and time.monotonic() < deadline:
                time.sleep(0.1)
            raw_t, funcs = best(adm.status)
            assert len(funcs) == n, len(funcs)
            text = "".join(f"{f.name}\t{f.total}\t{f.running}\t{f.workers}\n" for f in funcs)
            parse_t, _ = best(lambda: parse_status(text))
            status = GearmanStatus(server.address, tuple(sorted(funcs)))
            render_t, rendered = best(lambda: status_text(status))
            print(f"functions: {n}")
            print(f"vendorci request+parse (status over the socket): {raw_t * 1000:.1f} ms")
            print(f"vendorci parse only:                             {parse_t * 1000:.1f} ms")
            print(f"vendorci render table (sorted input):            {render_t * 1000:.1f} ms")
            ga = shutil.which("gearadmin")
            if ga:
                ga_t, out = best(lambda: subprocess.run([ga, "-h", server.host, "-p", str(server.port), "--status"],
                                                        capture_output=True, check=True).stdout)
                lines = out.count(b"\n") - 1
                print(f"gearadmin --status (wall, incl. process start):  {ga_t * 1000:.1f} ms ({lines} lines)")
            else:
                print("gearadmin not installed (Debian gearman-tools)")
            # the console script beside this interpreter (a pyenv shim on PATH would add its own start-up)
            beside = Path(sys.executable).parent / "vendorci"
            vc = str(beside) if beside.exists() else shutil.which("vendorci") or sys.exit("vendorci is not installed")
            srv = ["--server", server.address]
            py = Path(sys.executable).resolve()  # the interpreter vendorci runs on (the console script's)
            with open(vc, "rb") as f:
                first = f.readline()
            if first.startswith(b"#!") and b"python" in first:
                py = Path(first[2:].decode().strip().split()[0])
            cmds: dict[str, tuple[list[str], bool]] = {}
            for tty in (False, True):
                where = "terminal" if tty else "piped"
                cmds[f"vendorci --version {where}"] = ([vc, "--version"], tty)
                for sub in ("status", "workers"):
                    cmds[f"vendorci gearman {sub} {where}"] = ([vc, "gearman", sub, *srv], tty)
                cmds[f"floor: plain Python script {where}"] = ([str(py), "-c", FLOOR, server.host,
                                                               str(server.port)], tty)
                if ga:
                    cmds[f"gearadmin --status {where}"] = ([ga, "-h", server.host, "-p", str(server.port),
                                                            "--status"], tty)
            got = paired_ms(cmds)
            print("whole processes, 11 paired rounds, median (ratio to vendorci --version, piped or on a terminal"
                  " alike):")
            for key, ms in got.items():
                version = got["vendorci --version " + key.rsplit(" ", 1)[1]]
                print(f"  {key:40s} {ms:7.1f} ms ({ms / version:.2f}x)")
            adm.close()
            child.kill()
            child.wait(5)
        finally:
            stop_process(proc)


if __name__ == "__main__":
    main()
