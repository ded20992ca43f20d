#!/usr/bin/env bash
# Pages under load (issue 6), each through HTTP with a signed-in session, against a
# server on DATABASE: a practice supervisor's work tray (the home page), the
# partnership dashboard (/figures, the partnership manager), and a social worker
# opening the child's record with the longest log. 1 and 16 connections each, with
# the server's peak memory.
#
#   bash bench/pages.sh [DATABASE] [SECONDS]
#
# Users are the first active ones with each role; their passwords are reset (this is
# for benchmark databases only).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB="${1:-/tmp/together-county.db}"
SECS="${2:-15}"
cd "$ROOT"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
[[ "$DB" == postgres* ]] && ! command -v psql >/dev/null && { echo "needs psql for a PostgreSQL database"; exit 1; }
# TOGETHER_BENCH_BIN: measure another build (an earlier commit's, for a before/after).
if [[ -n "${TOGETHER_BENCH_BIN:-}" ]]; then
  BIN="$TOGETHER_BENCH_BIN"
else
  cargo build --release -p together >/dev/null
  BIN="$ROOT/target/release/together"
fi
PORT=18098
# Open once so that migrations run before the direct reads below.
"$BIN" user agencies --database "$DB" >/dev/null
# The first row SQL returns, its columns separated by spaces (SQLite file or PostgreSQL).
first_row() {
  if [[ "$DB" == postgres* ]]; then
    psql "$DB" -tA -F ' ' -c "$1" | head -n1
  else
    python3 - "$DB" "$1" <<'PY'
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print(*(r or ()))
PY
  fi
}
first_with_role() {
  first_row "SELECT username FROM users WHERE role = '$1' AND active ORDER BY username LIMIT 1"
}
LONGEST="$(first_row "SELECT l.child_id, l.last_seq FROM logs l JOIN people p ON p.id = l.child_id WHERE NOT p.restricted ORDER BY l.last_seq DESC LIMIT 1")"
CHILD="${LONGEST% *}"; EVENTS="${LONGEST#* }"
"$BIN" serve --database "$DB" --listen 127.0.0.1:$PORT >/tmp/pages-server.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q listening /tmp/pages-server.log && break; sleep 0.2; done

# Sign in as USER and print the session cookie. A reset password is temporary (issue
# 18): it is changed first, keeping the session.
session() {
  local user="$1" pw
  pw="$("$BIN" user reset-password "$user" --database "$DB" | sed -n 's/^\(new\|temporary\) password for [^ ]* (shown once[^)]*): //p')"
  python3 - "$PORT" "$user" "$pw" <<'PY'
import http.client, re, secrets, sys, urllib.parse
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("GET", "/login"); r = c.getresponse(); body = r.read().decode()
csrf_cookie = next(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie" and "login_csrf" in v)
token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
form = urllib.parse.urlencode({"username": user, "password": pw, "csrf_token": token})
c.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf_cookie})
r = c.getresponse(); r.read()
s = [v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("together_session=") and "Max-Age=0" not in v]
if r.status != 303 or not s: sys.exit(f"sign-in as {user} failed: {r.status}")
c.request("GET", "/", headers={"Cookie": s[0]}); r = c.getresponse(); r.read()
if r.status == 303 and r.getheader("Location") == "/account/password":
    c.request("GET", "/account/password", headers={"Cookie": s[0]}); r = c.getresponse(); body = r.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    new = "bench-" + secrets.token_hex(12)
    form = urllib.parse.urlencode({"current_password": pw, "new_password": new, "confirm_password": new, "csrf_token": token})
    c.request("POST", "/account/password", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": s[0]})
    r = c.getresponse(); r.read()
    if r.status != 200: sys.exit(f"changing {user}'s temporary password failed: {r.status}")
print(s[0])
PY
}

measure() {
  local what="$1" cookie="$2" path="$3"
  local status
  status="$(python3 -c "import http.client,sys; c=http.client.HTTPConnection('127.0.0.1',$PORT); c.request('GET',sys.argv[1],headers={'Cookie':sys.argv[2]}); print(c.getresponse().status)" "$path" "$cookie")"
  [[ "$status" == 200 ]] || { echo "$what: GET $path answered $status"; exit 1; }
  for c in 1 16; do
    echo "## $what — GET $path, $c connection(s), ${SECS}s"
    wrk -t"$([[ $c == 1 ]] && echo 1 || echo 2)" -c"$c" -d"${SECS}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$PORT$path" \
      | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
  done
}

SUP="$(first_with_role practice-supervisor)"
PM="$(first_with_role partnership-manager)"
SW="$(first_with_role social-worker)"
# A database without one of these roles (the foundation benchmark's) skips its page.
[[ -n "$SUP" ]] && measure "work tray ($SUP)" "$(session "$SUP")" "/"
[[ -n "$PM" ]] && measure "partnership dashboard ($PM)" "$(session "$PM")" "/figures"
[[ -n "$SW" ]] && measure "child's record, $EVENTS entries ($SW)" "$(session "$SW")" "/children/$CHILD"
echo "## server peak memory"
grep VmHWM /proc/$PID/status
