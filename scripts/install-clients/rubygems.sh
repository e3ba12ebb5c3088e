#!/usr/bin/env bash
# Installs the clients the RubyGems e2e tests drive: Debian's Ruby 3.1 with RubyGems 3.3 (`gem`)
# and Bundler 2.3, and ruby-dev for `gem generate_index`, the reference the Marshal index is
# compared with. Idempotent: does nothing when every package is already installed.
set -euo pipefail

# shellcheck source=../lib/apt-packages.sh
source "$(dirname "$0")/../lib/apt-packages.sh"
ensure_apt_packages "rubygems clients" ruby ruby-dev bundler
