#!/usr/bin/env bash
# Referral intake through the API (issue 6): an agency's system posting referrals, each
# a durable write, with 1 and 64 concurrent connections, against a server on DATABASE
# (a generated county: bench/county.sh). Beside it, on the same machine and server: a
# trivial request (GET /healthz) and a bare durable insert loop on the same database
# engine (SQLite: Python's sqlite3; PostgreSQL: pgbench). DATABASE may be a postgres:// URL.
#
#   bash bench/intake.sh [DATABASE] [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB="${1:-/tmp/together-county.db}"
SECS="${2:-20}"
cd "$ROOT"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
cargo build --release -p together >/dev/null
BIN="$ROOT/target/release/together"
AGENCY="$("$BIN" user agencies --database "$DB" | awk '/education|police/ {print $1; exit}')"
TOKEN="$("$BIN" api-client add --agency "$AGENCY" --name "Bench $(date +%s)" --database "$DB" | grep -o 'tgr_[0-9a-f]*')"
PORT=18099
"$BIN" serve --database "$DB" --listen 127.0.0.1:$PORT >/tmp/intake-server.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q listening /tmp/intake-server.log && break; sleep 0.2; done
export TOGETHER_TOKEN="$TOKEN"
for c in 1 64; do
  echo "## POST /api/v1/referrals, $c connection(s), ${SECS}s"
  TOGETHER_RUN="c$c-$(date +%s)" wrk -t"$([[ $c == 1 ]] && echo 1 || echo 2)" -c"$c" -d"${SECS}s" --latency -s bench/intake.lua "http://127.0.0.1:$PORT" | grep -E "Requests/sec|50%|99%|requests|Latency"
done
echo "## GET /healthz, 64 connections, ${SECS}s"
wrk -t2 -c64 -d"${SECS}s" --latency "http://127.0.0.1:$PORT/healthz" | grep -E "Requests/sec|50%|99%"
echo "## server peak memory"
grep VmHWM /proc/$PID/status
if [[ "$DB" == postgres* ]]; then
  # The same bare loop on the same PostgreSQL server: one durable commit per 1.5 KB row.
  PGBENCH="$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n1)"
  echo "## bare durable PostgreSQL insert loop (pgbench, one client, one commit per row), ${SECS}s"
  # A table of the benchmark's own (named so as not to meet Together's), dropped after.
  T="together_bench_bare_$$"
  SQL="$(mktemp)"
  psql "$DB" -qc "CREATE TABLE $T (id BIGSERIAL PRIMARY KEY, payload TEXT)"
  echo "INSERT INTO $T (payload) VALUES (repeat('x', 1500));" >"$SQL"
  "$PGBENCH" -n -c1 -T"$SECS" -f "$SQL" "$DB" | grep -E "^tps"
  psql "$DB" -qc "DROP TABLE $T"
  rm -f "$SQL"
  exit 0
fi
echo "## bare durable SQLite insert loop (WAL, synchronous=FULL, one commit per row), ${SECS}s"
python3 - "$SECS" <<'PY'
import sqlite3, sys, time, tempfile, os
d = tempfile.mkdtemp(); c = sqlite3.connect(os.path.join(d, "bare.db"), isolation_level=None)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=FULL")
c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)")
n, end, p = 0, time.time() + float(sys.argv[1]), "x" * 1500
while time.time() < end:
    c.execute("BEGIN"); c.execute("INSERT INTO t (payload) VALUES (?)", (p,)); c.execute("COMMIT"); n += 1
print(f"{n / float(sys.argv[1]):.0f} durable inserts/s")
PY
