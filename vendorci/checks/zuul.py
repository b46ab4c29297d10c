"""Doctor checks for zuul (being written)."""

from __future__ import annotations


def checks() -> list:
    return []
