#!/usr/bin/env bash
# Issue 6 benchmarks on a generated county (results in BENCHMARKS.md, "A county made by
# the application's own commands"):
#
#   bash bench/county.sh [CHILDREN] [YEARS] [DATABASE] [JOBS]
#
# 1. `together generate`: every child's pathway through the application's commands;
# 2. the CIN census of the whole county for the last complete year;
# 3. the figures (the partnership dashboard's computation) for that year;
# 4. `together audit verify` over every log;
# each timed, with the process's peak memory (GNU time's maximum resident set size).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHILDREN="${1:-100000}"
YEARS="${2:-10}"
DB="${3:-/tmp/together-county.db}"
JOBS="${4:-2}"   # stories told side by side (the same seed gives the same county)
cd "$ROOT"
cargo build --release -p together >/dev/null
BIN="$ROOT/target/release/together"
TIME=(/usr/bin/time -f '%e s elapsed, %M KB peak')
if [[ ! -x /usr/bin/time ]]; then TIME=(bash -c 'time "$@"' --); fi
YEAR="$(python3 -c 'import datetime as d; t=d.date.today(); y=(t.year if t.month>=4 else t.year-1)-1; print(f"{y}-{(y+1)%100:02d}")')"

if [[ "$DB" != postgres* && ! -e "$DB" ]]; then
  echo "## generate $CHILDREN children over $YEARS years"
  "${TIME[@]}" "$BIN" generate --database "$DB" --children "$CHILDREN" --years "$YEARS" --seed 2026 --jobs "$JOBS"
elif [[ "$DB" == postgres* ]]; then
  echo "## generate $CHILDREN children over $YEARS years (PostgreSQL)"
  "${TIME[@]}" "$BIN" generate --database "$DB" --children "$CHILDREN" --years "$YEARS" --seed 2026 --jobs "$JOBS"
fi
echo "## census $YEAR"
"${TIME[@]}" "$BIN" census --database "$DB" --year "$YEAR" -o /tmp/county-census.xml | head -1
echo "## figures $YEAR"
"${TIME[@]}" "$BIN" figures --database "$DB" --year "$YEAR" > /tmp/county-figures.csv
echo "## audit verify"
"${TIME[@]}" "$BIN" audit verify --database "$DB" | tail -1
