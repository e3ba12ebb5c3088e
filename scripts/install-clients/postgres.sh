#!/usr/bin/env bash
# Installs the PostgreSQL server the test suite runs its second pass on (scripts/run-tests.js
# starts a throwaway cluster of it under a temporary directory; nothing is configured system-wide).
# Idempotent: does nothing when the package is already installed.
set -euo pipefail

# shellcheck source=../lib/apt-packages.sh
source "$(dirname "$0")/../lib/apt-packages.sh"
ensure_apt_packages "postgresql server" postgresql
