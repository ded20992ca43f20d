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
if ! cargo fmt --all --check; then
  echo "[lint] cargo fmt: files need formatting (run: cargo fmt --all)" >&2
  status=1
fi

echo "==> cargo clippy --workspace --all-targets -- -D warnings"
if ! cargo clippy --workspace --all-targets "${LOCKED[@]}" -- -D warnings; then
  echo "[lint] clippy reported problems" >&2
  status=1
fi

exit "$status"
