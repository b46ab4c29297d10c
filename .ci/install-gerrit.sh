#!/usr/bin/env bash
# Resolve the jars that start a real Gerrit 3.9.1 for the tests (tests/fixtures/gerrit_real/), with Maven.
# Gerrit's WAR is not on Maven Central, but its acceptance-test framework and plugin API are; together with
# BouncyCastle (which they do not bundle) they start a real daemon.  Idempotent and cached: a second run with
# every jar present does nothing and needs no network.
#   usage: .ci/install-gerrit.sh [DIR]
#   (default $VENDORCI_GERRIT_JARS, else ${VENDORCI_CI_CACHE:-~/.cache/vendorci-ci}/gerrit, as .ci/run caches JSch)
set -euo pipefail
dest="${1:-${VENDORCI_GERRIT_JARS:-${VENDORCI_CI_CACHE:-$HOME/.cache/vendorci-ci}/gerrit}}"
artifacts=(
  com.google.gerrit:gerrit-acceptance-framework:3.9.1
  com.google.gerrit:gerrit-plugin-api:3.9.1
  org.bouncycastle:bcprov-jdk18on:1.72
  org.bouncycastle:bcpkix-jdk18on:1.72
  org.bouncycastle:bcpg-jdk18on:1.72
  org.bouncycastle:bcutil-jdk18on:1.72
)
mkdir -p "$dest"
missing=()
for gav in "${artifacts[@]}"; do
  IFS=: read -r _ a v <<<"$gav"
  [ -s "$dest/$a-$v.jar" ] || missing+=("$gav")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "gerrit jars: cached in $dest"
  exit 0
fi
command -v mvn >/dev/null 2>&1 || { echo "install-gerrit: mvn (Maven) is needed" >&2; exit 1; }
repo="$dest/m2"   # Maven's own repository stays in the cache directory, not in ~/.m2
for gav in "${missing[@]}"; do
  IFS=: read -r g a v <<<"$gav"
  mvn -q -B -Dstyle.color=never -Dmaven.repo.local="$repo" dependency:get -Dartifact="$gav" -Dtransitive=false >/dev/null
  cp "$repo/${g//.//}/$a/$v/$a-$v.jar" "$dest/$a-$v.jar.tmp"
  mv "$dest/$a-$v.jar.tmp" "$dest/$a-$v.jar"
done
rm -rf "$repo"
echo "gerrit jars: resolved ${#missing[@]} into $dest"
