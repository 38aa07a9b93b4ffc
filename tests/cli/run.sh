#!/bin/sh
# Command-line tests: exit codes, the exact diagnostics for bad input, and
# that a failed build leaves the previous output byte-identical.
set -u
cd "$(dirname "$0")/../.."
POLICYGEN=${POLICYGEN:-build/san/policygen}
case $POLICYGEN in /*) ;; *) POLICYGEN=$PWD/$POLICYGEN ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_exit CODE CMD... : runs CMD, keeps stderr in $work/err
expect_exit() {
    want=$1
    shift
    "$@" >"$work/out.txt" 2>"$work/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "'$*' exited $got, expected $want"; cat "$work/err"; fi
}

# expect_line TEXT : stderr has exactly this line
expect_line() {
    if grep -qxF -- "$1" "$work/err"; then ok; else bad "missing diagnostic: $1"; echo "  got:"; sed 's/^/    /' "$work/err"; fi
}

# A copy of the fixture site to break, and an output folder to protect.
fresh_site() {
    rm -rf "$work/site"
    cp -R tests/golden/site "$work/site"
}
snapshot() { (cd "$work/prev" && find . -type f -exec sha256sum {} + | LC_ALL=C sort) ; }
expect_output_untouched() {
    if [ "$(snapshot)" = "$before" ] && [ -z "$(ls -d "$work"/prev.tmp-* 2>/dev/null)" ]; then ok; else bad "output changed after a failed build ($1)"; fi
}

fresh_site
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/prev" --today 2026-11-28
before=$(snapshot)
[ -f "$work/prev/index.html" ] && ok || bad "no index.html after a good build"

# Determinism: the same content gives byte-identical files.
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/again" --today 2026-11-28
if diff -r "$work/prev" "$work/again" >/dev/null; then ok; else bad "two builds differ"; fi
# (Two builds of content/ with every PDF are compared in tests/pdf, which makes both anyway.)
expect_exit 0 "$POLICYGEN" build -C content -o "$work/content1" --today 2026-11-28

# --strict: the rules (which run while the editions render) find errors, so
# the build fails with exit 1, says why, and the previous output stays.
fresh_site
expect_exit 1 "$POLICYGEN" build -C "$work/site" -o "$work/prev" --today 2026-11-28 --strict --no-pdf
if grep -q "^check: [1-9][0-9]* errors" "$work/err" && grep -q "\[implementation-report\]$" "$work/err"; then ok; else bad "--strict did not report the rules' errors"; fi
expect_output_untouched "--strict with error flags"

# Malformed front matter: an unclosed flow sequence.
fresh_site
printf -- '---\nid: basis\ntitle: [依據及目的\n---\n本文。\n' >"$work/site/plan/01-basis.md"
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev"
expect_line "$work/site/plan/01-basis.md:4:1: error: did not find expected ',' or ']' while parsing a flow sequence [yaml]"
expect_output_untouched "malformed front matter"

# Front matter that never closes.
fresh_site
printf -- '---\nid: basis\ntitle: 依據\n' >"$work/site/plan/01-basis.md"
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev"
expect_line "$work/site/plan/01-basis.md:1:1: error: front matter starts with '---' but has no closing '---' line [front-matter]"
expect_output_untouched "unclosed front matter"

# A UTF-8 byte-order mark before the front matter is not part of the text.
fresh_site
printf '\357\273\277' | cat - tests/golden/site/plan/01-basis.md >"$work/site/plan/01-basis.md"
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/bom" --no-pdf --today 2026-11-28
title=$(sed -n 's/^title: //p' tests/golden/site/plan/01-basis.md)
if grep -q "$title" "$work/bom/public/plan/basis.html" && ! grep -q "missing 'title'" "$work/err"; then ok; else bad "a BOM before the front matter hides the title"; fi

# expect_appended_error FILE TEXT COL MESSAGE: with TEXT (a printf format)
# appended to FILE of a fresh copy, the build fails at FILE's last line, COL.
expect_appended_error() {
    fresh_site
    printf "$2" >>"$work/site/$1"
    line=$(wc -l <"$work/site/$1")
    expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev"
    expect_line "$work/site/$1:$line:$3: error: $4"
}

# Text must be UTF-8 without control characters, in Markdown as in YAML: the
# first problem is an error at its line and column.
expect_appended_error plan/01-basis.md 'ok\n\344\270\255 bad \377 byte\n' 9 \
    "not valid UTF-8 (byte 0xff); text files must be UTF-8 [text]"
expect_output_untouched "invalid UTF-8 in Markdown"
expect_appended_error plan/02-scope.md 'a bell \007 and ESC \033[2J\n' 8 \
    "control character U+0007 is not allowed in text [text]"
expect_appended_error site.yaml 'x: "\033[31m"\n' 5 "control character U+001B is not allowed in text [text]"

# A rule's flag message is escaped the same way, and --format json stays
# valid JSON (a byte that is not UTF-8 becomes U+FFFD).
fresh_site
cat >"$work/site/lua-plugins/hostile.lua" <<'LUA'
return rule {
  id = "hostile", title = "t", severity = "error", source = "s",
  check = function(site, today, params)
    flag { message = "a\27[31m\r\nfake.md:1: error: x\255", status = "missing" }
  end,
}
LUA
expect_exit 1 "$POLICYGEN" check -C "$work/site" --today 2026-11-28 --format json
expect_line "$work/site/site.yaml: error: a\\x1b[31m\\r\\nfake.md:1: error: x\\xff (missing) [hostile]"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [f["message"] for f in d["flags"] if f["rule"]=="hostile"] == ["a\x1b[31m\r\nfake.md:1: error: x\ufffd"]' "$work/out.txt"; then ok; else bad "flags JSON with a hostile message"; fi

# A file over its limit says what the limit is.
fresh_site
head -c 9000000 /dev/zero | tr '\0' a >"$work/site/plan/03-big.md"
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev"
expect_line "$work/site/plan/03-big.md: error: file too large: 9000000 bytes (limit 8 MiB) [read]"

# An unknown site.yaml key (a typo must not pass silently).
fresh_site
printf 'numberin: decimal\n' >>"$work/site/site.yaml"
line=$(grep -n '^numberin:' "$work/site/site.yaml" | cut -d: -f1)
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev"
expect_line "$work/site/site.yaml:$line:1: error: unknown key 'numberin' in site.yaml [site-key]"
expect_output_untouched "unknown site.yaml key"

# User text in a diagnostic is escaped: a key with ESC, CR and LF neither
# colours the terminal nor forges a diagnostic line of its own.
expect_appended_error site.yaml '"k\\e[31m\\r\\nfake.yaml:1: error: forged": 1\n' 1 \
    "unknown key 'k\\x1b[31m\\r\\nfake.yaml:1: error: forged' in site.yaml [site-key]"
if ! grep -q "$(printf '\033')" "$work/err" && [ "$(grep -c 'fake.yaml' "$work/err")" -eq 1 ] && ! grep -q '^fake.yaml' "$work/err"; then ok; else bad "raw control characters in diagnostics"; fi

# An unknown nested key.
fresh_site
sed -i 's/^  name:/  nmae:/' "$work/site/site.yaml"
line=$(grep -n '^  nmae:' "$work/site/site.yaml" | cut -d: -f1)
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev"
expect_line "$work/site/site.yaml:$line:3: error: unknown key 'organization.nmae' in site.yaml [site-key]"

# A duplicate key in site.yaml.
fresh_site
printf 'theme: default\n' >>"$work/site/site.yaml"
first=$(grep -n '^theme:' "$work/site/site.yaml" | head -1 | cut -d: -f1)
second=$(grep -n '^theme:' "$work/site/site.yaml" | tail -1 | cut -d: -f1)
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev"
expect_line "$work/site/site.yaml:$second:1: error: duplicate key 'theme' (first defined at line $first) [yaml-duplicate-key]"
expect_output_untouched "duplicate key"

# An unreadable chapter (a dangling link: root can read any file, so chmod would not do).
fresh_site
ln -s does-not-exist.md "$work/site/plan/09-broken.md"
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev"
expect_line "$work/site/plan/09-broken.md: error: cannot read: No such file or directory [read]"
expect_output_untouched "unreadable chapter"

# A chapter that is a folder.
fresh_site
mkdir "$work/site/plan/09-folder.md"
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev"
expect_line "$work/site/plan/09-folder.md: error: cannot read: Is a directory [read]"

# A missing content folder.
expect_exit 3 "$POLICYGEN" build -C "$work/nowhere" -o "$work/prev"
expect_line "$work/nowhere: error: content folder not found [missing]"
expect_output_untouched "missing content folder"

# Editions: the example's internal IP address appears in the internal edition only.
if grep -rq "210.240.1.56" "$work/content1/internal" && ! grep -rq "210.240.1.56" "$work/content1/public" "$work/content1/staff"; then ok; else bad "210.240.1.56 outside the internal edition"; fi
# Every relative link of every edition leads to a file of that edition (links work from file://).
broken=$(cd "$work/content1" && for f in $(find public staff internal -name '*.html' ! -path '*/versions/*'); do
    d=$(dirname "$f")
    grep -o 'href="[^"#:]*' "$f" | sed 's/^href="//' | sort -u | while read -r target; do
        [ -n "$target" ] && [ ! -e "$d/$target" ] && echo "$f -> $target"
    done
done | head -5)
if [ -z "$broken" ]; then ok; else bad "broken links:"; echo "$broken"; fi

# The staff roster is for staff: not in the public edition.
if [ -f "$work/content1/staff/registers/staff.html" ] && [ ! -e "$work/content1/public/registers/staff.html" ]; then ok; else bad "staff register in the wrong editions"; fi

# The leak check: a theme that prints an internal value in every page fails the build.
fresh_site
mkdir -p "$work/site/themes"
cp -R themes/default "$work/site/themes/"
sed -i 's|<footer class="site-footer">|<footer class="site-footer"><p>192.0.2.10</p>|' "$work/site/themes/default/templates/layout.mustache"
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev" --today 2026-11-28
expect_line "$work/prev/public/index.html: error: shows '192.0.2.10', which the public edition must not show [leak]"
expect_output_untouched "leak"

# Broken cross-references and an id defined twice: every error at its place, in one run.
fresh_site
printf '\n## 重複 {#dup}\n\n見[](annex:no-such-form)與[](sec:nowhere)。\n\n## 再次 {#dup}\n' >>"$work/site/plan/02-scope.md"
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev" --today 2026-11-28
expect_line "$work/site/plan/02-scope.md:39:1: error: heading id 'dup' is already defined at $work/site/plan/02-scope.md:35 [duplicate-id]"
expect_line "$work/site/plan/02-scope.md:37:4: error: link to unknown annex 'no-such-form' [xref]"
expect_line "$work/site/plan/02-scope.md:37:29: error: link to unknown section 'nowhere' [xref]"
expect_output_untouched "broken references"

# An annex nothing in the plan refers to is a warning, and the build succeeds.
fresh_site
sed -i 's|(annex:confidentiality-agreement)|(https://example.org/form)|g' "$work/site/plan/01-basis.md"
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/unref" --today 2026-11-28
expect_line "$work/site/annexes/01-confidentiality-agreement.md:1:1: warning: annex 2「資通安全保密同意書」is not referred to anywhere in the plan [annex-unreferenced]"

# One source of truth: a new revisions row changes the version on the home
# page, the cover and the revision table, with no other edit.
fresh_site
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/v1" --today 2026-11-28
cat >>"$work/site/registers/revisions.yaml" <<'ROW'
  - version: V2.0
    date: 2026-11-20
    changes: 配合資通安全管理法修正
    unit: 教導處
    editor: 資訊教師
    approver: 校長
    status: approved
ROW
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/v2" --today 2026-11-28
for page in index.html plan/index.html; do
    if grep -q 'V2.0' "$work/v2/public/$page" && ! grep -q 'V2.0' "$work/v1/public/$page"; then ok; else bad "$page does not show the new version V2.0"; fi
done
if grep -q '版次：V2.0' "$work/v2/public/plan/index.html"; then ok; else bad "the cover does not show V2.0"; fi
if grep -q '中華民國 115 年 11 月 20 日' "$work/v2/public/plan/index.html"; then ok; else bad "the cover does not show the new date"; fi
if grep -q '<td data-label="[^"]*">V2.0</td><td class="date" data-label="[^"]*">115/11/20</td><td data-label="[^"]*">配合資通安全管理法修正</td>' "$work/v2/public/plan/index.html"; then ok; else bad "the revision table has no V2.0 row"; fi

# Versions: release V1.0, edit one section, add a V1.1 row, release again.
fresh_site
sed -i '/^  - version: V1.1$/,$d' "$work/site/registers/revisions.yaml"
expect_exit 0 "$POLICYGEN" release -C "$work/site" --force --today 2026-11-28
sed -i 's/為確保機密性、完整性及可用性，特制訂本政策：/為確保資訊之機密性、完整性及可用性，特訂定本政策：/' "$work/site/plan/01-basis.md"
printf '  - version: V1.1\n    date: 2026-11-20\n    unit: 教導處\n    editor: 資訊教師\n    approver: 校長\n    status: approved\n' >>"$work/site/registers/revisions.yaml"
expect_exit 0 "$POLICYGEN" release -C "$work/site" --force --today 2026-11-28
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/versions" --no-pdf --today 2026-11-28
for f in versions/index.html versions/V1.0/index.html versions/V1.1/index.html versions/V1.1-changes.html; do
    if [ -f "$work/versions/public/$f" ]; then ok; else bad "no $f"; fi
done
changes="$work/versions/public/versions/V1.1-changes.html"
if [ "$(grep -c 'class="diff-entry' "$changes")" -eq 1 ] && grep -q '<span class="change-label">修正</span> <a href="V1.1/plan/basis.html#policy">壹、一、政策</a>' "$changes"; then ok; else bad "the V1.1 changes page does not list exactly 壹、一、政策"; fi
if grep -q '特<del>制</del>訂<ins>定</ins>本政策' "$changes"; then ok; else bad "no inline diff by character"; fi
if grep -q '修正 壹、一、政策' "$work/versions/public/versions/index.html"; then ok; else bad "the V1.1 row does not name the changed section"; fi
if grep -q '<td data-label="[^"]*">V1.1</td><td class="date" data-label="[^"]*">115/11/20</td><td data-label="[^"]*"><span class="generated"[^>]*>修正 壹、一、政策</span></td>' "$work/versions/public/plan/index.html"; then ok; else bad "the revision table's V1.1 row does not name the changed section"; fi

# A draft (the last revisions row not approved) says 草案 on every HTML page and every PDF page.
fresh_site
sed -i '$s/status: approved/status: draft/' "$work/site/registers/revisions.yaml"
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/draft" --today 2026-11-28
unmarked=$(find "$work/draft/public" -name '*.html' ! -path '*/versions/*' -exec grep -L 'class="draft-banner"' {} + | head -3)
if [ -z "$unmarked" ]; then ok; else bad "HTML pages without the draft mark: $unmarked"; fi
pdf=$(ls "$work/draft/public/pdf/"*.pdf)
pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
marked=0
for p in $(seq 1 "$pages"); do
    pdftotext -f "$p" -l "$p" "$pdf" - | grep -q '草案' && marked=$((marked + 1))
done
if [ "$pages" -gt 0 ] && [ "$marked" -eq "$pages" ]; then ok; else bad "$marked of $pages PDF pages carry 草案"; fi
if pdftotext "$work/draft/public/annexes/confidentiality-agreement.pdf" - | grep -q '草案'; then ok; else bad "the annex PDF has no draft mark"; fi

# An internal chapter that cites an annex: the other editions' annex page
# does not list its section among the back-links.
fresh_site
cat >"$work/site/plan/03-internal.md" <<'MD'
---
title: 內部作業
audience: internal
---
## 機房門禁密碼輪替 {#door-codes}

輪替時填寫[保密同意書](annex:confidentiality-agreement)。
MD
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/backlinks" --no-pdf --today 2026-11-28
for ed in public staff; do
    if ! grep -q '機房門禁密碼輪替' "$work/backlinks/$ed/annexes/confidentiality-agreement.html"; then ok; else bad "the $ed annex page lists a back-link from an internal chapter"; fi
done
if grep -q 'href="../plan/internal.html#door-codes"' "$work/backlinks/internal/annexes/confidentiality-agreement.html"; then ok; else bad "the internal annex page lacks the back-link"; fi

# A rebuild links the pages that did not change from the previous output
# (same inode, same time stamp) and writes the others anew.
fresh_site
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/rebuild" --no-pdf --today 2026-11-28
basis=$(stat -c %i "$work/rebuild/public/plan/basis.html")
scope=$(stat -c %i "$work/rebuild/public/plan/scope.html")
sed -i 's/本計畫適用範圍涵蓋本全機關/本計畫適用範圍涵蓋全校/' "$work/site/plan/02-scope.md"
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/rebuild" --no-pdf --today 2026-11-28
if [ "$(stat -c %i "$work/rebuild/public/plan/basis.html")" = "$basis" ]; then ok; else bad "an unchanged page was written anew"; fi
if [ "$(stat -c %i "$work/rebuild/public/plan/scope.html")" != "$scope" ] && grep -q '涵蓋全校' "$work/rebuild/public/plan/scope.html"; then ok; else bad "a changed page was not written anew"; fi
# The output folder is readable by others (a web server), like any new folder.
want=$(printf '%o' $((0777 & ~$(umask))))
if [ "$(stat -c %a "$work/rebuild")" = "$want" ]; then ok; else bad "the output folder has mode $(stat -c %a "$work/rebuild"), not $want (umask $(umask))"; fi

# A symbolic link in the previous output is not carried over, even to identical bytes.
cp "$work/rebuild/public/plan/basis.html" "$work/basis-copy.html"
ln -sf "$work/basis-copy.html" "$work/rebuild/public/plan/basis.html"
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/rebuild" --no-pdf --today 2026-11-28
if [ -f "$work/rebuild/public/plan/basis.html" ] && [ ! -L "$work/rebuild/public/plan/basis.html" ]; then ok; else bad "a symbolic link of the previous output was linked into the new one"; fi
if [ "$(stat -c %h "$work/rebuild/public/plan/basis.html")" = 1 ] && [ -z "$(ls -d "$work"/rebuild.old-* "$work"/rebuild.tmp-* 2>/dev/null)" ]; then ok; else bad "the previous output was not removed"; fi

# The output folder may never be, contain or lie inside the content folder,
# the current folder or the home folder, nor be a folder a build did not make:
# each is refused (exit 2) before anything is touched.
fresh_site
site_sum() { (cd "$work/site" && find . -type f -exec sha256sum {} + | LC_ALL=C sort); }
site_before=$(site_sum)
real_site=$(cd "$work/site" && pwd -P)
expect_exit 2 "$POLICYGEN" build -C "$work/site" -o "$work/site" --no-pdf
expect_line "$work/site: error: the output folder is the content folder ($real_site), and a build replaces its whole output folder [output]"
expect_exit 2 "$POLICYGEN" build -C "$work/site" -o "$work/site/plan" --no-pdf
expect_line "$work/site/plan: error: the output folder is inside the content folder ($real_site) [output]"
ln -s site "$work/site-link"
expect_exit 2 "$POLICYGEN" build -C "$work/site" -o "$work/site-link/registers" --no-pdf
expect_line "$work/site-link/registers: error: the output folder is inside the content folder ($real_site) [output]"
(cd "$work/site" && "$POLICYGEN" build -C . -o . --no-pdf >"$work/out.txt" 2>"$work/err"; echo $? >"$work/rc")
if [ "$(cat "$work/rc")" = 2 ]; then ok; else bad "-C . -o . exited $(cat "$work/rc"), expected 2"; fi
expect_line ".: error: the output folder is the current folder ($real_site), and a build replaces its whole output folder [output]"
(cd "$work/site/plan" && "$POLICYGEN" build -C .. -o .. --no-pdf >"$work/out.txt" 2>"$work/err"; echo $? >"$work/rc")
if [ "$(cat "$work/rc")" = 2 ]; then ok; else bad "-o .. exited $(cat "$work/rc"), expected 2"; fi
expect_line "..: error: the output folder contains the current folder ($real_site/plan), and a build replaces its whole output folder [output]"
expect_exit 2 env HOME="$work/site" "$POLICYGEN" build -C tests/golden/site -o "$work/site" --no-pdf
expect_line "$work/site: error: the output folder is the home folder ($real_site), and a build replaces its whole output folder [output]"
expect_exit 2 "$POLICYGEN" build -C "$work/site" -o / --no-pdf
expect_exit 2 "$POLICYGEN" bundle -C "$work/site" -o "$work/site/evidence"
if [ "$(site_sum)" = "$site_before" ]; then ok; else bad "a refused output folder changed the content folder"; fi
mkdir "$work/mine"
echo '<p>my own page</p>' >"$work/mine/index.html"
expect_exit 2 "$POLICYGEN" build -C "$work/site" -o "$work/mine" --no-pdf
expect_line "$work/mine: error: the folder exists and was not made by policygen (it has no .policygen-output); a build replaces its whole output folder: name a new or empty folder [output]"
if [ "$(cat "$work/mine/index.html")" = '<p>my own page</p>' ]; then ok; else bad "a folder policygen did not make was replaced"; fi
mkdir "$work/empty"
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/empty" --no-pdf --today 2026-11-28
if [ -f "$work/empty/.policygen-output" ]; then ok; else bad "no marker in a built output folder"; fi

# Confinement: every path content names stays in its folder. A symbolic
# link that leads out of it is refused the same way everywhere (exit 3, at
# the path, nothing written), and names that become file names are plain.
printf 'root:x:0:0:secret\n' >"$work/host-secret.txt"
secret=$(readlink -f "$work/host-secret.txt")
outside() { echo "$1: error: $1 leads outside $2 (to $3); a symbolic link may not leave its folder [outside]"; }
expect_refused() { # PATH FOLDER TARGET WHAT
    expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev" --today 2026-11-28
    expect_line "$(outside "$1" "$2" "$3")"
    expect_output_untouched "$4"
    if ! grep -rq 'secret' "$work/prev" && [ -z "$(ls -d "$work"/prev.tmp-* 2>/dev/null)" ]; then ok; else bad "$4: the outside file was published"; fi
}
themed_site() { fresh_site; mkdir -p "$work/site/themes"; cp -R themes/default "$work/site/themes/"; }
themed_site
ln -s "$work/host-secret.txt" "$work/site/themes/default/assets/passwd.txt"
expect_refused "$work/site/themes/default/assets/passwd.txt" "$work/site/themes/default" "$secret" "a theme asset linked out"
themed_site
ln -sf "$work/host-secret.txt" "$work/site/themes/default/templates/toc.mustache"
expect_refused "$work/site/themes/default/templates/toc.mustache" "$work/site/themes/default" "$secret" "a template linked out"
themed_site
ln -sf "$work/host-secret.txt" "$work/site/themes/default/pdf.yaml"
expect_refused "$work/site/themes/default/pdf.yaml" "$work/site/themes/default" "$secret" "pdf.yaml linked out"
fresh_site
mkdir -p "$work/elsewhere/mytheme"
cp -R themes/default/. "$work/elsewhere/mytheme/"
mkdir -p "$work/site/themes"
ln -s "$work/elsewhere/mytheme" "$work/site/themes/mytheme"
sed -i 's/^theme: default/theme: mytheme/' "$work/site/site.yaml"
expect_refused "$work/site/themes/mytheme" "$work/site/themes" "$(readlink -f "$work/elsewhere/mytheme")" "a theme folder linked out"
fresh_site
sed -i 's|^theme: default|theme: ../../elsewhere/mytheme|' "$work/site/site.yaml"
line=$(grep -n '^theme:' "$work/site/site.yaml" | cut -d: -f1)
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev"
expect_line "$work/site/site.yaml:$line:8: error: theme '../../elsewhere/mytheme' names a file: use letters, digits, '-', '_' and '.' (not first), at most 100 bytes [name]"
fresh_site
ln -s "$work/host-secret.txt" "$work/site/plan/03-linked.md"
expect_refused "$work/site/plan/03-linked.md" "$work/site/plan" "$secret" "a chapter linked out"
fresh_site
ln -s "$work/host-secret.txt" "$work/site/annexes/02-linked.md"
expect_refused "$work/site/annexes/02-linked.md" "$work/site/annexes" "$secret" "an annex linked out"
fresh_site
ln -s "$work/host-secret.txt" "$work/site/digest.md"
expect_refused "$work/site/digest.md" "$work/site" "$secret" "the digest linked out"
fresh_site
ln -s "$work/host-secret.txt" "$work/site/registers/linked.yaml"
expect_refused "$work/site/registers/linked.yaml" "$work/site/registers" "$secret" "a register linked out"
fresh_site
ln -s "$work/host-secret.txt" "$work/site/lua-plugins/linked.lua"
expect_refused "$work/site/lua-plugins/linked.lua" "$work/site/lua-plugins" "$secret" "a rule plugin linked out"
expect_exit 3 "$POLICYGEN" check -C "$work/site" --today 2026-11-28
expect_line "$(outside "$work/site/lua-plugins/linked.lua" "$work/site/lua-plugins" "$secret")"
fresh_site
mkdir -p "$work/site/releases"
ln -s "$work/host-secret.txt" "$work/site/releases/V0.9.zip"
expect_refused "$work/site/releases/V0.9.zip" "$work/site/releases" "$secret" "a release linked out"
fresh_site
mkdir -p "$work/host-evidence"
cp "$work/host-secret.txt" "$work/host-evidence/"
ln -s "$work/host-evidence" "$work/site/evidence"
expect_refused "$work/site/evidence" "$work/site" "$(readlink -f "$work/host-evidence")" "the evidence folder linked out"
fresh_site
sed -i 's|^id: basis|id: ../../../../tmp/escaped|' "$work/site/plan/01-basis.md"
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev" --no-pdf
expect_line "$work/site/plan/01-basis.md:2:5: error: id '../../../../tmp/escaped' names a file: use letters, digits, '-', '_' and '.' (not first), at most 100 bytes [name]"
fresh_site
sed -i 's|^  id: isms-plan|  id: ../../escaped|' "$work/site/site.yaml"
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev"
expect_line "$work/site/site.yaml:7:7: error: document.id '../../escaped' names a file: use letters, digits, '-', '_' and '.' (not first), at most 100 bytes [name]"
expect_output_untouched "a document id with '..'"
# A link that stays inside its folder is fine.
fresh_site
mv "$work/site/plan/02-scope.md" "$work/site/plan/scope.txt"
ln -s scope.txt "$work/site/plan/02-scope.md"
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/inside" --no-pdf --today 2026-11-28

# An interrupted build (SIGTERM, SIGINT, SIGHUP) removes its staging folder and dies
# of the signal; the previous output stays. (env --default-signal: a
# background job of a script starts with SIGINT ignored.)
wait_for_staging() {
    for _ in $(seq 1 1500); do
        for d in "$1".tmp-*; do [ -d "$d/internal" ] && return 0; done
        sleep 0.02
    done
    return 1
}
fresh_site
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/sig" --no-pdf --today 2026-11-28
sig_before=$(cd "$work/sig" && find . -type f -exec sha256sum {} + | LC_ALL=C sort)
for signal in TERM:15 INT:2 HUP:1; do
    sig=${signal%:*}
    env --default-signal=INT "$POLICYGEN" build -C "$work/site" -o "$work/sig" --today 2026-11-28 >/dev/null 2>&1 &
    pid=$!
    if wait_for_staging "$work/sig"; then ok; else bad "no staging folder to interrupt"; fi
    kill -$sig $pid
    wait $pid
    rc=$?
    want=$((128 + ${signal#*:}))
    if [ "$rc" -eq "$want" ] && [ -z "$(ls -d "$work"/sig.tmp-* 2>/dev/null)" ]; then ok; else bad "SIG$sig: exit $rc (want $want), left: $(ls -d "$work"/sig.tmp-* 2>/dev/null)"; fi
    if [ "$(cd "$work/sig" && find . -type f -exec sha256sum {} + | LC_ALL=C sort)" = "$sig_before" ]; then ok; else bad "SIG$sig changed the previous output"; fi
done
# A build killed outright (SIGKILL) leaves its staging folder; the next build
# of that output removes it, and only staging folders of its own whose
# builder is gone: not one whose marker is locked, not one without a marker,
# not a link, not another name.
"$POLICYGEN" build -C "$work/site" -o "$work/sig" --today 2026-11-28 >/dev/null 2>&1 &
pid=$!
wait_for_staging "$work/sig"
kill -KILL $pid
wait $pid 2>/dev/null
killed=$(ls -d "$work"/sig.tmp-* 2>/dev/null)
if [ -n "$killed" ] && [ -f "$killed/.policygen-output" ]; then ok; else bad "SIGKILL left no staging folder to sweep"; fi
mkdir "$work/sig.tmp-LOCKED" "$work/sig.tmp-NOMARK" "$work/sig.tmp-toolong" "$work/elsewhere-out"
echo x >"$work/sig.tmp-LOCKED/.policygen-output"
echo x >"$work/sig.tmp-NOMARK/page.html"
echo x >"$work/sig.tmp-toolong/.policygen-output"
echo x >"$work/elsewhere-out/.policygen-output"
ln -s "$work/elsewhere-out" "$work/sig.tmp-LINKED"
python3 -c 'import fcntl, sys, time; f = open(sys.argv[1], "r+"); fcntl.lockf(f, fcntl.LOCK_EX); open(sys.argv[2], "w").close(); time.sleep(60)' \
    "$work/sig.tmp-LOCKED/.policygen-output" "$work/locked" &
holder=$!
for _ in $(seq 1 500); do [ -e "$work/locked" ] && break; sleep 0.02; done
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/sig" --no-pdf --today 2026-11-28
expect_line "$killed: warning: removed the staging folder an interrupted build left behind [output]"
if [ ! -e "$killed" ]; then ok; else bad "the killed build's staging folder was not removed"; fi
for d in sig.tmp-LOCKED sig.tmp-NOMARK sig.tmp-toolong sig.tmp-LINKED elsewhere-out/.policygen-output; do
    if [ -e "$work/$d" ]; then ok; else bad "$d was removed"; fi
done
kill $holder 2>/dev/null
wait $holder 2>/dev/null
rm -rf "$work"/sig.tmp-* "$work/elsewhere-out"

# File modes: the public edition as new files get them; staff and internal
# not readable by others (0640, folders 0750); site.yaml `modes` sets them.
fresh_site
(umask 022 && "$POLICYGEN" build -C "$work/site" -o "$work/modes" --no-pdf --today 2026-11-28 >/dev/null 2>&1)
modes_of() { (cd "$work/modes/$1" && find . -type "$2" -exec stat -c %a {} + | sort -u | tr '\n' ' '); }
if [ "$(modes_of public f)" = "644 " ] && [ "$(modes_of public d)" = "755 " ]; then ok; else bad "public modes: files $(modes_of public f), folders $(modes_of public d)"; fi
for ed in staff internal; do
    if [ "$(modes_of $ed f)" = "640 " ] && [ "$(modes_of $ed d)" = "750 " ]; then ok; else bad "$ed modes: files $(modes_of $ed f), folders $(modes_of $ed d)"; fi
done
printf 'modes:\n  internal: { files: "0600", folders: "0700" }\n  public: { files: "0664" }\n' >>"$work/site/site.yaml"
(umask 022 && "$POLICYGEN" build -C "$work/site" -o "$work/modes" --no-pdf --today 2026-11-28 >/dev/null 2>&1)
if [ "$(modes_of internal f)" = "600 " ] && [ "$(modes_of internal d)" = "700 " ]; then ok; else bad "internal modes after modes: files $(modes_of internal f), folders $(modes_of internal d)"; fi
if [ "$(modes_of public f)" = "664 " ] && [ "$(modes_of public d)" = "755 " ] && [ "$(modes_of staff f)" = "640 " ]; then ok; else bad "public/staff modes after modes: $(modes_of public f)/$(modes_of public d)/$(modes_of staff f)"; fi
printf '  staff: { files: "0604x" }\n' >>"$work/site/site.yaml"
line=$(wc -l <"$work/site/site.yaml")
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/modes" --no-pdf
expect_line "$work/site/site.yaml:$line:19: error: a mode is three octal digits such as 0640, that give the owner rw [site-value]"

# A rule may flag only the places it was given, and at most 1,000 times: a
# flood is cut with one line saying how many more, and a made-up place fails
# the rule (its flags are dropped), with the other rules unharmed.
fresh_site
mkdir -p "$work/site/lua-plugins"
cat >"$work/site/lua-plugins/flood.lua" <<'LUA'
return rule { id = "flood", title = "flood", severity = "warning", source = "test",
  check = function() for i = 1, 100000 do flag { message = "again " .. i, status = "missing" } end end }
LUA
cat >"$work/site/lua-plugins/forger.lua" <<'LUA'
return rule { id = "forger", title = "forger", severity = "error", source = "test",
  check = function() flag { message = "root", status = "missing", at = { file = "/etc/passwd", line = 1 } } end }
LUA
expect_exit 1 "$POLICYGEN" check -C "$work/site" --today 2026-11-28
if [ "$(grep -c '\[flood\]$' "$work/err")" -eq 1001 ]; then ok; else bad "flood: $(grep -c '\[flood\]$' "$work/err") lines, expected 1,000 flags and one more line"; fi
expect_line "$work/site/lua-plugins/flood.lua: warning: rule 'flood' raised more than 1000 flags: the first 1000 are kept, 99000 more were dropped [flood]"
expect_line "$work/site/lua-plugins/forger.lua: error: rule 'forger' failed: a flag points at /etc/passwd:1, which is neither a register row nor a place in the plan's text [rule-error]"
if ! grep -q 'passwd.*\[forger\]' "$work/err"; then ok; else bad "a flag at /etc/passwd was reported"; fi

# Readers' aids (issue 14), on the example built with its PDFs above.
c1=$work/content1
# The pages link to the PDFs with their pages and size; the link check above
# has found every linked file.
if grep -q 'href="pdf/isms-plan-V1.0-internal.pdf"[^>]*>下載 PDF<span class="file-meta">（[0-9]* 頁，[0-9.]* [KM]B）' "$c1/internal/index.html" &&
   grep -q 'href="../annexes/confidentiality-agreement.pdf"' "$c1/internal/annexes/confidentiality-agreement.html" &&
   grep -q 'href="../registers/agreements.pdf"' "$c1/internal/annexes/confidentiality-agreement.html" &&
   grep -q 'href="../registers/assets.pdf"' "$c1/internal/registers/assets.html" &&
   grep -q 'href="../pdf/isms-plan-V1.0-public.pdf"' "$c1/public/versions/index.html" &&
   grep -q 'href="../pdf/isms-plan-V1.0-public.pdf"' "$c1/public/plan/index.html"; then ok
else bad "the pages do not link the PDFs"; fi
# Editions say which they are; staff and internal pages keep out of search engines.
if grep -q '<span class="edition-mark"[^>]*>內部版</span>' "$c1/internal/plan/basis.html" &&
   grep -q '<title>.*（同仁版）</title>' "$c1/staff/plan/basis.html" &&
   grep -q '<meta name="robots" content="noindex, nofollow">' "$c1/staff/plan/basis.html" &&
   grep -q '<meta name="robots" content="noindex, nofollow">' "$c1/internal/registers/index.html" &&
   ! grep -q 'name="robots"' "$c1/public/plan/basis.html"; then ok
else bad "edition marks or noindex"; fi
# A flagged row is marked on its register page, in the internal edition only.
if grep -q '<tr id="MR-2026" class="flagged overdue">' "$c1/internal/registers/management-reviews.html" &&
   ! grep -q 'class="flagged' "$c1/staff/registers/management-reviews.html"; then ok
else bad "the flagged row MR-2026 is not marked (or is marked outside the internal edition)"; fi
# Markdown evidence becomes a page, linked by its title.
if grep -q 'href="../evidence/2025/audit-plan.html">2025 年度資通安全稽核計畫</a>' "$c1/internal/registers/audits.html" &&
   grep -q '<h1 id="evidence-title">2025 年度資通安全稽核計畫</h1>' "$c1/internal/evidence/2025/audit-plan.html"; then ok
else bad "evidence pages"; fi
# Each edition's search index holds what it shows, and only that.
if grep -q '資訊及資通系統盤點' "$c1/public/search/index.js" && grep -q 'SW-001' "$c1/staff/search/index.js" &&
   ! grep -q 'SW-001' "$c1/public/search/index.js" && grep -q '210.240.1.56' "$c1/internal/search/index.js"; then ok
else bad "search indexes"; fi

# edition_labels: a school's own marks, and mistakes in them.
fresh_site
printf 'edition_labels: { internal: 限閱版 }\n' >>"$work/site/site.yaml"
expect_exit 0 "$POLICYGEN" build -C "$work/site" -o "$work/labels" --today 2026-11-28 --no-pdf
if grep -q '<span class="edition-mark"[^>]*>限閱版</span>' "$work/labels/internal/index.html" &&
   grep -q '<span class="edition-mark"[^>]*>同仁版</span>' "$work/labels/staff/index.html"; then ok
else bad "edition_labels not used"; fi
fresh_site
printf 'edition_labels: { intenral: 限閱版, public: [公開] }\n' >>"$work/site/site.yaml"
line=$(grep -n '^edition_labels:' "$work/site/site.yaml" | cut -d: -f1)
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev" --no-pdf
expect_line "$work/site/site.yaml:$line:19: error: unknown key 'edition_labels.intenral' in site.yaml [site-key]"
expect_line "$work/site/site.yaml:$line:42: error: 'edition_labels.public' must be text [site-value]"
expect_output_untouched "bad edition_labels"

# The signatures directive: a list of labels, nothing else.
fresh_site
annex=$work/site/annexes/01-confidentiality-agreement.md
printf '\n```signatures\n```\n\n```signatures 立同意書人\n[甲]\n```\n\n```signatures\n[乙, [丙]]\n```\n' >>"$annex"
l1=$(grep -n '^```signatures$' "$annex" | sed -n 2p | cut -d: -f1)
l2=$(grep -n '^```signatures 立同意書人' "$annex" | cut -d: -f1)
l3=$(grep -n '^\[乙' "$annex" | cut -d: -f1)
expect_exit 3 "$POLICYGEN" build -C "$work/site" -o "$work/prev" --no-pdf
expect_line "$annex:$l1:1: error: the signatures directive needs a list of labels, as in [立同意書人] [directive]"
expect_line "$annex:$l2:1: error: the signatures directive takes its labels as a YAML list in its body, not after its name [directive]"
expect_line "$annex:$l3:5: error: a signature's label must be text [directive]"
expect_output_untouched "bad signatures directives"

# Usage errors exit 2.
expect_exit 2 "$POLICYGEN"
expect_exit 2 "$POLICYGEN" frobnicate
expect_exit 2 "$POLICYGEN" build --today 2026-13-01
expect_line "policygen: --today takes a date as YYYY-MM-DD, not '2026-13-01'"
expect_exit 0 "$POLICYGEN" --help

# A worker never outlives its build: the rule workers of a check killed
# with SIGKILL (no handler of its runs) end with it, stopped ones too.
fresh_site
mkdir -p "$work/site/lua-plugins"
cat >"$work/site/lua-plugins/endless.lua" <<'EOF'
return rule {
  id = "endless",
  title = "runs until the instruction limit stops it",
  severity = "error",
  source = "test",
  check = function()
    while true do end
  end,
}
EOF
children_of() { # PID: the processes whose parent it is (from /proc)
    awk -v p="$1" '{ sub(/.*\) /, ""); if ($2 == p) { f = FILENAME; sub(/\/stat$/, "", f); sub(/.*\//, "", f); print f } }' \
        /proc/[0-9]*/stat 2>/dev/null
}
"$POLICYGEN" check -C "$work/site" --today 2026-11-28 >/dev/null 2>&1 &
checker=$!
kids=''
i=0
while [ -z "$kids" ] && [ "$i" -lt 300 ]; do
    kids=$(children_of "$checker")
    i=$((i + 1))
done
for k in $kids; do kill -STOP "$k" 2>/dev/null; done
kill -KILL "$checker"
wait "$checker" 2>/dev/null
left=$kids
i=0
while [ -n "$left" ] && [ "$i" -lt 40 ]; do
    sleep 0.05
    left=''
    for k in $kids; do [ -d "/proc/$k" ] && [ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$k/stat" 2>/dev/null)" != Z ] && left="$left $k"; done
    i=$((i + 1))
done
if [ -n "$kids" ] && [ -z "$left" ]; then ok; else bad "rule workers outlived their killed check (started: '$kids', left: '$left')"; fi
for k in $left; do kill -KILL "$k" 2>/dev/null; done

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
