#!/usr/bin/env bash
# Runs every test suite of `make test`: the cmocka unit tests, the Mustache
# spec, the seed-coverage check (every sentence of the seed in the rendered
# plan; the source is not checked, as registers reshape the seed's tables),
# golden output, the command-line tests, serve, incremental builds against
# cold ones, the plugins, the rules on two
# schools and under mutation, the PDFs, release/bundle/verify, the browser (the
# site in chromium), publicity (feed, handout, announce), hosting (real nginx
# and Apache, Chromium under the CSP), a few seconds of each fuzzing harness,
# a check that no test reads outside the repository, and one that generator/
# keeps no process-wide diagnostics state.
#
# Suites run side by side, TEST_JOBS at a time (default: one per processor),
# each into a log of its own; the logs are printed in the fixed order of the
# list below, each with its time, then one line for the whole run. Everything
# a suite reads is inside the repository.
set -u
cd "$(dirname "$0")/.."

JOBS=${TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
# fontconfig's configuration and a Cairo 1.16 leak in cairo_surface_finish
# are suppressed by function name, which needs the slow unwinder inside those
# libraries (they have no frame pointers); it makes a build four times slower.
# LeakSanitizer sees those allocations only where PDFs are typeset in the
# process itself: with -j 1 (tests/pdf asks for it there), or on a machine
# with one processor, where every build does.
if [ "$(nproc 2>/dev/null || echo 1)" -le 1 ]; then
    ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
fi
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/pdf/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export POLICYGEN=${POLICYGEN:-build/san/policygen}

seed_rendered() {
    local out
    out=$(mktemp -d)
    $POLICYGEN build -C content -o "$out/site" --today 2026-11-28 --no-pdf >"$out/log" 2>&1 ||
        { cat "$out/log"; rm -rf "$out"; return 1; }
    build/tests/seed_coverage tests/seed/seed-plan.txt "$out/site/internal/plan/all.html"
    local rc=$?
    rm -rf "$out"
    return $rc
}

# Nothing a test, the build or a tool reads may lie outside the repository:
# a clone has nothing beside it (the pattern is split so that this file does
# not match it).
self_contained() {
    local refs outside='..'/shared
    refs=$(grep -rlF "$outside" Makefile tests tools .ci 2>/dev/null)
    if [ -n "$refs" ]; then
        echo "these files refer to $outside, which a clone does not have:"
        echo "$refs" | sed 's/^/  /'
        echo "self-contained: 0 passed, 1 failed"
        return 1
    fi
    echo "self-contained: 1 passed, 0 failed"
}

# No process-wide diagnostics state: every diagnostic goes to a sink its
# caller passed (generator/diag/diag.h), and a stage judges its success by a
# sink of its own, never by a global count before and after. The old global
# API must not come back, nor a static or thread-local sink in generator/.
no_global_diagnostics() {
    local found
    found=$(grep -rnE 'diag_(set_stream|set_recording|reset|capture|buffer)\b|diag_get_counts\(\)|(static|_Thread_local|extern)[^(]*\bdiag_sink\b[^(]*;' \
        generator 2>/dev/null)
    if [ -n "$found" ]; then
        echo "process-wide diagnostics state in generator/:"
        echo "$found" | sed 's/^/  /'
        echo "no-global-diagnostics: 0 passed, 1 failed"
        return 1
    fi
    echo "no-global-diagnostics: 1 passed, 0 failed"
}

# The suites, in the order they are reported; the slowest are started first.
names=()
cmds=()
suite() { names+=("$1"); shift; cmds+=("$*"); }
suite pdf sh tests/pdf/run.sh
suite incremental bash tests/incremental/run.sh
suite browser sh tests/browser/run.sh
suite publish sh tests/publish/run.sh
suite hosting sh tests/hosting/run.sh
suite cli sh tests/cli/run.sh
suite serve sh tests/serve/run.sh
suite release sh tests/release/run.sh
suite mutation sh tests/mutation/run.sh
suite plugins sh tests/plugins/run.sh
suite schools sh tests/schools/run.sh
suite golden sh tests/golden/run.sh
suite new sh tests/new/run.sh
suite seed-coverage-rendered seed_rendered
suite mustache-spec build/tests/mustache_spec tests/spec/mustache
# Each libFuzzer harness (fuzz/NAME_fuzz.c) for a few seconds on its
# corpus, so they keep building and the seeds keep passing (make fuzz runs
# them longer).
suite fuzz sh fuzz/run.sh --seeds "${FUZZ_TEST_SECONDS:-2}" \
    $(cd fuzz && ls ./*_fuzz.c | sed 's|^\./||; s|_fuzz\.c$||' | LC_ALL=C sort)
for bin in $(find build/tests -type f -name '*_test' | LC_ALL=C sort); do
    suite "$(basename "$bin")" "$bin"
done
suite self-contained self_contained
suite no-global-diagnostics no_global_diagnostics

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

run_one() {
    local i=$1 start end rc
    start=$(date +%s%N)
    eval "${cmds[$i]}" >"$logs/$i.log" 2>&1
    rc=$?
    end=$(date +%s%N)
    echo "$rc $(((end - start) / 1000000))" >"$logs/$i.done"
}

wall_start=$(date +%s%N)
running=0
for i in "${!names[@]}"; do
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_one "$i" &
    running=$((running + 1))
done
wait
wall=$((($(date +%s%N) - wall_start) / 1000000))

passed=0
failed=0
failures=""
for i in "${!names[@]}"; do
    read -r rc ms <"$logs/$i.done" 2>/dev/null || { rc=127; ms=0; }
    printf '== %s (%d.%01d s)\n' "${names[$i]}" $((ms / 1000)) $((ms % 1000 / 100))
    cat "$logs/$i.log"
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures="$failures ${names[$i]}"
        echo "!! ${names[$i]} failed (exit $rc)"
    fi
done

echo
echo "suite times:"
for i in "${!names[@]}"; do
    read -r rc ms <"$logs/$i.done" 2>/dev/null || ms=0
    printf '  %-24s %4d.%01d s\n' "${names[$i]}" $((ms / 1000)) $((ms % 1000 / 100))
done
[ -z "$failures" ] || echo "failed suites:$failures"
printf 'make test: %d passed, %d failed (%d suites on %d jobs, %d.%01d s)\n' \
    "$passed" "$failed" "${#names[@]}" "$JOBS" $((wall / 1000)) $((wall % 1000 / 100))
[ "$failed" -eq 0 ]
