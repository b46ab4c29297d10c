"""What every doctor check gets: the configuration, options and a shared memo."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class DoctorContext:
    """Shared by all checks of one doctor run (they run in threads).

    ``memo(key, fn)`` computes a value once (e.g. the Gearman status, the
    parsed layout) and hands the same value, or the same exception, to every
    check that asks for it.
    """

    config: Any  # vendorci.config.Config
    timeout: float = 5.0
    run_dir: Path = Path("/var/run")
    data_repo: Path | None = None
    zuul_web: str | None = None
    proc_root: Path = Path("/proc")
    options: dict[str, Any] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def memo(self, key: str, fn: Callable[[], T]) -> T:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._memo:
                try:
                    self._memo[key] = (True, fn())
                except Exception as exc:  # remembered and re-raised to each caller
                    self._memo[key] = (False, exc)
            ok, value = self._memo[key]
        if not ok:
            raise value
        return value
