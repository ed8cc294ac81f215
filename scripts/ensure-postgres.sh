#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, postgres) are installed, or says exactly what to run.
# Skipped when DATABASE_URL points the lab at an existing server.
set -euo pipefail
[ -n "${DATABASE_URL:-}" ] && exit 0

have_pg() {
  command -v initdb >/dev/null 2>&1 && return 0
  command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ] && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && return 0
  compgen -G "/opt/homebrew/opt/postgresql*/bin/initdb" >/dev/null && return 0
  compgen -G "/usr/local/opt/postgresql*/bin/initdb" >/dev/null && return 0
  return 1
}
have_pg && exit 0

echo "PostgreSQL server binaries (initdb, postgres) not found; installing them..."
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
if command -v apt-get >/dev/null 2>&1; then
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
elif command -v brew >/dev/null 2>&1; then
  brew install postgresql@16
elif command -v dnf >/dev/null 2>&1; then
  $sudo dnf install -y postgresql-server
else
  echo "Cannot install PostgreSQL here: install the PostgreSQL server package (it provides initdb and postgres)," >&2
  echo "or set DATABASE_URL=postgres://user:pass@host:5432/feedapp to use an existing server." >&2
  exit 1
fi
have_pg || { echo "PostgreSQL was installed but initdb is still not found; add its bin directory to PATH." >&2; exit 1; }
echo "PostgreSQL installed."
