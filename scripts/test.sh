#!/usr/bin/env bash
# The project's test command:  bash scripts/test.sh
#
#   1. scripts/setup.sh      install missing apt packages, npm ci for tests/e2e
#   2. throwaway PostgreSQL  (scripts/pg-throwaway.sh), stopped on exit
#   3. scripts/lint.sh       cargo fmt --check, cargo clippy -D warnings
#   4. Rust tests            cargo nextest run --workspace --no-fail-fast
#                            (cargo test --workspace if nextest is missing),
#                            with TOGETHER_REQUIRE_POSTGRES=1
#   5. cargo build --workspace --all-targets (debug; a no-op after step 4)
#   6. browser end-to-end    node --test tests/e2e/*.test.mjs against the binary
#   7. CIN census            scripts/census-check.sh: the DfE's validator (PyPI) on the
#                            census of the demo and of a generated county
#   8. API fuzzing           scripts/schemathesis.sh: schemathesis (PyPI, pinned) against
#                            the API's OpenAPI document, two agency systems' tokens
#
# Every step runs even if an earlier one failed (setup and PostgreSQL start
# excepted); the script exits non-zero if any step failed.
#
# Environment knobs (all optional):
#   TOGETHER_SKIP_LINT=1   skip step 3
#   TOGETHER_SKIP_E2E=1    skip steps 5-6
#   TOGETHER_SKIP_APT=1    passed to setup.sh: do not apt-get install
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

start_all=$SECONDS
failed=()
summary=()

# run_step NAME CMD... : run a step, time it, remember a failure, carry on.
run_step() {
  local name="$1"; shift
  local t0=$SECONDS rc=0
  echo
  echo "==================== $name ===================="
  "$@" || rc=$?
  local dt=$((SECONDS - t0))
  if [[ $rc -eq 0 ]]; then
    summary+=("ok      ${dt}s  $name")
  else
    summary+=("FAILED  ${dt}s  $name (exit $rc)")
    failed+=("$name")
  fi
  return 0
}

print_summary() {
  echo
  echo "==================== summary ($((SECONDS - start_all))s) ===================="
  local line
  for line in "${summary[@]}"; do echo "  $line"; done
}

# ------------------------------------------------------------------ setup
echo "==================== setup ===================="
bash scripts/setup.sh

# shellcheck source=scripts/pg-throwaway.sh
source scripts/pg-throwaway.sh
cleanup() {
  local rc=$?
  pg_throwaway_stop || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pg_throwaway_start
export TOGETHER_REQUIRE_POSTGRES=1

LOCKED=()
if [[ -f Cargo.lock ]]; then LOCKED=(--locked); fi

# ------------------------------------------------------------------ lint
if [[ "${TOGETHER_SKIP_LINT:-0}" != 1 ]]; then
  run_step "lint (fmt + clippy)" bash scripts/lint.sh
fi

# ------------------------------------------------------------------ rust tests
if cargo nextest --version >/dev/null 2>&1; then
  run_step "rust tests (nextest)" \
    cargo nextest run --workspace --no-fail-fast "${LOCKED[@]}"
else
  echo "[test] cargo-nextest not found; falling back to cargo test" >&2
  run_step "rust tests (cargo test)" \
    cargo test --workspace --no-fail-fast "${LOCKED[@]}"
fi

# ------------------------------------------------------------------ e2e
if [[ "${TOGETHER_SKIP_E2E:-0}" != 1 ]]; then
  TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
  export TOGETHER_BIN="${TOGETHER_BIN:-$TARGET_DIR/debug/together}"

  # `--workspace --all-targets` has the same feature set as the test build
  # above, so after nextest it is a no-op that leaves target/debug/together
  # (plain `-p together` re-resolves features and recompiles several crates).
  # If some test target does not compile, still build the binary for e2e.
  build_bin() {
    cargo build --workspace --all-targets "${LOCKED[@]}" ||
      { echo "[test] workspace build failed; building the binary alone" >&2
        cargo build -p together "${LOCKED[@]}"; }
  }
  run_step "build together (debug)" build_bin

  run_e2e() {
    if [[ ! -x "$TOGETHER_BIN" ]]; then
      echo "[test] $TOGETHER_BIN missing: cannot run e2e tests" >&2
      return 1
    fi
    # Hard cap so a hung browser cannot eat the CI budget.
    timeout --kill-after=30 900 \
      node --test --test-concurrency=1 tests/e2e/*.test.mjs
  }
  run_step "browser end-to-end tests" run_e2e

  # The CIN census of the demo and of a generated county, checked by the DfE's rules.
  run_step "CIN census (DfE validator)" bash scripts/census-check.sh "$TOGETHER_BIN"

  # The API against its own OpenAPI document: no 5xx, no answer it does not describe.
  run_step "API fuzzing (schemathesis)" bash scripts/schemathesis.sh "$TOGETHER_BIN"
fi

print_summary
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all steps passed"
