#!/usr/bin/env bash
# Installs the clients the OCI e2e tests drive: skopeo, podman and buildah from Debian (with the
# rootless helpers they load), and, built with Go through the module proxy into the project's
# gitignored .tools/bin, the OCI distribution-spec conformance suite and oras.
# Idempotent: apt-get runs (update once, then install) only when a package is missing, and each
# Go tool is built only when its pinned version is not already in .tools/bin. Needs root for apt.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/.tools/bin"

# Pinned versions: the conformance suite has no tags, so a commit's pseudo-version.
conformance_module="github.com/opencontainers/distribution-spec/conformance"
conformance_version="v0.0.0-20260831232431-97274622c111"
oras_module="oras.land/oras/cmd/oras"
oras_version="v1.3.6"

# shellcheck source=../lib/apt-packages.sh
source "$root/scripts/lib/apt-packages.sh"
ensure_apt_packages "oci clients" skopeo podman buildah uidmap fuse-overlayfs slirp4netns crun

# Builds `module@version` into .tools/bin/NAME unless the stamp says that version is there.
go_tool() {
  local name="$1" module="$2" version="$3"
  local stamp="$tools/.$name.version"
  if [[ -x "$tools/$name" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
    echo "oci clients: $name $version already built"
    return
  fi
  if ! command -v go >/dev/null; then
    echo "oci clients: go is not installed; cannot build $name" >&2
    return 1
  fi
  echo "oci clients: building $name $version"
  mkdir -p "$tools"
  GOBIN="$tools" GOFLAGS=-mod=mod go install "$module@$version"
  echo "$version" >"$stamp"
}

go_tool conformance "$conformance_module" "$conformance_version"
go_tool oras "$oras_module" "$oras_version"
echo "oci clients: ready"
