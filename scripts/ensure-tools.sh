#!/usr/bin/env bash
# Installs the test tools a fresh machine lacks: tmux (end-to-end tests of the real binary),
# wrk (external load in benchmarks) and the OpenSSH client (ssh, ssh-keygen: the classroom's
# end-to-end test joins the class server as a learner does). Tests that need a missing tool
# skip with a message instead.
set -uo pipefail
missing=()
for t in tmux wrk; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
# ssh and ssh-keygen come in one package (apt: openssh-client; macOS has them, brew's is openssh)
if ! command -v ssh >/dev/null 2>&1 || ! command -v ssh-keygen >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then missing+=(openssh-client); else missing+=(openssh); fi
fi
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then
  echo "installing ${missing[*]}..."
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || true
elif command -v brew >/dev/null 2>&1; then
  brew install "${missing[@]}" || true
else
  echo "note: ${missing[*]} not installed; the tests that need them will be skipped (install: apt install ${missing[*]})"
fi
exit 0
