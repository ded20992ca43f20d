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

# Boundaries (issue 15, design "Dependencies point inwards"): the web reads through the
# application's services only, never the store; the domain depends on nothing of ours.
echo "==> boundaries"
if grep -rnE '\.store\b|together_store' crates/web/src; then
  echo "[lint] crates/web/src reaches the store directly (above): add or use an app service" >&2
  status=1
fi
if sed -n '/^\[dependencies\]/,/^\[/p' crates/web/Cargo.toml | grep -q '^together-store'; then
  echo "[lint] crates/web depends on together-store: the web reads through together-app" >&2
  status=1
fi
if grep -qE '^together-(store|app|web|returns)' crates/domain/Cargo.toml; then
  echo "[lint] crates/domain depends on another crate of ours: the domain is pure" >&2
  status=1
fi

exit "$status"
