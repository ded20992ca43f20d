#!/usr/bin/env bash
# A bounded schemathesis run against the API's own OpenAPI document (issue 18): the
# demo served on a throwaway SQLite file, two callers (the demo police force's system,
# a partner; and children's social care's own integration), generated requests for
# every operation. Fails on any 5xx or any answer that breaks the document (status,
# content type, schema).
#
# Usage: bash scripts/schemathesis.sh [path/to/together]
#   TOGETHER_ST_EXAMPLES   examples per operation (default 80; about two minutes)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-${TOGETHER_BIN:-$ROOT/target/debug/together}}"
VENV="${TOGETHER_ST_VENV:-$ROOT/target/schemathesis-venv}"
VERSION="4.32.5"
EXAMPLES="${TOGETHER_ST_EXAMPLES:-80}"
WORK="$(mktemp -d)"
trap 'kill "${SERVER_PID:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

if [[ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != *"$VERSION"* ]]; then
  echo "[schemathesis] installing schemathesis $VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

"$BIN" serve --demo --database "$WORK/demo.db" --listen 127.0.0.1:0 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do grep -q '^listening on' "$WORK/server.log" && break; sleep 0.5; done
BASE="$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$WORK/server.log" | head -n1)"
BASE="${BASE%/}"
[[ -n "$BASE" ]] || { cat "$WORK/server.log" >&2; echo "[schemathesis] the server did not start" >&2; exit 1; }
POLICE="$(sed -n 's/^demo api token: .* token=\(tgr_[0-9a-f]*\).*/\1/p' "$WORK/server.log" | head -n1)"
CSC_AGENCY="$("$BIN" user agencies --database "$WORK/demo.db" | awk '$2 == "childrens-social-care" { print $1; exit }')"
CSC="$("$BIN" api-client add --database "$WORK/demo.db" --agency "$CSC_AGENCY" --name "Schemathesis" | awk '{ print $NF }')"
[[ "$POLICE" == tgr_* && "$CSC" == tgr_* ]] || { echo "[schemathesis] no API tokens" >&2; exit 1; }

failed=0
for who in police csc; do
  token="$POLICE"; [[ $who == csc ]] && token="$CSC"
  echo "[schemathesis] as the $who system, $EXAMPLES examples per operation"
  # not_a_server_error: no 5xx. status_code_conformance, content_type_conformance,
  # response_headers_conformance, response_schema_conformance: every answer is one
  # the document describes.
  if ! timeout --kill-after=30 600 "$VENV/bin/schemathesis" run "$BASE/api/v1/openapi.json" \
      --url "$BASE/api/v1" \
      -H "Authorization: Bearer $token" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
      --max-examples "$EXAMPLES" --seed 2026 --workers 1 \
      --request-timeout 10 --generation-allow-x00 false --no-color \
      >"$WORK/st-$who.log" 2>&1; then
    failed=1
    tail -n 120 "$WORK/st-$who.log"
  else
    grep -a -E "passed|failed|errored" "$WORK/st-$who.log" | tail -n 3
  fi
done
if grep -q 'level":"ERROR\|panicked' "$WORK/server.log"; then
  echo "[schemathesis] the server logged errors:" >&2
  grep 'level":"ERROR\|panicked' "$WORK/server.log" | head -20 >&2
  failed=1
fi
exit "$failed"
