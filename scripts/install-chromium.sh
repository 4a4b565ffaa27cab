#!/usr/bin/env bash
# Installs Debian's chromium for the browser test of `who-can-write --html`
# (test/cli/who-can-write-html-browser.test.ts drives /usr/bin/chromium with playwright-core; it skips,
# saying so, when the binary is missing). Idempotent and quiet: with chromium present it only checks that
# it starts. Runs apt-get as root, or through sudo when that works without a password.
# Usage: scripts/install-chromium.sh
set -euo pipefail

CHROMIUM=/usr/bin/chromium
# A font for the page's labels: a fresh machine without recommends may have none, and the screenshot would
# show boxes.
PACKAGES=(chromium fonts-dejavu-core)
log() { printf 'install-chromium: %s\n' "$*" >&2; }
works() { "$CHROMIUM" --headless --no-sandbox --version >/dev/null 2>&1; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if [[ -x "$CHROMIUM" ]] && works && installed fonts-dejavu-core; then
  exit 0
fi

if [[ "$(id -u)" == 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  log "not root and no password-less sudo: cannot apt-get install chromium"
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  log "no apt-get on this machine: install chromium so that $CHROMIUM exists"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
# Wait for another apt or dpkg run (up to two minutes) rather than fail at once.
APT=("${as_root[@]}" apt-get -o DPkg::Lock::Timeout=120)
log "apt-get install ${PACKAGES[*]}"
if ! "${APT[@]}" install -y -q --no-install-recommends "${PACKAGES[@]}" >"$LOG" 2>&1; then
  # A stale package list can name versions the mirror no longer has: update, retry.
  "${APT[@]}" update -q >>"$LOG" 2>&1 || true
  if ! "${APT[@]}" install -y -q --no-install-recommends "${PACKAGES[@]}" >>"$LOG" 2>&1; then
    cat "$LOG" >&2
    log "apt-get install ${PACKAGES[*]} failed"
    exit 1
  fi
fi
if ! works; then
  log "$CHROMIUM does not start; its error:"
  "$CHROMIUM" --headless --no-sandbox --version >&2 || true
  exit 1
fi
log "$("$CHROMIUM" --version 2>/dev/null | head -n 1) installed"
