#!/usr/bin/env bash
# Installs the browser the browser tests drive (test/browser/, through playwright-core, which
# downloads no browser of its own): Debian's Chromium, run headless with --no-sandbox, and the
# Noto CJK fonts so Japanese and Chinese READMEs render with real glyphs in screenshots.
# Idempotent: does nothing when every package is already installed.
set -euo pipefail

# shellcheck source=../lib/apt-packages.sh
source "$(dirname "$0")/../lib/apt-packages.sh"
ensure_apt_packages "browser" chromium fonts-noto-cjk
