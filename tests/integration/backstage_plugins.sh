#!/usr/bin/env bash
# gaggle's Backstage packages (plugins/backstage/, docs/backstage.md): the npm install
# (cached per lock file), the TypeScript typecheck, and the jest tests: the scaffolder
# action, the backend plugin and the end-to-end test against this build's real
# `gaggle serve`, and the frontend plugin under jsdom. Bounded at 10 minutes.
source "$ROOT/tests/lib.sh"
G="$1"
P="$ROOT/plugins/backstage"
bash "$P/setup.sh"
cd "$P"
timeout 300 node_modules/.bin/tsc -p tsconfig.json --noEmit || fail "typecheck"
GAGGLE_BIN="$G" timeout 300 node_modules/.bin/jest --ci --maxWorkers=2 || fail "jest"
