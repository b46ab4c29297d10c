"""Parse+render a `status` reply of 10,000 functions from a real gearmand, vs `gearadmin --status`.

Run by hand:  python benchmarks/gearman_status.py [N]
Starts gearmand on a free loopback port, registers N functions (gear.Worker),
then times (best of 5): our request+parse, our render of the table, and, as whole
processes in the same run (median of 5): `vendorci gearman status` and `workers`,
piped and on a pseudo-terminal, `vendorci --version`, and `gearadmin --status`.
"""

from __future__ import annotations

import os
import pty
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures.gearman import start_gearmand, stop_process  # noqa: E402
from vendorci.clients.gearman import GearmanAdmin, parse_status  # noqa: E402
from vendorci.core.gearman import status_text  # noqa: E402

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


def best(fn, n=5):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


#: as installed code runs: with its byte-code cache (a sandbox may set PYTHONDONTWRITEBYTECODE)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def whole_ms(cmd: list[str], tty: bool = False, runs: int = 5) -> float:
    """Median wall time of a whole process, its stdout a pipe (read to the end) or a pseudo-terminal."""
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=60, env=ENV)
    times = []
    for _ in range(runs):
        if tty:
            master, slave = pty.openpty()
            drain = threading.Thread(target=lambda: _drain(master), daemon=True)
            drain.start()
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=slave, stderr=subprocess.DEVNULL, check=False, timeout=60,
                           env={**ENV, "COLUMNS": "120", "TERM": "xterm"})
            times.append(time.perf_counter() - t0)
            os.close(slave)
            drain.join(5)
            os.close(master)
        else:
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False, timeout=60, env=ENV)
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


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
            data = {"server": server.address, "functions": sorted((f.as_dict() for f in funcs),
                                                                   key=lambda f: f["name"])}
            render_t, rendered = best(lambda: status_text(data))
            print(f"functions: {n}")
            print(f"vendorci request+parse (status over the socket): {raw_t * 1000:.1f} ms")
            print(f"vendorci parse only:                             {parse_t * 1000:.1f} ms")
            print(f"vendorci sort+render table:                      {render_t * 1000:.1f} ms")
            ga = shutil.which("gearadmin")
            if ga:
                ga_t, out = best(lambda: subprocess.run([ga, "-h", server.host, "-p", str(server.port), "--status"],
                                                        capture_output=True, check=True).stdout)
                lines = out.count(b"\n") - 1
                print(f"gearadmin --status (wall, incl. process start):  {ga_t * 1000:.1f} ms ({lines} lines)")
            else:
                print("gearadmin not installed (Debian gearman-tools)")
            vc = shutil.which("vendorci") or sys.exit("vendorci is not installed")
            srv = ["--server", server.address]
            version = whole_ms([vc, "--version"])
            print("whole processes, median of 5 (ratio to vendorci --version):")
            print(f"  vendorci --version:                    {version:7.1f} ms")
            for sub in ("status", "workers"):
                for tty in (False, True):
                    t = whole_ms([vc, "gearman", sub, *srv], tty=tty)
                    print(f"  vendorci gearman {sub:8s} {'terminal' if tty else 'piped   '}:     {t:7.1f} ms "
                          f"({t / version:.2f}x)")
            if ga:
                t = whole_ms([ga, "-h", server.host, "-p", str(server.port), "--status"])
                print(f"  gearadmin --status piped:              {t:7.1f} ms")
            adm.close()
            child.kill()
            child.wait(5)
        finally:
            stop_process(proc)


if __name__ == "__main__":
    main()
