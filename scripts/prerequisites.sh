#!/usr/bin/env bash
# The system packages `npm test` needs besides Node and npm, checked before anything runs. As root
# (CI, a fresh container) the missing ones are installed from Debian's apt; otherwise this prints
# the one `apt-get install` line that is needed and stops. `.ci/run` calls this same script.
#
#   chromium        the e2e tests drive the real renderer in Debian's Chromium (Playwright)
#   fonts-noto-cjk  Chinese in the renderer and in raster receipts
#   socat           serial scanners and printers on pseudo-terminal pairs
#   postgresql      the HQ tests run on a private PostgreSQL 15 server as well as PGlite
#   libusb-1.0-0    node-hid's prebuilt binding loads libusb-1.0.so.0 (USB-HID scanners)
#   openssl         the HTTPS sync tests make a self-signed certificate for HQ
#   postgresql-15-auto-failover, pg-auto-failover-cli, haproxy
#                   the failover test (sync/faults/failover.test.ts) runs deploy/up.sh's HA set:
#                   pg_autoctl's monitor, primary and standby, HQs behind haproxy
#
# After `npm install`, it also checks that every native module's shared libraries resolve (ldd),
# so a new native dependency that needs a package nobody installs is named here, not in a test.
set -euo pipefail
cd "$(dirname "$0")/.."

# package → a check that it is usable (commands and files, so it also works where dpkg is absent)
declare -A check=(
  [chromium]='command -v chromium'
  [fonts-noto-cjk]='test -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'
  [socat]='command -v socat'
  [postgresql]='test -x /usr/lib/postgresql/15/bin/initdb'
  [libusb-1.0-0]='/sbin/ldconfig -p 2>/dev/null | grep -q "libusb-1.0.so.0 "'
  [openssl]='command -v openssl'
  [postgresql-15-auto-failover]='test -f /usr/share/postgresql/15/extension/pgautofailover.control'
  [pg-auto-failover-cli]='command -v pg_autoctl'
  [haproxy]='command -v haproxy'
)
order=(chromium fonts-noto-cjk socat postgresql libusb-1.0-0 openssl postgresql-15-auto-failover pg-auto-failover-cli haproxy)

missing=()
for pkg in "${order[@]}"; do
  eval "${check[$pkg]}" >/dev/null 2>&1 || missing+=("$pkg")
done

if ((${#missing[@]})); then
  line="apt-get install -y --no-install-recommends ${missing[*]}"
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "prerequisites: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null
  else
    echo "prerequisites: missing system packages: ${missing[*]}" >&2
    echo "Install them (Debian/Ubuntu), then run the tests again:" >&2
    echo "  sudo $line" >&2
    exit 1
  fi
fi

# Native modules: every shared library they load must resolve. Only the binaries this platform
# loads (prebuilds for other systems and architectures are skipped).
if [[ -d node_modules ]] && command -v ldd >/dev/null 2>&1; then
  # -L: node_modules may be a link (a git worktree sharing one install); no binary at all is no error.
  unresolved=$(find -L node_modules -name '*.node' -type f 2>/dev/null |
    { grep -vE 'android|win32|darwin|arm|musl|ia32|freebsd' || true; } |
    while read -r binary; do
      ldd "$binary" 2>/dev/null | awk -v b="$binary" '/not found/ {print b ": " $1}'
    done)
  if [[ -n $unresolved ]]; then
    echo "prerequisites: native modules load libraries this machine does not have:" >&2
    echo "$unresolved" >&2
    echo "Find the Debian package with 'apt-file search <library>' and add it to scripts/prerequisites.sh." >&2
    exit 1
  fi
fi
