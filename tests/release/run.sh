#!/bin/sh
# release, bundle and verify from the command line: exit codes, the exact
# diagnostics, byte-identical zips, and what the zips hold. Works on copies of
# tests/golden/site in a temporary folder (never in the repository). Zips are
# listed, read and tampered with by build/tests/release/release_test (libzip;
# no zip or unzip needed).
set -u
cd "$(dirname "$0")/../.."
repo=$PWD
POLICYGEN=${POLICYGEN:-build/san/policygen}
case $POLICYGEN in /*) ;; *) POLICYGEN=$PWD/$POLICYGEN ;; esac
TOOL=${RELEASE_TOOL:-$PWD/build/tests/release/release_test}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The shipped themes but none of the shipped rules: the fixture brings its own.
mkdir "$work/data"
ln -s "$PWD/themes" "$work/data/themes"
export POLICYGEN_DATADIR="$work/data"
GOOD_DAY=2026-05-01 # the fixture's rules find no errors on this day
BAD_DAY=2026-11-28  # ... and an overdue yearly review on this one
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_exit CODE CMD... : runs CMD, keeps stdout in $work/out, stderr in $work/err
expect_exit() {
    want=$1
    shift
    "$@" >"$work/out" 2>"$work/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "'$*' exited $got, expected $want"; cat "$work/err"; fi
}
# expect_line FILE TEXT : FILE has exactly this line
expect_line() {
    if grep -qxF -- "$2" "$1"; then ok; else bad "missing line: $2"; echo "  got:"; sed 's/^/    /' "$1"; fi
}
expect_file() { if [ -f "$1" ]; then ok; else bad "no file $1"; fi; }
expect_no_file() { if [ ! -e "$1" ]; then ok; else bad "$1 should not exist"; fi; }
expect_same() { if cmp -s "$1" "$2"; then ok; else bad "$1 and $2 differ"; fi; }
# expect_entry ZIP NAME : the zip (read safely) has this entry
expect_entry() {
    if "$TOOL" list "$1" 2>"$work/tool.err" | grep -qxF -- "$2"; then ok; else bad "$1 has no entry $2"; cat "$work/tool.err"; fi
}
no_temp_left() {
    left=$(find "$1" -name '.release-*' -o -name '*.tmp-*' 2>/dev/null)
    if [ -z "$left" ]; then ok; else bad "temporary files left: $left"; fi
}
fresh_site() { # fresh_site DIR: DIR/site is a copy of the fixture
    rm -rf "$1"
    mkdir -p "$1"
    cp -R "$repo/tests/golden/site" "$1/site"
}

# ---- release ----

fresh_site "$work/a"
cd "$work/a"
expect_exit 0 "$POLICYGEN" release -C site --today $GOOD_DAY
zip_a=$work/a/site/releases/V1.1.zip
expect_file "$zip_a"
if grep -q '^release: site/releases/V1.1.zip ([0-9]* files, [0-9]* bytes, sha256 [0-9a-f]\{64\})$' "$work/out"; then ok; else bad "release's summary line"; cat "$work/out"; fi
no_temp_left "$work/a/site"
expect_entry "$zip_a" content/site.yaml
expect_entry "$zip_a" content/registers/revisions.yaml
expect_entry "$zip_a" content/plan/01-basis.md
expect_entry "$zip_a" manifest.json
if "$TOOL" list "$zip_a" | grep -q '^site/.*index\.html$'; then ok; else bad "no rendered site/ in the release"; fi
if "$TOOL" list "$zip_a" | grep -q '^content/releases/'; then bad "the release holds releases/"; else ok; fi
"$TOOL" cat "$zip_a" manifest.json >"$work/manifest.json"
expect_line "$work/manifest.json" '  "schema": "policygen-release/1",'
expect_line "$work/manifest.json" '  "document": "isms-plan",'
expect_line "$work/manifest.json" '  "version": "V1.1",'
expect_line "$work/manifest.json" '  "date": "2025-03-02",'
expect_line "$work/manifest.json" '  "approver": "校長",'
expect_line "$work/manifest.json" '      "path": "content/site.yaml",'
# The manifest lists every other entry, with its size and hash.
listed=$(grep -c '"path":' "$work/manifest.json")
entries=$("$TOOL" list "$zip_a" | grep -vc '^manifest.json$')
if [ "$listed" -eq "$entries" ]; then ok; else bad "manifest lists $listed files, the zip has $entries"; fi
"$TOOL" cat "$zip_a" content/site.yaml >"$work/site.yaml.released"
expect_same "$work/site.yaml.released" "$work/a/site/site.yaml"

# The same content in another folder, with other file times and modes and
# another time zone: the same bytes.
fresh_site "$work/b"
touch -d '2001-02-03 04:05:06' "$work/b/site/site.yaml"
chmod 600 "$work/b/site/plan/01-basis.md"
cd "$work/b"
TZ=America/Sao_Paulo expect_exit 0 "$POLICYGEN" release -C site --today $GOOD_DAY
expect_same "$zip_a" "$work/b/site/releases/V1.1.zip"

# A released version is never written again.
cd "$work/a"
sum_before=$(sha256sum "$zip_a")
expect_exit 3 "$POLICYGEN" release -C site --today $GOOD_DAY
expect_line "$work/err" "site/releases/V1.1.zip: error: V1.1 is already released, and a released zip is never modified (add a revisions row for the next version) [release]"
if [ "$(sha256sum "$zip_a")" = "$sum_before" ]; then ok; else bad "the released zip changed"; fi
no_temp_left "$work/a/site"

# A release that cannot be read fails the build (exit 3, at the zip) rather
# than dropping its version; so does a readable zip that is not a release.
cd "$work/a"
expect_exit 0 "$POLICYGEN" build -C site -o out --no-pdf --today $GOOD_DAY
expect_file "$work/a/out/public/versions/V1.1/index.html"
out_before=$(cd "$work/a/out" && find . -type f -exec sha256sum {} + | LC_ALL=C sort)
out_untouched() {
    if [ "$(cd "$work/a/out" && find . -type f -exec sha256sum {} + | LC_ALL=C sort)" = "$out_before" ] &&
        [ -z "$(ls -d "$work"/a/out.tmp-* 2>/dev/null)" ]; then ok; else bad "the output changed ($1)"; fi
}
printf 'not a zip at all\n' >site/releases/V1.0.zip
expect_exit 3 "$POLICYGEN" build -C site -o out --no-pdf --today $GOOD_DAY
if grep -q '^site/releases/V1.0.zip: error: .*\[zip\]$' "$work/err"; then ok; else bad "no diagnostic at the unreadable zip"; cat "$work/err"; fi
out_untouched "an unreadable release"
rm site/releases/V1.0.zip
expect_exit 0 "$POLICYGEN" bundle -C site -o bundled --edition public --today $GOOD_DAY
cp bundled/dist/*-public.zip site/releases/V1.0.zip
expect_exit 3 "$POLICYGEN" build -C site -o out --no-pdf --today $GOOD_DAY
expect_line "$work/err" "site/releases/V1.0.zip: error: not a release: it has no content/site.yaml (policygen release makes releases; move other files out of releases/) [release]"
out_untouched "a zip that is not a release"
rm -rf site/releases/V1.0.zip bundled out

# A draft: not approved, no approver; nothing written.
fresh_site "$work/c"
cat >>"$work/c/site/registers/revisions.yaml" <<'EOF'
  - version: V1.2
    date: 2026-04-01
    changes: 草稿
    unit: 教導處
    editor: 資訊教師
    status: draft
EOF
line=$(grep -n '^  - version: V1.2' "$work/c/site/registers/revisions.yaml" | cut -d: -f1)
cd "$work/c"
expect_exit 3 "$POLICYGEN" release -C site --today $GOOD_DAY
expect_line "$work/err" "site/registers/revisions.yaml:$line:5: error: revision V1.2 is not approved (status: draft): only an approved revision can be released [release]"
expect_line "$work/err" "site/registers/revisions.yaml:$line:5: error: revision V1.2 has no approver: a release records who approved it [release]"
expect_no_file "$work/c/site/releases"

# Approved but with no approver.
fresh_site "$work/c2"
sed -i '/^  - version: V1.1$/,$ {/^    approver:/d}' "$work/c2/site/registers/revisions.yaml"
line=$(grep -n '^  - version: V1.1' "$work/c2/site/registers/revisions.yaml" | cut -d: -f1)
cd "$work/c2"
expect_exit 3 "$POLICYGEN" release -C site --today $GOOD_DAY
expect_line "$work/err" "site/registers/revisions.yaml:$line:5: error: revision V1.1 has no approver: a release records who approved it [release]"
expect_no_file "$work/c2/site/releases/V1.1.zip"

# Error-level flags: refused, unless --force.
fresh_site "$work/d"
cd "$work/d"
expect_exit 1 "$POLICYGEN" release -C site --today $BAD_DAY
expect_line "$work/err" "policygen: error: V1.1 not released: the checks found error-level flags (above); fix them, or release anyway with --force [release]"
expect_no_file "$work/d/site/releases"
expect_exit 0 "$POLICYGEN" release -C site --today $BAD_DAY --force
expect_file "$work/d/site/releases/V1.1.zip"
expect_entry "$work/d/site/releases/V1.1.zip" content/site.yaml
expect_entry "$work/d/site/releases/V1.1.zip" manifest.json
if "$TOOL" list "$work/d/site/releases/V1.1.zip" | grep -q '^site/'; then ok; else bad "no site/ in the forced release"; fi
no_temp_left "$work/d/site"

# Usage.
expect_exit 2 "$POLICYGEN" release -C site --today 2026-13-01
expect_exit 2 "$POLICYGEN" release -C site extra

# ---- bundle ----

# The build writes OUT/<edition>/ for each edition; until it does, the
# bundles are made from a folder laid out that way by hand (--no-build).
cd "$work/a"
"$POLICYGEN" build -C site -o "$work/probe" --today $GOOD_DAY >/dev/null 2>&1
if [ -d "$work/probe/public" ] && [ -d "$work/probe/internal" ]; then
    layout=build
    expect_exit 0 "$POLICYGEN" bundle -C site -o out1 --today $GOOD_DAY
    cp "$work/out" "$work/bundle.out"
    cd "$work/b"
    expect_exit 0 "$POLICYGEN" bundle -C site -o out1 --today $GOOD_DAY
    cd "$work/a"
else
    layout=hand
    echo "note: the build does not write OUT/<edition>/ yet; bundles tested with --no-build"
    for d in a b; do
        for e in public staff internal; do
            mkdir -p "$work/$d/out1"
            cp -R "$work/probe" "$work/$d/out1/$e"
        done
    done
    expect_exit 0 "$POLICYGEN" bundle -C site -o out1 --no-build
    cp "$work/out" "$work/bundle.out"
    cd "$work/b"
    expect_exit 0 "$POLICYGEN" bundle -C site -o out1 --no-build
    cd "$work/a"
fi
for e in public staff internal; do
    z=out1/dist/isms-plan-V1.1-$e.zip
    expect_file "$work/a/$z"
    expect_same "$work/a/$z" "$work/b/$z"
    n=$(sed -n "s|^bundle: $z (\([0-9]*\) files)\$|\1|p" "$work/bundle.out")
    if [ -n "$n" ]; then ok; else bad "no bundle line for $z"; cat "$work/bundle.out"; fi
    expect_entry "$work/a/$z" MANIFEST.sha256
    expect_entry "$work/a/$z" index.html
    expect_exit 0 "$POLICYGEN" verify "$work/a/$z"
    expect_line "$work/out" "verify: ${n:-?} files OK"
done

# Tampered copies of the public bundle.
z=$work/a/out1/dist/isms-plan-V1.1-public.zip
victim=plan/basis.html
"$TOOL" list "$z" | grep -qxF $victim || victim=$("$TOOL" list "$z" | grep -v '^MANIFEST' | head -1)
"$TOOL" tamper byte "$z" "$work/byte.zip" "$victim"
expect_exit 1 "$POLICYGEN" verify "$work/byte.zip"
expect_line "$work/err" "$work/byte.zip: error: $victim: hash mismatch [verify]"
"$TOOL" tamper extra "$z" "$work/extra.zip" extra.html
expect_exit 1 "$POLICYGEN" verify "$work/extra.zip"
expect_line "$work/err" "$work/extra.zip: error: extra.html: extra file (in the zip, not in MANIFEST.sha256) [verify]"
"$TOOL" tamper remove "$z" "$work/removed.zip" index.html
expect_exit 1 "$POLICYGEN" verify "$work/removed.zip"
expect_line "$work/err" "$work/removed.zip: error: index.html: missing (listed in MANIFEST.sha256, not in the zip) [verify]"
"$TOOL" tamper extra "$z" "$work/escape.zip" ../escape.html
expect_exit 1 "$POLICYGEN" verify "$work/escape.zip"
expect_line "$work/err" "$work/escape.zip: error: entry '../escape.html' has a '..' component: it would leave its folder [zip]"
expect_exit 1 "$POLICYGEN" verify "$work/nothing.zip"
expect_line "$work/err" "$work/nothing.zip: error: cannot open: No such file or directory [zip]"
expect_exit 2 "$POLICYGEN" verify
expect_exit 2 "$POLICYGEN" verify "$z" "$z"

# One edition; an edition site.yaml does not list.
rm -rf "$work/a/out1/dist"
if [ $layout = build ]; then
    expect_exit 0 "$POLICYGEN" bundle -C site -o out1 --edition staff --today $GOOD_DAY
else
    expect_exit 0 "$POLICYGEN" bundle -C site -o out1 --edition staff --no-build
fi
expect_file "$work/a/out1/dist/isms-plan-V1.1-staff.zip"
expect_no_file "$work/a/out1/dist/isms-plan-V1.1-public.zip"
expect_exit 2 "$POLICYGEN" bundle -C site -o out1 --edition bogus --no-build
expect_line "$work/err" "site/site.yaml: error: no edition 'bogus' in site.yaml (editions: public, staff, internal) [bundle]"
# A missing edition folder is a clear error.
rm -rf "$work/a/out1/internal"
expect_exit 3 "$POLICYGEN" bundle -C site -o out1 --edition internal --no-build
expect_line "$work/err" "out1/internal: error: no such folder: the build writes each edition into out1/<edition>/ [bundle]"

cd "$work"
echo "release: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
