"""Benchmark: `node register --from` with 50 nodes against the Jenkins double and a real sshd.

Every node really launches (the double connects over SSH with the credential's key
and runs `java -version`); each launch waits LAUNCH_DELAY seconds first (Jenkins'
own latency), one node waits SLOW_DELAY.  Prints the total wall time next to the
slowest single registration: with bounded parallelism the total should be close
to the slowest node, not the sum.

    python benchmarks/register_nodes.py [--nodes 50] [--parallel 8] [--delay 0.2] [--slow 2.0]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve_double(conn, known_hosts: str, delay: float, slow: float, command: str) -> None:
    """The Jenkins double in its own process: Jenkins and the agents are other machines in real life,
    so they must not share vendorci's interpreter (and its GIL) in the measurement."""
    from tests.fixtures.jenkins_double import JenkinsDouble

    double = JenkinsDouble(known_hosts=Path(known_hosts), launch_delay=delay, launch_command=command)
    token = double.add_user("admin")
    double.delays["node-00"] = slow
    double.delays["solo"] = slow
    double.start()
    conn.send((double.url, token))
    conn.recv()  # until the benchmark is done
    double.stop()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--parallel", type=int, default=8)
    ap.add_argument("--delay", type=float, default=0.2)
    ap.add_argument("--slow", type=float, default=2.0)
    ap.add_argument("--launch-command", default="java -version",
                    help="what the double runs on the agent over SSH (the SSH launcher checks java -version)")
    ap.add_argument("--preflight", action="store_true", help="also preflight every node over SSH")
    args = ap.parse_args()

    import multiprocessing

    from tests.fixtures.sshd import keygen, start_sshd
    from vendorci.clients.jenkins import JenkinsClient
    from vendorci.clients.jenkins_xml import NodeSettings
    from vendorci.core.nodes import RegisterOptions, register_many

    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        server = start_sshd(t / "sshd", "MaxStartups 200:30:400")
        try:
            key = t / "jenkins_key"
            root = t / "agent_root"
            (root / "opt/nodepool-scripts").mkdir(parents=True)
            server.authorize(keygen(key), options=f'environment="VENDORCI_PREFLIGHT_ROOT={root}"')
            kh = server.write_known_hosts(t / "known_hosts")
            parent, child = multiprocessing.Pipe()
            proc = multiprocessing.get_context("fork").Process(
                target=serve_double, args=(child, str(server.write_known_hosts(t / "master_known_hosts")),
                                           args.delay, args.slow, args.launch_command), daemon=True)
            proc.start()
            url, token = parent.recv()
            try:
                base = NodeSettings(name="", host=server.host, port=server.port, remote_fs=str(t / "ws"))
                items = [(NodeSettings(**{**base.as_dict(), "name": f"node-{i:02d}", "labels": base.labels}), {})
                         for i in range(args.nodes)]
                opts = RegisterOptions(ssh_user=server.user, key_path=key, known_hosts=kh, preflight=args.preflight,
                                       min_disk_gb=0.001, timeout=60)
                solo_item = [(NodeSettings(**{**base.as_dict(), "name": "solo", "labels": base.labels}), {})]
                solo = register_many(lambda: JenkinsClient(url, "admin", token, 10), solo_item, opts, 1)[0]
                t0 = time.monotonic()
                regs = register_many(lambda: JenkinsClient(url, "admin", token, 10), items, opts, args.parallel)
                total = time.monotonic() - t0
            finally:
                parent.send("stop")
                proc.join(10)
        finally:
            server.stop()
    ok = sum(r.ok for r in regs)
    slowest = max(r.elapsed for r in regs)
    total_sum = sum(r.elapsed for r in regs)
    print(f"nodes: {len(regs)} ({ok} online), parallel {args.parallel}, launch delay {args.delay}s "
          f"(node-00: {args.slow}s), preflight {'on' if args.preflight else 'off'}, "
          f"launch command {args.launch_command!r}, {os.cpu_count()} CPUs")
    print(f"slow node registered alone: {solo.elapsed:6.2f} s")
    print(f"total wall time:            {total:6.2f} s")
    print(f"slowest single node:        {slowest:6.2f} s")
    print(f"sum of per-node times:      {total_sum:6.2f} s  (what a sequential run would cost)")
    print(f"total / slowest in batch:   {total / slowest:6.2f}")
    print(f"total / slow node alone:    {total / solo.elapsed:6.2f}")
    return 0 if ok == len(regs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
