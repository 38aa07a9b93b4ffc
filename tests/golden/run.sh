#!/bin/sh
# Golden output: builds tests/golden/site and compares every file with
# tests/golden/expected. UPDATE_GOLDEN=1 rewrites the expected tree (review
# the diff before committing it).
set -u
cd "$(dirname "$0")/../.."
POLICYGEN=${POLICYGEN:-build/san/policygen}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The shipped themes but none of the shipped rules: the fixture brings its
# own, so the expected output does not change with every plugin.
mkdir "$work/data"
ln -s "$PWD/themes" "$work/data/themes"
export POLICYGEN_DATADIR="$work/data"

# PDFs are binary and tested by tests/pdf/run.sh: the golden output is the HTML.
if ! $POLICYGEN build -C tests/golden/site -o "$work/out" --today 2026-11-28 --no-pdf 2>"$work/log"; then
    cat "$work/log"
    echo "golden: 0 passed, 1 failed"
    exit 1
fi
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    rm -rf tests/golden/expected
    cp -R "$work/out" tests/golden/expected
    echo "golden: expected output rewritten"
fi
files=$(cd tests/golden/expected && find . -type f | LC_ALL=C sort)
pass=0
fail=0
for f in $files; do
    if cmp -s "tests/golden/expected/$f" "$work/out/$f"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "golden: $f differs:"
        diff -u "tests/golden/expected/$f" "$work/out/$f" | head -40
    fi
done
(cd tests/golden/expected && find . -type f | LC_ALL=C sort) >"$work/expected.list"
(cd "$work/out" && find . -type f | LC_ALL=C sort) >"$work/actual.list"
for f in $(LC_ALL=C comm -13 "$work/expected.list" "$work/actual.list"); do
    fail=$((fail + 1))
    echo "golden: unexpected file $f (not in tests/golden/expected)"
done
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
