"""The error-code registry (vendorci.errors.Code): every code a module emits is registered, and vice versa."""

from __future__ import annotations

import re
from pathlib import Path

import vendorci
from vendorci.errors import ALL_CODES, Code, VendorciError

SRC = Path(vendorci.__file__).parent
# code="x", "code": "x", a finding's ("error"|"warning", "x", ...), a class default code = "x"
PATTERNS = [r'code="([a-z][a-z0-9_]*)"', r'"code":\s*"([a-z][a-z0-9_]*)"',
            r'(?:c\.add|Finding)\(\s*"(?:error|warning)",\s*"([a-z][a-z0-9_]*)"', r'code = "([a-z][a-z0-9_]*)"',
            r'Code\.([A-Z][A-Z0-9_]*)']


def used_codes() -> dict[str, str]:
    out: dict[str, str] = {}
    for f in sorted(SRC.rglob("*.py")):
        if f.name == "errors.py":
            continue
        text = f.read_text(encoding="utf-8")
        for pat in PATTERNS:
            for m in re.findall(pat, text):
                out.setdefault(m.lower(), str(f.relative_to(SRC)))
    return out


def test_every_emitted_code_is_registered():
    missing = {c: where for c, where in used_codes().items() if c not in ALL_CODES}
    assert not missing, f"register these in vendorci.errors.Code: {missing}"


def test_every_registered_code_is_used():
    errors_py = (SRC / "errors.py").read_text(encoding="utf-8")
    class_defaults = set(re.findall(r"code = Code\.([A-Z_]+)", errors_py))
    unused = ALL_CODES - set(used_codes()) - {c.lower() for c in class_defaults}
    assert not unused, f"no module emits these registered codes: {sorted(unused)}"


def test_codes_are_snake_case_and_classes_use_the_registry():
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in ALL_CODES)
    assert VendorciError("x").code == Code.ERROR
    assert VendorciError("x", code=Code.GIT_FAILED).as_dict()["code"] == "git_failed"
