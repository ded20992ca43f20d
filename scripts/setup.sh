#!/usr/bin/env bash
# Installs what the test suite needs that is not already on the machine.
# Idempotent and non-interactive: safe to run on every `scripts/test.sh`.
#
#   - Debian packages: postgresql (throwaway test server), chromium + fonts
#     (browser end-to-end tests). Installed only when missing.
#   - npm packages for tests/e2e, from the committed package-lock.json
#     (`npm ci`), only when node_modules is absent or the lock file changed.
#
# Set TOGETHER_SKIP_APT=1 to skip the apt step (e.g. on a non-Debian dev box).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[setup] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- apt
APT_PACKAGES=(postgresql chromium fonts-dejavu-core fonts-liberation ca-certificates openssl)
# The CIN census check runs the DfE's validator in a Python virtual environment: a
# Debian python3 needs python3-venv for that (a pyenv or python.org build has it).
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  APT_PACKAGES+=(python3-venv)
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -gt 0 && "${TOGETHER_SKIP_APT:-0}" != 1 ]]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing packages (${missing[*]}) and no apt-get: install them by hand"
    exit 1
  fi
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  # The postgresql package normally creates and starts a cluster on 5432; we
  # do not use it (tests run a throwaway server), and policy-rc.d-less
  # containers may fail to start it, which is harmless.
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "apt packages installed"
else
  log "apt packages present"
fi

# ---------------------------------------------------------------- node
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  log "node/npm not found: Node.js >= 20 with npm is required for tests/e2e"
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [[ "$node_major" -lt 20 ]]; then
  log "Node.js $(node --version) is too old: >= 20 is required for tests/e2e"
  exit 1
fi

E2E="$ROOT/tests/e2e"
stamp="$E2E/node_modules/.together-lock.sha256"
want="$(sha256sum "$E2E/package-lock.json" | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [[ "$want" != "$have" ]]; then
  log "npm ci in tests/e2e"
  (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error)
  printf '%s\n' "$want" >"$stamp"
else
  log "tests/e2e/node_modules up to date"
fi
