#!/usr/bin/env bash
# Browser tests drive Debian's chromium; install it when missing and we are root.
# Without it, tests marked `browser` fail in CI (CI=true) and skip visibly elsewhere.
set -euo pipefail
# The Scorecard report's PDF (WeasyPrint) needs Pango and a font: installed beside it.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! ldconfig -p | grep -q libpangoft2-1.0; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null
fi
bin="${INSIEME_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$bin" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "chromium not found at $bin and not root: browser tests will be skipped (failed under CI=true)." >&2
