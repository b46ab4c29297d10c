"""Wall time of `vendorci doctor` on a healthy local master, and with one blackholed endpoint.

Run by hand:  python benchmarks/doctor.py
A real gearmand with the workers Jenkins and Zuul would register, real processes
named zuul-server (x2) and zuul-merger, live pid files, a layout and JJB config;
then the same with the Gearman endpoint blackholed (a listener that accepts and
never answers) at --timeout 2: the run should cost about one timeout.
Each figure is the in-process run (config, checks, report) and the CLI
subprocess (including Python start-up and imports), best of 3.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures.gearman import Workers, start_gearmand, stop_process  # noqa: E402
from tests.integration.test_doctor_gearman import JJB, LAYOUT, NOOP, TEMPEST  # noqa: E402


def best(fn, n=3):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return min(ts), out


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "etc/zuul").mkdir(parents=True)
        (tmp / "etc/jenkins_jobs/config").mkdir(parents=True)
        (tmp / "etc/zuul/layout.yaml").write_text(LAYOUT)
        (tmp / "etc/jenkins_jobs/config/projects.yaml").write_text(JJB)
        (tmp / "bin").mkdir()
        procs = []
        for name in ("zuul-server", "zuul-server", "zuul-merger"):
            script = tmp / "bin" / name
            script.write_text("import time\ntime.sleep(120)\n")
            procs.append(subprocess.Popen([sys.executable, str(script)]))
        (tmp / "run/zuul").mkdir(parents=True)
        (tmp / "run/zuul/zuul.pid").write_text(f"{procs[0].pid}\n")
        server, gproc = start_gearmand(tmp)
        ws = Workers(server)
        ws.jenkins("master", {"master": (NOOP, 2), "devstack_slave-1": (TEMPEST, 1)})
        ws.zuul()
        conf = tmp / "zuul.conf"
        conf.write_text(f"[gearman]\nserver=127.0.0.1\nport={server.port}\n[gearman_server]\nstart=true\n"
                        f"[zuul]\nlayout_config={tmp}/etc/zuul/layout.yaml\npidfile={tmp}/run/zuul/zuul.pid\n")
        black = socket.socket()
        black.bind(("127.0.0.1", 0))
        black.listen(0)  # accepts one connection into the backlog, never answers
        try:
            from vendorci.checks.context import DoctorContext
            from vendorci.checks.runner import run_doctor
            from vendorci.config import load_config

            def inproc(gearman=None, timeout=5.0):
                cfg = load_config({"zuul.conf": str(conf), "gearman.server": gearman})
                ctx = DoctorContext(config=cfg, timeout=timeout, run_dir=tmp / "run")
                return run_doctor(ctx, ["gearman", "zuul"])

            def cli(*extra):
                return subprocess.run([sys.executable, "-m", "vendorci", "doctor", "gearman", "zuul",
                                       "--zuul-conf", str(conf), "--run-dir", str(tmp / "run"), *extra],
                                      capture_output=True, text=True)

            t, rep = best(inproc)
            print(f"healthy master, in-process:      {t * 1000:.0f} ms  {rep.summary['counts']}")
            t, r = best(cli)
            print(f"healthy master, CLI subprocess:  {t * 1000:.0f} ms  (exit {r.returncode})")
            bh = f"127.0.0.1:{black.getsockname()[1]}"
            t, rep = best(lambda: inproc(bh, 2.0), 1)
            print(f"blackholed Gearman, --timeout 2, in-process: {t * 1000:.0f} ms  {rep.summary['counts']}")
            t, r = best(lambda: cli("--gearman", bh, "--timeout", "2"), 1)
            print(f"blackholed Gearman, --timeout 2, CLI:        {t * 1000:.0f} ms  (exit {r.returncode})")
        finally:
            black.close()
            ws.close()
            stop_process(gproc)
            for p in procs:
                p.kill()
                p.wait(5)


if __name__ == "__main__":
    main()
