"""Where the real reference data repositories are (inputs nobody here wrote)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fixtures.plugin import require_real

DEFAULT = "/work/shared/reference/datarepos"
GOLDEN = Path(__file__).resolve().parent


def reference_datarepos() -> Path:
    """The directory holding os-ext-testing-data/ and project-config-example/ (skip, or fail in CI, if absent)."""
    root = Path(os.environ.get("VENDORCI_REFERENCE_DATAREPOS", DEFAULT))
    require_real(None if (root / "os-ext-testing-data").is_dir() else
                 f"reference data repos at {root} (set VENDORCI_REFERENCE_DATAREPOS)")
    return root
