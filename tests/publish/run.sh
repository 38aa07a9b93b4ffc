#!/bin/sh
# Publicity and hosting settings: site.yaml's hosting and announce keys
# (bad values are errors at their place), `policygen hosting` (its refusals
# and options), feed.xml (valid Atom, atom_check.py), the staff handout
# (1-2 A4 pages, its text, a QR code that zbarimg reads back as the staff
# edition's URL), `policygen announce` (parsed by Python's mail parser,
# eml_check.py; deterministic; its refusals) and the rule
# policy-acknowledged on the example. Two content folders: content/ and
# copies of tests/golden/site shaped otherwise (no digest, no goals, URLs at
# the root or none). Prints `publish: N passed, M failed`.
set -u
cd "$(dirname "$0")/../.."
POLICYGEN=${POLICYGEN:-build/san/policygen}
case $POLICYGEN in /*) ;; *) POLICYGEN=$PWD/$POLICYGEN ;; esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
work=$(mktemp -d)
trap '[ "${KEEP:-}" = 1 ] && echo "kept $work" || rm -rf "$work"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_exit CODE CMD... : runs CMD, stdout in $work/out, stderr in $work/err
expect_exit() {
    want=$1
    shift
    "$@" >"$work/out" 2>"$work/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "'$*' exited $got, expected $want"; sed 's/^/    /' "$work/err" | head -20; fi
}
# expect_line TEXT : stderr has exactly this line
expect_line() {
    if grep -qxF -- "$1" "$work/err"; then ok; else bad "missing diagnostic: $1"; echo "  got:"; sed 's/^/    /' "$work/err"; fi
}
expect_out() { # TEXT : stdout has this text
    if grep -qF -- "$1" "$work/out"; then ok; else bad "output lacks: $1"; fi
}
fresh() { rm -rf "$work/g"; cp -R tests/golden/site "$work/g"; }
line_of() { grep -n -- "$1" "$work/g/site.yaml" | head -1 | cut -d: -f1; }
G=$work/g/site.yaml

# ---- site.yaml: hosting and announce ----

fresh
printf 'hosting:\n  staff:\n    url: ftp://intra.example.org/\n' >>"$G"
expect_exit 3 "$POLICYGEN" check -C "$work/g"
expect_line "$G:$(line_of ftp):10: error: hosting.staff.url must be an http:// or https:// address with a host and no query, fragment or spaces, not 'ftp://intra.example.org/' [site-value]"

fresh
printf 'hosting:\n  internal: { allow: [10.1.0.0/16, 10.0.0.0/33, "2001:db8::/129", intranet] }\n' >>"$G"
expect_exit 3 "$POLICYGEN" check -C "$work/g"
expect_line "$G:$(line_of allow):36: error: '10.0.0.0/33' is not an address range (an IPv4 or IPv6 address, with /prefix for a network) [site-value]"
expect_line "$G:$(line_of allow):49: error: '2001:db8::/129' is not an address range (an IPv4 or IPv6 address, with /prefix for a network) [site-value]"
expect_line "$G:$(line_of allow):67: error: 'intranet' is not an address range (an IPv4 or IPv6 address, with /prefix for a network) [site-value]"

fresh
printf 'hosting:\n  staf: { url: "https://x.example.org/" }\n  staff: { alow: [10.0.0.0/8], auth: { realm: "學校" } }\n' >>"$G"
expect_exit 3 "$POLICYGEN" check -C "$work/g"
expect_line "$G:$(line_of staf:):3: error: unknown edition 'staf' in hosting (editions are public, staff and internal) [site-key]"
expect_line "$G:$(line_of alow):12: error: unknown key 'hosting.staff.alow' in site.yaml [site-key]"
expect_line "$G:$(line_of alow):47: error: hosting.staff.auth.realm must be ASCII text (browsers show no other) without quotes, backslashes or control characters, not '學校' [site-value]"

fresh
printf 'hosting:\n  internal:\n    auth: { realm: ISMS, user_file: etc/htpasswd }\n' >>"$G"
expect_exit 3 "$POLICYGEN" check -C "$work/g"
expect_line "$G:$(line_of user_file):37: error: hosting.internal.auth.user_file must be an absolute path without spaces, quotes or ; { } # < > \$, not 'etc/htpasswd' [site-value]"

fresh
printf 'announce:\n  from: it at school\n  to: 全體同仁 <staff@example.org>\n  cc: x@example.org\n' >>"$G"
expect_exit 3 "$POLICYGEN" check -C "$work/g"
expect_line "$G:$(line_of 'from:'):9: error: announce.from must be an e-mail address, or a name and <address>, not 'it at school' [site-value]"
expect_line "$G:$(line_of 'cc:'):3: error: unknown key 'announce.cc' in site.yaml [site-key]"

# A good one: the URL gets its closing slash, IPv6 and single addresses are ranges.
fresh
printf 'hosting:\n  staff: { url: "http://intra.example.org:8080/isms", allow: ["10.0.0.1", "fd00::/8"] }\n' >>"$G"
expect_exit 0 "$POLICYGEN" hosting nginx -C "$work/g" --edition staff
expect_out "location ^~ /isms/ {"
expect_out "server_name intra.example.org;"
expect_out "allow fd00::/8;"

# ---- policygen hosting ----

fresh
expect_exit 2 "$POLICYGEN" hosting nginx -C "$work/g" --edition internal
expect_line "$G: error: the internal edition has no access control (site.yaml hosting: internal: allow or auth), and nginx would serve it to anyone who reaches *:80: add allow or auth, listen on a loopback address, or give --allow-open [hosting]"
if [ ! -s "$work/out" ]; then ok; else bad "a refused configuration was printed"; fi
expect_exit 2 "$POLICYGEN" hosting apache -C "$work/g" --edition staff --listen 0.0.0.0:8080
expect_line "$G: error: the staff edition has no access control (site.yaml hosting: staff: allow or auth), and Apache would serve it to anyone who reaches 0.0.0.0:8080: add allow or auth, listen on a loopback address, or give --allow-open [hosting]"
expect_exit 0 "$POLICYGEN" hosting apache -C "$work/g" --edition internal --allow-open
expect_out "# no access control: anyone who reaches this listener may read the internal edition"
expect_out "Require all granted"
expect_exit 0 "$POLICYGEN" hosting nginx -C "$work/g" --edition internal --listen 127.0.0.1:8080
expect_out "listen 127.0.0.1:8080;"
expect_exit 0 "$POLICYGEN" hosting nginx -C "$work/g" --edition internal --listen '[::1]:8080'
expect_out "listen [::1]:8080;"
# The public edition needs no access control; its server listens everywhere.
expect_exit 0 "$POLICYGEN" hosting nginx -C "$work/g"
expect_out "listen 80;"
expect_out "listen [::]:80;"
for listen in nope 127.0.0.1 70000 localhost:80 '[::1]8080'; do
    expect_exit 2 "$POLICYGEN" hosting nginx -C "$work/g" --listen "$listen"
    expect_line "policygen hosting: error: --listen takes PORT, ADDRESS:PORT or [IPV6-ADDRESS]:PORT with a numeric address, not '$listen' [hosting]"
done
expect_exit 2 "$POLICYGEN" hosting nginx -C "$work/g" --root srv/www
expect_line "policygen hosting: error: --root must be an absolute path (/...) without spaces, quotes or ; { } # \$ < > & | \`, not 'srv/www' [hosting]"
expect_exit 2 "$POLICYGEN" hosting iis -C "$work/g" --root /var/www
expect_exit 2 "$POLICYGEN" hosting nginx -C "$work/g" --root '/srv/a;b'
expect_exit 2 "$POLICYGEN" hosting caddy -C "$work/g"
expect_line "policygen: unknown server 'caddy' (nginx, apache or iis)"
expect_exit 2 "$POLICYGEN" hosting -C "$work/g"
expect_exit 2 "$POLICYGEN" hosting nginx -C "$work/g" --edition everyone
expect_line "$G: error: no edition 'everyone': site.yaml lists the editions to build [edition]"
expect_exit 3 "$POLICYGEN" hosting nginx -C "$work/nowhere"
# Basic authentication needs the password file for nginx and Apache, not IIS.
printf 'hosting:\n  internal: { auth: { realm: ISMS } }\n' >>"$G"
expect_exit 2 "$POLICYGEN" hosting nginx -C "$work/g" --edition internal
expect_line "$G: error: the internal edition asks for basic authentication: nginx needs site.yaml hosting: internal: auth: user_file, the server's password file [hosting]"
expect_exit 0 "$POLICYGEN" hosting iis -C "$work/g" --edition internal
expect_out '<basicAuthentication enabled="true" realm="ISMS" />'
if xmllint --noout "$work/out" 2>/dev/null; then ok; else bad "hosting iis printed XML that is not well-formed"; fi
# content/: URLs with a sub-path; the internal edition with ranges and a password.
expect_exit 0 "$POLICYGEN" hosting apache --edition internal --root /srv/isms/internal
expect_out 'Alias "/isms/internal/" "/srv/isms/internal/"'
expect_out "Require ip 10.163.1.0/24"
expect_out 'AuthUserFile "/etc/apache2/isms-internal.htpasswd"'
expect_out "<RequireAll>"
expect_exit 0 "$POLICYGEN" hosting iis --edition staff
expect_out 'appcmd add site /name:"isms-plan-staff" /bindings:"http/*:80:intra.lsps.example.org" /physicalPath:"C:\inetpub\isms-plan\staff"'
expect_out '<add ipAddress="163.19.163.0" subnetMask="255.255.255.0" allowed="true" />'
if xmllint --noout "$work/out" 2>/dev/null; then ok; else bad "hosting iis printed XML that is not well-formed"; fi

# ---- the rule policy-acknowledged on the example ----

expect_exit 1 "$POLICYGEN" check --today 2026-11-28
for who in '鄭文雄（S-09）' '楊宗翰（S-11）' '郭俊傑（S-15）'; do
    if grep "$who尚未確認閱讀計畫 V1.0" "$work/err" | grep -q '(overdue, due [0-9-]*) \[policy-acknowledged\]$'; then ok; else bad "check does not report $who under policy-acknowledged"; fi
done
n=$(grep -c 'warning: .*\[policy-acknowledged\]$' "$work/err")
if [ "$n" -eq 3 ]; then ok; else bad "policy-acknowledged reported $n staff, expected 3"; fi

# ---- builds ----

if ! "$POLICYGEN" build -C content -o "$work/out-all" --today 2026-11-28 --no-pdf >"$work/build.log" 2>&1 ||
    ! "$POLICYGEN" build -C content -o "$work/out-staff" --today 2026-11-28 --edition staff >>"$work/build.log" 2>&1; then
    cat "$work/build.log"; echo "publish: $pass passed, $((fail + 1)) failed"; exit 1
fi
fresh
cat >>"$G" <<'EOF'
hosting:
  staff: { url: "http://127.0.0.1:8080/", allow: [127.0.0.1] }
announce:
  from: it@school.example.org
EOF
cp "$G" "$work/g-hosted.yaml"
"$POLICYGEN" build -C "$work/g" -o "$work/gout" --today 2026-11-28 >"$work/gbuild.log" 2>&1 || { bad "build of the fixture"; cat "$work/gbuild.log"; }

# ---- feed.xml ----

if python3 tests/publish/atom_check.py --self "$work"/out-all/*/feed.xml >"$work/atom.log"; then ok; else bad "feeds of content/:"; cat "$work/atom.log"; fi
if python3 tests/publish/atom_check.py "$work"/gout/*/feed.xml >"$work/atom.log"; then ok; else bad "feeds of the fixture:"; cat "$work/atom.log"; fi
# The checker fails a broken feed (no id, a date without its time).
sed 's#<id>urn:uuid:[^<]*</id>##; s#T00:00:00+08:00##' "$work/out-all/public/feed.xml" >"$work/broken.xml"
if ! python3 tests/publish/atom_check.py "$work/broken.xml" >/dev/null; then ok; else bad "atom_check.py passed a broken feed"; fi
feed=$work/out-all/public/feed.xml
for want in '<link rel="self" type="application/atom+xml" href="https://www.lsps.example.org/isms/feed.xml"/>' \
    '<title>資通安全維護計畫 V1.0（中華民國 107 年 12 月 26 日核定）</title>' \
    '<summary type="text">新擬訂文件</summary>' \
    '<link rel="alternate" type="text/html" href="https://www.lsps.example.org/isms/index.html"/>'; do
    if grep -qF -- "$want" "$feed"; then ok; else bad "public feed.xml lacks $want"; fi
done
if [ "$(grep -c '<entry>' "$work/gout/public/feed.xml")" -eq 2 ] &&
    grep -q 'href="index.html"' "$work/gout/public/feed.xml" && ! grep -q 'rel="self"' "$work/gout/public/feed.xml"; then
    ok
else
    bad "the fixture's feed: two entries with relative links and no self link expected"
fi
# Each edition's feed has an id of its own.
ids=$(sed -n 's#^  <id>\(.*\)</id>$#\1#p' "$work"/out-all/*/feed.xml | sort -u | wc -l)
if [ "$ids" -eq 3 ]; then ok; else bad "the editions' feeds share ids"; fi
# Every page of an edition that has a feed points feed readers at it
# (<link rel="alternate"> relative to the page); an edition without one
# (no revisions register) has neither.
missing=$(cd "$work/out-all/public" && find . -name '*.html' -exec grep -L '<link rel="alternate" type="application/atom+xml"' {} + | head -3)
if [ -z "$missing" ] &&
    grep -q '<link rel="alternate" type="application/atom+xml" title="[^"]*" href="feed.xml">' "$work/out-all/public/index.html" &&
    grep -q '<link rel="alternate" type="application/atom+xml" title="[^"]*" href="../feed.xml">' "$work/out-all/public/plan/index.html"; then
    ok
else
    bad "pages do not all point at their edition's feed.xml (e.g. $missing)"
fi
nf=$work/nofeed
cp -R tests/fixtures/school2 "$nf"
rm "$nf/registers/revisions.yaml"
"$POLICYGEN" build -C "$nf" -o "$nf-out" --today 2026-11-28 --no-pdf >/dev/null 2>&1
if [ -d "$nf-out/public/plan" ] && [ -z "$(ls "$nf-out"/*/feed.xml 2>/dev/null)" ] &&
    ! grep -rq 'application/atom+xml' --include='*.html' "$nf-out"; then
    ok
else
    bad "a site without a feed links to one, or has one"
fi

# ---- the handout ----

ho=$work/out-staff/staff/pdf/handout-V1.0.pdf
if [ -f "$ho" ]; then ok; else bad "no staff/pdf/handout-V1.0.pdf"; fi
if [ -f "$work/gout/staff/pdf/handout-V1.1.pdf" ] && [ -z "$(ls "$work"/gout/public/pdf/handout* "$work"/gout/internal/pdf/handout* 2>/dev/null)" ]; then ok; else bad "the handout belongs to the staff edition only"; fi
pages=$(pdfinfo "$ho" 2>/dev/null | sed -n 's/^Pages: *//p')
if [ "${pages:-0}" -ge 1 ] && [ "${pages:-0}" -le 2 ]; then ok; else bad "the handout has ${pages:-no} pages"; fi
if pdfinfo "$ho" | grep -q 'Page size: *595.276 x 841.89 pts (A4)'; then ok; else bad "the handout is not A4"; fi
if qpdf --check "$ho" >/dev/null 2>&1; then ok; else bad "qpdf --check fails on the handout"; fi
if pdffonts "$ho" | awk 'NR > 2 && $(NF-4) != "yes" { bad = 1 } END { exit bad }'; then ok; else bad "a font of the handout is not embedded"; fi
pdftotext "$ho" - | tr -d ' \n' >"$work/ho.txt"
for want in 資通安全政策宣導 資通安全政策 應建立資通安全風險管理機制 資通安全目標 提報國家資通安全通報應變網站之資通安全3、4級事件不得發生 \
    同仁資通安全須知 通行碼長度8碼以上 https://intra.lsps.example.org/isms/staff/; do
    if grep -qF -- "$want" "$work/ho.txt"; then ok; else bad "the handout's text lacks $want"; fi
done
qr() { # PDF -> the codes zbarimg reads on its pages, one a line
    rm -f "$work"/qr-*.png
    pdftoppm -r 150 -png "$1" "$work/qr"
    zbarimg -q --raw "$work"/qr-*.png 2>/dev/null
}
got=$(qr "$ho")
if [ "$got" = "https://intra.lsps.example.org/isms/staff/" ]; then ok; else bad "the handout's QR code reads '$got'"; fi
got=$(qr "$work/gout/staff/pdf/handout-V1.1.pdf")
if [ "$got" = "http://127.0.0.1:8080/" ]; then ok; else bad "the fixture's handout QR code reads '$got'"; fi
# Without a URL for the staff edition: no QR code, the edition named instead;
# and a long digest still fits on two pages: the type shrinks.
fresh
{
    printf -- '---\ntitle: 同仁須知\n---\n'
    i=1
    while [ $i -le 20 ]; do
        printf -- '- 第 %d 項：使用電子郵件時應提高警覺，避免讀取來歷不明之郵件或含有巨集檔案之郵件，並遵守本校資通安全政策及相關規定。\n' $i
        i=$((i + 1))
    done
} >"$work/g/digest.md"
"$POLICYGEN" build -C "$work/g" -o "$work/glong" --today 2026-11-28 --edition staff >"$work/gbuild.log" 2>&1 || { bad "build of the fixture with a long digest"; cat "$work/gbuild.log"; }
hl=$work/glong/staff/pdf/handout-V1.1.pdf
got=$(qr "$hl")
if [ -z "$got" ] && pdftotext "$hl" - | tr -d ' \n' | grep -qF '請見資通安全維護計畫同仁版。'; then ok; else bad "a handout without a URL: QR '$got'"; fi
pages=$(pdfinfo "$hl" 2>/dev/null | sed -n 's/^Pages: *//p')
if [ "${pages:-0}" -ge 1 ] && [ "${pages:-0}" -le 2 ] && pdftotext "$hl" - | tr -d ' \n' | grep -qF '第20項'; then ok; else bad "a long digest: ${pages:-no} pages"; fi
# (its body type is smaller than the example's: the height of a line's glyph box)
word_height() { pdftotext -bbox "$1" - | grep -m1 ">$2</word>" | sed 's/.*yMin="\([0-9.]*\)".*yMax="\([0-9.]*\)".*/\2 \1/' | awk '{ print $1 - $2 }'; }
small=$(word_height "$hl" 第)
normal=$(word_height "$ho" 通行碼長度)
if awk -v a="${small:-99}" -v b="${normal:-0}" 'BEGIN { exit !(a < b - 0.5) }'; then ok; else bad "the long digest's type did not shrink ($small against $normal)"; fi

# ---- policygen announce ----

A="$POLICYGEN announce --today 2026-11-28"
S=https://intra.lsps.example.org/isms/staff/
expect_exit 0 $A -o "$work/a.eml"
if python3 tests/publish/eml_check.py "$work/a.eml" V1.0 新擬訂文件 同仁資通安全須知 通行碼長度 8 碼以上 \
    '請於公告後 30 日內閱讀同仁版' --link "${S}index.html" --link "${S}feed.xml" --link "${S}pdf/handout-V1.0.pdf" \
    --html-link "${S}plan/controls.html#account-management" >"$work/eml.log"; then ok; else bad "the announcement:"; cat "$work/eml.log"; fi
if grep -q '^To: =?UTF-8?b?[^ ]*?= <all-staff@lsps.example.org>' "$work/a.eml"; then ok; else bad "the announcement's To"; fi
if grep -q '^Date: Sat, 28 Nov 2026 08:00:00 +0800' "$work/a.eml" && grep -q '^X-Mailer: policygen announce' "$work/a.eml"; then ok; else bad "the announcement's Date or X-Mailer"; fi
expect_exit 0 $A -o "$work/a.eml"
expect_exit 0 $A -o -
if cmp -s "$work/out" "$work/a.eml"; then ok; else bad "-o - differs from -o FILE (or a rerun differs)"; fi
expect_exit 0 $A --edition public -o "$work/p.eml"
if python3 tests/publish/eml_check.py "$work/p.eml" 公開版 --link https://www.lsps.example.org/isms/index.html >"$work/eml.log" &&
    ! grep -q 'handout' "$work/p.eml" && ! python3 tests/publish/eml_check.py "$work/p.eml" --link "${S}index.html" >/dev/null; then ok; else bad "the public announcement:"; cat "$work/eml.log"; fi
expect_exit 0 $A --base-url https://mirror.example.org/plan -o "$work/b.eml"
if python3 tests/publish/eml_check.py "$work/b.eml" --link https://mirror.example.org/plan/index.html >"$work/eml.log"; then ok; else bad "--base-url:"; cat "$work/eml.log"; fi
# The fixture: no digest, two versions, a sender without a name.
cp "$work/g-hosted.yaml" "$G"
rm -f "$work/g/digest.md"
expect_exit 0 $A -C "$work/g" -o "$work/g.eml"
if python3 tests/publish/eml_check.py "$work/g.eml" V1.1 修正核心業務表 --link http://127.0.0.1:8080/index.html >"$work/eml.log"; then ok; else bad "the fixture's announcement:"; cat "$work/eml.log"; fi
# A version whose row gives no changes: what changed since the release before.
expect_exit 0 "$POLICYGEN" release -C "$work/g" --force --today 2026-11-28
printf '  - version: V1.2\n    date: 2026-11-20\n    unit: 教導處\n    editor: 資訊教師\n    approver: 校長\n    status: approved\n' \
    >>"$work/g/registers/revisions.yaml"
printf '\n## 宣導事項\n\n每年向全體同仁宣導。\n' >>"$work/g/plan/02-scope.md"
expect_exit 0 $A -C "$work/g" -o "$work/r.eml"
if python3 tests/publish/eml_check.py "$work/r.eml" V1.2 新增 宣導事項 >"$work/eml.log"; then ok; else bad "the changes since the last release:"; cat "$work/eml.log"; fi
cp "$work/g-hosted.yaml" "$G"
# Refusals.
printf 'not mail\n' >"$work/notes.txt"
expect_exit 2 $A -o "$work/notes.txt"
expect_line "$work/notes.txt: error: exists and is not an announcement policygen wrote: not replaced [output]"
if [ "$(cat "$work/notes.txt")" = "not mail" ]; then ok; else bad "a file policygen did not write was replaced"; fi
expect_exit 2 $A
expect_line "policygen: announce needs -o FILE.eml (or -o - for standard output)"
expect_exit 2 $A --base-url 'javascript:alert(1)' -o "$work/x.eml"
expect_line "policygen announce: error: --base-url must be an http:// or https:// address with a host, not 'javascript:alert(1)' [usage]"
expect_exit 2 $A --edition everyone -o "$work/x.eml"
fresh
expect_exit 2 $A -C "$work/g" -o "$work/x.eml"
expect_line "$G: error: no URL for the staff edition: give --base-url or site.yaml hosting: staff: url [announce]"
expect_exit 3 $A -C "$work/g" --base-url http://127.0.0.1/ -o "$work/x.eml"
expect_line "$G: error: the e-mail needs a sender: give site.yaml announce: from [announce]"
cp "$work/g-hosted.yaml" "$G"
R=$work/g/registers/revisions.yaml
printf '  - version: V1.2\n    date: 2026-11-20\n    unit: 教導處\n    editor: 資訊教師\n    status: draft\n' >>"$R"
expect_exit 3 $A -C "$work/g" -o "$work/x.eml"
expect_line "$R:$(grep -n 'version: V1.2' "$R" | cut -d: -f1):5: error: version V1.2 is a draft: only an approved version is announced to staff [announce]"
if [ ! -e "$work/x.eml" ]; then ok; else bad "a refused announcement was written"; fi

echo "publish: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
