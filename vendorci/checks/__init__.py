"""Doctor checks: the model and runner in :mod:`vendorci.checks.runner`, one module per area.

Each area module exposes ``checks() -> list[Check]``; :func:`all_checks`
collects them in a stable order.
"""

from __future__ import annotations

import importlib

AREAS = ("datarepo", "gearman", "zuul", "zuulweb", "jenkins", "gerrit", "logs")


def all_checks() -> list:
    out: list = []
    for area in AREAS:
        mod = importlib.import_module(f"vendorci.checks.{area}")
        out.extend(mod.checks())
    return out
