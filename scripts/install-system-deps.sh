#!/usr/bin/env bash
# Installs the Debian packages the tests need, only those missing (idempotent, needs root or sudo).
#   ffmpeg          camera capture child process; its lavfi test source stands in for cameras in tests
#   socat           pseudo-terminal pairs for serial tests
#   python3-serial  the Feetech conformance probe
#   chromium        real browser for extension-host and webview tests (driven by playwright-core)
#   libkrb5-dev     headers for code-server's kerberos module (built from source here)
#   ripgrep         seeds code-server's @vscode/ripgrep download, which cannot reach GitHub
# Usage: install-system-deps.sh [--node-only] [--check]
#   --node-only  only what the node:test stage needs (the first three)
#   --check      install nothing: print one line naming what is missing and how to install it
# Another apt run holding the locks is waited for (up to SO100_APT_LOCK_WAIT seconds, default 600), not a failure.
set -euo pipefail
node_pkgs=(ffmpeg socat python3-serial)
vscode_pkgs=(chromium libkrb5-dev ripgrep)
want=("${node_pkgs[@]}" "${vscode_pkgs[@]}")
check=0
for arg in "$@"; do
  case "$arg" in
    --node-only) want=("${node_pkgs[@]}") ;;
    --check) check=1 ;;
    *)
      echo "install-system-deps.sh: unknown option $arg (use --node-only, --check)" >&2
      exit 2
      ;;
  esac
done
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system packages: not a Debian system; install ${want[*]} (or your distribution's equivalents) yourself, or the tests that need them skip"
  exit 0
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${want[*]})"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if [ "$check" -eq 1 ] || ! command -v sudo >/dev/null 2>&1; then
    echo "system packages missing: ${missing[*]} — install them with \`sudo apt-get install ${missing[*]}\` (or run the tests as root, which installs them); until then the tests that need them skip, each saying why"
    exit 0
  fi
  SUDO="sudo"
elif [ "$check" -eq 1 ]; then
  echo "system packages missing: ${missing[*]} — \`bash scripts/install-system-deps.sh\` installs them"
  exit 0
fi
wait_s="${SO100_APT_LOCK_WAIT:-600}"
echo "system packages: installing ${missing[*]}"
# apt-get update's lists lock ignores DPkg::Lock::Timeout, so it is retried while another apt holds it.
deadline=$((SECONDS + wait_s))
until out=$($SUDO apt-get -qq -o DPkg::Lock::Timeout="$wait_s" update 2>&1); do
  if ! grep -q "Could not get lock" <<<"$out" || [ "$SECONDS" -ge "$deadline" ]; then
    echo "$out" >&2
    echo "system packages: apt-get update failed (above); install ${missing[*]} by hand" >&2
    exit 1
  fi
  echo "system packages: another apt is running; waiting for its lock"
  sleep 5
done
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  -o DPkg::Lock::Timeout="$wait_s" "${missing[@]}"
