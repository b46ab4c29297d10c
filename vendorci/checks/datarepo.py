"""Doctor checks for datarepo (being written)."""

from __future__ import annotations


def checks() -> list:
    return []
