#!/usr/bin/env bash
# Installs the end-to-end test emulator: moto 5, as Debian trixie's python3-moto (pure Python), run by
# Debian's own /usr/bin/python3 with bookworm's Python packages — without touching the machine's apt sources.
#
#   1. apt-get install the bookworm packages moto's server and its IAM, STS, ECR and Config backends import;
#   2. a private apt state folder (.emulator/apt) whose sources list is derived from the machine's own apt
#      configuration (its Debian mirror, with the suite swapped to trixie), then `apt-get download`;
#   3. `dpkg-deb -x` into .emulator/moto; the tests run
#      PYTHONPATH=.emulator/moto/usr/lib/python3/dist-packages /usr/bin/python3 -m moto.server
#
# Idempotent: a second run checks that moto imports and exits (about a second).
# Usage: scripts/install-emulator.sh [--force]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.emulator"
APT_DIR="$DEST/apt"
MOTO_DIR="$DEST/moto"
SITE="$MOTO_DIR/usr/lib/python3/dist-packages"
PYTHON=/usr/bin/python3
TARGET_SUITE=trixie
# Bump when the list of packages below changes, so an old install is redone.
STAMP="moto-from-${TARGET_SUITE} v1"
MARKER="$DEST/installed"

# Bookworm packages: moto's Depends (python3-antlr4 aside: only moto's jsonpath/stepfunctions code uses it)
# plus what the server (flask-cors) and the IAM/STS/ECR/Config backends import.
DEPS=(
  python3-boto3 python3-botocore python3-cryptography python3-dateutil python3-flask python3-flask-cors
  python3-jinja2 python3-requests python3-responses python3-werkzeug python3-xmltodict python3-yaml
  python3-pyparsing
)
# Trixie packages, extracted beside moto.
FROM_TARGET=(python3-moto)

log() { printf 'install-emulator: %s\n' "$*" >&2; }

# Moto imports and its backends load: the check of a finished install.
works() {
  PYTHONPATH="$SITE" "$PYTHON" - <<'EOF' >/dev/null 2>&1
import moto, moto.server
from moto.backends import get_backend
for name in ("iam", "sts", "ecr", "config"):
    get_backend(name)
assert moto.__version__.startswith("5.")
EOF
}

if [[ "${1:-}" != "--force" && -f "$MARKER" && "$(cat "$MARKER")" == "$STAMP" ]] && works; then
  log "moto is installed in $MOTO_DIR"
  exit 0
fi

if [[ ! -x "$PYTHON" ]]; then
  log "$PYTHON not found: the emulator runs on Debian's python3"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$DEST"
rm -f "$MARKER" # the tests run moto only once this install has finished and checked it
# Wait for another apt or dpkg run (up to two minutes) rather than fail at once.
LOCK_WAIT=(-o DPkg::Lock::Timeout=120)

# 1. Bookworm dependencies. A stale package list can name versions the mirror no longer has: update, retry.
missing=()
for p in "${DEPS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  if ! apt-get "${LOCK_WAIT[@]}" install -y -q --no-install-recommends "${missing[@]}" >"$DEST/apt-install.log" 2>&1; then
    log "apt-get install failed; apt-get update and retry"
    apt-get "${LOCK_WAIT[@]}" update -q >>"$DEST/apt-install.log" 2>&1 || true
    apt-get "${LOCK_WAIT[@]}" install -y -q --no-install-recommends "${missing[@]}" >>"$DEST/apt-install.log" 2>&1 || {
      cat "$DEST/apt-install.log" >&2
      exit 1
    }
  fi
  rm -f "$DEST/apt-install.log"
fi

# 2. The machine's Debian mirror for its own release, from deb822 .sources files or one-line .list files.
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
if [[ -z "$codename" ]]; then
  log "/etc/os-release names no VERSION_CODENAME"
  exit 1
fi
mirror=""
keyring=""
shopt -s nullglob
for f in /etc/apt/sources.list.d/*.sources; do
  # Stanzas are separated by blank lines; pick a `deb` stanza that carries the release's own suite.
  read -r mirror keyring < <(
    awk -v suite="$codename" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && enabled != "no" && uri != "" && !done) {
          print uri, (signed == "" ? "-" : signed); done = 1
        }
        types = ""; suites = ""; uri = ""; signed = ""; enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ { next }  # a continuation line (an inline key): not needed
      {
        key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
        if (key == "types") types = $0
        else if (key == "suites") suites = $0
        else if (key == "uris") { split($0, u, " "); uri = u[1] }
        else if (key == "signed-by") signed = $0
        else if (key == "enabled") enabled = tolower($0)
      }
      END { flush() }
    ' "$f"
  ) || true
  [[ -n "$mirror" ]] && break
done
if [[ -z "$mirror" ]]; then
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    # deb [options] URI SUITE COMPONENTS…
    read -r mirror keyring < <(
      awk -v suite="$codename" '
        $1 != "deb" { next }
        {
          opts = ""; i = 2
          if ($2 ~ /^\[/) { while ($i !~ /\]$/) { opts = opts " " $i; i++ } opts = opts " " $i; i++ }
          if ($(i + 1) != suite) next
          signed = "-"
          if (match(opts, /signed-by=[^] ]+/)) signed = substr(opts, RSTART + 10, RLENGTH - 10)
          print $i, signed; exit
        }
      ' "$f"
    ) || true
    [[ -n "$mirror" ]] && break
  done
fi
if [[ -z "$mirror" ]]; then
  log "no 'deb' source for suite $codename in /etc/apt/sources.list or /etc/apt/sources.list.d/"
  exit 1
fi
if [[ "$keyring" == "-" || ! -f "$keyring" ]]; then
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
fi

mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/debs"
printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$TARGET_SUITE" >"$APT_DIR/sources.list"
APT_OPTS=(
  -o "Dir::State=$APT_DIR"
  -o "Dir::State::Lists=$APT_DIR/lists"
  -o "Dir::State::status=/var/lib/dpkg/status"
  -o "Dir::Etc::SourceList=$APT_DIR/sources.list"
  -o "Dir::Etc::SourceParts=-"
  -o "Dir::Etc::Preferences=/dev/null"
  -o "Dir::Etc::PreferencesParts=-"
  -o "Dir::Cache=$APT_DIR/cache"
  -o "APT::Sandbox::User=root"
)
log "apt-get update (private state in $APT_DIR, suite $TARGET_SUITE)"
apt-get "${APT_OPTS[@]}" update -q >"$APT_DIR/update.log" 2>&1 || {
  cat "$APT_DIR/update.log" >&2
  exit 1
}
rm -f "$APT_DIR"/debs/*.deb
log "apt-get download ${FROM_TARGET[*]}"
(cd "$APT_DIR/debs" && apt-get "${APT_OPTS[@]}" download -q "${FROM_TARGET[@]}" >"$APT_DIR/download.log" 2>&1) || {
  cat "$APT_DIR/download.log" >&2
  exit 1
}

# 3. Extract into a fresh folder, check, mark.
rm -rf "$MOTO_DIR.new"
mkdir -p "$MOTO_DIR.new"
for deb in "$APT_DIR"/debs/*.deb; do
  dpkg-deb -x "$deb" "$MOTO_DIR.new"
done
rm -rf "$MOTO_DIR"
mv "$MOTO_DIR.new" "$MOTO_DIR"
if ! works; then
  log "moto does not import with $PYTHON; the error:"
  PYTHONPATH="$SITE" "$PYTHON" -c 'import moto.server; from moto.backends import get_backend; [get_backend(n) for n in ("iam", "sts", "ecr", "config")]' >&2 || true
  exit 1
fi
echo "$STAMP" >"$MARKER"
log "moto $(PYTHONPATH="$SITE" "$PYTHON" -c 'import moto; print(moto.__version__)') installed in $MOTO_DIR"
