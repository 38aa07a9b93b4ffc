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
# BENCH_CHAPTERS (default 1000), BENCH_RUNS (default 5), BENCH_TURNS (default
# 9: the turns of policygen and Hugo, whose ratios are the targets),
# BENCH_PDF_CHAPTERS (default 42: a plan of about 200 pages),
# BENCH_ONLY (e.g. "incremental": only the bench_* functions named),
# BENCH_GROWTH (default empty; e.g. "1000 5000 10000": one edition at each
# size, to see the growth), HUGO (default hugo).
# Sizes are in MB of 10^6 bytes; times are wall-clock seconds.
set -eu

cd "$(dirname "$0")/.."

CC=${CC:-cc}
TOOL_CFLAGS="-std=c11 -O2 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L"
POLICYGEN=${POLICYGEN:-./policygen}
CHAPTERS=${BENCH_CHAPTERS:-1000}
RUNS=${BENCH_RUNS:-5}
# The ratios the targets are on move by a tenth from run to run on a shared
# 2-core machine: more turns than other runs.
TURNS=${BENCH_TURNS:-9}
TODAY=2026-11-28
TARGET_S=0.5            # full build of 1,000 chapters on a 2-core machine (HTML: --no-pdf)
TARGET_PEAK_MB=100      # its peak memory, one edition
PDF_CHAPTERS=${BENCH_PDF_CHAPTERS:-42}
PDF_SEED_TARGET_S=1     # the seed plan's PDF
PDF_BIG_TARGET_S=2      # a synthetic plan of about 200 pages

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
# bench_full_build LABEL TARGET [BUILD OPTIONS...]: a timed build of the corpus.
bench_full_build() {
    label=$1
    target=$2
    shift 2
    out=$BENCH/out
    log=$BENCH/build.log
    [ -x "$POLICYGEN" ] || die "$POLICYGEN not found: run 'make policygen' first"
    set -- "$POLICYGEN" build -C "$CORPUS" -o "$out" --today "$TODAY" --no-pdf --no-cache "$@"

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
    say "$(awk -v l="$label" -v b="$wall_best" -v m="$wall_median" -v t="$target" -v r="$RUNS" 'BEGIN {
        printf "%s best %.2f s, median %.2f s of %d runs", l, b, m, r
        if (t != "") printf " (target < %s s%s)", t, (b < t ? "" : ", MISSED") }')"
    say "$(awk -v p="$pages" -v b="$wall_best" \
        'BEGIN { printf "pages       %d pages, %.0f pages/s", p, (b > 0 ? p / b : 0) }')"
    say "$(awk -v k="$maxrss_kib" 'BEGIN { printf "peak memory %.0f MB", k * 1024 / 1e6 }')"
}

# The PDFs. policygen reports each PDF's own wall time with
# POLICYGEN_PDF_TIMES=1 ("pdf: plan plan 0.26 s"); the plan's is taken from
# the last edition built (internal, which shows the most), best of $RUNS.
pdf_plan_best() { # CONTENT OUT
    best=''
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        if ! POLICYGEN_PDF_TIMES=1 "$POLICYGEN" build -C "$1" -o "$2" --today "$TODAY" --no-cache >"$BENCH/pdf.log" 2>&1; then
            say "pdf         FAILED: '$POLICYGEN build -C $1' failed:" >&2
            show_log "$BENCH/pdf.log"
            exit 1
        fi
        t=$(awk '$1 == "pdf:" && $2 == "plan" { t = $4 } END { print t }' "$BENCH/pdf.log")
        [ -n "$t" ] || die "no PDF timing in $BENCH/pdf.log (a build without PDFs?)"
        best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
        i=$((i + 1))
    done
    printf '%s\n' "$best"
}

pdf_pages() { # PDF
    command -v pdfinfo >/dev/null 2>&1 && pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ { print $2 }' || echo '?'
}

bench_pdf() {
    seed=$(pdf_plan_best content "$BENCH/pdf-seed")
    seed_pdf=$(find "$BENCH/pdf-seed/internal/pdf" -name '*.pdf' | head -1)
    say "$(awk -v b="$seed" -v t="$PDF_SEED_TARGET_S" -v p="$(pdf_pages "$seed_pdf")" -v r="$RUNS" 'BEGIN {
        printf "pdf seed    the plan (%s pages) best %.2f s of %d runs (target < %s s%s)", p, b, r, t, (b < t ? "" : ", MISSED") }')"

    big=$BENCH/corpus-pdf
    stamp="$(cksum <tools/gen_corpus.c) chapters=$PDF_CHAPTERS"
    if [ ! -f "$big/.stamp" ] || [ "$(cat "$big/.stamp")" != "$stamp" ]; then
        rm -rf "$big"
        "$TOOLS/gen_corpus" "$big" "$PDF_CHAPTERS" >/dev/null || die "gen_corpus failed"
        printf '%s\n' "$stamp" >"$big/.stamp"
    fi
    t=$(pdf_plan_best "$big" "$BENCH/pdf-big")
    big_pdf=$(find "$BENCH/pdf-big/internal/pdf" -name '*.pdf' | head -1)
    say "$(awk -v b="$t" -v t="$PDF_BIG_TARGET_S" -v p="$(pdf_pages "$big_pdf")" -v c="$PDF_CHAPTERS" -v r="$RUNS" 'BEGIN {
        printf "pdf big     a plan of %d chapters (%s pages) best %.2f s of %d runs (target < %s s%s)", c, p, b, r, t, (b < t ? "" : ", MISSED") }')"

    # The seed's whole build: three editions, HTML and every PDF.
    results=$BENCH/pdf-build.results
    "$TOOLS/benchrun" -n "$RUNS" -o "$results" -- "$POLICYGEN" build -C content -o "$BENCH/pdf-seed" \
        --today "$TODAY" --no-cache >"$BENCH/pdf.log" 2>&1 || { show_log "$BENCH/pdf.log"; die "seed build failed"; }
    wall_best='' wall_median='' maxrss_kib=''
    . "./$results"
    pdfs=$(find "$BENCH/pdf-seed" -name '*.pdf' | wc -l)
    say "$(awk -v b="$wall_best" -v m="$wall_median" -v n="$pdfs" -v k="$maxrss_kib" 'BEGIN {
        printf "seed build  with %d PDFs in 3 editions: best %.2f s, median %.2f s, peak %.0f MB", n, b, m, k * 1024 / 1e6 }')"
}

# ---- beside Hugo ----
#
# The same corpus as a Hugo site (gen_corpus --hugo: the same Markdown, a page
# per chapter, the plan's table of contents and a home page; RSS, sitemap and
# taxonomies off), built in turns with policygen's one edition and three
# editions on this machine, so the ratio holds whatever else it is doing.
# Hugo is a bench-only tool, not a dependency: without it, no ratio.
# What policygen does that this Hugo site does not: plan/all.html (the whole
# plan on one page, 14 MB), the rules (in worker processes), the leak check,
# numbered headings and resolved cross-references, annex back-links, register
# pages and the revision history. What Hugo does that policygen does not: a
# word count and summary per page, and it writes every file anew (policygen
# links a file that did not change from the previous output).

HUGO=${HUGO:-hugo}
HUGO_SITE=$BENCH/hugo-site

load_average() {
    cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'
}

# corpus_at DIR CHAPTERS [--hugo]: a corpus in DIR, made again only when its
# stamp (the generator's checksum, the size, the kind) does not match.
corpus_at() {
    stamp="$(cksum <tools/gen_corpus.c) chapters=$2 ${3:-}"
    [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$stamp" ] && return 0
    rm -rf "$1"
    mkdir -p "$BENCH"
    # shellcheck disable=SC2086
    "$TOOLS/gen_corpus" ${3:-} "$1" "$2" >/dev/null || die "gen_corpus ${3:+$3 }failed"
    printf '%s\n' "$stamp" >"$1/.stamp"
}

# timed VAR CMD...: runs CMD once under benchrun; appends its wall time to
# $VAR and keeps the largest peak memory in ${VAR}_rss (KiB).
timed() {
    var=$1
    shift
    results=$BENCH/turn.results
    "$TOOLS/benchrun" -o "$results" -- "$@" >"$BENCH/turn.log" 2>&1 || {
        show_log "$BENCH/turn.log"
        die "'$*' failed"
    }
    wall_best='' cpu_median='' maxrss_kib=''
    . "./$results"
    eval "$var=\"\${$var:-} $wall_best\""
    eval "${var}_cpu=\"\${${var}_cpu:-} $cpu_median\""
    eval "rss=\${${var}_rss:-0}"
    [ "$maxrss_kib" -le "$rss" ] || eval "${var}_rss=$maxrss_kib"
}

# settled CMD...: CMD once what earlier runs wrote is on disk (sync, not
# timed): the kernel's writing back of one build's output (Hugo's 350 MB
# run, or a build of three editions) would otherwise slow whichever comes
# next.
settled() {
    sync
    "$@"
}

median() { # NUMBERS...
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# turn_ratio "A1 A2 ..." "B1 B2 ...": the median of Ai / Bi, each turn's
# times divided. A machine shared with others changes speed from one second
# to the next: a turn's builds run within a few seconds of each other, the
# turns over half a minute, so the ratio within a turn cancels the drift
# that the ratio of the two medians keeps.
turn_ratio() {
    # shellcheck disable=SC2046
    median $(awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
        for (i = 1; i <= n; i++) printf "%.6f\n", x[i] / y[i] }')
}

bench_turns() {
    corpus_at "$HUGO_SITE" "$CHAPTERS" --hugo
    set -- build -C "$CORPUS" --today "$TODAY" --no-pdf --no-cache
    have_hugo=true
    command -v "$HUGO" >/dev/null 2>&1 || have_hugo=false
    # Untimed first runs: every timed run then replaces its own previous
    # output, as a rebuild does (one edition and three each have theirs).
    "$POLICYGEN" "$@" -o "$BENCH/out-one" --edition internal >/dev/null 2>&1 ||
        die "policygen failed on the corpus"
    "$POLICYGEN" "$@" -o "$BENCH/out-three" >/dev/null 2>&1 || die "policygen failed on the corpus"
    if $have_hugo; then
        "$HUGO" --quiet --source "$HUGO_SITE" --destination "$PWD/$BENCH/hugo-out" >"$BENCH/hugo.log" 2>&1 || {
            show_log "$BENCH/hugo.log"
            die "hugo failed on $HUGO_SITE"
        }
    fi
    say "load        $(load_average) (1, 5 and 15 minute averages) before the turns"
    one='' three='' hugo=''
    i=0
    while [ "$i" -lt "$TURNS" ]; do
        # The order turns round every turn (one, Hugo, three; then three,
        # Hugo, one), so that neither build always follows Hugo's (whose
        # written output the kernel is still flushing when the next starts).
        if [ $((i % 2)) -eq 0 ]; then
            settled timed one "$POLICYGEN" "$@" -o "$BENCH/out-one" --edition internal
            $have_hugo && settled timed hugo "$HUGO" --quiet --source "$HUGO_SITE" --destination "$PWD/$BENCH/hugo-out"
            settled timed three "$POLICYGEN" "$@" -o "$BENCH/out-three"
        else
            settled timed three "$POLICYGEN" "$@" -o "$BENCH/out-three"
            $have_hugo && settled timed hugo "$HUGO" --quiet --source "$HUGO_SITE" --destination "$PWD/$BENCH/hugo-out"
            settled timed one "$POLICYGEN" "$@" -o "$BENCH/out-one" --edition internal
        fi
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    m1=$(median $one)
    # shellcheck disable=SC2086
    m3=$(median $three)
    say "$(awk -v a="$m1" -v b="$m3" -v r="$TURNS" -v k1="$one_rss" -v k3="$three_rss" 'BEGIN {
        printf "turns       policygen one edition median %.3f s, three editions %.3f s (%d turns; peak %.0f and %.0f MB)", a, b, r, k1 * 1024 / 1e6, k3 * 1024 / 1e6 }')"
    f3=$(turn_ratio "$three" "$one")
    say "$(awk -v f="$f3" -v a="$m1" -v b="$m3" 'BEGIN {
        printf "3 editions  %.2f times one edition (target at most 1.3%s; ratio of the medians %.2f)", f, (f <= 1.3 ? "" : ", MISSED"), b / a }')"
    # The peak above is the largest process's: the build's own or a rule
    # worker's (forked from it after the load). Which, from one more build.
    POLICYGEN_TIMES=1 "$POLICYGEN" "$@" -o "$BENCH/out-one" --edition internal 2>"$BENCH/times.log" >/dev/null ||
        die "policygen failed on the corpus"
    say "$(awk -v t="$TARGET_PEAK_MB" '$1 == "time:" { own = $0; sub(/.*peak /, "", own); sub(/ MB.*/, "", own)
        kids = $0; sub(/.*children.s /, "", kids); sub(/ MB.*/, "", kids) }
        END { printf "peak        one edition: the build %s MB, its rule workers %s MB (target at most %s%s)",
            own, kids, t, (own + 0 <= t && kids + 0 <= t ? "" : ", MISSED") }' "$BENCH/times.log")"
    if $have_hugo; then
        # shellcheck disable=SC2086
        mh=$(median $hugo)
        pages=$(find "$PWD/$BENCH/hugo-out" -name '*.html' | wc -l)
        say "$(awk -v h="$mh" -v p="$pages" -v k="$hugo_rss" -v v="$("$HUGO" version 2>/dev/null | cut -d' ' -f2)" 'BEGIN {
            printf "hugo        %s: median %.3f s for %d pages (peak %.0f MB)", v, h, p, k * 1024 / 1e6 }')"
        fh=$(turn_ratio "$hugo" "$one")
        say "$(awk -v f="$fh" -v a="$m1" -v h="$mh" 'BEGIN {
            printf "vs hugo     one edition %.2f times as fast as Hugo (target at least 3%s; ratio of the medians %.2f)", f, (f >= 3 ? "" : ", MISSED"), h / a }')"
    else
        say "vs hugo     '$HUGO' is not installed (a bench-only tool: apt-get install hugo): no ratio"
    fi
    say "load        $(load_average) after"
}

# BENCH_GROWTH="1000 5000 10000": one edition at each size, best of two.
bench_growth() {
    [ -n "${BENCH_GROWTH:-}" ] || return 0
    for n in $BENCH_GROWTH; do
        dir=$BENCH/corpus-$n
        corpus_at "$dir" "$n"
        set -- "$POLICYGEN" build -C "$dir" -o "$BENCH/out-$n" --today "$TODAY" --no-pdf --no-cache --edition internal
        "$@" >/dev/null 2>&1 || die "policygen failed on $dir"
        "$TOOLS/benchrun" -n 2 -o "$BENCH/growth.results" -- "$@" >/dev/null 2>&1 || die "policygen failed on $dir"
        wall_best='' maxrss_kib=''
        . "./$BENCH/growth.results"
        say "$(awk -v n="$n" -v b="$wall_best" -v k="$maxrss_kib" 'BEGIN {
            printf "growth      %6d chapters: %.2f s (%.3f s per 1,000), peak %.0f MB", n, b, b * 1000 / n, k * 1024 / 1e6 }')"
    done
}

# ---- search (the offline search index of an edition) ----

# The index each edition's build writes (search/index.js) for the corpus, and
# how long a browser takes to load it and to answer typical queries (Node
# runs the theme's own query code: tools/search-bench.js).
bench_search() {
    out=$BENCH/search-out
    "$POLICYGEN" build -C "$CORPUS" -o "$out" --today "$TODAY" --no-pdf >"$BENCH/search.log" 2>&1 ||
        { show_log "$BENCH/search.log"; die "search: build failed"; }
    for ed in public internal; do
        f=$out/$ed/search/index.js
        [ -f "$f" ] || die "search: no $f"
        say "$(awk -v b="$(wc -c <"$f")" -v e="$ed" -v g="$(gzip -c "$f" | wc -c)" 'BEGIN {
            printf "search      %s index %.1f MB (%.1f MB gzipped)", e, b / 1e6, g / 1e6 }')"
    done
    if ! command -v node >/dev/null 2>&1; then
        say "search      query time not measured: node is missing (tools/deps.sh installs it)"
        return 0
    fi
    node tools/search-bench.js "$out/internal" "$RUNS" >"$BENCH/search-times.txt" ||
        die "search: tools/search-bench.js failed"
    awk '$1 == "load" { printf "bench: search      load and parse the index %.0f ms (%d sections)\n", $2, $3 }
         $1 == "query" { q = $4; for (i = 5; i <= NF; i++) q = q " " $i
                         printf "bench: search      query %.1f ms, %d results: %s\n", $2, $3, q }' \
        "$BENCH/search-times.txt"
}

# ---- incremental builds (the build cache) ----
#
# For the example with its PDFs and for the corpus (three editions, no PDFs):
# a cold build (--no-cache), a rebuild with no change, and a rebuild after
# one chapter's edit (a paragraph appended, another each run), each the
# median of $RUNS runs, into an output folder and cache of their own. The
# edits are made to a copy of the content.

INC_SEED_NOCHANGE_S=0.1     # the example with PDFs, no change
INC_CORPUS_NOCHANGE_S=0.15  # the corpus, no change

bench_incremental_one() { # LABEL CONTENT NOCHANGE-TARGET [BUILD OPTIONS...]
    label=$1
    src=$2
    target=$3
    shift 3
    copy=$BENCH/inc-$label
    rm -rf "$copy" "$BENCH/inc-out-$label" "$BENCH/.inc-out-$label.policygen-cache" \
        "$BENCH/.inc-out-$label.policygen-spare"
    mkdir -p "$copy"
    cp -R "$src/." "$copy/"
    set -- "$POLICYGEN" build -C "$copy" -o "$BENCH/inc-out-$label" --today "$TODAY" "$@"
    chapter=$(find "$copy/plan" -name '*.md' | LC_ALL=C sort | head -1)
    cold='' same='' edit='' cold_cpu='' same_cpu='' edit_cpu=''
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        timed cold "$@" --no-cache
        i=$((i + 1))
    done
    "$@" >/dev/null 2>&1 || die "$label: a build with the cache failed"
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        timed same "$@"
        i=$((i + 1))
    done
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        printf '\n本段為基準測試之修改第 %d 則。\n' "$i" >>"$chapter"
        timed edit "$@"
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    mc=$(median $cold)
    # shellcheck disable=SC2086
    ms=$(median $same)
    # shellcheck disable=SC2086
    me=$(median $edit)
    # shellcheck disable=SC2086
    mcpu=$(median $edit_cpu)
    # shellcheck disable=SC2086
    mcoldcpu=$(median $cold_cpu)
    say "$(awk -v l="$label" -v c="$mc" -v s="$ms" -v e="$me" -v t="$target" -v r="$RUNS" 'BEGIN {
        printf "incremental %s: cold %.3f s; no change %.3f s (target <= %s s%s); one chapter edited %.3f s (target <= %.3f s, a third of cold%s); medians of %d runs",
            l, c, s, t, (s <= t ? "" : ", MISSED"), e, c / 3, (e <= c / 3 ? "" : ", MISSED"), r }')"
    # What the edit costs the processors (the build, its rule and PDF
    # workers): the wall time cannot go below it shared by the cores.
    say "$(awk -v l="$label" -v c="$mcoldcpu" -v p="$mcpu" -v n="$(nproc)" 'BEGIN {
        printf "incremental %s: processor time (medians): cold %.3f s; one chapter edited %.3f s, so at least %.3f s of wall time on %d cores", l, c, p, p / n, n }')"
}

bench_incremental() {
    bench_incremental_one example content "$INC_SEED_NOCHANGE_S"
    bench_incremental_one corpus "$CORPUS" "$INC_CORPUS_NOCHANGE_S" --no-pdf
}

# ---- main ----

main() {
    build_tools
    make_corpus
    if [ -n "${BENCH_ONLY:-}" ]; then
        for b in $BENCH_ONLY; do "bench_$b"; done
        return 0
    fi
    say "machine     $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cores"
    bench_corpus
    # One edition is the site a static generator like Hugo would build; the
    # full build renders the three editions, each leak-checked.
    bench_full_build "one edition" "$TARGET_S" --edition internal
    POLICYGEN_TIMES=1 "$POLICYGEN" build -C "$CORPUS" -o "$BENCH/out" --today "$TODAY" --no-pdf \
        --no-cache --edition internal 2>&1 | sed -n 's/^time: */bench:   stage /p' | while read -r line; do echo "$line"; done
    bench_full_build "3 editions " ""
    bench_turns
    bench_growth
    bench_search
    bench_pdf
    bench_incremental
}

main "$@"
