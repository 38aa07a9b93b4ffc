#!/bin/sh
# Runs each libFuzzer harness named for SECONDS on its corpus, one after the
# other: fuzz/run.sh SECONDS NAME...  (make fuzz; tests/run.sh runs it for a
# few seconds a harness). New inputs go to build/fuzz/corpus/NAME (the
# committed seeds in fuzz/corpus/NAME are only read); a crash, leak or
# timeout is saved as build/fuzz/findings/NAME-* and fails the run. Prints
# each harness's executions and coverage (libFuzzer's cov and ft), then one
# line counting the harnesses that passed and failed.
#   fuzz/run.sh --seeds SECONDS NAME...  the same from the committed seeds
# only, new inputs thrown away (make test: its time stays bounded however
# large build/fuzz/corpus grows).
set -u
cd "$(dirname "$0")/.."
scratch=""
if [ "$1" = --seeds ]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    shift
fi
seconds=$1
shift
mkdir -p build/fuzz/findings
pass=0
fail=0
for name in "$@"; do
    work=${scratch:-build/fuzz/corpus}/$name
    mkdir -p "$work"
    log=build/fuzz/$name.log
    # detect_leaks: a leak is a finding too. -timeout: one input may take 20 s.
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "build/fuzz/${name}_fuzz" \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="build/fuzz/findings/$name-" "$work" "fuzz/corpus/$name" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
    if [ "$rc" -eq 0 ]; then
        pass=$((pass + 1))
        echo "$name: ${execs:-0} runs in ${seconds} s, $cov"
    else
        fail=$((fail + 1))
        echo "$name: FAILED (exit $rc) after ${execs:-?} runs; see $log and build/fuzz/findings/"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' "$log" | head -5
    fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
