#!/usr/bin/env bash
# Installs what the NuGet e2e tests need besides NuGet.exe 5.8 itself (the nuget-exe npm package,
# a devDependency): Mono, which runs it. mono-complete, because NuGet.exe 5.8 needs
# System.Net.Http, System.IO.Compression and more than Debian's partial `nuget` Mono carries.
# Idempotent: does nothing when every package is already installed.
set -euo pipefail

# shellcheck source=../lib/apt-packages.sh
source "$(dirname "$0")/../lib/apt-packages.sh"
ensure_apt_packages "nuget clients" mono-complete
