"""Results and their rendering.

Commands return a :class:`Result`; they never print.  :func:`envelope` turns a
result (or an error raised before any result existed) into the versioned JSON
envelope.  Human rendering lives in ``vendorci.cli.render``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from vendorci.errors import EXIT_FAIL, EXIT_OK, VendorciError

RESULT_VERSION = "1"


@dataclass
class Result:
    """What a command produced.

    ``ok`` False with no errors means "ran, and what it checked failed" (exit 1).
    """

    command: str
    data: dict[str, Any] = field(default_factory=dict)
    ok: bool = True
    errors: list[dict[str, Any]] = field(default_factory=list)
    exit_code: int | None = None

    @property
    def status(self) -> str:
        return "ok" if self.ok else "fail"

    @property
    def code(self) -> int:
        if self.exit_code is not None:
            return self.exit_code
        return EXIT_OK if self.ok else EXIT_FAIL


def envelope(
    command: str,
    *,
    status: str,
    exit_code: int,
    data: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "vendorci_result_version": RESULT_VERSION,
        "command": command,
        "status": status,
        "exit_code": exit_code,
        "data": data or {},
        "errors": errors or [],
    }


def result_envelope(result: Result) -> dict[str, Any]:
    return envelope(
        result.command,
        status=result.status,
        exit_code=result.code,
        data=result.data,
        errors=result.errors,
    )


def error_envelope(command: str, err: VendorciError) -> dict[str, Any]:
    return envelope(
        command,
        status="error",
        exit_code=err.exit_code,
        data=err.data,
        errors=[err.as_dict()],
    )


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=False, default=str)
