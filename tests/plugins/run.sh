#!/bin/sh
# Rule plugin tests: each tests/plugins/fixtures/RULE/CASE/ is a small content
# folder (site.yaml, the registers the rule reads, plan/ or annexes/ only when
# it reads text) with an `expect` file:
#
#   today 2026-11-28
#   STATUS | SEVERITY | DUE | PLACE | MESSAGE
#
# one line per flag the rule raises, ok flags included, in the order the check
# reports them (by due date, then message); a rule that cannot check gives
# `unchecked | RULE | NEED | FILE:LINE | MESSAGE` for each need the site does not meet. DUE is - when the flag has none;
# PLACE is FILE:LINE relative to the fixture, §SECTION, or -. UPDATE_EXPECT=1
# rewrites the expect files from what the rules give (review the diff). The case runs
# `policygen check -C CASE --today DATE --format json` with a data folder that
# holds the shipped themes and only lua-plugins/RULE.lua, so no other rule
# runs; the shipped helper modules (lua-plugins/lib) are there too.
set -u
cd "$(dirname "$0")/../.."
POLICYGEN=${POLICYGEN:-build/san/policygen}
case $POLICYGEN in /*) ;; *) POLICYGEN=$PWD/$POLICYGEN ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

# The flags of a `check --format json` output, one expect line each.
flag_lines() {
    awk -v dir="$1/" -f tests/lib/flag-lines.awk "$2"
}

for case_dir in $(find tests/plugins/fixtures -mindepth 2 -maxdepth 2 -type d | LC_ALL=C sort); do
    rule=$(basename "$(dirname "$case_dir")")
    name="$rule/$(basename "$case_dir")"
    if [ ! -f "lua-plugins/$rule.lua" ]; then
        fail=$((fail + 1)); echo "FAIL $name: no lua-plugins/$rule.lua"; continue
    fi
    today=$(sed -n 's/^today //p' "$case_dir/expect")
    data=$work/data-$rule
    if [ ! -d "$data" ]; then
        mkdir -p "$data/lua-plugins"
        ln -s "$PWD/themes" "$data/themes"
        ln -s "$PWD/lua-plugins/$rule.lua" "$data/lua-plugins/$rule.lua"
        ln -s "$PWD/lua-plugins/lib" "$data/lua-plugins/lib"
    fi
    POLICYGEN_DATADIR=$data "$POLICYGEN" check -C "$case_dir" --today "$today" --format json \
        >"$work/out.json" 2>"$work/err"
    flag_lines "$case_dir" "$work/out.json" >"$work/got"
    grep -v -e '^today ' -e '^#' -e '^$' "$case_dir/expect" >"$work/want"
    if [ "${UPDATE_EXPECT:-0}" = 1 ] && ! cmp -s "$work/want" "$work/got"; then
        # rewrite the flag lines, keeping the date and the comments (review the diff)
        { grep -e '^today ' -e '^#' "$case_dir/expect"; cat "$work/got"; } >"$work/new"
        cp "$work/new" "$case_dir/expect"
        cp "$work/got" "$work/want"
    fi
    if cmp -s "$work/want" "$work/got" && ! grep -q 'rule-' "$work/err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name (--today $today):"
        diff "$work/want" "$work/got" | sed 's/^/    /'
        grep -e 'rule-' -e 'error:' "$work/err" | grep -v "\[$rule\]" | sed 's/^/    /'
    fi
done

echo "plugins: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
