#!/usr/bin/env bash
# Sets up PostgreSQL 15 with pgvector (≥ 0.8) on Debian, for memcube's tests and benchmarks, and
# prints the DATABASE_URL to use on stdout (everything else goes to stderr).
#
#   DATABASE_URL="$(bash scripts/setup-postgres.sh)"
#
# Run as root on Debian 12 (bookworm). Idempotent: every step checks first, so a second run takes
# about a second. Steps:
#   1. apt-get install postgresql-15, postgresql-server-dev-15 and the build tools;
#   2. build pgvector from Debian's source package (Debian 12 has no pgvector binary for PG 15,
#      and only a newer release has ≥ 0.8: a deb-src entry for trixie is added for that);
#   3. start the cluster with pg_ctlcluster (initdb refuses to run as root);
#   4. create the role and the database (MEMCUBE_PG_USER / MEMCUBE_PG_PASSWORD / MEMCUBE_PG_DB,
#      default memcube / memcube / memcube_test) and `CREATE EXTENSION vector` in it.
# Any failure exits non-zero with the step that failed.
set -euo pipefail

PG_MAJOR=15
PGVECTOR_MIN=0.8.0
SOURCE_RELEASE=trixie
DB_USER="${MEMCUBE_PG_USER:-memcube}"
DB_PASSWORD="${MEMCUBE_PG_PASSWORD:-memcube}"
DB_NAME="${MEMCUBE_PG_DB:-memcube_test}"
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
SOURCES_FILE=/etc/apt/sources.list.d/memcube-pgvector-src.sources

log() { echo "setup-postgres: $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR

[ "$(id -u)" = 0 ] || fail "run as root (it installs packages and manages the cluster)"
command -v apt-get >/dev/null || fail "needs Debian (apt-get)"
export DEBIAN_FRONTEND=noninteractive

# Ordered version comparison: version_ge A B is true when A ≥ B.
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }

# ---- 1. packages ----
PACKAGES=(postgresql-${PG_MAJOR} postgresql-server-dev-${PG_MAJOR} postgresql-client-${PG_MAJOR} build-essential dpkg-dev)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

# ---- 2. pgvector ----
extension_dir="$("$PG_CONFIG" --sharedir)/extension"
installed_version() { sed -n "s/^default_version = '\(.*\)'/\1/p" "$extension_dir/vector.control" 2>/dev/null; }
if ! version_ge "$(installed_version || true)" "$PGVECTOR_MIN" || [ ! -f "$("$PG_CONFIG" --pkglibdir)/vector.so" ]; then
  if [ ! -f "$SOURCES_FILE" ]; then
    log "adding a deb-src entry for Debian ${SOURCE_RELEASE} (source packages only)"
    # The same archive this machine's apt already uses (its main, non-security entry).
    mirror="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)"
    [ -n "$mirror" ] || mirror="$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)"
    [ -n "$mirror" ] || fail "no Debian archive found in apt's sources to fetch pgvector's source from"
    cat >"$SOURCES_FILE" <<EOF
Types: deb-src
URIs: ${mirror}
Suites: ${SOURCE_RELEASE}
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    apt-get update -q >&2
  fi
  apt-cache showsrc pgvector >/dev/null 2>&1 || apt-get update -q >&2
  source_version="$(apt-cache showsrc pgvector | sed -n 's/^Version: //p' | sort -V | tail -n1)"
  version_ge "${source_version%%-*}" "$PGVECTOR_MIN" || fail "Debian's pgvector source is ${source_version:-missing}, need ≥ ${PGVECTOR_MIN}"
  build="$(mktemp -d)"
  log "building pgvector ${source_version} from Debian's source package in ${build}"
  (
    cd "$build"
    chmod 755 "$build" # apt's download user must be able to write here
    apt-get source -q "pgvector=${source_version}" >&2 2>&1
    cd pgvector-*/
    make -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >&2
    make install PG_CONFIG="$PG_CONFIG" >&2
  )
  rm -rf "$build"
  version_ge "$(installed_version)" "$PGVECTOR_MIN" || fail "pgvector did not install"
fi

# ---- 3. the cluster ----
if ! pg_lsclusters -h | awk -v v="$PG_MAJOR" '$1 == v && $2 == "main"' | grep -q .; then
  log "creating cluster ${PG_MAJOR}/main"
  pg_createcluster "$PG_MAJOR" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$PG_MAJOR" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  log "starting cluster ${PG_MAJOR}/main"
  pg_ctlcluster "$PG_MAJOR" main start >&2
fi
port="$(pg_lsclusters -h | awk -v v="$PG_MAJOR" '$1 == v && $2 == "main" { print $3 }')"
for _ in $(seq 1 100); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.1
done
pg_isready -q -h 127.0.0.1 -p "$port" || fail "PostgreSQL does not answer on 127.0.0.1:${port}"

# ---- 4. role, database, extension ----
as_postgres() { runuser -u postgres -- psql -p "$port" -X -q -v ON_ERROR_STOP=1 "$@"; }
as_postgres -d postgres -v user="$DB_USER" -v password="$DB_PASSWORD" >&2 <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'user', :'password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'user', :'password') \gexec
SQL
if ! as_postgres -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'" | grep -q 1; then
  log "creating database ${DB_NAME}"
  runuser -u postgres -- createdb -p "$port" -O "$DB_USER" "$DB_NAME"
fi
as_postgres -d "$DB_NAME" >&2 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS vector;
ALTER EXTENSION vector UPDATE;
SQL

url="postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${port}/${DB_NAME}"
log "ready: PostgreSQL $(as_postgres -d "$DB_NAME" -Atc 'SHOW server_version'), pgvector $(as_postgres -d "$DB_NAME" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'vector'")"
echo "$url"
