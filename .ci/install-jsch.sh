#!/usr/bin/env bash
# JSch 0.1.55 (Maven Central), the Java SSH library of publish-over-ssh, for the
# key-format tests; cached in $VENDORCI_CI_CACHE or ~/.cache/vendorci-ci, where
# tests/fixtures/jsch.py looks for it.
set -euo pipefail
dir="${VENDORCI_CI_CACHE:-$HOME/.cache/vendorci-ci}"
jar="$dir/jsch-0.1.55.jar"
if [ ! -s "$jar" ]; then
  mkdir -p "$dir"
  (cd "$dir" && mvn -q -B dependency:copy -Dartifact=com.jcraft:jsch:0.1.55 -DoutputDirectory="$dir")
fi
echo "JSch: $jar"
