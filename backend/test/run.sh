#!/usr/bin/env bash
# Every backend test, on PostgreSQL (a throwaway cluster on 127.0.0.1) and on PGlite.
#   bash backend/test/run.sh [vitest args…]
# With DATABASE_URL already set (a server you started), that server is used instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ -n "${DATABASE_URL:-}" ]]; then
  exec npx vitest run --config backend/vitest.config.ts "$@"
fi
exec bash backend/test/pg-cluster.sh run -- npx vitest run --config backend/vitest.config.ts "$@"
