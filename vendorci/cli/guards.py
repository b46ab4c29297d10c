"""Guards every command gets from the CLI boundary: numbers that are usable, and SIGTERM/SIGHUP
handled like Ctrl-C."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_NUMBER = 1e9  # seconds, gigabytes, counts: anything larger is a typo or a probe (threads/sockets overflow)


def bound_numbers(cmd: Any) -> None:
    """Every number option of every command refuses NaN, infinities and absurd magnitudes
    (`--timeout inf`, `--min-disk-gb nan`, `1e300`) as a usage error (exit 2), in one place."""
    import math

    import typer

    for param in getattr(cmd, "params", []):
        if getattr(param, "_vendorci_bounded", False):
            continue
        original = param.process_value

        def process_value(ctx: Any, value: Any, _orig: Any = original, _param: Any = param) -> Any:
            v = _orig(ctx, value)
            for item in (v if isinstance(v, (list, tuple)) else (v,)):
                if isinstance(item, (int, float)) and not isinstance(item, bool) and (
                        not math.isfinite(item) or abs(item) > MAX_NUMBER):
                    raise typer.BadParameter(
                        f"{item!r} is not a usable number (finite, at most {MAX_NUMBER:g})", ctx=ctx, param=_param)
            return v

        param.process_value = process_value
        param._vendorci_bounded = True
    for sub in getattr(cmd, "commands", {}).values():
        bound_numbers(sub)


def signals_interrupt() -> Callable[[], None]:
    """SIGTERM and SIGHUP raise KeyboardInterrupt, like Ctrl-C, so every clean-up that Ctrl-C gets
    (init's half-built tree and its keys removed, servers and sessions closed) runs for them too.
    Returns a function that puts the previous handlers back."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    old = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            old[sig] = signal.signal(sig, interrupt)
        except (ValueError, OSError):
            pass

    def restore() -> None:
        for sig, handler in old.items():
            try:
                signal.signal(sig, handler)
            except (ValueError, OSError, TypeError):
                pass

    return restore
