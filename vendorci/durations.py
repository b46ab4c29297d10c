"""Durations for humans: ``--since 7d``, ``--stale-after 24h`` in; ``2d 4h`` out.  A ground module."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """``90``, ``30s``, ``15m``, ``24h``, ``7d``, ``2w``, ``1d12h`` -> seconds; ValueError otherwise."""
    s = str(text).strip().lower()
    if re.fullmatch(r"\d{1,12}", s):
        total = float(s)
    else:
        parts = re.findall(r"(\d{1,12})\s*([smhdw])", s)
        if not parts or re.sub(r"(\d{1,12})\s*([smhdw])", "", s).strip():
            raise ValueError(f"not a duration: {text!r} (use whole seconds or e.g. 30m, 24h, 7d)")
        total = float(sum(int(n) * _UNITS[u] for n, u in parts))
    if not 1 <= total <= 10 * 365 * 86400:  # `--since 0.5` once crashed building the query
        raise ValueError(f"duration {text!r} out of range (1s to 10 years)")
    return total


def format_age(seconds: float | None) -> str:
    """``40s``, ``12m``, ``5h 3m``, ``2d 4h``; ``never`` for None."""
    if seconds is None:
        return "never"
    s = int(max(0, seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    big, small = (86400, 3600) if s >= 86400 else (3600, 60)
    names = {86400: "d", 3600: "h", 60: "m"}
    rest = (s % big) // small
    return f"{s // big}{names[big]}" + (f" {rest}{names[small]}" if rest else "")
