"""How fast vendorci notices the CI's vote: time from the comment event to the waiter returning.

Runs the Gerrit double on loopback (real SSH), opens the stream as the CI account like `smoke-test sandbox` does,
posts a Verified vote as the CI after a short pause and measures until `Waiter.wait` returns.  Also measures the
polling fallback (stream refused).  Usage: python benchmarks/vote_latency.py [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures.gerrit_double import start_gerrit_env  # noqa: E402
from vendorci.core.smoke import GerritAccess, Waiter  # noqa: E402


def measure(env, rounds: int, stream: bool) -> list[float]:
    env.double.accounts["ci"].stream_events = stream
    access = GerritAccess("127.0.0.1", env.double.port, "op", env.op_key, "ci", env.ci_key, env.known_hosts)
    out = []
    for _ in range(rounds):
        c = env.double.create_change("openstack-dev/sandbox", "bench", "op")
        waiter = Waiter(access)
        waiter.open_stream()
        posted = {}

        def post(n=c.number):
            time.sleep(0.3)
            posted["t"] = time.monotonic()
            env.double.review("ci", n, 1, verified=1, message="Build succeeded.")

        threading.Thread(target=post, daemon=True).start()
        t0 = time.monotonic()
        found = waiter.wait(c.number, 1, t0 + 30, set(), t0)
        waiter.close()
        assert found is not None and found.vote == 1
        out.append(found.at - posted["t"])
    return out


def report(name: str, xs: list[float]) -> None:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    print(f"{name:>8}: n={len(xs)} median={statistics.median(xs) * 1000:.1f} ms p95={p95 * 1000:.1f} ms "
          f"max={xs[-1] * 1000:.1f} ms")


def main() -> None:
    import logging

    logging.getLogger("paramiko").setLevel(logging.CRITICAL)  # the double's side logs every client disconnect
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as tmp:
        env = start_gerrit_env(Path(tmp) / "g", verdict=None)
        try:
            report("stream", measure(env, rounds, True))
            report("polling", measure(env, max(3, rounds // 5), False))
        finally:
            env.stop()


if __name__ == "__main__":
    main()
