#!/usr/bin/env bash
# Makes sure HAProxy is installed (Scenario 2's load balancer), or says exactly what to run.
# Scenario 1 runs without it, so a machine where it cannot be installed is told so and goes on.
set -uo pipefail

have_haproxy() {
  command -v haproxy >/dev/null 2>&1 && return 0
  for d in /usr/sbin /usr/local/sbin /opt/homebrew/sbin /opt/homebrew/bin /usr/local/bin; do
    [ -x "$d/haproxy" ] && return 0
  done
  return 1
}
have_haproxy && exit 0

echo "HAProxy (Scenario 2's load balancer) not found; installing it..."
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
if command -v apt-get >/dev/null 2>&1; then
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
elif command -v brew >/dev/null 2>&1; then
  brew install haproxy
elif command -v dnf >/dev/null 2>&1; then
  $sudo dnf install -y haproxy
fi
if have_haproxy; then
  echo "HAProxy installed."
else
  echo "note: HAProxy could not be installed here (apt install haproxy / brew install haproxy);" >&2
  echo "Scenario 1 runs without it, Scenario 2 says it is missing and its tests are skipped." >&2
fi
exit 0
