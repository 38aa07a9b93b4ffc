#!/bin/sh
# Runs every test suite of `make test` and prints each runner's summary, then
# one line for the whole run. Suites: cmocka unit tests, the Mustache spec,
# the seed-coverage check (every sentence of the seed in the rendered plan;
# the source is not checked, as registers reshape the seed's tables), golden
# output, the command-line tests, and release/bundle/verify.
set -u
cd "$(dirname "$0")/.."

SPECS=${MUSTACHE_SPECS:-../shared/specs/mustache}
SEED=${SEED:-../shared/seeds/000_9a376039cd44f84e.txt}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
# Builds that typeset PDFs: fontconfig's configuration and a Cairo 1.16 leak in
# cairo_surface_finish are suppressed by function name, which needs the slow
# unwinder inside those libraries (they have no frame pointers). Only the
# suites that typeset get it: it makes every allocation slower.
PDF_ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/pdf/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export POLICYGEN=${POLICYGEN:-build/san/policygen}

passed=0
failed=0
failures=""

run_suite() {
    name=$1
    shift
    echo "== $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures="$failures $name"
        echo "!! $name failed"
    fi
}

for bin in $(find build/tests -type f -name '*_test' | LC_ALL=C sort); do
    run_suite "$(basename "$bin")" "$bin"
done

run_suite mustache-spec build/tests/mustache_spec "$SPECS"

seed_rendered() {
    out=$(mktemp -d)
    $POLICYGEN build -C content -o "$out/site" --today 2026-11-28 --no-pdf >"$out/log" 2>&1 ||
        { cat "$out/log"; rm -rf "$out"; return 1; }
    build/tests/seed_coverage "$SEED" "$out/site/internal/plan/all.html"
    rc=$?
    rm -rf "$out"
    return $rc
}
run_suite seed-coverage-rendered seed_rendered

run_suite golden sh tests/golden/run.sh
run_suite cli env ASAN_OPTIONS="$PDF_ASAN_OPTIONS" sh tests/cli/run.sh
run_suite plugins sh tests/plugins/run.sh
run_suite pdf env ASAN_OPTIONS="$PDF_ASAN_OPTIONS" sh tests/pdf/run.sh
run_suite release env ASAN_OPTIONS="$PDF_ASAN_OPTIONS" sh tests/release/run.sh

echo
[ -z "$failures" ] || echo "failed suites:$failures"
echo "make test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
