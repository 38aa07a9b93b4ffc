#!/usr/bin/env bash
# Incremental builds can never differ from cold ones: random sequences of
# edits (a chapter's text, a heading, a new or removed chapter, a register
# row, site.yaml, a theme template or CSS, pdf.yaml, a rule plugin, --today,
# an annex, a broken register, damage to the output or to the cache, no
# change at all) to
# copies of content/ and tests/fixtures/school2 (given two annexes) and of the program's data
# (themes/, lua-plugins/, through POLICYGEN_DATADIR). After each edit a warm
# build (the same output folder, its cache kept) is compared with a cold
# build of the same content (a fresh output folder, --no-cache): every file
# byte for byte (diff -r), stderr and the exit status. Most steps build with
# --no-pdf; the first few of the second school build its PDFs too (the plan,
# the annexes' forms and a register's printout).
#
# Seeded: the seed is printed, and POLICYGEN_INC_SEED=N runs that sequence
# again. POLICYGEN_INC_STEPS=N sets the number of steps per school.
set -u
cd "$(dirname "$0")/../.."
POLICYGEN=${POLICYGEN:-build/san/policygen}
POLICYGEN=$(realpath "$POLICYGEN")
repo=$PWD
seed=${POLICYGEN_INC_SEED:-$(( $(date +%s%N) % 1000000 ))}
steps=${POLICYGEN_INC_STEPS:-5}
echo "incremental: seed $seed (POLICYGEN_INC_SEED=$seed reproduces it)"
RANDOM=$seed

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# The program's data, editable: themes/ and lua-plugins/.
mkdir -p "$work/data"
cp -R themes lua-plugins "$work/data/"
export POLICYGEN_DATADIR=$work/data

# Random choices are made in this shell, never in a subshell: bash seeds a
# subshell's RANDOM anew, and the sequence would not come again.
pick() { # one of the arguments, at random, in $REPLY ("" and false when none)
    REPLY=
    local n=$#
    [ "$n" -gt 0 ] || return 1
    local i=$((RANDOM % n + 1))
    REPLY=${!i}
}
files() { # the files of a folder matching a pattern, sorted (one a line)
    find "$1" -maxdepth 1 -type f -name "$2" 2>/dev/null | LC_ALL=C sort
}

# Edits: each changes the content folder $c (or the data) and says what it did.
edit_chapter_text() {
    pick $(files "$c/plan" '*.md') || return; local f=$REPLY
    if [ $((RANDOM % 3)) = 0 ]; then
        # A footnote: the numbers of every later footnote change.
        local n=$RANDOM
        printf '\n本段另有說明。[^x%d]\n\n[^x%d]: 補充說明第 %d 則。\n' "$n" "$n" "$n" >>"$f"
        echo "footnote in $(basename "$f")"
    else
        printf '\n本段為增補內容第 %d 則，說明相關作業程序。\n' "$RANDOM" >>"$f"
        echo "text of $(basename "$f")"
    fi
}
edit_heading() {
    pick $(files "$c/plan" '*.md') || return; local f=$REPLY
    if [ $((RANDOM % 3)) = 0 ]; then
        sed -i "0,/^title: /s/^title: \(.*\)/title: \1（修$RANDOM）/" "$f"
        echo "chapter title of $(basename "$f")"
    elif grep -q '^## ' "$f" && [ $((RANDOM % 2)) = 0 ]; then
        sed -i "0,/^## /s/^## \(.*\)/## \1（修$RANDOM）/" "$f"
        echo "heading renamed in $(basename "$f")"
    else
        printf '\n## 補充事項%d\n\n補充說明。\n' "$RANDOM" >>"$f"
        echo "heading added to $(basename "$f")"
    fi
}
edit_new_chapter() {
    local n=$RANDOM
    printf -- '---\nid: extra-%d\ntitle: 補充章節%d\n---\n\n本章補充說明第 %d 號事項。\n\n## 細節\n\n細節內容。\n' \
        "$n" "$n" "$n" >"$c/plan/90-extra-$n.md"
    echo "new chapter extra-$n"
}
edit_remove_chapter() {
    pick $(files "$c/plan" '90-extra-*.md'); local f=$REPLY
    if [ -z "$f" ]; then edit_new_chapter; return; fi
    rm "$f"
    echo "removed chapter $(basename "$f")"
}
edit_register_row() {
    # A text value with Chinese in it, not quoted and without a comment.
    pick $(files "$c/registers" '*.yaml') || return; local f=$REPLY
    local lines
    lines=$(grep -nP '^\s+(- )?[a-z_]+: [^"'"'"'#\[{|>&*!]*\p{Han}[^#]*$' "$f" | cut -d: -f1)
    pick $lines; local l=$REPLY
    if [ -z "$l" ]; then edit_chapter_text; return; fi
    sed -i "${l}s/\$/（修$RANDOM）/" "$f"
    echo "register row: $(basename "$f") line $l"
}
edit_bad_register() {
    # A date that is no date: an error the next step repairs.
    pick $(files "$c/registers" '*.yaml') || return; local f=$REPLY
    local l; l=$(grep -nE '^\s+(- )?[a-z_]+: [0-9]{4}-[0-9]{2}-[0-9]{2}\s*$' "$f" | head -1 | cut -d: -f1)
    if [ -z "$l" ]; then edit_chapter_text; return; fi
    cp "$f" "$work/repair.yaml"
    repair=$f
    sed -i "${l}s/[0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}/2026-02-31/" "$f"
    echo "broken date: $(basename "$f") line $l"
}
edit_site_yaml() {
    case $((RANDOM % 3)) in
    0) sed -i "0,/^  title: /s/^  title: \(.*\)/  title: \1（修$RANDOM）/" "$c/site.yaml"
       echo "site.yaml: document title" ;;
    1) sed -i "0,/^  short_name: /s/^  short_name: \([^ ]*\)/  short_name: \1$((RANDOM % 10))/" "$c/site.yaml"
       echo "site.yaml: short name" ;;
    2) if grep -q '^editions: \[public, staff, internal\]' "$c/site.yaml"; then
           sed -i 's/^editions: \[public, staff, internal\]/editions: [public, internal]/' "$c/site.yaml"
           echo "site.yaml: the staff edition dropped"
       elif grep -q '^editions: \[public, internal\]' "$c/site.yaml" && [ -n "$staff" ]; then
           sed -i 's/^editions: \[public, internal\]/editions: [public, staff, internal]/' "$c/site.yaml"
           echo "site.yaml: the staff edition back"
       else
           printf '# edited %d\n' "$RANDOM" >>"$c/site.yaml"
           echo "site.yaml: a comment"
       fi ;;
    esac
}
edit_theme() {
    local t=$POLICYGEN_DATADIR/themes/default
    case $((RANDOM % 4)) in
    0|1) pick $(files "$t/templates" '*.mustache'); local f=$REPLY
         printf '<!-- edit %d -->\n' "$RANDOM" >>"$f"
         echo "theme template $(basename "$f")" ;;
    2) printf '\n/* edit %d */\n.edit-%d { color: #333; }\n' "$RANDOM" "$RANDOM" >>"$t/assets/style.css"
       echo "theme CSS" ;;
    3) printf '# edit %d\n' "$RANDOM" >>"$t/pdf.yaml"
       echo "theme pdf.yaml (a comment)" ;;
    esac
}
edit_plugin() {
    if [ $((RANDOM % 2)) = 0 ]; then
        # The shipped rule's title, in a copy of the data.
        local f=$POLICYGEN_DATADIR/lua-plugins/ciso-designated.lua
        sed -i "s/^  title = \"\([^\"]*\)\"/  title = \"\1$((RANDOM % 10))\"/" "$f"
        echo "plugin: a shipped rule's title"
    else
        # The content's own copy of a rule, with another parameter.
        mkdir -p "$c/lua-plugins"
        sed "s/title = \"校長\"/title = \"校長$((RANDOM % 3))\"/" \
            "$POLICYGEN_DATADIR/lua-plugins/ciso-designated.lua" >"$c/lua-plugins/ciso-designated.lua"
        echo "plugin: the content's own rule"
    fi
}
edit_today() {
    pick 2025-06-30 2026-01-15 2026-11-28 2027-03-01
    today=$REPLY
    echo "--today $today"
}
edit_annex() {
    pick $(files "$c/annexes" '*.md'); local f=$REPLY
    if [ -z "$f" ]; then edit_chapter_text; return; fi
    printf '\n備註%d：本表依規定保存。\n' "$RANDOM" >>"$f"
    echo "annex $(basename "$f")"
}
edit_damage_output() {
    local f; f=$(find "$warm" -type f -name '*.html' 2>/dev/null | LC_ALL=C sort | head -50)
    pick $f
    f=$REPLY
    if [ -z "$f" ]; then echo "no change"; return; fi
    case $((RANDOM % 3)) in
    0) rm "$f"; echo "output damaged: removed ${f#$warm/}" ;;
    1) echo x >>"$f"; echo "output damaged: appended to ${f#$warm/}" ;;
    *) # The same size and time of modification: only the bytes tell.
       local m; m=$(stat -c %.9Y "$f")
       printf 'X' | dd of="$f" bs=1 seek=0 conv=notrunc 2>/dev/null
       touch -d "@$m" "$f"
       echo "output damaged in place, its time kept: ${f#$warm/}" ;;
    esac
}
edit_corrupt_cache() {
    # A damaged entry or record (a crash, a full disk): found by its hash and
    # never used.
    pick $(find "$(dirname "$warm")/.site.policygen-cache" -type f -name '[er]*' -o -type f -path '*/e/*' |
           LC_ALL=C sort); local f=$REPLY
    if [ -z "$f" ]; then echo "no change"; return; fi
    local size; size=$(stat -c %s "$f")
    if [ $((RANDOM % 2)) = 0 ]; then
        truncate -s $((size / 2)) "$f"; echo "cache damaged: truncated $(basename "$f")"
    else
        printf 'X' | dd of="$f" bs=1 seek=$((size - 1 - RANDOM % (size > 60 ? 40 : 1))) conv=notrunc 2>/dev/null
        echo "cache damaged: a byte of $(basename "$f")"
    fi
}
edit_touch() {
    pick $(files "$c/plan" '*.md') || return; local f=$REPLY
    touch -d "@$((1700000000 + RANDOM))" "$f"
    echo "time stamp only: $(basename "$f")"
}

# One warm build and one cold build of the content as it is; both compared.
compare() { # label pdf(0/1)
    local label=$1 pdf=$2 args=(--today "$today")
    [ "$pdf" = 1 ] || args+=(--no-pdf)
    # Now and then one edition alone: the output's spare (the output before
    # the previous one, which the next build writes over) then holds
    # editions this build does not make, and the next full build lacks them.
    if [ $((RANDOM % 4)) = 0 ]; then
        # shellcheck disable=SC2046
        pick $(sed -n 's/^editions: \[\(.*\)\]/\1/p' "$c/site.yaml" | tr ',' ' ')
        [ -n "$REPLY" ] && args+=(--edition "$REPLY") && label="$label, --edition $REPLY"
    fi
    # PDFs are typeset in this process too (few of them): the pdf suite
    # checks Cairo's and fontconfig's leaks with the slow unwinder.
    local asan=${ASAN_OPTIONS:-}
    [ "$pdf" = 1 ] && asan="${ASAN_OPTIONS:-}:detect_leaks=0"
    ASAN_OPTIONS=$asan "$POLICYGEN" build -C "$c" -o "$warm" "${args[@]}" >"$work/warm.out" 2>&1
    local wrc=$?
    rm -rf "$work/cold"
    mkdir "$work/cold"
    ASAN_OPTIONS=$asan "$POLICYGEN" build -C "$c" -o "$work/cold/site" --no-cache "${args[@]}" \
        >"$work/cold.out" 2>&1
    local crc=$?
    # The output folder's name is the only difference the diagnostics may show.
    sed -i "s|$work/cold/site|$warm|g" "$work/cold.out"
    if [ "$wrc" != "$crc" ]; then bad "$label: warm build exited $wrc, cold $crc"; else ok; fi
    if cmp -s "$work/warm.out" "$work/cold.out"; then ok; else
        bad "$label: stderr differs (warm < > cold)"; diff "$work/warm.out" "$work/cold.out" | head -10
    fi
    if [ "$crc" = 0 ] || [ "$crc" = 1 ]; then
        if diff -r "$warm" "$work/cold/site" >"$work/diff" 2>&1; then ok; else
            bad "$label: the outputs differ"; head -10 "$work/diff"
        fi
        # And the same folders and files with the same modes (diff -r
        # passes over an empty folder and a mode).
        (cd "$warm" && find . -printf '%y %m %p\n' | LC_ALL=C sort) >"$work/warm.tree"
        (cd "$work/cold/site" && find . -printf '%y %m %p\n' | LC_ALL=C sort) >"$work/cold.tree"
        if cmp -s "$work/warm.tree" "$work/cold.tree"; then ok; else
            bad "$label: the folders or modes differ (warm < > cold)"
            diff "$work/warm.tree" "$work/cold.tree" | head -10
        fi
    fi
    if [ -e "$work/cold/.site.policygen-cache" ]; then bad "$label: --no-cache made a cache"; else ok; fi
}

# The second school gets two annexes (a form its inventory fills, so a
# register printout too), with references between them and the chapters and
# footnotes, so that the PDFs that read only the chapters' outline are made.
add_annexes() {
    mkdir -p "$c/annexes"
    cat >"$c/annexes/01-request-form.md" <<'EOF'
---
id: request-form
number: 1
title: 資安需求申請單
---
依本計畫[](sec:policy)辦理，並參照[](sec:incident)之規定。[^1]

| 項目 | 內容 |
|---|---|
| 申請單位 | |
| 申請事項 | |

[^1]: 本單由申請單位填寫。
EOF
    cat >"$c/annexes/02-asset-form.md" <<'EOF'
---
id: asset-form
number: 2
title: 資產盤點表
register: inventory
---
本表依[](sec:assets)填寫。

| 資產編號 | 名稱 | 保管人 |
|---|---|---|
| | | |
EOF
    sed -i '0,/^title:/s/^title: \(.*\)/title: \1\nannex: asset-form/' "$c/registers/inventory.yaml"
    printf '\n相關表單見[](annex:request-form)及[](annex:asset-form)。[^a]\n\n[^a]: 表單由資訊組保存。\n' \
        >>"$c/plan/03-policy.md"
}

run_school() { # name dir pdf-steps
    local name=$1
    c=$work/$name/content
    warm=$work/$name/out/site
    mkdir -p "$work/$name/out"
    cp -R "$2" "$c"
    [ "$name" = school2 ] && add_annexes
    today=2026-11-28
    staff=$(grep -q '^editions: \[public, staff, internal\]' "$c/site.yaml" && echo 1)
    repair=
    compare "$name: first build" 0
    local edits=(chapter_text heading new_chapter remove_chapter register_row bad_register site_yaml
                 theme plugin today annex damage_output corrupt_cache touch none)
    for ((i = 1; i <= steps; i++)); do
        local what
        if [ -n "$repair" ]; then
            cp "$work/repair.yaml" "$repair"
            repair=
            what="repaired the register"
        else
            pick "${edits[@]}"; local e=$REPLY
            if [ "$e" = none ]; then what="no change"
            else
                # Not in a subshell: the edit sets today and repair.
                edit_$e >"$work/what"
                what=$(cat "$work/what")
            fi
        fi
        local pdf=0
        [ "$i" -le "$3" ] && pdf=1
        echo "  $name step $i: $what$([ $pdf = 1 ] && echo ' (with PDFs)')"
        compare "$name step $i ($what)" "$pdf"
        # The same again: nothing changed, the cache answers.
        if [ $((RANDOM % 3)) = 0 ]; then compare "$name step $i again" "$pdf"; fi
    done
}

run_school school2 "$repo/tests/fixtures/school2" 3
run_school example "$repo/content" 0

# The staff handout quotes the policy chapter: an edit of another chapter
# keeps it (only the plan is typeset again), an edit of the policy chapter
# typesets it again; each warm build is the cold one (the second school with
# a staff edition, that edition alone).
h=$work/handout
mkdir -p "$h"
cp -R tests/fixtures/school2 "$h/content"
sed -i 's/^editions: .*/editions: [public, staff, internal]/' "$h/content/site.yaml"
printf -- '---\ntitle: 同仁須知\n---\n請詳閱本校資通安全政策。\n' >"$h/content/digest.md"
handout_step() { # label edited-file expect-handout(0/1)
    printf '\n本段為測試之修改。\n' >>"$h/content/$2"
    POLICYGEN_PDF_TIMES=1 ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$POLICYGEN" build \
        -C "$h/content" -o "$h/warm" --edition staff --today 2026-11-28 >"$h/warm.out" 2>&1
    local typeset=0
    grep -q '^pdf: handout' "$h/warm.out" && typeset=1
    grep -q '^pdf: plan' "$h/warm.out" || bad "$1: the plan was not typeset again"
    if [ "$typeset" = "$3" ]; then ok; else bad "$1: handout typeset again: $typeset, expected $3"; fi
    rm -rf "$h/cold"
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$POLICYGEN" build -C "$h/content" -o "$h/cold" \
        --edition staff --today 2026-11-28 --no-cache >/dev/null 2>&1
    if diff -r "$h/warm" "$h/cold" >"$h/diff" 2>&1; then ok; else
        bad "$1: the outputs differ"; head -5 "$h/diff"
    fi
}
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$POLICYGEN" build -C "$h/content" -o "$h/warm" \
    --edition staff --today 2026-11-28 >/dev/null 2>&1
if ls "$h/warm/staff/pdf/" | grep -q '^handout-.*\.pdf$'; then ok; else
    bad "no handout in the staff edition"
fi
handout_step "another chapter edited" plan/01-purpose.md 0
handout_step "the policy chapter edited" plan/03-policy.md 1

# A font installed or removed typesets the PDFs again (they may take glyphs
# from any installed font): fontconfig's own configuration with a font
# folder of the test's; each warm build is the cold one.
f=$work/fonts
mkdir -p "$f/dir"
cat >"$f/fonts.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>$f/dir</dir>
  <cachedir>$f/cache</cachedir>
</fontconfig>
EOF
font_step() { # label expect-typeset(0/1)
    FONTCONFIG_FILE="$f/fonts.conf" POLICYGEN_PDF_TIMES=1 ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
        "$POLICYGEN" build -C "$h/content" -o "$f/warm" --edition staff --today 2026-11-28 >"$f/warm.out" 2>&1
    local typeset=0
    grep -q '^pdf: ' "$f/warm.out" && typeset=1
    if [ "$typeset" = "$2" ]; then ok; else bad "$1: PDFs typeset again: $typeset, expected $2"; fi
    rm -rf "$f/cold"
    FONTCONFIG_FILE="$f/fonts.conf" POLICYGEN_PDF_TIMES=1 ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
        "$POLICYGEN" build -C "$h/content" -o "$f/cold" --edition staff --today 2026-11-28 --no-cache \
        >/dev/null 2>&1
    if diff -r "$f/warm" "$f/cold" >"$f/diff" 2>&1; then ok; else
        bad "$1: the outputs differ"; head -5 "$f/diff"
    fi
}
font_step "the first build" 1
font_step "no change" 0
cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf "$f/dir/added.ttf"
font_step "a font installed" 1
font_step "no change after it" 0
rm "$f/dir/added.ttf"
font_step "a font removed" 1

# A build takes the documents that did not change from the cache, keeps
# their entries and lets the edited one's old entry go (the documents'
# entries are pruned on their own, with PDFs or without: the builds after
# the first are without, which is quicker). Seen from outside: a chapter's
# entry forged (its bytes changed and its hash written anew, as no damage
# does) shows in the next build's page, which parsing would not give.
d=$work/docs
mkdir -p "$d/c/plan" "$d/o"
printf 'organization: {name: 測試學校}\ndocument: {id: plan, title: 計畫}\neditions: [public]\n' \
    >"$d/c/site.yaml"
printf -- '---\nid: one\ntitle: 第一章\n---\n內容 MARK-ONE-ORIGINAL。\n' >"$d/c/plan/01-one.md"
printf -- '---\nid: two\ntitle: 第二章\n---\n內容 MARK-TWO-ORIGINAL。\n' >"$d/c/plan/02-two.md"
docs_build() { # [TODAY [OPTIONS]]
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$POLICYGEN" build -C "$d/c" -o "$d/o/site" \
        --today "${1:-2026-11-28}" ${2:-} >"$d/log" 2>&1 || { bad "the documents' build failed"; head -5 "$d/log"; }
}
doc_entry() { # the cache entry of the document that holds $1
    grep -l 'policygen-doc' "$d/o/.site.policygen-cache/documents/e/"* 2>/dev/null | xargs -r grep -l "$1"
}
docs_build
one=$(doc_entry MARK-ONE-ORIGINAL)
two=$(doc_entry MARK-TWO-ORIGINAL)
if [ -n "$one" ] && [ -n "$two" ] && [ "$one" != "$two" ]; then ok; else
    bad "the chapters were not kept in the cache: '$one' '$two'"
fi
if [ -n "$two" ]; then
    # The entry's layout (cache/cache.c): a magic line, the SHA-256 of the
    # bytes, the bytes.
    tail -c +51 "$two" | sed 's/MARK-TWO-ORIGINAL/MARK-TWO-FORGERY!/g' >"$d/bytes"
    { printf 'policygen-cache 1\n'; sha256sum "$d/bytes" | cut -c1-64 | xxd -r -p; cat "$d/bytes"; } >"$two"
fi
printf '\n補充。\n' >>"$d/c/plan/01-one.md"
docs_build 2026-11-28 --no-pdf
if grep -q 'MARK-TWO-FORGERY!' "$d/o/site/public/plan/two.html"; then ok; else
    bad "the unchanged chapter was parsed again, not taken from the cache"
fi
if grep -q 'MARK-ONE-ORIGINAL' "$d/o/site/public/plan/one.html" && grep -q '補充' "$d/o/site/public/plan/one.html"; then ok; else
    bad "the edited chapter's page is not its new text"
fi
if [ -n "$two" ] && [ -e "$two" ] && [ -n "$one" ] && [ ! -e "$one" ] &&
   [ -n "$(doc_entry 補充)" ]; then ok; else
    bad "a build pruned a document's entry it used, or kept one no build uses"
fi
# Parsing reads no date or environment: a build of another day still takes
# the unchanged chapter from the cache.
docs_build 2026-12-01 --no-pdf
if grep -q 'MARK-TWO-FORGERY!' "$d/o/site/public/plan/two.html"; then ok; else
    bad "a build of another day parsed the unchanged chapters again"
fi
# A build without PDFs (serve's) lets an edited chapter's old entry go too,
# and keeps the PDFs' entries (of the first build) it did not use.
edited=$(doc_entry 補充)
pdfs=$(grep -L 'policygen-doc' "$d/o/.site.policygen-cache/e/"* 2>/dev/null | wc -l)
printf '\n再補充。\n' >>"$d/c/plan/01-one.md"
docs_build 2026-12-01 --no-pdf
if [ -n "$edited" ] && [ ! -e "$edited" ] && [ -n "$(doc_entry 再補充)" ] && [ -e "$two" ] &&
   [ "$pdfs" -gt 0 ] && [ "$(grep -L 'policygen-doc' "$d/o/.site.policygen-cache/e/"* | wc -l)" = "$pdfs" ]; then ok; else
    bad "a build without PDFs kept an edited chapter's old entry, or pruned what it must keep"
fi

# A folder where the cache would be that the program did not make: a
# warning, and it is neither used nor touched.
mkdir -p "$work/foreign/.site.policygen-cache"
echo mine >"$work/foreign/.site.policygen-cache/notes"
"$POLICYGEN" build -C tests/fixtures/school2 -o "$work/foreign/site" --today 2026-11-28 --no-pdf \
    >"$work/foreign.out" 2>&1
if grep -q "^$work/foreign/.site.policygen-cache: warning: not a cache policygen made" "$work/foreign.out" &&
   [ "$(ls -A "$work/foreign/.site.policygen-cache")" = notes ] &&
   [ "$(cat "$work/foreign/.site.policygen-cache/notes")" = mine ]; then ok; else
    bad "a foreign folder at the cache's place was used or not reported"; head -3 "$work/foreign.out"
fi
# What a killed build left in its cache (a temporary file) goes; entries
# the last build did not use are pruned (one edition, to be quick).
mkdir -p "$work/prune"
"$POLICYGEN" build -C tests/fixtures/school2 -o "$work/prune/site" --today 2026-11-28 --edition public \
    >/dev/null 2>&1
e=$work/prune/.site.policygen-cache/e
n=$(ls "$e" | wc -l)
touch "$e/tmp.0123.99" "$e/$(printf '%064d' 7)"
"$POLICYGEN" build -C tests/fixtures/school2 -o "$work/prune/site" --today 2026-11-27 --edition public \
    >/dev/null 2>&1
if [ ! -e "$e/tmp.0123.99" ] && [ ! -e "$e/$(printf '%064d' 7)" ] && [ "$(ls "$e" | wc -l)" = "$n" ] &&
   [ "$n" -gt 0 ]; then ok; else
    bad "the cache was not pruned: $(ls "$e" | wc -l) entries, $n expected"
fi

echo "incremental: $pass passed, $fail failed (seed $seed)"
[ "$fail" -eq 0 ]
