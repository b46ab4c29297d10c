"""Doctor checks for gearman (being written)."""

from __future__ import annotations


def checks() -> list:
    return []
