"""Results and their rendering.

Commands return a :class:`Result`; they never print.  :func:`envelope` turns a
result (or an error raised before any result existed) into the versioned JSON
envelope.  Human rendering lives in ``vendorci.cli.render``.
"""

from __future__ import annotations

from typing import Any

from vendorci.errors import EXIT_FAIL, EXIT_OK, VendorciError

RESULT_VERSION = "1"


class Result:
    """What a command produced.

    ``ok`` False with no errors means "ran, and what it checked failed" (exit 1).  A plain class rather than a
    dataclass: the quick commands (``gearman status``) must not pay for importing ``dataclasses``/``inspect``.
    """

    __slots__ = ("command", "_data", "ok", "errors", "exit_code", "source")

    def __init__(self, command: str, data: dict[str, Any] | None = None, ok: bool = True,
                 errors: list[dict[str, Any]] | None = None, exit_code: int | None = None,
                 *, source: Any = None) -> None:
        self.command = command
        self._data = data
        self.ok = ok
        self.errors: list[dict[str, Any]] = [] if errors is None else errors
        self.exit_code = exit_code
        #: the core's typed result, when ``data`` is its ``as_dict()``: built only if something reads ``data``
        #: (JSON output), while a renderer may print straight from the typed result (10,000 Gearman functions)
        self.source = source

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            self._data = self.source.as_dict() if self.source is not None else {}
        return self._data

    @data.setter
    def data(self, value: dict[str, Any]) -> None:
        self._data = value

    def __repr__(self) -> str:
        return (f"Result(command={self.command!r}, ok={self.ok!r}, exit_code={self.exit_code!r}, "
                f"data={self.data!r}, errors={self.errors!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in ("command", "data", "ok", "errors", "exit_code"))

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaced

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
    import json

    return json.dumps(doc, indent=2, sort_keys=False, default=str)
