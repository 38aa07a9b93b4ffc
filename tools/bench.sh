#!/bin/sh
# make bench: times policygen on a synthetic corpus.
#
# Builds the helper tools (tools/gen_corpus.c, tools/benchrun.c) into
# build/tools/, writes a corpus of $BENCH_CHAPTERS chapters into
# build/bench/corpus (again only when it is missing or gen_corpus.c changed),
# and runs each benchmark below. Each benchmark is one function named bench_*
# that prints its own "bench: ..." lines; add new ones to main at the bottom.
#
# Environment: CC (default cc), POLICYGEN (default ./policygen),
# BENCH_CHAPTERS (default 1000), BENCH_RUNS (default 5).
# Sizes are in MB of 10^6 bytes; times are wall-clock seconds.
set -eu

cd "$(dirname "$0")/.."

CC=${CC:-cc}
TOOL_CFLAGS="-std=c11 -O2 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L"
POLICYGEN=${POLICYGEN:-./policygen}
CHAPTERS=${BENCH_CHAPTERS:-1000}
RUNS=${BENCH_RUNS:-5}
TODAY=2026-11-28
TARGET_S=0.5            # full build of 1,000 chapters on a 2-core machine

TOOLS=build/tools
BENCH=build/bench
CORPUS=$BENCH/corpus

say() { printf 'bench: %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# Prints the first lines of a log, and says where the rest is.
show_log() {
    lines=$(wc -l <"$1")
    sed -n '1,60p' "$1" >&2
    [ "$lines" -le 60 ] || printf 'bench: ... %d more lines in %s\n' $((lines - 60)) "$1" >&2
}

# ---- set-up ----

build_tool() { # NAME: tools/NAME.c -> build/tools/NAME, when out of date
    if [ ! -x "$TOOLS/$1" ] || [ -n "$(find "tools/$1.c" -newer "$TOOLS/$1")" ]; then
        mkdir -p "$TOOLS"
        # shellcheck disable=SC2086
        $CC $TOOL_CFLAGS -o "$TOOLS/$1" "tools/$1.c" || die "cannot build $TOOLS/$1"
    fi
}

build_tools() {
    build_tool gen_corpus
    build_tool benchrun
}

# The corpus is regenerated when its stamp (the generator's source checksum
# and the chapter count) does not match.
make_corpus() {
    stamp="$(cksum <tools/gen_corpus.c) chapters=$CHAPTERS"
    if [ -f "$CORPUS/.stamp" ] && [ "$(cat "$CORPUS/.stamp")" = "$stamp" ]; then
        return 0
    fi
    rm -rf "$CORPUS"
    mkdir -p "$BENCH"
    "$TOOLS/gen_corpus" "$CORPUS" "$CHAPTERS" >/dev/null || die "gen_corpus failed"
    printf '%s\n' "$stamp" >"$CORPUS/.stamp"
}

# ---- benchmarks ----

bench_corpus() {
    chapters=$(find "$CORPUS/plan" -name '*.md' | wc -l)
    bytes=$(find "$CORPUS" -name '*.md' -exec cat {} + | wc -c)
    say "$(awk -v c="$chapters" -v b="$bytes" \
        'BEGIN { printf "corpus      %d chapters, %.1f MB of Markdown", c, b / 1e6 }')"
}

# A full build of the corpus, $RUNS times; one untimed run first checks that
# it builds at all (and leaves an output folder, so every timed run replaces
# one, as a rebuild does).
bench_full_build() {
    out=$BENCH/out
    log=$BENCH/build.log
    [ -x "$POLICYGEN" ] || die "$POLICYGEN not found: run 'make policygen' first"
    set -- "$POLICYGEN" build -C "$CORPUS" -o "$out" --today "$TODAY"

    status=0
    "$@" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        say "full build  FAILED: '$*' exited with status $status:" >&2
        show_log "$log"
        exit 1
    fi

    results=$BENCH/full-build.results
    status=0
    "$TOOLS/benchrun" -n "$RUNS" -o "$results" -- "$@" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        say "full build  FAILED in a timed run: '$*' exited with status $status:" >&2
        show_log "$log"
        exit 1
    fi
    # The timed runs' own output, minus benchrun's summary line.
    if grep -qv '^benchrun: ' "$log"; then
        say "note: policygen printed diagnostics on the corpus; see $log"
    fi

    wall_best='' wall_median='' maxrss_kib=''
    # shellcheck source=/dev/null
    . "./$results"
    pages=$(find "$out" -name '*.html' | wc -l)
    say "$(awk -v b="$wall_best" -v m="$wall_median" -v t="$TARGET_S" -v r="$RUNS" 'BEGIN {
        printf "full build  best %.2f s, median %.2f s of %d runs (target < %s s%s)",
               b, m, r, t, (b < t ? "" : ", MISSED") }')"
    say "$(awk -v p="$pages" -v b="$wall_best" \
        'BEGIN { printf "pages       %d pages, %.0f pages/s", p, (b > 0 ? p / b : 0) }')"
    say "$(awk -v k="$maxrss_kib" 'BEGIN { printf "peak memory %.0f MB", k * 1024 / 1e6 }')"
}

# ---- main ----

main() {
    build_tools
    make_corpus
    say "machine     $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cores"
    bench_corpus
    bench_full_build
    # Later benchmarks (the PDF ones) go here, one function each.
}

main "$@"
