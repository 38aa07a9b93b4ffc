#!/bin/sh
# `policygen new`: the content folder it writes (the starter plan's chapters,
# annexes and digest, site.yaml, an empty register of every catalogue type and
# a draft V1.0) builds at once and checks with no rule failing or unchecked;
# every fill-in is flagged at its place and disappears once filled; nothing of
# the example school is in it; two runs give the same bytes; and every
# refusal (a folder that is not new or empty, a level other than D, bad
# options) and failure (a broken starter) leaves nothing behind.
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
TODAY=2026-03-02
FILL='〔待填：'
# the fill-ins are matched by character (a byte-wise [^〕] would stop inside 評)
export LC_ALL=C.UTF-8

# expect_exit CODE CMD... : runs CMD, keeps stdout in $work/out and stderr in $work/err
expect_exit() {
    want=$1
    shift
    "$@" >"$work/out" 2>"$work/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "'$*' exited $got, expected $want"; cat "$work/err"; fi
}
expect_err() {
    if grep -qF -- "$1" "$work/err"; then ok; else bad "stderr lacks: $1"; sed 's/^/    /' "$work/err"; fi
}
# nothing but what was there before: no staging folder beside $1's name
expect_no_staging() {
    if ls -d "$1".tmp-* >/dev/null 2>&1; then bad "a staging folder was left: $(ls -d "$1".tmp-*)"; else ok; fi
}

# ---- a new school ----
school=$work/school
expect_exit 0 "$POLICYGEN" new "$school" --org 臺北市大安區金華國民小學 --parent 臺北市政府教育局 --today $TODAY
types=$(grep -c '^[a-z][a-z-]*:$' generator/registers/types.yaml)
if grep -qxF "new: $school for 臺北市大安區金華國民小學 (金華國小, level D): 17 chapters, 18 annex forms, digest.md, site.yaml, $types registers" "$work/out"; then ok; else bad "new's summary:"; cat "$work/out"; fi
[ "$(ls "$school/plan" | wc -l)" -eq 17 ] && ok || bad "not 17 chapters"
[ "$(ls "$school/annexes" | wc -l)" -eq 18 ] && ok || bad "not 18 annexes"
[ -f "$school/digest.md" ] && ok || bad "no digest.md"
# the chapters are the starter's, file for file, filled in
if [ "$(ls starter/plan)" = "$(ls "$school/plan")" ] && [ "$(ls starter/annexes)" = "$(ls "$school/annexes")" ]; then ok; else bad "chapter or annex files differ from starter/"; fi
expect_no_staging "$school"

# site.yaml: the options, the short name derived from the full name
for line in '  name: 臺北市大安區金華國民小學' '  short_name: 金華國小' '  parent: 臺北市政府教育局' \
            'editions: [public, staff, internal]'; do
    if grep -qxF -- "$line" "$school/site.yaml"; then ok; else bad "site.yaml lacks '$line'"; fi
done
grep -q '^  level: D  *#' "$school/site.yaml" && ok || bad "site.yaml's level is not D"
# the rest of site.yaml is the starter's
[ "$(diff "$school/site.yaml" starter/site.yaml | grep -c '^>')" -eq 3 ] && ok || bad "site.yaml differs from the starter's beyond the three names"
# the options' fill-ins are filled in the text: the organisation in the forms, the parent in the plan
if grep -q "^| 機關名稱 | 臺北市大安區金華國民小學 |$" "$school/annexes/12-implementation-report.md" &&
   grep -q "向臺北市政府教育局提出" "$school/plan/16-implementation-report.md" &&
   ! grep -rq -e "${FILL}機關全銜" -e "${FILL}上級機關〕" "$school"; then ok; else bad "the options' fill-ins are not filled in"; fi

# every catalogue type has a register with its type, a schema and no rows (the
# starter's own asset-classes keeps the template's table); revisions has the draft V1.0
for t in $(grep '^[a-z][a-z-]*:$' generator/registers/types.yaml | tr -d :); do
    f=$school/registers/$t.yaml
    if [ -f "$f" ] && grep -qx "type: $t" "$f" && grep -q '^fields:$' "$f"; then ok; else bad "registers/$t.yaml missing or without its type"; fi
    case $t in
    revisions|asset-classes) ;;
    *) grep -qx 'items: \[\]' "$f" && ok || bad "registers/$t.yaml has rows" ;;
    esac
done
if grep -qx "    date: $TODAY" "$school/registers/revisions.yaml" && grep -qx '  - version: V1.0' "$school/registers/revisions.yaml" &&
   grep -qx '    status: draft' "$school/registers/revisions.yaml"; then ok; else bad "no draft V1.0 of $TODAY"; cat "$school/registers/revisions.yaml"; fi
# a catalogue field's label, type, values, ref and audience reach the schema
if grep -qx '  categories: { label: 資安角色類別, type: checks, values: \[資通安全長, 資通安全兼辦人員, 資訊人員, 主管, 一般使用者\] }' "$school/registers/staff.yaml" &&
   grep -qx '  email:      { label: 電子郵件, type: text, audience: internal }' "$school/registers/staff.yaml" &&
   grep -qx '  person:      { label: 參訓人員, type: ref, register: staff }' "$school/registers/training.yaml" &&
   grep -qx 'audience: staff' "$school/registers/staff.yaml"; then ok; else bad "the staff or training schema is not the catalogue's"; fi

# ---- nothing of the example school ----
# Identifying strings of content/registers: the example's name and city, its
# staff (staff.yaml), vendors (vendors.yaml), addresses (every IP of the
# registers), mail domain, the unit its forms are kept by and its plan's date.
# Generic unit names any school has (校長室, 總務處, 附設幼兒園...) are not in it.
cat >"$work/example-strings" <<'EOF'
隆聖
基隆
魏川淵
陳素梅
劉議陽
林怡君
張志明
黃淑芬
吳建宏
蔡佩珊
鄭文雄
許雅婷
楊宗翰
李美玲
謝明哲
周欣怡
郭俊傑
海港資訊
雨都數位
和平島電腦
正濱網頁
教網代管
教導處
lsps
117.56.155.164
192.168.10.
192.168.20.0
192.168.30.0
210.240.1.56
210.240.23.254
2018-12-26
EOF
# the list is the example's: each string is in content/ (so the grep below can fail)
while read -r s; do grep -rqF -- "$s" content || bad "'$s' is not in content/: the list is stale"; done <"$work/example-strings"
found=$(grep -rnoF -f "$work/example-strings" "$school" starter)
if [ -z "$found" ]; then ok; else bad "the new folder or starter/ holds the example school's data:"; echo "$found" | head -5; fi

# ---- it builds, and checks with no rule failing or unchecked ----
expect_exit 0 "$POLICYGEN" build -C "$school" -o "$work/site" --today $TODAY --no-pdf
# every diagnostic is a rule's flag (a plan or register problem would have another code)
rules=$(ls lua-plugins/*.lua | sed 's|lua-plugins/||; s|\.lua$||' | tr '\n' '|')
others=$(grep -E ': (error|warning): ' "$work/err" | grep -vE "\[(${rules%|})\]$")
if [ -z "$others" ]; then ok; else bad "the new folder's build says more than the rules' flags:"; echo "$others" | head -5; fi
[ -f "$work/site/internal/status/flags.json" ] && [ -f "$work/site/public/plan/all.html" ] && ok || bad "no site built"
found=$(grep -rlF -f "$work/example-strings" "$work/site")
if [ -z "$found" ]; then ok; else bad "the new school's site holds the example school's data:"; echo "$found" | head -5; fi
expect_exit 1 "$POLICYGEN" check -C "$school" --today $TODAY --format json
cp "$work/out" "$work/check.json"
if grep -q '"rules_failed": 0,' "$work/check.json" && grep -q '"rules_unchecked": 0$' "$work/check.json" &&
   ! grep -q '"outcome": "\(failed\|unchecked\|skipped\)"' "$work/check.json"; then ok; else bad "a rule failed or could not check:"; grep -A3 '"summary"' "$work/check.json"; fi
# what is not recorded yet is missing, with what to do: the 資通安全長, the draft
for message in '人員名冊未指定在職之資通安全長' '計畫現行版本 V1.0（2026-03-02）尚未核定（狀態為 draft）'; do
    if grep -qF "$message" "$work/check.json"; then ok; else bad "check does not say: $message"; fi
done

# ---- every fill-in flagged at its place, until filled ----
# fill-ins in the text (file:line, one per fill-in) against the rule's flags
(cd "$school" && grep -rnoF "$FILL" plan annexes digest.md | cut -d: -f1,2 | LC_ALL=C sort) >"$work/fill-places"
awk -v dir="$school/" -f tests/lib/flag-lines.awk "$work/check.json" | grep '尚未填寫，請以實際內容取代$' |
    awk -F' [|] ' '{ print $4 }' | LC_ALL=C sort >"$work/flag-places"
n=$(wc -l <"$work/fill-places")
[ "$n" -ge 10 ] && ok || bad "only $n fill-ins in the new folder"
if cmp -s "$work/fill-places" "$work/flag-places"; then ok; else bad "fill-ins and their flags differ:"; diff "$work/fill-places" "$work/flag-places" | head; fi
# the summary counted them
expect_exit 0 "$POLICYGEN" new "$work/counted" --org 臺北市大安區金華國民小學 --parent 臺北市政府教育局 --today $TODAY
if grep -qxF "new: $n fill-ins 〔待填：…〕 are left to fill; \`policygen check -C $work/counted\` lists each at its place" "$work/out"; then ok; else bad "new's count of fill-ins:"; cat "$work/out"; fi
# one line filled: its flags go, the others stay
first=$(head -1 "$work/fill-places")
file=${first%%:*}
line=${first#*:}
on_line=$(grep -cxF "$first" "$work/fill-places")
sed -i "${line}s/${FILL}[^〕]*〕/教務處/g" "$school/$file"
"$POLICYGEN" check -C "$school" --today $TODAY --format json >"$work/check2.json" 2>/dev/null
awk -v dir="$school/" -f tests/lib/flag-lines.awk "$work/check2.json" | grep '尚未填寫，請以實際內容取代$' >"$work/flags2"
if ! grep -qF " | $first | " "$work/flags2" && [ "$(wc -l <"$work/flags2")" -eq $((n - on_line)) ]; then ok; else
    bad "after filling $first: $(wc -l <"$work/flags2") fill-ins flagged, expected $((n - on_line))"; fi
# all filled: the rule says so
find "$school/plan" "$school/annexes" "$school/digest.md" -type f -exec sed -i "s/${FILL}[^〕]*〕/某某/g" {} +
"$POLICYGEN" check -C "$school" --today $TODAY --format json >"$work/check3.json" 2>/dev/null
if ! grep -q '尚未填寫，請以實際內容取代' "$work/check3.json" &&
   grep -qF '計畫本文、附件表單、同仁須知及 site.yaml 均無待填內容' "$work/check3.json"; then ok; else bad "fill-ins still flagged once all are filled"; fi

# without --parent, the parent is a fill-in in site.yaml and the text, flagged too
expect_exit 0 "$POLICYGEN" new "$work/noparent" --org 測試國民中學 --short-name 測試 --today $TODAY
if grep -qx '  parent: 〔待填：上級機關〕' "$work/noparent/site.yaml" && grep -qx '  short_name: 測試' "$work/noparent/site.yaml" &&
   grep -q "${FILL}上級機關〕" "$work/noparent/plan/01-basis.md"; then ok; else bad "no parent fill-in without --parent"; fi
"$POLICYGEN" check -C "$work/noparent" --today $TODAY >/dev/null 2>"$work/err"
expect_err "$work/noparent/site.yaml: error: site.yaml 之 organization.parent「〔待填：上級機關〕」尚未填寫，請以實際內容取代 (missing) [fill-ins]"
expect_err "$work/noparent/plan/01-basis.md:11: error: 壹、依據及目的：「〔待填：上級機關〕」尚未填寫，請以實際內容取代 (missing) [fill-ins]"

# names that mean something in YAML or Markdown stay themselves
expect_exit 0 "$POLICYGEN" new "$work/odd" --org '臺中市"測試"*國民小學*|[A]_#' --parent 'A&B: <局>' --today $TODAY
expect_exit 0 "$POLICYGEN" build -C "$work/odd" -o "$work/odd-site" --today $TODAY --no-pdf
if grep -qF '臺中市&quot;測試&quot;*國民小學*|[A]_#' "$work/odd-site/public/annexes/implementation-report.html" &&
   grep -qF 'A&amp;B: &lt;局&gt;資通安全政策' "$work/odd-site/public/plan/basis.html"; then ok; else bad "an odd name does not read as itself"; fi

# ---- determinism ----
expect_exit 0 "$POLICYGEN" new "$work/a" --org 臺北市大安區金華國民小學 --today $TODAY
expect_exit 0 "$POLICYGEN" new "$work/b" --org 臺北市大安區金華國民小學 --today $TODAY
if diff -r "$work/a" "$work/b" >/dev/null; then ok; else bad "two runs of new differ"; diff -r "$work/a" "$work/b" | head -5; fi
SOURCE_DATE_EPOCH=1772409600 "$POLICYGEN" new "$work/epoch" --org 臺北市大安區金華國民小學 >/dev/null 2>&1
if diff -r "$work/a" "$work/epoch" >/dev/null; then ok; else bad "SOURCE_DATE_EPOCH is not the draft's date"; fi

# ---- refusals: exit 2, nothing touched or left ----
mkdir "$work/full"
echo keep >"$work/full/notes.txt"
expect_exit 2 "$POLICYGEN" new "$work/full" --org 測試國民小學
expect_err "$work/full: error: is not empty (it holds notes.txt): policygen new writes only into a new or empty folder, and never over anything [new-folder]"
if [ "$(ls -A "$work/full")" = notes.txt ] && [ "$(cat "$work/full/notes.txt")" = keep ]; then ok; else bad "a non-empty folder was touched"; fi
expect_no_staging "$work/full"
echo keep >"$work/file"
expect_exit 2 "$POLICYGEN" new "$work/file" --org 測試國民小學
expect_err "$work/file: error: exists and is a file, not a folder: name a new or empty folder [new-folder]"
[ "$(cat "$work/file")" = keep ] && ok || bad "a file was touched"
mkdir "$work/empty"
ln -s "$work/empty" "$work/link"
expect_exit 2 "$POLICYGEN" new "$work/link" --org 測試國民小學
expect_err "$work/link: error: is a symbolic link: name the new content folder itself [new-folder]"
[ -z "$(ls -A "$work/empty")" ] && ok || bad "new wrote through a symbolic link"
# an empty folder is fine, and stays the same folder (its mode, the shell that is in it)
chmod 750 "$work/empty"
inode=$(stat -c %i "$work/empty")
(cd "$work/empty" && "$POLICYGEN" new . --org 測試國民小學 --today $TODAY >/dev/null 2>"$work/err") && ok || bad "new . in an empty folder failed"
[ -f "$work/empty/site.yaml" ] && ok || bad "no site.yaml in the empty folder"
[ "$(stat -c '%i %a' "$work/empty")" = "$inode 750" ] && ok || bad "the empty folder was replaced"
expect_no_staging "$work/empty"
if diff -r "$work/empty" "$work/noparent" | grep -q '^Only'; then bad "new . wrote other files than new DIR"; else ok; fi

# a level is a letter in either case: d is D
expect_exit 0 "$POLICYGEN" new "$work/lower" --org 測試國民小學 --level d --today $TODAY
grep -q '^  level: D  *#' "$work/lower/site.yaml" && ok || bad "--level d did not give level D"
for level in C c A E; do
    expect_exit 2 "$POLICYGEN" new "$work/level" --org 測試國民小學 --level $level
    up=$(echo $level | tr a-e A-E)
    expect_err "policygen: --level $level: the starter plan states the duties of level D (資通安全責任等級 D 級) only; those of level $up are not encoded yet, so its plan cannot be started with policygen new"
done
expect_exit 2 "$POLICYGEN" new "$work/level" --org 測試國民小學 --level F
expect_err "policygen: --level 'F' is not a 資通安全責任等級 (A to E); the starter plan is for level D"
expect_exit 2 "$POLICYGEN" new "$work/level" --parent 測試市政府
expect_err "policygen: --org is required and may not be empty"
expect_exit 2 "$POLICYGEN" new "$work/level" --org ''
expect_err "policygen: --org is required and may not be empty"
expect_exit 2 "$POLICYGEN" new "$work/level" --org "$(printf '測試\n國小')"
expect_err "policygen: --org holds a control character (a line break or a tab): give one line"
expect_exit 2 "$POLICYGEN" new --org 測試國民小學
expect_err "policygen: new takes the folder to write (policygen new DIR --org NAME)"
expect_exit 2 "$POLICYGEN" new "$work/level" "$work/other" --org 測試國民小學
expect_exit 2 "$POLICYGEN" new "$work/level" --org 測試國民小學 --today 2026-02-30
[ ! -e "$work/level" ] && [ ! -e "$work/other" ] && ok || bad "a refused new left a folder"
expect_no_staging "$work/level"

# ---- a broken starter: exit 3, nothing left ----
mkdir -p "$work/data/starter"
cp -R starter/plan "$work/data/starter/plan"
POLICYGEN_DATADIR=$work/data expect_exit 3 "$POLICYGEN" new "$work/broken" --org 測試國民小學
expect_err "$work/data/starter/annexes: error: the starter plan has no annexes folder (is policygen installed whole?) [starter]"
[ ! -e "$work/broken" ] && ok || bad "a failed new left the folder"
expect_no_staging "$work/broken"
cp -R starter/annexes starter/digest.md "$work/data/starter/"
ln -s nowhere.md "$work/data/starter/plan/99-dangling.md"
POLICYGEN_DATADIR=$work/data expect_exit 3 "$POLICYGEN" new "$work/broken" --org 測試國民小學
expect_err "$work/data/starter/plan/99-dangling.md: error: cannot read the starter plan: No such file or directory (is policygen installed whole?) [starter]"
[ ! -e "$work/broken" ] && ok || bad "a failed new left the folder"
expect_no_staging "$work/broken"

echo "new: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
