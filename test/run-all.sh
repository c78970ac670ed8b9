#!/usr/bin/env bash
# `npm test`: the one command that installs what the tests need and runs every test, on a fresh Debian
# machine. As root it installs missing apt packages; otherwise it names them and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "system packages"
bash test/rig/install-deps.sh

step "npm dependencies"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
else
  echo "node_modules is up to date"
fi

step "lint (includes the import fences)"
npx eslint .

step "typecheck"
npm run -s typecheck

step "build"
npx electron-vite build > /dev/null

step "unit and integration tests"
npx vitest run

step "backend tests (a throwaway PostgreSQL cluster, then PGlite)"
npm run -s test:backend

step "desktop sync against a backend on PostgreSQL (the PGlite run is part of the vitest step)"
bash backend/test/pg-cluster.sh run -- env LIANLUO_SYNC_TEST_PG=1 npx vitest run test/integration/sync/desktop-sync.test.ts test/integration/sync/cache-image.test.ts

step "end-to-end tests (real Kamailio, real Chromium, private network namespace)"
npm run -s test:e2e

printf '\n\033[1;32mAll tests passed.\033[0m\n'
