#!/usr/bin/env bash
# Builds the S3-compatible server the blob-store conformance suite and the S3 e2e runs talk to:
# SeaweedFS (`weed server -s3`), pinned, built with Go through the module proxy into the
# project's gitignored .tools/bin. `go install module@version` refuses SeaweedFS because its
# go.mod carries replace directives, so the module is downloaded and built from a writable copy.
# Idempotent: does nothing when the pinned version is already built.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/.tools/bin"
module="github.com/seaweedfs/seaweedfs"
version="v0.0.0-20261109003541-7506e5f91cd6"
stamp="$tools/.weed.version"

if [[ -x "$tools/weed" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
  echo "s3 server: weed $version already built"
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "s3 server: go is not installed; cannot build weed" >&2
  exit 1
fi

echo "s3 server: building weed $version"
work="$(mktemp -d)"
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
source_dir="$(go mod download -json "$module@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
cp -r "$source_dir" "$work/src"
chmod -R u+w "$work/src"
mkdir -p "$tools"
(cd "$work/src" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$tools/weed" ./weed)
echo "$version" >"$stamp"
echo "s3 server: ready"
