#!/usr/bin/env bash
# Formatting and lints: `cargo fmt --check`, then clippy with warnings denied.
# Runs both and fails if either failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

status=0

# Enforce the committed lock file when there is one (CI must not re-resolve).
LOCKED=()
if [[ -f Cargo.lock ]]; then LOCKED=(--locked); fi

echo "==> cargo fmt --all --check"
if ! cargo fmt --all --check -- --files-with-diff --color=never; then
  echo "[lint] cargo fmt: the files above need formatting (run: cargo fmt --all); first lines of the diff:" >&2
  cargo fmt --all --check -- --color=never 2>&1 | head -n 40
  status=1
fi

echo "==> cargo clippy --workspace --all-targets --keep-going -- -D warnings"
if ! cargo clippy --workspace --all-targets --keep-going "${LOCKED[@]}" -- -D warnings; then
  echo "[lint] clippy reported problems" >&2
  status=1
fi

exit "$status"
