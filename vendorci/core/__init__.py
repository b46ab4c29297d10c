"""What vendorci does. Functions here return results and never print."""
