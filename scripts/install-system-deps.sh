#!/usr/bin/env bash
# Installs the Debian packages the tests need, only those missing (idempotent, needs root or sudo).
#   chromium      real browser for extension-host and webview tests (driven by playwright-core)
#   ffmpeg        camera capture child process; its lavfi test source stands in for cameras in tests
#   libkrb5-dev   headers for code-server's kerberos module (built from source here)
#   ripgrep       seeds code-server's @vscode/ripgrep download, which cannot reach GitHub
#   socat         pseudo-terminal pairs for serial tests
#   python3-serial  the Feetech conformance probe
set -euo pipefail
want=(chromium ffmpeg libkrb5-dev ripgrep socat python3-serial)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
