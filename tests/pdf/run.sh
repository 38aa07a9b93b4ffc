#!/bin/sh
# PDF tests: builds content/ with policygen into a temporary folder and checks
# the PDFs with poppler-utils and qpdf (issue 6, "done when"):
#   - every PDF there is that the edition should have, and `qpdf --check` passes;
#   - every font embedded and subset (pdffonts);
#   - the text in reading order (pdftotext): cover, chapters in order,
#     paragraphs unbroken, header and footer;
#   - the table of contents: each heading is on the page it claims;
#   - no text outside the page margins (pdftotext -bbox), headers and
#     footers in their bands;
#   - no page ends with a heading (bookmarks from qpdf --json, words below);
#   - bookmarks for every heading, links, metadata from the revision date;
#   - a rebuild with -j 1 gives the same bytes as the default, PDFs and every
#     other file;
#   - a PDF shared between editions is the one each edition alone typesets;
#   - the style sheet is read: a theme's pdf.yaml changes the page size, and
#     an unknown key is a warning with its place.
# Prints `pdf: N passed, M failed`.
#
# Environment: POLICYGEN (default build/san/policygen), KEEP=1 keeps the
# temporary folder, CORPUS_CHAPTERS (default 42, about 200 pages; 0 skips) for
# the synthetic plan. Under the sanitizers, LeakSanitizer reads
# tests/pdf/lsan.supp (fontconfig's configuration, a Cairo 1.16 leak in
# cairo_surface_finish); the suppressions name functions, which needs the
# slow unwinder (fast_unwind_on_malloc=0) inside those libraries: the -j 1
# build, which typesets in its own process, gets it.
set -u
cd "$(dirname "$0")/../.."

POLICYGEN=${POLICYGEN:-build/san/policygen}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/pdf/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
TMP=$(mktemp -d)
OUT=$TMP/out
TODAY=2026-11-28
passed=0
failed=0

cleanup() { [ "${KEEP:-}" = 1 ] && echo "kept $TMP" || rm -rf "$TMP"; }
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed -n '1,20s/^/     /p'; }

# Text of a PDF (or pages of it) with every space and line break removed, so
# checks do not depend on where lines wrap.
flat() { sed 's/[[:space:]]//g; s/　//g' | tr -d '\n\f'; }

# Dimensions of the default style (themes/default/pdf.yaml), in points.
ML=70.866 MR=56.693 MT=70.866 MB=62.362 HEAD=39.685 FOOT=31.181

# ---- build ----

if ! "$POLICYGEN" build -C content -o "$OUT" --today "$TODAY" >"$TMP/build.log" 2>&1; then
    fail "build: '$POLICYGEN build -C content' failed" "$(cat "$TMP/build.log")"
    echo "pdf: $passed passed, $failed failed"
    exit 1
fi
ok "build"
# (The rules' flags are the content's business; the PDF's own diagnostics, sanitizer reports are not.)
if grep -E '\[pdf\]|\[pdf-style\]|\[write\]|Sanitizer|runtime error' "$TMP/build.log" >/dev/null; then
    fail "build printed PDF errors, style warnings or sanitizer reports" "$(grep -E '\[pdf|\[write|Sanitizer|runtime error' "$TMP/build.log")"
else
    ok "build printed no PDF errors, style warnings, leaks or sanitizer reports"
fi

# Every edition has its PDFs (output/<edition>/); internal shows everything.
ED=$OUT/internal
PLAN=$ED/pdf/isms-plan-V1.0-internal.pdf

# ---- the files ----

missing=""
[ -f "$PLAN" ] || missing="$missing pdf/isms-plan-V1.0-internal.pdf"
for f in content/annexes/*.md; do
    id=$(sed -n 's/^id: *\([^ #]*\).*/\1/p' "$f" | head -1)
    [ -f "$ED/annexes/$id.pdf" ] || missing="$missing annexes/$id.pdf"
done
for f in content/registers/*.yaml; do
    grep -q '^annex:' "$f" || continue
    name=$(basename "$f" .yaml)
    [ -f "$ED/registers/$name.pdf" ] || missing="$missing registers/$name.pdf"
done
if [ -z "$missing" ]; then ok "every PDF is there (plan, annex forms, register printouts)"
else fail "missing PDFs" "$missing"; fi
[ -f "$PLAN" ] || { echo "pdf: $passed passed, $failed failed"; exit 1; }

PDFS=$(find "$OUT" -name '*.pdf' | LC_ALL=C sort)
count=$(printf '%s\n' "$PDFS" | wc -l)

# ---- qpdf --check, fonts ----

bad=""
for f in $PDFS; do
    if ! qpdf --check "$f" >"$TMP/qpdf.log" 2>&1 || grep -qi 'warning\|damaged' "$TMP/qpdf.log"; then
        bad="$bad ${f#"$OUT"/}"
    fi
done
if [ -z "$bad" ]; then ok "qpdf --check passes on all $count PDFs"; else fail "qpdf --check" "$bad"; fi

bad=""
for f in $PDFS; do
    r=$(pdffonts "$f" 2>&1 | awk 'NR > 2 { n++; if ($(NF-4) != "yes" || $(NF-3) != "yes") bad = bad " " $1 }
        END { if (!n) print "no fonts"; else if (bad != "") print bad }')
    [ -n "$r" ] && bad="$bad ${f#"$OUT"/}:$r"
done
if [ -z "$bad" ]; then ok "every font embedded and subset in all $count PDFs"; else fail "fonts not embedded or not subset" "$bad"; fi

if pdffonts "$PLAN" | grep -q 'NotoSerifCJKtc-Regular' && pdffonts "$PLAN" | grep -q 'NotoSansCJKtc-Bold'; then
    ok "body in Noto Serif CJK TC, headings in Noto Sans CJK TC"
else
    fail "fonts of the plan" "$(pdffonts "$PLAN")"
fi

# Poppler complains about malformed links or destinations on stderr.
bad=""
for f in $PDFS; do
    pdftotext "$f" /dev/null 2>"$TMP/err"
    [ -s "$TMP/err" ] && bad="$bad ${f#"$OUT"/}: $(head -1 "$TMP/err")"
done
if [ -z "$bad" ]; then ok "poppler reads every PDF without complaint"; else fail "poppler warnings" "$bad"; fi

# ---- text in reading order ----

pdftotext "$PLAN" - | flat >"$TMP/plan.txt"
pages=$(pdfinfo "$PLAN" | awk '/^Pages:/ { print $2 }')

# The chapter titles, in file order, each after the one before.
titles=""
for f in content/plan/*.md; do
    t=$(sed -n '2,/^---/s/^title: *//p' "$f" | head -1)
    titles="$titles$t
"
done
order=$(printf '%s' "$titles" | awk -v text="$(cat "$TMP/plan.txt")" '
    { gsub(/[ \t]/, ""); if ($0 == "") next
      rest = substr(text, pos + 1); i = index(rest, $0)
      if (!i) { print "missing: " $0; exit } pos += i }')
if [ -z "$order" ]; then ok "pdftotext: the 17 chapters in order"; else fail "pdftotext: chapter order" "$order"; fi

# The cover, then the revision table, then the contents, in visual order.
order=$(awk -v text="$(pdftotext -layout -l 4 "$PLAN" - | flat)" 'BEGIN {
    n = split("基隆市隆聖國民小學|資通安全維護計畫|版次：V1.0|內部版|修訂人核章|單位主管核章|資安長核章|中華民國107年12月26日|文件制/修訂紀錄表|文件版本|修訂日期|V1.0|107/12/26|新擬訂文件|目錄|壹、依據及目的", w, "|")
    for (k = 1; k <= n; k++) { i = index(substr(text, pos + 1), w[k]); if (!i) { print "missing or out of order: " w[k]; exit } pos += i } }')
if [ -z "$order" ]; then ok "pdftotext: cover (signature boxes, ROC date), revision table, contents in order"
else fail "pdftotext: front matter" "$order"; fi

# Paragraphs come out whole, whatever their line breaks; footnote marks follow their words.
miss=""
for s in "本機關依據前章資通安全風險評估結果、自身資通安全責任等級之應辦事項，採行相關之防護及控制措施，全機關之防護及控制措施詳如本機關資通安全維護計畫。" \
         "外部網路、非軍事區及內部區域網路間連線需經防火牆進行存取控制，非允許的服務與來源不能進入其他區域。" \
         "本計畫依據資通安全管理法第10條及施行細則第6條訂定。" \
         "(1)一般伺服器應關閉DNS服務" "第2頁，共${pages}頁" "第${pages}頁，共${pages}頁"; do
    grep -qF -- "$s" "$TMP/plan.txt" || miss="$miss
$s"
done
if [ -z "$miss" ]; then ok "pdftotext: paragraphs whole, list markers, 第 N 頁，共 M 頁"; else fail "pdftotext: text missing" "$miss"; fi

# Footnotes: numbered across the plan; each at the foot of the page that marks it.
fn_bad=""
n_fn=0
for p in $(seq 1 "$pages"); do
    pdftotext -f "$p" -l "$p" -bbox "$PLAN" - >"$TMP/page.xml"
    # A footnote: its number is a 9pt word at the left margin; its mark a
    # smaller raised number in the text above.
    r=$(awk -v ML=$ML -v MB=$MB '
        /<page / { split($0, a, "\""); H = a[4] + 0 }
        /<word / { split($0, a, "\""); x0 = a[2] + 0; y0 = a[4] + 0; y1 = a[8] + 0; h = y1 - y0
                   w = $0; sub(/.*">/, "", w); sub(/<.*/, "", w)
                   if (w !~ /^[0-9]+$/ || y1 > H - MB + 1.5) next
                   if (h > 12.5 && h < 13.5 && x0 > ML - 1 && x0 < ML + 1) def[w] = 1
                   else if (h > 10 && h < 11.5) mark[w] = 1 }
        END { for (k in def) print k (k in mark ? "" : "-unmarked") }' "$TMP/page.xml")
    for k in $r; do
        n_fn=$((n_fn + 1))
        case $k in *-unmarked) fn_bad="$fn_bad page $p: footnote ${k%-unmarked} is not marked on its page" ;; esac
    done
done
expected_fn=$(cat content/plan/*.md | grep -c '^\[\^[^]]*\]:')
if [ "$n_fn" -eq "$expected_fn" ] && [ -z "$fn_bad" ]; then
    ok "footnotes: all $expected_fn at the foot of pages that mark them"
else
    fail "footnotes: $n_fn found at page feet, $expected_fn defined" "$fn_bad"
fi
if grep -qF "21資通安全維護計畫實施情形之內容" "$TMP/plan.txt"; then ok "footnotes numbered across the plan (21 in 壹拾陸)"
else fail "footnote 21 of 壹拾陸 not numbered 21"; fi

# ---- the table of contents ----

# toc_page PDF PAGE: "N<tab>title" for each entry of a contents page ("label
# title ...... N"; a long title wraps onto the line of its number); the
# header, the footer and the contents' own title are skipped.
toc_page() {
    pdftotext -layout -f "$2" -l "$2" "$1" - | awk '
        /^ *$/ { next }
        !seen { seen = 1; next }
        /第 [0-9]+ 頁，共 [0-9]+ 頁/ { next }
        { t = $0; gsub(/ /, "", t); gsub(/　/, "", t); if (t == "目錄") next }
        { line = pending $0; pending = "" }
        line ~ /[^0-9 ] +[0-9]+ *$/ { n = line; sub(/.*[^0-9]/, "", n); t = line; sub(/ *[0-9]+ *$/, "", t)
                                      gsub(/[ \t]/, "", t); gsub(/　/, "", t); print n "\t" t; next }
        { pending = line }'
}

# toc_check PDF: prints "ENTRIES FIRST LAST" (the contents pages), then one
# line for each heading that is not on the page the contents claim.
toc_check() {
    np=$(pdfinfo "$1" | awk '/^Pages:/ { print $2 }')
    first=$(for p in $(seq 1 "$np"); do
        if pdftotext -layout -f "$p" -l "$p" "$1" - | flat | grep -q '目錄'; then echo "$p"; break; fi; done)
    if [ -z "$first" ]; then echo "0 0 0"; echo "no contents page"; return; fi
    # The contents end where their first entry points.
    body=$(toc_page "$1" "$first" | head -1 | cut -f1)
    : >"$TMP/toc.tsv"
    for p in $(seq "$first" $((${body:-1} - 1))); do
        toc_page "$1" "$p" >>"$TMP/toc.tsv"
    done
    echo "$(wc -l <"$TMP/toc.tsv") $first $((${body:-1} - 1))"
    while IFS='	' read -r n t; do
        pdftotext -f "$n" -l "$n" "$1" - | flat >"$TMP/p.txt"
        grep -qF -- "$t" "$TMP/p.txt" || echo "page $n: $t"
    done <"$TMP/toc.tsv"
}

toc_check "$PLAN" >"$TMP/toc.out"
read -r entries toc_first toc_last <"$TMP/toc.out"
wrong=$(sed 1d "$TMP/toc.out")
expected=$(( $(ls content/plan/*.md | wc -l) + $(cat content/plan/*.md | grep -c '^## ') ))
if [ "$entries" -eq "$expected" ] && [ -z "$wrong" ]; then
    ok "contents: all $entries headings (levels 1-2) are on the pages it claims (contents on pages $toc_first-$toc_last)"
else
    fail "contents: $entries entries (expected $expected)" "$wrong"
fi

# ---- margins ----

# margins PDF: words outside the text block, unless in the header or footer band.
margins() {
    pdftotext -bbox "$1" - | awk -v ML=$ML -v MR=$MR -v MT=$MT -v MB=$MB -v HEAD=$HEAD -v FOOT=$FOOT '
        /<page / { split($0, a, "\""); W = a[2] + 0; H = a[4] + 0; page++ }
        /<word / { split($0, a, "\""); x0 = a[2] + 0; y0 = a[4] + 0; x1 = a[6] + 0; y1 = a[8] + 0
            w = $0; sub(/.*">/, "", w); sub(/<.*/, "", w)
            where = ""
            if (x0 < ML - 1 || x1 > W - MR + 1) where = "left or right margin"
            else if (y1 <= MT + 1) { if (y0 < HEAD - 14 || y1 > HEAD + 4) where = "top margin, outside the header" }
            else if (y0 >= H - MB - 1) { if (y0 < H - FOOT - 14 || y1 > H - FOOT + 4) where = "bottom margin, outside the footer" }
            else if (y0 < MT - 1 || y1 > H - MB + 1.5) where = "across the top or bottom margin"
            if (where != "" && n++ < 3) printf "page %d: \"%s\" at %.1f,%.1f-%.1f,%.1f in the %s\n", page, w, x0, y0, x1, y1, where }'
}

bad=""
for f in $PDFS; do
    r=$(margins "$f")
    [ -n "$r" ] && bad="$bad
${f#"$OUT"/}: $r"
done
if [ -z "$bad" ]; then ok "no text outside the margins in all $count PDFs (header and footer in their bands)"
else fail "text outside the margins" "$bad"; fi

# ---- bookmarks; no page ends with a heading ----

# outline PDF: "page<tab>y<tab>title" for every bookmark (qpdf --json: dest
# [page /XYZ x y], page, title; kids come before their parent's title,
# hence the stack).
outline() {
    qpdf --json --json-key=outlines "$1" | awk '
        /"\/XYZ"/ { getline; getline; sp++; ys[sp] = $1 + 0 }
        /"destpageposfrom1"/ { v = $2; gsub(/[^0-9]/, "", v); pg[sp] = v }
        /"title"/ { t = $0; sub(/^ *"title": "/, "", t); sub(/",? *$/, "", t); print pg[sp] "\t" ys[sp] "\t" t; sp-- }'
}

# heading_ends PDF: pages whose last heading has nothing but its own lines
# below it (footnotes, in a smaller size, do not count).
heading_ends() {
    outline "$1" >"$TMP/outline.tsv"
    np=$(pdfinfo "$1" | awk '/^Pages:/ { print $2 }')
    for p in $(seq 1 "$np"); do
        top=$(awk -F'\t' -v p="$p" '$1 == p { y = $2 + 0; if (min == "" || y < min) { min = y; t = $3 } } END { if (min != "") print min "\t" t }' "$TMP/outline.tsv")
        [ -z "$top" ] && continue
        y=$(printf '%s' "$top" | cut -f1)
        title=$(printf '%s' "$top" | cut -f2)
        pdftotext -f "$p" -l "$p" -bbox "$1" - | awk -v Y="$y" -v MB=$MB -v p="$p" -v title="$title" '
            BEGIN { want = title; gsub(/ /, "", want); gsub(/　/, "", want) }
            /<page / { split($0, a, "\""); H = a[4] + 0; top = H - Y }
            /<word / { split($0, a, "\""); y0 = a[4] + 0; y1 = a[8] + 0
                w = $0; sub(/.*">/, "", w); sub(/<.*/, "", w)
                # below the heading, not the footer, not footnotes (smaller)
                if (y0 < top - 1 || y1 > H - MB + 1.5 || y1 - y0 < 14.5) next
                n++; wy[n] = y0; wt[n] = w }
            END {
                # The heading is the words from the first until they spell its title.
                text = ""; end = -1
                for (i = 1; i <= n && end < 0; i++) { text = text wt[i]; if (index(text, want)) end = wy[i] }
                body = 0
                for (i = 1; i <= n; i++) if (end >= 0 && wy[i] > end + 1) body = 1
                # (a bookmark without a visible heading, as the cover, is not one)
                if (end >= 0 && !body) printf "page %d ends with \"%s\"\n", p, title }'
    done
}

outline "$PLAN" >"$TMP/outline.tsv"
n_outline=$(wc -l <"$TMP/outline.tsv")
expected_outline=$(( $(ls content/plan/*.md | wc -l) + $(cat content/plan/*.md | grep -c '^##') + 3 ))
if [ "$n_outline" -eq "$expected_outline" ]; then ok "bookmarks: one for every heading, the cover, the revision table and the contents ($n_outline)"
else fail "bookmarks: $n_outline, expected $expected_outline"; fi

ends=$(heading_ends "$PLAN")
if [ -z "$ends" ]; then ok "no page ends with a heading"; else fail "pages end with a heading" "$ends"; fi

# ---- links, metadata ----

qpdf --qdf --object-streams=disable "$PLAN" "$TMP/q.pdf" 2>/dev/null
links=$(grep -ac '/Subtype /Link' "$TMP/q.pdf")
internal=$(grep -ac '^  /Dest (' "$TMP/q.pdf")
if [ "$links" -gt 100 ] && [ "$internal" -gt 80 ]; then
    ok "links: $links, $internal of them internal (contents, cross-references, footnotes)"
else
    fail "links: $links links, $internal internal"
fi
# Every internal link has its destination.
dests=$(awk '/\/Dests/,0' "$TMP/q.pdf" | grep -ao '^ *([^)]*)' | tr -d ' ' | sort -u)
undef=$(grep -a '^  /Dest (' "$TMP/q.pdf" | sed 's/^  \/Dest //' | sort -u | while read -r d; do
    printf '%s\n' "$dests" | grep -qxF -- "$d" || printf ' %s' "$d"; done)
if [ -z "$undef" ]; then ok "every internal link has its destination"; else fail "links to missing destinations" "$undef"; fi

info=$(pdfinfo "$PLAN")
if printf '%s\n' "$info" | grep -q '^Title: *資通安全維護計畫（內部版）$' &&
   printf '%s\n' "$info" | grep -q '^Author: *基隆市隆聖國民小學$' &&
   printf '%s\n' "$info" | grep -q '^Subject: .*V1.0' && printf '%s\n' "$info" | grep -q '^Keywords: ' &&
   printf '%s\n' "$info" | grep -q '^CreationDate: *Tue Dec 25 16:00:00 2018 UTC' &&
   printf '%s\n' "$info" | grep -q '^ModDate: *Tue Dec 25 16:00:00 2018 UTC'; then
    ok "metadata: title, author, subject, keywords; dates from the revision (107/12/26)"
else
    fail "metadata" "$info"
fi
if printf '%s\n' "$info" | grep -q '^Tagged: *yes'; then ok "tagged with a Document structure root"; else fail "not tagged"; fi

# ---- tables, forms, registers ----

pdftotext -layout "$ED/annexes/asset-register.pdf" - >"$TMP/asset.txt"
if pdfinfo "$ED/annexes/asset-register.pdf" | grep -q 'Page size: *841.89 x 595.276' &&
   grep -q '資產編號.*資產類別.*資產名稱' "$TMP/asset.txt"; then
    ok "a wide form (附件 4, ten columns) is landscape with its columns in one row"
else
    fail "附件 4 資產清冊 layout" "$(pdfinfo "$ED/annexes/asset-register.pdf" | grep 'Page size')"
fi
if pdfinfo "$ED/annexes/confidentiality-agreement.pdf" | grep -q 'Page size: *595.276 x 841.89'; then
    ok "a narrow form is upright"
else
    fail "附件 2 should be upright"
fi
pdftotext "$ED/registers/training.pdf" - | flat >"$TMP/training.txt"
tp=$(pdfinfo "$ED/registers/training.pdf" | awk '/^Pages:/ { print $2 }')
# The header row is repeated on every page of a long table.
rep=0
for p in $(seq 1 "$tp"); do
    pdftotext -f "$p" -l "$p" "$ED/registers/training.pdf" - | flat | grep -q '課程名稱' && rep=$((rep + 1))
done
if [ "$tp" -gt 1 ] && [ "$rep" -eq "$tp" ]; then ok "register printout of $tp pages repeats its header row on each"
else fail "table header rows: on $rep of $tp pages of registers/training.pdf"; fi
if grep -qF '列印日期：中華民國115年11月28日' "$TMP/training.txt" && grep -qE '11[45]/[0-9][0-9]/[0-9][0-9]' "$TMP/training.txt"; then
    ok "register printout: print date from --today, dates in ROC short form (115/03/02)"
else
    fail "register printout dates"
fi
if grep -l 'type: checks' content/registers/*.yaml | while read -r f; do
       n=$(basename "$f" .yaml); [ -f "$ED/registers/$n.pdf" ] && pdftotext "$ED/registers/$n.pdf" - | grep -q '☑\|☐' && echo y; done | grep -q y; then
    ok "checks print as ☑/☐ lines"
else
    fail "no ☑/☐ in the printouts of registers with checks"
fi
# The core-business table (a register directive with merged columns) in the plan.
if grep -qF "IP：210.240.1.56" "$TMP/plan.txt" && grep -qF "4工作小時" "$TMP/plan.txt"; then
    ok "register directive tables in the plan (merged columns)"
else
    fail "core-business register table missing from the plan"
fi
if grep -qF "1.資通安全推動小組成員及分工表" "$TMP/plan.txt" && grep -qF "18.改善績效追蹤報告" "$TMP/plan.txt"; then
    ok "the annexes directive lists the 18 forms"
else
    fail "the annexes directive list"
fi

# ---- editions ----

pub=$OUT/public
pdftotext "$pub/pdf/isms-plan-V1.0-public.pdf" - | flat >"$TMP/public.txt"
leaks=""
grep -qF '210.240.1.56' "$TMP/public.txt" && leaks="$leaks internal IP in the public plan;"
grep -qF 'IP：（不公開）' "$TMP/public.txt" || leaks="$leaks no （不公開） for the hidden IP field;"
for f in content/registers/*.yaml; do
    grep -q '^annex:' "$f" || continue
    n=$(basename "$f" .yaml)
    if grep -q '^audience: *\(staff\|internal\)' "$f"; then
        [ -f "$pub/registers/$n.pdf" ] && leaks="$leaks registers/$n.pdf in the public edition;"
    fi
done
if [ -z "$leaks" ]; then ok "public edition: hidden fields read （不公開）, no printout of a staff register"
else fail "public edition" "$leaks"; fi

# Each edition says which it is: its own file name, the cover and every
# page's running header; so does each register printout.
marks=""
for e in public:公開版 staff:同仁版 internal:內部版; do
    ed=${e%%:*}
    label=${e#*:}
    f=$OUT/$ed/pdf/isms-plan-V1.0-$ed.pdf
    if [ ! -f "$f" ]; then marks="$marks no $ed/pdf/isms-plan-V1.0-$ed.pdf;"; continue; fi
    n=$(pdfinfo "$f" | awk '/^Pages:/ { print $2 }')
    k=$(pdftotext "$f" - | flat | grep -o "資通安全維護計畫（$label）" | wc -l)
    pdftotext -l 1 "$f" - | flat | grep -qF "$label" || marks="$marks $ed: no $label on the cover;"
    [ "$k" -ge $((n - 1)) ] || marks="$marks $ed: $label in the header of $k of $n pages;"
    pdfinfo "$f" | grep -q "^Title: *資通安全維護計畫（$label）" || marks="$marks $ed: title;"
done
pdftotext "$ED/registers/assets.pdf" - | flat | grep -qF '內部版' || marks="$marks no 內部版 on registers/assets.pdf;"
if [ -z "$marks" ]; then ok "editions marked: file names, covers, running headers, printouts"
else fail "edition marks" "$marks"; fi

# A form to sign carries none of its guidance: that comes on a page of its
# own after it. Signature boxes leave room to sign and seal.
form=$ED/annexes/confidentiality-agreement.pdf
fp=$(pdfinfo "$form" | awk '/^Pages:/ { print $2 }')
first=$(pdftotext -l $((fp - 1)) "$form" - | flat)
last=$(pdftotext -f "$fp" -l "$fp" "$form" - | flat)
if ! printf '%s' "$first" | grep -qF '一式二份' && printf '%s' "$last" | grep -qF '填寫說明' &&
   printf '%s' "$last" | grep -qF '一式二份' && printf '%s' "$first" | grep -qF '立同意書人' &&
   printf '%s' "$first" | grep -qF '（簽名及蓋章）'; then
    ok "annex form: the sheet to sign without its guidance, which follows on a page of its own"
else
    fail "annex form and guidance" "$first"
fi
# IDs stay whole in register printouts (AF-2025-01, not AF-2025-0 / 1).
if pdftotext -layout "$ED/registers/audit-findings.pdf" - | grep -q 'AF-2025-01'; then
    ok "register printouts keep IDs whole"
else
    fail "an ID broken in registers/audit-findings.pdf" "$(pdftotext -layout "$ED/registers/audit-findings.pdf" - | grep 'AF-' | head -3)"
fi

# ---- determinism ----

# With -j 1 the PDFs are typeset in this process, so LeakSanitizer sees
# Pango's and Cairo's allocations at exit: the only build where it can (the
# worker processes of other builds end with _exit). Its suppressions name
# functions inside libraries built without frame pointers, which only the
# slow unwinder reaches.
env ASAN_OPTIONS="${ASAN_OPTIONS:-}:fast_unwind_on_malloc=0" \
    "$POLICYGEN" build -C content -o "$TMP/again" --today "$TODAY" -j 1 >"$TMP/again.log" 2>&1
rc=$?
diff=$(cd "$OUT" && for f in $(find . -name '*.pdf'); do cmp -s "$f" "$TMP/again/$f" || printf ' %s' "$f"; done)
[ -d "$TMP/again" ] || diff="the rebuild failed"
[ "$rc" -eq 0 ] || diff="$diff; the build exited $rc: $(grep -A12 'ERROR:' "$TMP/again.log" | head -30)"
if [ -z "$diff" ]; then ok "rebuild with -j 1 gives byte-identical PDFs"; else fail "PDFs differ on rebuild" "$diff"; fi
# And every other file of content/'s output (the CLI suite's determinism
# check of content/, made here where both builds are anyway).
r=$(diff -rq "$OUT" "$TMP/again" 2>&1 | head -5)
if [ -z "$r" ]; then ok "two builds of content/ (-j 1 and the default) give byte-identical output"; else fail "two builds of content/ differ" "$r"; fi

# Typeset again (--no-cache), a PDF that comes out byte for byte as before
# is the previous output's file, its inode and time stamp kept, as an
# unchanged page's are: copying the output to a web server sends only what
# changed. (The plan's bytes change with the date in it, not here.)
inodes() { (cd "$1" && find . -name '*.pdf' -printf '%i %T@ %p\n' | LC_ALL=C sort -k3); }
before=$(inodes "$TMP/again")
"$POLICYGEN" build -C content -o "$TMP/again" --today "$TODAY" --no-cache >"$TMP/again2.log" 2>&1
rc=$?
after=$(inodes "$TMP/again")
if [ "$rc" -eq 0 ] && [ -n "$before" ] && [ "$before" = "$after" ]; then
    ok "PDFs typeset again to the same bytes keep their files ($(printf '%s\n' "$after" | wc -l))"
else
    printf '%s\n' "$before" >"$TMP/inodes-before"
    printf '%s\n' "$after" >"$TMP/inodes-after"
    fail "PDFs typeset again to the same bytes were written anew (exit $rc)" "$(diff "$TMP/inodes-before" "$TMP/inodes-after" | head -6)"
fi

# A PDF typeset for one edition is linked into the others whose audience
# would see the same (the annexes' forms in all three, the plan in public
# and staff, some printouts in staff and internal): an edition built alone
# typesets every PDF itself, and must get those very bytes.
diff=""
shared=0
"$POLICYGEN" build -C content -o "$TMP/alone-staff" --edition staff --today "$TODAY" \
    >"$TMP/alone-staff.log" 2>&1 & # side by side
staff=$!
"$POLICYGEN" build -C content -o "$TMP/alone-internal" --edition internal --today "$TODAY" \
    >"$TMP/alone-internal.log" 2>&1
internal=$?
wait "$staff"
staff=$?
for ed in staff internal; do
    eval "rc=\$$ed"
    if [ "$rc" -ne 0 ]; then
        diff="$diff; the $ed build exited $rc: $(head -5 "$TMP/alone-$ed.log")"
        continue
    fi
    for f in $(cd "$TMP/alone-$ed/$ed" && find . -name '*.pdf'); do
        cmp -s "$OUT/$ed/$f" "$TMP/alone-$ed/$ed/$f" || diff="$diff $ed/$f"
        [ "$(stat -c %h "$OUT/$ed/$f")" -gt 1 ] && shared=$((shared + 1))
    done
done
[ "$shared" -gt 0 ] || diff="$diff; no PDF was shared between editions"
if [ -z "$diff" ]; then
    ok "PDFs shared between editions ($shared in staff and internal) are those each edition alone typesets"
else
    fail "a PDF shared between editions differs from its edition's own" "$diff"
fi
# Each edition's PDFs have the mode of its pages (the commit sets every
# edition's: a PDF linked between public and staff would get staff's 0640).
modes=""
for ed in public staff internal; do
    want=$(stat -c %a "$OUT/$ed/index.html")
    for f in $(cd "$OUT/$ed" && find . -name '*.pdf'); do
        [ "$(stat -c %a "$OUT/$ed/$f")" = "$want" ] || modes="$modes $ed/$f"
    done
done
[ "$(stat -c %a "$OUT/public/index.html")" != "$(stat -c %a "$OUT/staff/index.html")" ] ||
    modes="$modes; public and staff pages have the same mode (the check is void)"
if [ -z "$modes" ]; then
    ok "each edition's PDFs have its pages' mode (public's are readable by others)"
else
    fail "PDFs with another edition's mode" "$modes"
fi

# ---- the style sheet ----

# The builds below check one PDF of one edition: they build that edition
# alone (the three editions' PDFs are checked above).

mkdir -p "$TMP/styled/themes"
cp -R content/. "$TMP/styled/"
cp -R themes/default "$TMP/styled/themes/default"
cat >"$TMP/styled/themes/default/pdf.yaml" <<'EOF'
page:
  size: B5
  margin: 20mm
text:
  size: 11pt
  colour: red
EOF
"$POLICYGEN" build -C "$TMP/styled" -o "$TMP/styled-out" --edition internal --today "$TODAY" >"$TMP/styled.log" 2>&1
if pdfinfo "$TMP/styled-out/internal/pdf/isms-plan-V1.0-internal.pdf" 2>/dev/null | grep -q 'Page size: *515.906 x 728.504' &&
   grep -q "pdf.yaml:6:3: warning: unknown key 'colour' in text" "$TMP/styled.log"; then
    ok "a theme's pdf.yaml sets the page (B5); an unknown key is a warning at its place"
else
    fail "pdf.yaml not applied" "$(cat "$TMP/styled.log"; pdfinfo "$TMP/styled-out/internal/pdf/isms-plan-V1.0-internal.pdf" 2>&1 | grep 'Page size')"
fi

# ---- a table row taller than a page ----

mkdir -p "$TMP/tall"
cp -R content/. "$TMP/tall/"
awk 'BEGIN {
    printf "---\nid: tall\ntitle: 長表格測試\n---\n\n## 長列\n\n| 項目 | 說明 | 備註 |\n|---|---|---|\n| 甲 | "
    for (i = 1; i < 400; i++) printf "第%d句資通安全測試文字內容。", i
    printf " | 乙 |\n| 丙 | 短 | 丁 |\n" }' >"$TMP/tall/plan/99-tall.md"
if "$POLICYGEN" build -C "$TMP/tall" -o "$TMP/tall-out" --edition internal --today "$TODAY" >"$TMP/tall.log" 2>&1; then
    tall=$TMP/tall-out/internal/pdf/isms-plan-V1.0-internal.pdf
    np=$(pdfinfo "$tall" | awk '/^Pages:/ { print $2 }')
    # The row's pages: from the one with its first sentence to the one with its last.
    from=0 to=0
    for p in $(seq 1 "$np"); do
        pdftotext -f "$p" -l "$p" "$tall" - | flat >"$TMP/p.txt"
        grep -qF '第1句資通' "$TMP/p.txt" && from=$p
        grep -qF '第399句資通' "$TMP/p.txt" && to=$p
    done
    heads=0
    for p in $(seq "$from" "$to"); do
        pdftotext -f "$p" -l "$p" "$tall" - | flat | grep -qF '項目' && heads=$((heads + 1))
    done
    # The sentence numbers of the cell, page after page, below each header row: 1 to 399 in order.
    nums=$(for p in $(seq "$from" "$to"); do
        pdftotext -layout -f "$p" -l "$p" "$tall" - | awk '/項目 .*說明/ { on = 1; next } /丙/ { on = 0 }
            /第 [0-9]+ 頁，共 [0-9]+ 頁/ { next } on' | grep -o '[0-9][0-9]*'
    done | tr '\n' ' ')
    seq_ok=$(printf '%s' "$nums" | awk '{ for (i = 1; i <= NF; i++) if ($i != i) { print i; exit } if (NF != 399) print "count " NF }')
    r=$(margins "$tall")
    if [ "$from" -gt 0 ] && [ "$to" -ge $((from + 3)) ] && [ "$heads" -eq $((to - from + 1)) ] && [ -z "$seq_ok" ] && [ -z "$r" ]; then
        ok "a row taller than a page is split over pages $from-$to, its text whole and in order, the header row on each"
    else
        fail "tall row: pages $from-$to, header on $heads, sentence $seq_ok lost" "$r"
    fi
else
    fail "tall row: build failed" "$(cat "$TMP/tall.log")"
fi

# ---- a 200-page synthetic plan (tools/gen_corpus.c) ----

CHAPTERS=${CORPUS_CHAPTERS:-42}
if [ "$CHAPTERS" -gt 0 ] && [ -f tools/gen_corpus.c ]; then
    if ${CC:-cc} -std=c11 -O2 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -o "$TMP/gen_corpus" tools/gen_corpus.c &&
       "$TMP/gen_corpus" "$TMP/corpus" "$CHAPTERS" >/dev/null &&
       "$POLICYGEN" build -C "$TMP/corpus" -o "$TMP/corpus-out" --edition internal --today "$TODAY" >"$TMP/corpus.log" 2>&1; then
        big=$(find "$TMP/corpus-out/internal/pdf" -name '*.pdf' | LC_ALL=C sort | tail -1)
        np=$(pdfinfo "$big" | awk '/^Pages:/ { print $2 }')
        problems=""
        qpdf --check "$big" >/dev/null 2>&1 || problems="$problems qpdf --check fails;"
        r=$(margins "$big"); [ -n "$r" ] && problems="$problems
$r"
        r=$(heading_ends "$big"); [ -n "$r" ] && problems="$problems
$r"
        toc_check "$big" >"$TMP/toc.out"
        read -r entries toc_first toc_last <"$TMP/toc.out"
        r=$(sed 1d "$TMP/toc.out"); [ -n "$r" ] && problems="$problems
$r"
        if [ -z "$problems" ] && [ "$entries" -gt 100 ]; then
            ok "synthetic plan of $CHAPTERS chapters ($np pages): qpdf, margins, no heading ends a page, $entries contents entries on their pages"
        else
            fail "synthetic plan of $CHAPTERS chapters ($np pages, $entries contents entries)" "$problems"
        fi
    else
        fail "synthetic plan: gen_corpus or the build failed" "$(cat "$TMP/corpus.log" 2>/dev/null)"
    fi
fi

echo "pdf: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
