#!/bin/sh
# Rule plugin tests: each tests/plugins/fixtures/RULE/CASE/ is a small content
# folder (site.yaml, the registers the rule reads, plan/ or annexes/ only when
# it reads text) with an `expect` file:
#
#   today 2026-11-28
#   STATUS | SEVERITY | DUE | PLACE | MESSAGE
#
# one line per flag the rule raises, ok flags included, in the order the check
# reports them (by due date, then message). DUE is - when the flag has none;
# PLACE is FILE:LINE relative to the fixture, §SECTION, or -. The case runs
# `policygen check -C CASE --today DATE --format json` with a data folder that
# holds the shipped themes and only lua-plugins/RULE.lua, so no other rule
# runs. A case folder with a `requires` file naming `register-fields` runs only
# when the binary gives rules the registers' fields (site.registers[].fields).
set -u
cd "$(dirname "$0")/../.."
POLICYGEN=${POLICYGEN:-build/san/policygen}
case $POLICYGEN in /*) ;; *) POLICYGEN=$PWD/$POLICYGEN ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
skipped=""

# The flags of a `check --format json` output, one expect line each.
flag_lines() {
    awk -v dir="$1/" '
        function unquote(v) {
            if (v == "null") return "-"
            if (substr(v, 1, 1) != "\"") return v
            v = substr(v, 2, length(v) - 2)
            gsub(/\\"/, "\"", v)
            gsub(/\\\\/, "\\", v)
            return v
        }
        /^  "flags": \[/ { inflags = 1; next }
        inflags && /^      "[a-z_]+": / {
            line = $0
            sub(/^      "/, "", line)
            key = line
            sub(/".*/, "", key)
            sub(/^[a-z_]+": /, "", line)
            sub(/,$/, "", line)
            f[key] = unquote(line)
            if (key == "section") {
                place = "-"
                if (f["file"] != "-") {
                    file = f["file"]
                    if (index(file, dir) == 1) file = substr(file, length(dir) + 1)
                    place = file ":" f["line"]
                } else if (f["section"] != "-") {
                    place = "§" f["section"]
                }
                print f["status"] " | " f["severity"] " | " f["due"] " | " place " | " f["message"]
            }
        }' "$2"
}

# Whether the binary passes register fields to rules.
has_register_fields() {
    probe=$work/probe
    mkdir -p "$probe/content/registers" "$probe/data/lua-plugins"
    printf 'organization: { name: 測試, short_name: 測試, parent: 測試, level: D }\ndocument: { id: plan, title: 計畫 }\n' \
        >"$probe/content/site.yaml"
    printf 'title: 測試\nfields:\n  id: { label: 編號, type: text }\nitems:\n  - id: A\n' >"$probe/content/registers/x.yaml"
    cat >"$probe/data/lua-plugins/probe.lua" <<'LUA'
return rule { id = "probe", title = "probe", severity = "info", source = "tests",
  check = function(site) if site.registers.x.fields then flag { message = "fields", status = "ok" } end end }
LUA
    POLICYGEN_DATADIR=$probe/data "$POLICYGEN" check -C "$probe/content" --format json 2>/dev/null |
        grep -q '"message": "fields"'
}
fields_checked=""
fields=0

for case_dir in $(find tests/plugins/fixtures -mindepth 2 -maxdepth 2 -type d | LC_ALL=C sort); do
    rule=$(basename "$(dirname "$case_dir")")
    name="$rule/$(basename "$case_dir")"
    if [ ! -f "lua-plugins/$rule.lua" ]; then
        fail=$((fail + 1)); echo "FAIL $name: no lua-plugins/$rule.lua"; continue
    fi
    if [ -f "$case_dir/requires" ] && grep -q register-fields "$case_dir/requires"; then
        if [ -z "$fields_checked" ]; then
            fields_checked=1
            if has_register_fields; then fields=1; fi
        fi
        if [ "$fields" -eq 0 ]; then
            skipped="$skipped $name"; continue
        fi
    fi
    today=$(sed -n 's/^today //p' "$case_dir/expect")
    data=$work/data-$rule
    if [ ! -d "$data" ]; then
        mkdir -p "$data/lua-plugins"
        ln -s "$PWD/themes" "$data/themes"
        ln -s "$PWD/lua-plugins/$rule.lua" "$data/lua-plugins/$rule.lua"
    fi
    POLICYGEN_DATADIR=$data "$POLICYGEN" check -C "$case_dir" --today "$today" --format json \
        >"$work/out.json" 2>"$work/err"
    flag_lines "$case_dir" "$work/out.json" >"$work/got"
    grep -v -e '^today ' -e '^#' -e '^$' "$case_dir/expect" >"$work/want"
    if cmp -s "$work/want" "$work/got" && ! grep -q 'rule-' "$work/err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name (--today $today):"
        diff "$work/want" "$work/got" | sed 's/^/    /'
        grep -e 'rule-' -e 'error:' "$work/err" | grep -v "\[$rule\]" | sed 's/^/    /'
    fi
done

[ -z "$skipped" ] || echo "skipped (this policygen gives rules no register fields):$skipped"
echo "plugins: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
