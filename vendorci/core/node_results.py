"""What the node commands return: registration states, one registration, a batch, a check, a removal, a list.

The CLI renders these and picks exit codes from them (:mod:`vendorci.cli.exits`); the problems of each are
built as :class:`~vendorci.errors.VendorciError` objects, so ``errors`` in the JSON envelope come from exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from vendorci.clients.jenkins_xml import NodeSettings
from vendorci.core.preflight import Preflight
from vendorci.errors import OperationFailed, VendorciError, WaitTimeout


class RegState(str, Enum):
    """Where one node's registration ended (the JSON ``state``)."""

    PENDING = "pending"
    ONLINE = "online"
    REGISTERED = "registered"  # --no-wait
    FAILED = "failed"
    TIMEOUT = "timeout"
    PREFLIGHT_FAILED = "preflight failed"
    SETTINGS_DIFFER = "settings differ"
    ERROR = "error"  # a VendorciError stopped it (its dict is in ``error``)

    def __str__(self) -> str:
        return self.value


@dataclass
class Registration:
    """Built up while one node is registered; the command's result for that node."""

    name: str
    settings: NodeSettings
    state: RegState = RegState.PENDING
    credential: str = ""  # created | exists | updated | skipped
    node: str = ""  # created | already registered | updated
    preflight: Preflight | None = None
    differences: list[dict[str, Any]] = field(default_factory=list)
    diagnosis: str = ""
    hint: str = ""
    log: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None
    elapsed: float = 0.0
    warnings: list[dict[str, str]] = field(default_factory=list)  # the key's format, for Jenkins' SSH libraries

    @property
    def ok(self) -> bool:
        return self.state in (RegState.ONLINE, RegState.REGISTERED)

    def problems(self) -> list[VendorciError]:
        """Why it is not ok, as errors (empty when ok)."""
        if self.ok:
            return []
        hint = self.hint or ("Fix the ✗ findings above, or skip them with --no-preflight." if self.preflight else None)
        if self.state is RegState.PREFLIGHT_FAILED:
            return [OperationFailed(f"{self.name}: the host failed preflight; nothing was registered",
                                    code="preflight_failed", hint=hint)]
        if self.state is RegState.SETTINGS_DIFFER:
            return [OperationFailed(f"{self.name}: already registered with different settings",
                                    code="node_settings_differ", hint=hint)]
        message = f"{self.name}: {self.diagnosis or self.state.value}"
        if self.state is RegState.TIMEOUT:
            return [WaitTimeout(message, code="node_wait_timeout", hint=hint)]
        return [OperationFailed(message, code="node_launch_failed", hint=hint)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "ok": self.ok, "state": self.state.value, "credential": self.credential,
            "node": self.node, "settings": self.settings.as_dict(), "differences": self.differences,
            "diagnosis": self.diagnosis, "hint": self.hint, "log": self.log, "error": self.error,
            "elapsed_s": round(self.elapsed, 3), "preflight": self.preflight.as_dict() if self.preflight else None,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class Batch:
    """``node register --from``: every registration, in input order, and a summary."""

    registrations: tuple[Registration, ...]
    elapsed: float

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.registrations)

    def problems(self) -> list[VendorciError]:
        return [e for r in self.registrations for e in r.problems()]

    def summary(self) -> dict[str, Any]:
        regs = self.registrations
        ok = sum(1 for r in regs if r.ok)
        return {"total": len(regs), "ok": ok, "failed": len(regs) - ok, "elapsed_s": round(self.elapsed, 3),
                "slowest_s": round(max((r.elapsed for r in regs), default=0.0), 3)}

    def as_dict(self) -> dict[str, Any]:
        return {"nodes": [r.as_dict() for r in self.registrations], "summary": self.summary()}


@dataclass(frozen=True)
class NodeCheck:
    """``node check``: Jenkins' view of the node and a preflight of its host."""

    name: str
    jenkins: dict[str, Any]
    preflight: Preflight | None = None

    @property
    def ok(self) -> bool:
        return not self.jenkins["offline"] and self.jenkins["credential_exists"] and \
            (self.preflight is None or self.preflight.ok)

    def problems(self) -> list[VendorciError]:
        out: list[VendorciError] = []
        j = self.jenkins
        if j["offline"]:
            out.append(OperationFailed(f"{self.name} is offline: {j.get('diagnosis') or j['reason']}",
                                       code="node_offline", hint=j.get("hint")))
        if not j["credential_exists"]:
            out.append(OperationFailed(f"credential {j['settings']['credential_id']!r} does not exist",
                                       code="credential_missing", hint="Rerun `vendorci node register` for this node."))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "jenkins": self.jenkins,
                "preflight": self.preflight.as_dict() if self.preflight else None, "ok": self.ok}


@dataclass(frozen=True)
class NodeRemoval:
    name: str
    credential: str | None
    credential_removed: bool

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "removed": True, "credential": self.credential,
                "credential_removed": self.credential_removed}


@dataclass(frozen=True)
class NodeList:
    nodes: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        nodes = list(self.nodes)
        return {"nodes": nodes, "online": sum(1 for n in nodes if not n["offline"]), "total": len(nodes)}


def batch(registrations: Sequence[Registration], elapsed: float) -> Batch:
    return Batch(tuple(registrations), elapsed)
