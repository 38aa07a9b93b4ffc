#!/bin/sh
# The browser suite (tests/browser/suite.js): the example content and the
# golden fixture (a second, differently shaped content folder), built
# without PDFs, opened from file:// in Debian's chromium: every page template
# of every edition at 390 and 1280 px, accessibility (axe-core), an annex
# printed, and the offline search. The Node packages are tests/node's
# (installed by `make test` with npm ci from the committed lock file).
set -u
cd "$(dirname "$0")/../.."
POLICYGEN=${POLICYGEN:-build/san/policygen}
if [ ! -d tests/node/node_modules/puppeteer-core ] || [ ! -d tests/node/node_modules/axe-core ]; then
    echo "browser: tests/node/node_modules is missing: run 'make test' (it runs npm ci there)"
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for site in content:example tests/golden/site:golden; do
    src=${site%%:*}
    name=${site#*:}
    if ! $POLICYGEN build -C "$src" -o "$work/$name" --today 2026-11-28 --no-pdf >"$work/$name.log" 2>&1; then
        echo "browser: building $src failed:"
        cat "$work/$name.log"
        exit 1
    fi
done
exec node tests/browser/suite.js \
    "$work/example" example --axe 資產盤點 "plan/inventory.html#資訊及資通系統盤點" \
    ｓｗ－００１ "registers/assets.html#SW-001" \
    "$work/golden" golden 風險管理 "plan/basis.html#policy"
