#!/usr/bin/env bash
# The Children in Need census checked by the DfE's own rules (issue 6):
#
#   1. the DfE validator (csc-validator-be-cin, from PyPI) in a virtual environment;
#   2. the census of the demo partnership (the current collection year, in progress);
#   3. a generated county (`together generate`), its last complete year and this one;
#   4. a year with no data: a valid empty return.
#
# The bar: no errors, and every query one that docs/census.md explains (ALLOWED below).
# Usage: bash scripts/census-check.sh [path/to/together]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-${TOGETHER_BIN:-$ROOT/target/debug/together}}"
VENV="${TOGETHER_CIN_VENV:-$ROOT/target/cin-validator-venv}"
WORK="$(mktemp -d)"
trap 'kill "${SERVER_PID:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Queries explained in docs/census.md ("Queries the validator raises, and why").
ALLOWED="8530Q,8670Q,8675Q,8770Q,2887Q,2888Q,2991Q,8863Q"

if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import cin_validator' 2>/dev/null; then
  echo "[census] installing the DfE validator into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "csc-validator-be-cin==0.1.13" "numpy<2" pytest
fi
validate() { # FILE RULESET
  "$VENV/bin/python" -W ignore "$ROOT/scripts/census_validate.py" "$1" --ruleset "$2" --allow-queries "$ALLOWED" 2>/dev/null \
    | grep -v '^Error with rule 2886Q' || return 1
}
# The collection year today is in (1 April to 31 March) and the one before it.
read -r THIS LAST <<<"$(python3 - <<'PY'
import datetime
d = datetime.date.today()
y = d.year if d.month >= 4 else d.year - 1
print(f"{y}-{(y+1)%100:02d} {y-1}-{y%100:02d}")
PY
)"
ruleset() { # 2025-26 -> cin2025_26 (the newest ruleset the validator has, if later)
  local r="cin${1%%-*}_${1##*-}"
  if "$VENV/bin/python" -c "import importlib,sys; importlib.import_module('cin_validator.rules.$r')" 2>/dev/null; then
    echo "$r"
  else
    echo "cin2026_27"
  fi
}
failed=0

echo "[census] demo partnership, $THIS"
"$BIN" serve --demo --database "$WORK/demo.db" --listen 127.0.0.1:0 >"$WORK/demo.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do grep -q listening "$WORK/demo.log" && break; sleep 0.5; done
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
"$BIN" census --database "$WORK/demo.db" --year "$THIS" -o "$WORK/demo.xml"
validate "$WORK/demo.xml" "$(ruleset "$THIS")" || failed=1

echo "[census] generated county"
"$BIN" generate --database "$WORK/county.db" --children "${TOGETHER_CENSUS_CHILDREN:-1500}" --years 3 --seed 2026 --jobs 2
for y in "$LAST" "$THIS"; do
  # Into a file, then its first lines: piping into `head` would close the pipe on a
  # census that has more to say, and fail the step for no fault of the return.
  "$BIN" census --database "$WORK/county.db" --year "$y" -o "$WORK/county-$y.xml" >"$WORK/county-$y.out"
  head -3 "$WORK/county-$y.out"
  validate "$WORK/county-$y.xml" "$(ruleset "$y")" || failed=1
done

echo "[census] a year with no data"
"$BIN" census --database "$WORK/county.db" --year 2015-16 -o "$WORK/empty.xml"
grep -q '<Children>' "$WORK/empty.xml" || failed=1
validate "$WORK/empty.xml" cin2025_26 || failed=1

exit "$failed"
