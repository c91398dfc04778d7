#!/usr/bin/env bash
# The dashboard in a real headless browser (Debian's chromium, driven by playwright-core):
# start `gaggle serve`, run a small migration, watch progress arrive live, pause and
# resume it, approve a planted gate failure from its approval page, and read a dataset's
# validation figures (tests/browser/dashboard.mjs). Screenshots are kept in
# build/test-output/dashboard_browser/.
source "$ROOT/tests/lib.sh"
G="$1"
[[ -x /usr/bin/chromium ]] || fail "chromium is not installed (scripts/install-deps.sh installs it)"
bash "$ROOT/tests/browser/setup.sh"
OUT="$(dirname "$G")/test-output/dashboard_browser"
rm -rf "$OUT"
timeout 300 node "$ROOT/tests/browser/dashboard.mjs" "$G" "$WORK" "$OUT"
ls "$OUT"/*.png > /dev/null || fail "no screenshots in $OUT"
