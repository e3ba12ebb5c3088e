# Sourced by scripts/install-clients/*.sh. `ensure_apt_packages LABEL PACKAGE...` installs the
# Debian packages that are missing (apt-get update once, then install) and does nothing when all
# are present. Needs root.
ensure_apt_packages() {
  local label="$1"
  shift
  local missing=() package status
  for package in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
  done
  if ((${#missing[@]} == 0)); then
    echo "$label: Debian packages already installed"
    return
  fi
  echo "$label: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}
