"""Doctor checks for gerrit (being written)."""

from __future__ import annotations


def checks() -> list:
    return []
