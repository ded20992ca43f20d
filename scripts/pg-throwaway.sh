#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: a fresh cluster in a temp dir under
# /tmp, listening on 127.0.0.1 only (non-default port), trust auth, fsync off.
#
# Sourced (preferred; the caller owns the trap):
#     source scripts/pg-throwaway.sh
#     trap pg_throwaway_stop EXIT
#     pg_throwaway_start        # exports TOGETHER_TEST_POSTGRES_URL etc.
#
# Or as a wrapper that starts the server, runs a command, and always stops it:
#     bash scripts/pg-throwaway.sh run -- cargo nextest run -p together-store
#
# Environment:
#     TOGETHER_PG_PORT   first port to try (default 55432; the next free port
#                        up to +20 is used if it is taken)
#
# Exports after start:
#     TOGETHER_TEST_POSTGRES_URL        postgres://postgres@127.0.0.1:PORT/together_test
#     TOGETHER_TEST_POSTGRES_ADMIN_URL  postgres://postgres@127.0.0.1:PORT/postgres
#     TOGETHER_TEST_POSTGRES_CA         the CA that signed the server's certificate
#                                       (TLS is on; the certificate names 127.0.0.1)
#     TOGETHER_TEST_POSTGRES_OTHER_CA   a CA that signed nothing (for refusals)
#     PG_THROWAWAY_DIR, PG_THROWAWAY_PORT, PG_THROWAWAY_BIN

_pgt_log() { printf '[pg-throwaway] %s\n' "$*" >&2; }

# Run a PostgreSQL binary as the postgres user when we are root (initdb and
# postgres refuse to run as root); as ourselves otherwise.
_pgt_as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd /tmp && runuser -u postgres -- "$@")
  else
    (cd /tmp && "$@")
  fi
}

_pgt_find_bin() {
  local d best
  # Highest installed major version (the glob sorts lexically: 9 > 15).
  best="$(for d in /usr/lib/postgresql/*/bin; do
            [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && echo "$d"
          done | sort -V | tail -n1)"
  if [[ -z "$best" ]] && command -v initdb >/dev/null 2>&1; then
    best="$(dirname "$(command -v initdb)")"
  fi
  [[ -n "$best" ]] || return 1
  printf '%s\n' "$best"
}

_pgt_port_free() {
  # true when nothing listens on 127.0.0.1:$1
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_pgt_certs() {
  local dir="$1" ext
  ext="$(mktemp)"
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' >"$ext"
  (
    set -e
    cd "$dir"
    for ca in ca other-ca; do
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3 \
        -subj "/CN=Together throwaway $ca" -keyout "$ca.key" -out "$ca.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    done
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
      -keyout server.key -out server.csr 2>/dev/null
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3 \
      -extfile "$ext" -out server.crt 2>/dev/null
    chmod 600 server.key
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres server.key server.crt; fi
    chmod 644 ca.pem other-ca.pem
  )
  local rc=$?
  rm -f "$ext"
  return $rc
}

pg_throwaway_start() {
  if [[ -n "${PG_THROWAWAY_DIR:-}" && -d "${PG_THROWAWAY_DIR}" ]]; then
    _pgt_log "already running in $PG_THROWAWAY_DIR"
    return 0
  fi

  local bin
  if ! bin="$(_pgt_find_bin)"; then
    _pgt_log "no PostgreSQL server binaries found (apt-get install postgresql)"
    return 1
  fi
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    _pgt_log "running as root but there is no 'postgres' user to run the server as"
    return 1
  fi

  local port="${TOGETHER_PG_PORT:-55432}" last
  last=$((port + 20))
  while ! _pgt_port_free "$port"; do
    port=$((port + 1))
    if [[ $port -gt $last ]]; then
      _pgt_log "no free port in ${TOGETHER_PG_PORT:-55432}..$last"
      return 1
    fi
  done

  local dir
  dir="$(mktemp -d /tmp/together-pg.XXXXXX)"
  chmod 700 "$dir"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$dir"; fi
  export PG_THROWAWAY_DIR="$dir" PG_THROWAWAY_PORT="$port" PG_THROWAWAY_BIN="$bin"

  _pgt_log "initdb ($bin) in $dir"
  if ! _pgt_as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
      --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
    # C.UTF-8 is standard on Debian; fall back to plain C elsewhere.
    rm -rf "${dir:?}/data"
    if ! _pgt_as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
        --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2
      return 1
    fi
  fi

  # TLS (issue 18): a throwaway CA and a server certificate for 127.0.0.1 only, so a
  # test can see verify-full accept it, and refuse another CA or another name.
  if ! _pgt_certs "$dir"; then
    _pgt_log "could not make TLS certificates (is openssl installed?)"
    return 1
  fi

  local opts="-c listen_addresses=127.0.0.1 -c port=$port"
  opts+=" -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
  opts+=" -c unix_socket_directories=$dir"
  opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  opts+=" -c max_connections=200 -c shared_buffers=128MB"
  if ! _pgt_as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" \
      -o "$opts" -w -t 60 start >/dev/null; then
    _pgt_log "server failed to start; log follows"
    cat "$dir/postgres.log" >&2 || true
    return 1
  fi

  if ! _pgt_as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres together_test; then
    _pgt_log "createdb together_test failed"
    return 1
  fi

  export TOGETHER_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/together_test"
  export TOGETHER_TEST_POSTGRES_ADMIN_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export TOGETHER_TEST_POSTGRES_CA="$dir/ca.pem" TOGETHER_TEST_POSTGRES_OTHER_CA="$dir/other-ca.pem"
  _pgt_log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') ready: $TOGETHER_TEST_POSTGRES_URL"
}

pg_throwaway_stop() {
  local dir="${PG_THROWAWAY_DIR:-}" bin="${PG_THROWAWAY_BIN:-}"
  [[ -n "$dir" ]] || return 0
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    if ! _pgt_as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
      local pid
      pid="$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
      if [[ -n "$pid" ]]; then
        _pgt_log "pg_ctl stop failed; killing postmaster $pid"
        kill -QUIT "$pid" 2>/dev/null || true
        sleep 1
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
  fi
  case "$dir" in
    /tmp/together-pg.*) rm -rf "$dir" ;;
  esac
  _pgt_log "stopped and removed $dir"
  unset PG_THROWAWAY_DIR PG_THROWAWAY_PORT PG_THROWAWAY_BIN
  unset TOGETHER_TEST_POSTGRES_URL TOGETHER_TEST_POSTGRES_ADMIN_URL
  unset TOGETHER_TEST_POSTGRES_CA TOGETHER_TEST_POSTGRES_OTHER_CA
  return 0
}

# Executed rather than sourced: `run -- CMD...` wraps a command.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  case "${1:-}" in
    run)
      shift
      [[ "${1:-}" == "--" ]] && shift
      [[ $# -gt 0 ]] || { echo "usage: $0 run -- COMMAND [ARGS...]" >&2; exit 2; }
      trap pg_throwaway_stop EXIT
      trap 'exit 130' INT
      trap 'exit 143' TERM
      pg_throwaway_start
      "$@"
      ;;
    *)
      echo "usage: source $0 (then pg_throwaway_start / pg_throwaway_stop)" >&2
      echo "   or: $0 run -- COMMAND [ARGS...]" >&2
      exit 2
      ;;
  esac
fi
