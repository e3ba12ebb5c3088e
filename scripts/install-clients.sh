#!/usr/bin/env bash
# Installs the real package clients the e2e tests drive (Debian packages, Go tools), by running
# every scripts/install-clients/*.sh. Each installer is idempotent and returns quickly when its
# clients are already present. The npm clients (npm, yarn 1 and 4, pnpm) come from package.json.
set -euo pipefail
cd "$(dirname "$0")"
for installer in install-clients/*.sh; do
  [ -e "$installer" ] || continue
  bash "$installer"
done
