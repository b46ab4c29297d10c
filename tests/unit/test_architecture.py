"""Rules of the layout (docs/architecture.md) that import-linter does not cover."""

from __future__ import annotations

import re
from pathlib import Path

import vendorci

SRC = Path(vendorci.__file__).parent
MAX_LINES = 450


def test_no_module_is_longer_than_the_limit():
    long = {str(p.relative_to(SRC)): n for p in SRC.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these modules (over {MAX_LINES} lines): {long}"


def test_only_the_cli_builds_the_output_result():
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if p.relative_to(SRC).parts[0] not in ("cli", "output.py")
                 and re.search(r"\bfrom vendorci\.output import\b[^\n]*\bResult\b|\boutput\.Result\b",
                               p.read_text(encoding="utf-8"))]
    assert not offenders, f"core/checks/clients return dataclasses, not output.Result: {offenders}"
