"""The real Zuul 2.5.2 fixture itself: it starts, registers the merger and the
RPC listener in its embedded Gearman server, writes pid files where zuul.conf
says, and stops without leaving a process behind."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.real_server


def test_real_zuul2_master_starts_and_stops(zuul2_factory):
    m = zuul2_factory()
    workers = m.workers()
    assert "Zuul Merger" in workers and "merger:merge" in workers
    assert "Zuul RPC Listener" in workers and "zuul:enqueue" in workers
    server, merger = m.pid("server"), m.pid("merger")
    assert server and merger and server != merger
    m.stop()
    assert m.pid("server") is None and m.pid("merger") is None
