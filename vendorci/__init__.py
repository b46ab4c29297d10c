"""vendorci: operate an OpenStack-style third-party CI (Gerrit, Zuul, Gearman, Jenkins)."""

__version__ = "0.1.0"
