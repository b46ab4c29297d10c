"""The error model: every failure a user can meet is a VendorciError.

Each error carries a stable snake_case ``code`` (it appears in JSON output),
a message, an optional fix ``hint`` and the process exit code it maps to.
Clients translate library exceptions into these; nothing else reaches a user.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_TIMEOUT = 124
EXIT_INTERRUPTED = 130


class VendorciError(Exception):
    """A known failure with a message a user can act on."""

    code = "error"
    exit_code = EXIT_FAIL

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        hint: str | None = None,
        exit_code: int | None = None,
        data: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if exit_code is not None:
            self.exit_code = exit_code
        self.hint = hint
        self.data = data or {}

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "hint": self.hint}


class UsageError(VendorciError):
    """Bad arguments or bad input given by the user (exit 2)."""

    code = "usage_error"
    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """A configuration file or value is invalid."""

    code = "config_error"


class InputError(UsageError):
    """A file or directory given as input is missing, malformed or unsafe."""

    code = "input_error"


class OperationFailed(VendorciError):
    """An operation ran and failed (exit 1)."""

    code = "operation_failed"


class WaitTimeout(VendorciError):
    """A bounded wait ran out (exit 124)."""

    code = "timeout"
    exit_code = EXIT_TIMEOUT


class ConnectionFailed(VendorciError):
    """A peer could not be reached."""

    code = "connection_failed"


class AuthFailed(VendorciError):
    code = "auth_failed"


class HostKeyUnknown(VendorciError):
    code = "host_key_unknown"


class HostKeyMismatch(VendorciError):
    code = "host_key_mismatch"


class ToolMissing(UsageError):
    """An external program vendorci needs (git, git-review, ssh) is not installed."""

    code = "tool_missing"
