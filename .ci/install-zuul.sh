#!/usr/bin/env bash
# Install what the real-Zuul tests (tests/fixtures/zuul14.py) need, outside the
# project's venv: Debian bubblewrap/postgresql/openssl, a venv with Zuul 14 and
# ZooKeeper 3.9 jars from Maven Central.  Idempotent and cached: a second run
# only checks.  The prefix is $VENDORCI_CI_PREFIX (default /opt/vendorci-ci).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${VENDORCI_CI_PREFIX:-/opt/vendorci-ci}"
zuul_version="${ZUUL_VERSION:-14.3.0}"
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1

need=()
for pkg in bubblewrap postgresql openssl git; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-zuul: apt packages ${need[*]}"
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian's postgresql package starts a cluster on 5432; the tests run their own
# and never touch that one.

mkdir -p "$prefix"
venv="$prefix/zuul-venv"
if ! "$venv/bin/python" -c "import zuul, sys; from importlib.metadata import version; sys.exit(version('zuul') != '$zuul_version')" 2>/dev/null; then
  echo "install-zuul: zuul==$zuul_version into $venv (~35 s)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "zuul==$zuul_version"
fi

zk="$prefix/zookeeper"
if ! ls "$zk"/lib/zookeeper-3.9.*.jar "$zk"/lib/metrics-core-*.jar "$zk"/lib/logback-classic-*.jar "$zk"/lib/snappy-java-*.jar >/dev/null 2>&1; then
  echo "install-zuul: ZooKeeper jars into $zk/lib (~5 s)"
  rm -rf "$zk/lib.tmp"
  mvn -q -B -Dstyle.color=never -f "$here/tests/fixtures/zookeeper/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$zk/lib.tmp" -DincludeScope=runtime >"$prefix/mvn.log" 2>&1 \
    || { cat "$prefix/mvn.log" >&2; exit 1; }
  rm -rf "$zk/lib" && mv "$zk/lib.tmp" "$zk/lib"
fi
echo "install-zuul: ready in $prefix"
