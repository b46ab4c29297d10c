#!/usr/bin/env bash
# Install the articles' Zuul (2.5.2) on Python 2.7 into a cached target
# directory, for the real Zuul 2 test tier.  Idempotent: a finished install
# leaves a stamp and is not redone.  Pins are the newest releases that still
# support Python 2.7 (see docs/testing.md).
set -euo pipefail
PY2="${VENDORCI_PY27:-}"
if [ -z "$PY2" ]; then
  for c in "$HOME/.pyenv/versions/2.7.18/bin/python" /root/.pyenv/versions/2.7.18/bin/python python2.7; do
    if command -v "$c" >/dev/null 2>&1; then PY2=$(command -v "$c"); break; fi
  done
fi
if [ -z "$PY2" ]; then
  echo "install-zuul2: no Python 2.7 found (set VENDORCI_PY27)" >&2
  exit 1
fi
TARGET="${VENDORCI_ZUUL2_HOME:-/opt/vendorci-ci/zuul2}"
STAMP="$TARGET/.installed-2.5.2-v1"
[ -f "$STAMP" ] && { echo "zuul 2.5.2 already installed in $TARGET"; exit 0; }
rm -rf "$TARGET"
cd "$(mktemp -d)"  # keep pip away from any project metadata in the cwd
mkdir -p "$TARGET/lib" "$TARGET/bin"
pip2() { "$PY2" -m pip -q --disable-pip-version-check "$@"; }
pip2 install --target "$TARGET/lib" --no-deps zuul==2.5.2 GitPython==2.1.15
pip2 install --target "$TARGET/lib" \
  'gitdb2==2.0.6' 'smmap2==2.0.5' 'paramiko==1.18.5' 'pycrypto==2.6.1' 'ecdsa<0.16' \
  'python-daemon==2.0.6' 'statsd==2.1.2' 'SQLAlchemy==1.3.24' 'alembic==1.4.3' 'Mako==1.1.6' \
  'APScheduler==3.6.3' 'tzlocal==2.1' 'gear==0.11.0' 'WebOb==1.8.7' 'Paste==2.0.3' \
  'PyYAML==5.1.2' 'voluptuous==0.10.5' 'PrettyTable<0.8' 'babel<2.10' 'extras' 'ordereddict' \
  'pbr<6' 'six' 'lockfile' 'docutils<0.18' 'python-dateutil<2.9' 'python-editor<1.1' 'futures' \
  'funcsigs' 'pytz' 'MarkupSafe<2' 'setuptools<45'
# Paste is a namespace package: with --target its .pth is not processed
cat > "$TARGET/lib/sitecustomize.py" <<'PYEOF'
import site, os
site.addsitedir(os.path.dirname(os.path.abspath(__file__)))
PYEOF
for cmd in zuul-server zuul-merger zuul; do
  case "$cmd" in
    zuul-server) mod=zuul.cmd.server ;;
    zuul-merger) mod=zuul.cmd.merger ;;
    zuul) mod=zuul.cmd.client ;;
  esac
  cat > "$TARGET/bin/$cmd" <<SHEOF
#!$PY2
import sys
sys.path.insert(0, "$TARGET/lib")
import sitecustomize  # noqa
from $mod import main
sys.exit(main())
SHEOF
  chmod 0755 "$TARGET/bin/$cmd"
done
PYTHONPATH="$TARGET/lib" "$PY2" -c 'import zuul.cmd.server, zuul.cmd.merger, paste, git, gear, paramiko; print("zuul 2.5.2 ok")'
touch "$STAMP"
