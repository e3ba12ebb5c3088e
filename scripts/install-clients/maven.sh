#!/usr/bin/env bash
# Installs the clients the Maven/Gradle e2e tests drive: Debian's Maven 3.8.7 with the plugins
# its default lifecycle binds (offline, from /usr/share/maven-repo), Gradle 4.4.1, and a JDK
# (javac) for the test projects they build.
# Idempotent: does nothing when every package is already installed; runs apt-get update once
# otherwise. Needs root (CI and developer machines run as root).
set -euo pipefail

# shellcheck source=../lib/apt-packages.sh
source "$(dirname "$0")/../lib/apt-packages.sh"
ensure_apt_packages "maven clients" \
  openjdk-17-jdk-headless \
  maven \
  gradle \
  libmaven-deploy-plugin-java \
  libmaven-install-plugin-java \
  libmaven-jar-plugin-java \
  libmaven-compiler-plugin-java \
  libmaven-resources-plugin-java \
  libsurefire-java
