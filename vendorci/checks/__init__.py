"""Doctor checks: the model and runner in :mod:`vendorci.checks.base`, one module per area."""
