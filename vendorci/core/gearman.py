"""What `gearman status` and `gearman workers` show: the server's functions and connections, filtered and sorted.

The plain-text status table is here too (not in the CLI) because it is plain data formatting, fast for
10,000 functions, and the benchmark measures it.
"""

from __future__ import annotations

import fnmatch
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from vendorci.clients.gearman import FunctionStatus


class GearmanStatus(NamedTuple):  # frozen; a NamedTuple so the quick path imports no dataclasses
    server: str
    functions: tuple[FunctionStatus, ...]  # sorted by name

    def as_dict(self) -> dict[str, Any]:
        # FunctionStatus.as_dict, inlined: 10,000 method calls cost more than the rest of the conversion
        return {"server": self.server,
                "functions": [{"name": n, "total": t, "running": r, "workers": w, "queued": t - r}
                              for n, t, r, w in self.functions]}


class GearmanWorkers(NamedTuple):
    server: str
    workers: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"server": self.server, "workers": list(self.workers)}


def gearman_status(host: str, port: int, timeout: float, pattern: str | None = None) -> GearmanStatus:
    """Functions (queued, running, workers), those matching ``pattern`` only, sorted by name."""
    from vendorci.clients.gearman import GearmanAdmin

    with GearmanAdmin(host, port, timeout) as adm:
        funcs = adm.status()
    if pattern:
        funcs = [f for f in funcs if fnmatch.fnmatchcase(f.name, pattern)]
    funcs.sort(key=itemgetter(0))  # by name
    return GearmanStatus(f"{host}:{port}", tuple(funcs))


def gearman_workers(host: str, port: int, timeout: float, pattern: str | None = None) -> GearmanWorkers:
    """Connections offering a function matching ``pattern`` (all without); named ones first, by client id."""
    from vendorci.clients.gearman import GearmanAdmin

    with GearmanAdmin(host, port, timeout) as adm:
        ws = adm.workers()
    if pattern:
        ws = [w for w in ws if any(fnmatch.fnmatchcase(f, pattern) for f in w.functions)]
    ws.sort(key=lambda w: (w.client_id == "-", w.client_id, w.fd))
    return GearmanWorkers(f"{host}:{port}", tuple(w.as_dict() for w in ws))


def status_text(status: GearmanStatus) -> str:
    """The status table as plain aligned text: queued (total minus running), running, available workers."""
    from vendorci.safetext import MAX_CELL, cell

    funcs = status.functions
    # a peer's name: escaped, and too long a one cannot pad every row (the common, clean name is taken as it is)
    names = [n if len(n) <= MAX_CELL and n.isprintable() else cell(n) for n in (f[0] for f in funcs)]
    width = max([len("function")] + [len(n) for n in names])
    fmt = f"%-{width}s  %6s  %7s  %7s"  # %-formatting: twice as fast as f-strings for 10k rows
    lines = [fmt % ("function", "queued", "running", "workers")]
    lines += [fmt % (n, t - r, r, w) for n, (_, t, r, w) in zip(names, funcs, strict=True)]
    stuck = sum(1 for _, t, r, w in funcs if t > r and not w)
    lines.append(f"{len(funcs)} function(s) on {status.server}" + (f", {stuck} with jobs but no worker" if stuck
                                                                   else ""))
    return "\n".join(lines)
