"""Where the real reference data repositories are (inputs nobody here wrote)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fixtures.plugin import require_real

GOLDEN = Path(__file__).resolve().parent
# shared/ lies beside the clone, for developers and for CI alike
CANDIDATES = (GOLDEN.parents[2] / "shared" / "reference" / "datarepos", Path("/work/shared/reference/datarepos"))


def reference_datarepos() -> Path:
    """The directory holding os-ext-testing-data/ and project-config-example/ (skip, or fail in CI, if absent)."""
    env = os.environ.get("VENDORCI_REFERENCE_DATAREPOS")
    found = [c for c in CANDIDATES if (c / "os-ext-testing-data").is_dir()]
    root = Path(env) if env else (found[0] if found else CANDIDATES[0])
    require_real(None if (root / "os-ext-testing-data").is_dir() else
                 f"reference data repos at {root} (set VENDORCI_REFERENCE_DATAREPOS)")
    return root
